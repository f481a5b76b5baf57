"""The configuration, loaded once with tomllib into frozen dataclasses and validated.

Every choice is an enum (intake.config.choices), checked here at load with an error that
names the key and the allowed values.  Secrets never live in the TOML: a mailbox names an
environment variable (password_env) or a file (password_file) that holds its password, and
both are read here, at load (intake.config.servers), so a missing one stops `intake run` at
start.  Every path is relative to the config file's folder.  Which SMTP account sends which
From address: intake.config.sending.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from intake.config.choices import MailboxKind
from intake.config.model import (
    Config,
    ConsoleConfig,
    DaemonConfig,
    DigestConfig,
    MailboxConfig,
    OutboxConfig,
    RemindersConfig,
    SmtpConfig,
)
from intake.config.sections import read_addresses, read_section
from intake.config.sending import check_senders, finish_outbox, read_mailbox_smtp
from intake.config.servers import (
    check_ca_file,
    check_plaintext,
    default_port,
    read_secret,
    resolve_path,
)
from intake.errors import ConfigError
from intake.readers.limits import Limits
from rules.errors import NoticeError
from rules.notice import Notice, load_notice
from rules.policy import Policy

__all__ = [
    "DEFAULT_CONFIG",
    "Config",
    "ConsoleConfig",
    "DaemonConfig",
    "DigestConfig",
    "MailboxConfig",
    "OutboxConfig",
    "RemindersConfig",
    "SmtpConfig",
    "load_config",
]

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config.example.toml"


def load_config(path: str | Path | None = None, *, secrets: bool = True) -> Config:
    """The configuration at path (default: config.example.toml of this checkout), checked.

    Raises ConfigError naming the first offending key.  Paths in it are relative to its folder.
    secrets=False leaves the passwords unread (for commands that open no server: `intake
    status`, `intake check`); everything else is checked all the same.
    """
    path = Path(path or DEFAULT_CONFIG).resolve()
    data = _read_toml(path)
    base = path.parent
    notice = _notice(data, base)
    daemon = read_section(DaemonConfig, data.get("daemon", {}), "daemon")
    outbox = read_section(OutboxConfig, data.get("outbox", {}), "outbox")
    config = Config(
        path=path,
        notice=notice,
        policy=_policy(data, notice),
        limits=read_section(Limits, data.get("limits", {}), "limits"),
        mailboxes=_mailboxes(data.get("mailboxes", []), notice, base, secrets),
        outbox=finish_outbox(outbox, base, secrets=secrets),
        daemon=replace(daemon, log_file=resolve_path(base, daemon.log_file)),
        storage_dir=base / _storage_directory(data.get("storage", {})),
        organizers=read_addresses(
            data.get("organizers", {}), "organizers", _is_period(notice), "not a period of the notice"
        ),
        contacts=read_addresses(
            data.get("contacts", {}), "contacts", _is_unit(notice), "not a unit in the notice"
        ),
        digest=_check_schedule(read_section(DigestConfig, data.get("digest", {}), "digest"), "digest"),
        reminders=_reminders(data.get("reminders", {})),
        console=_console(data, base),
    )
    check_senders(config)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from exc


def _notice(data: dict[str, Any], base: Path) -> Notice:
    if "notice" not in data:
        raise ConfigError("notice", "missing: name the notice data file")
    try:
        return load_notice(base / data["notice"])
    except NoticeError as exc:
        raise ConfigError(f"notice ({data['notice']}): {exc.key}", exc.message) from exc


def _is_period(notice: Notice) -> Callable[[str], bool]:
    return lambda key: notice.period(key) is not None


def _is_unit(notice: Notice) -> Callable[[str], bool]:
    return lambda key: notice.unit(key) is not None


def _policy(data: dict[str, Any], notice: Notice) -> Policy:
    policy = read_section(Policy, data.get("policy", {}), "policy")
    table = data.get("senders", {})
    if not isinstance(table, dict):
        raise ConfigError("senders", "expected a table")
    for province in table:
        if notice.unit(province) is None:
            raise ConfigError(f"senders.{province}", "not a unit in the notice")
    return replace(policy, senders={province: tuple(allowed) for province, allowed in table.items()})


def _mailboxes(tables: object, notice: Notice, base: Path, secrets: bool) -> tuple[MailboxConfig, ...]:
    if not isinstance(tables, list):
        raise ConfigError("mailboxes", "expected a list of tables ([[mailboxes]])")
    mailboxes = tuple(
        _mailbox(table, f"mailboxes[{i}]", notice, base, secrets) for i, table in enumerate(tables)
    )
    names = [mb.name for mb in mailboxes]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise ConfigError(f"mailboxes[{i}].name", f"{name!r} is the name of another mailbox")
    return mailboxes


def _mailbox(table: object, where: str, notice: Notice, base: Path, secrets: bool) -> MailboxConfig:
    if isinstance(table, dict) and "password" in table:
        raise ConfigError(
            f"{where}.password", "passwords never go in the TOML; use password_env or password_file"
        )
    smtp_table = table.pop("smtp", None) if isinstance(table, dict) else None
    mailbox = read_section(MailboxConfig, table, where)
    for key in mailbox.periods:
        if notice.period(key) is None:
            raise ConfigError(f"{where}.periods", f"{key!r} is not a period of the notice")
    mailbox = replace(
        mailbox,
        path=resolve_path(base, mailbox.path),
        password_file=resolve_path(base, mailbox.password_file),
        tls_ca_file=resolve_path(base, mailbox.tls_ca_file),
    )
    if mailbox.kind is MailboxKind.IMAP:
        mailbox = _imap_server(mailbox, where, secrets)
    if smtp_table is not None:
        smtp = read_mailbox_smtp(smtp_table, f"{where}.smtp", mailbox, base, secrets=secrets)
        mailbox = replace(mailbox, smtp=smtp)
    return mailbox


def _imap_server(mailbox: MailboxConfig, where: str, secrets: bool) -> MailboxConfig:
    """An IMAP mailbox's host, port (from security), plaintext rule, CA file and password, checked."""
    if not mailbox.host:
        raise ConfigError(f"{where}.host", "missing: the IMAP server's name")
    check_plaintext(where, mailbox.host, mailbox.security, mailbox.allow_plaintext)
    check_ca_file(f"{where}.tls_ca_file", mailbox.tls_ca_file)
    mailbox = replace(mailbox, port=mailbox.port or default_port("imap", mailbox.security))
    if not secrets:
        return mailbox
    secret = read_secret(where, mailbox.password_env, mailbox.password_file)
    if not secret:
        raise ConfigError(
            f"{where}.password_env", "missing: name the variable (or password_file) that holds the password"
        )
    return replace(mailbox, secret=secret)


def _storage_directory(table: object) -> str:
    if not isinstance(table, dict):
        raise ConfigError("storage", "expected a table")
    directory = table.get("directory", "var/intake")
    if not isinstance(directory, str):
        raise ConfigError("storage.directory", f"expected str, got {type(directory).__name__}")
    return directory


def _console(data: dict[str, Any], base: Path) -> ConsoleConfig:
    """[console]: present means on (unless enabled = false); the users file defaults to the storage's."""
    table = data.get("console", {"enabled": False})
    if isinstance(table, dict) and "enabled" not in table:
        table = {"enabled": True, **table}
    console = read_section(ConsoleConfig, table, "console")
    if not 0 <= console.port <= 65535:
        raise ConfigError("console.port", f"{console.port} is not a TCP port (0-65535)")
    if console.idle_timeout <= 0 or console.absolute_timeout < console.idle_timeout:
        raise ConfigError("console.absolute_timeout", "must be at least idle_timeout, both above 0")
    if not 1 <= console.threads <= 64:
        raise ConfigError("console.threads", "must be 1 to 64")
    storage = base / _storage_directory(data.get("storage", {}))
    users = resolve_path(base, console.users_file) or str(storage / "console" / "users.json")
    return replace(console, users_file=users)


def _reminders(table: object) -> RemindersConfig:
    reminders = _check_schedule(read_section(RemindersConfig, table, "reminders"), "reminders")
    if not all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 60 for n in reminders.days_before
    ):
        raise ConfigError("reminders.days_before", "must be a list of whole numbers of days, 0 to 60")
    return reminders


Scheduled = TypeVar("Scheduled", DigestConfig, RemindersConfig)


def _check_schedule(section: Scheduled, where: str) -> Scheduled:
    """Check the cron expression and time zone of [digest] / [reminders] now, not at the first run."""
    try:
        zone = ZoneInfo(section.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{where}.timezone", f"unknown time zone {section.timezone!r}") from exc
    cron_fields = section.cron.split()
    if len(cron_fields) == 5 and any(ch.isdigit() for ch in cron_fields[4]):
        # APScheduler 3 counts weekdays from Monday = 0, crontab from Sunday = 0: names are unambiguous.
        raise ConfigError(f"{where}.cron", "write weekdays as names (mon-fri, sun), not numbers")
    try:
        CronTrigger.from_crontab(section.cron, timezone=zone)
    except ValueError as exc:
        raise ConfigError(
            f"{where}.cron", f"not a cron expression (minute hour day month weekday): {exc}"
        ) from exc
    return section
