"""The configuration, loaded once with tomllib into frozen dataclasses and validated.

Every choice is an enum (intake.config.choices), checked here at load with an error that
names the key and the allowed values.  Secrets never live in the TOML: a mailbox names an
environment variable (password_env) or a file (password_file) that holds its password.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from intake.config.choices import MailboxKind, OutboxKind, ProcessedAction, Security, StopAfter
from intake.config.sections import read_addresses, read_section
from intake.errors import ConfigError
from intake.readers.limits import Limits
from rules.errors import NoticeError
from rules.notice import Notice, load_notice
from rules.policy import Policy

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config.example.toml"


@dataclass(frozen=True)
class MailboxConfig:
    name: str
    address: str
    periods: tuple[str, ...]
    kind: MailboxKind = MailboxKind.IMAP
    path: str = ""  # maildir
    host: str = ""
    port: int = 993
    security: Security = Security.TLS
    user: str = ""
    password_env: str = ""
    password_file: str = ""
    folder: str = "INBOX"
    processed_action: ProcessedAction = ProcessedAction.NONE
    processed_target: str = ""  # folder for move, keyword for keyword
    reply_from: str = ""  # From of our replies; defaults to address

    def password(self) -> str:
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise ConfigError(
                    f"mailboxes.{self.name}.password_env",
                    f"environment variable {self.password_env} is not set",
                )
            return value
        if self.password_file:
            try:
                return Path(self.password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"mailboxes.{self.name}.password_file", str(exc)) from exc
        return ""


@dataclass(frozen=True)
class OutboxConfig:
    kind: OutboxKind = OutboxKind.FILE
    directory: str = "var/outbox"  # durable queue
    deliver_to: str = "var/sent"  # file kind: where .eml replies are written
    host: str = ""
    port: int = 25
    security: Security = Security.NONE
    user: str = ""
    password_env: str = ""
    from_addr: str = ""


@dataclass(frozen=True)
class DaemonConfig:
    poll_interval: float = 60.0  # seconds between polls when IDLE is not offered
    idle_timeout: float = 540.0  # re-issue IDLE this often (well before 29 minutes)
    max_failures: int = 3  # failures before a message is quarantined
    replies_per_sender_per_day: int = 10
    log_file: str = ""
    retry_base: float = 60.0  # first SMTP retry after this many seconds (4xx, connection errors)
    retry_factor: float = 2.0  # ... then each retry waits this much longer
    retry_cap: float = 3600.0  # ... up to this
    max_attempts: int = 10  # then the reply is failed and flagged for the operator
    delivery_interval: float = 15.0  # the outbox is retried at least this often
    acknowledge_questions: bool = True  # a question for a person gets one short acknowledgement per thread


@dataclass(frozen=True)
class DigestConfig:
    """[digest]: the organizers' daily digest per period (recipients in [organizers])."""

    enabled: bool = True
    cron: str = "0 8 * * *"  # minute hour day month weekday (weekday names: mon-sun)
    timezone: str = "Asia/Shanghai"
    stop_after: StopAfter = StopAfter.END  # no digests after the period's deadline / end / never
    attach_workbook: bool = True
    from_addr: str = ""  # default: reply_from of the mailbox serving the period


@dataclass(frozen=True)
class RemindersConfig:
    """[reminders]: before a deadline, provinces without an accepted receipt get one reminder."""

    enabled: bool = True
    days_before: tuple[int, ...] = (3, 1)  # remind this many days before the deadline (each once)
    cron: str = "0 9 * * *"  # the time of day reminders go out
    timezone: str = "Asia/Shanghai"
    attach_template: bool = True
    from_addr: str = ""


@dataclass(frozen=True)
class Config:
    path: Path
    notice: Notice
    policy: Policy
    limits: Limits
    storage_dir: Path
    mailboxes: tuple[MailboxConfig, ...] = ()
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    organizers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digest: DigestConfig = field(default_factory=DigestConfig)
    reminders: RemindersConfig = field(default_factory=RemindersConfig)
    contacts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # province -> addresses


def load_config(path: str | Path | None = None) -> Config:
    """The configuration at path (default: config.example.toml of this checkout), checked.

    Raises ConfigError naming the first offending key.  Paths in it are relative to its folder.
    """
    path = Path(path or DEFAULT_CONFIG).resolve()
    data = _read_toml(path)
    base = path.parent
    notice = _notice(data, base)
    return Config(
        path=path,
        notice=notice,
        policy=_policy(data, notice),
        limits=read_section(Limits, data.get("limits", {}), "limits"),
        mailboxes=_mailboxes(data.get("mailboxes", []), notice, base),
        outbox=_outbox(data.get("outbox", {}), base),
        daemon=read_section(DaemonConfig, data.get("daemon", {}), "daemon"),
        storage_dir=base / _storage_directory(data.get("storage", {})),
        organizers=read_addresses(
            data.get("organizers", {}), "organizers", _is_period(notice), "not a period of the notice"
        ),
        contacts=read_addresses(
            data.get("contacts", {}), "contacts", _is_unit(notice), "not a unit in the notice"
        ),
        digest=_check_schedule(read_section(DigestConfig, data.get("digest", {}), "digest"), "digest"),
        reminders=_reminders(data.get("reminders", {})),
    )


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


def _mailboxes(tables: object, notice: Notice, base: Path) -> tuple[MailboxConfig, ...]:
    if not isinstance(tables, list):
        raise ConfigError("mailboxes", "expected a list of tables ([[mailboxes]])")
    return tuple(_mailbox(table, f"mailboxes[{i}]", notice, base) for i, table in enumerate(tables))


def _mailbox(table: object, where: str, notice: Notice, base: Path) -> MailboxConfig:
    if isinstance(table, dict) and "password" in table:
        raise ConfigError(
            f"{where}.password", "passwords never go in the TOML; use password_env or password_file"
        )
    mailbox = read_section(MailboxConfig, table, where)
    for key in mailbox.periods:
        if notice.period(key) is None:
            raise ConfigError(f"{where}.periods", f"{key!r} is not a period of the notice")
    if mailbox.kind is MailboxKind.MAILDIR:
        mailbox = replace(mailbox, path=str(base / mailbox.path))
    return mailbox


def _outbox(table: object, base: Path) -> OutboxConfig:
    outbox = read_section(OutboxConfig, table, "outbox")
    return replace(outbox, directory=str(base / outbox.directory), deliver_to=str(base / outbox.deliver_to))


def _storage_directory(table: object) -> str:
    if not isinstance(table, dict):
        raise ConfigError("storage", "expected a table")
    directory = table.get("directory", "var/intake")
    if not isinstance(directory, str):
        raise ConfigError("storage.directory", f"expected str, got {type(directory).__name__}")
    return directory


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
