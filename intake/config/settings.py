"""The configuration, loaded once with tomllib into frozen dataclasses and validated.

Secrets never live in the TOML: a mailbox names an environment variable
(password_env) or a file (password_file) that holds its password.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

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
    kind: str = "imap"  # imap | maildir
    path: str = ""  # maildir
    host: str = ""
    port: int = 993
    security: str = "tls"  # tls | starttls | none
    user: str = ""
    password_env: str = ""
    password_file: str = ""
    folder: str = "INBOX"
    processed_action: str = "none"  # none | move | keyword
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
    kind: str = "file"  # file | smtp
    directory: str = "var/outbox"  # durable queue
    deliver_to: str = "var/sent"  # file kind: where .eml replies are written
    host: str = ""
    port: int = 25
    security: str = "none"
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


@dataclass(frozen=True)
class DigestConfig:
    """[digest]: the organizers' daily digest per period (recipients in [organizers])."""

    enabled: bool = True
    cron: str = "0 8 * * *"  # minute hour day month weekday (weekday names: mon-sun)
    timezone: str = "Asia/Shanghai"
    stop_after: str = "end"  # no digests after the period's "deadline" / "end" / "never"
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


def _section(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    for key in data:
        if key not in known:
            raise ConfigError(f"{where}.{key}", "unknown key")
    kwargs = {}
    for key, value in data.items():
        default = known[key].default
        if default is MISSING:
            default = {"periods": ()}.get(key, "")
        if isinstance(default, tuple):
            if not isinstance(value, list):
                raise ConfigError(f"{where}.{key}", f"expected a list, got {type(value).__name__}")
            value = tuple(value)
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(default, dict):
            pass
        elif isinstance(default, StrEnum) and isinstance(value, str):
            pass  # a choice (policy.late): its loader checks the value, the dataclass makes it the enum
        elif type(value) is not type(default):
            raise ConfigError(
                f"{where}.{key}", f"expected {type(default).__name__}, got {type(value).__name__}"
            )
        kwargs[key] = value
    return cls(**kwargs)


def load_config(path: str | Path | None = None) -> Config:
    path = Path(path or DEFAULT_CONFIG).resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from exc
    base = path.parent
    if "notice" not in data:
        raise ConfigError("notice", "missing: name the notice data file")
    try:
        notice = load_notice(base / data["notice"])
    except NoticeError as exc:
        raise ConfigError(f"notice ({data['notice']}): {exc.key}", exc.message) from exc
    policy_d = dict(data.get("policy", {}))
    if policy_d.get("late", "warning") not in ("warning", "error"):
        raise ConfigError("policy.late", 'must be "warning" or "error"')
    senders = {k: tuple(v) for k, v in data.get("senders", {}).items()}
    for province in senders:
        if notice.unit(province) is None:
            raise ConfigError(f"senders.{province}", "not a unit in the notice")
    policy = _section(Policy, policy_d, "policy")
    policy = Policy(
        late=policy.late,
        arrival_days_before=policy.arrival_days_before,
        arrival_days_after=policy.arrival_days_after,
        senders=senders,
    )
    limits = _section(Limits, data.get("limits", {}), "limits")
    mailboxes = []
    for i, m in enumerate(data.get("mailboxes", [])):
        mb = _section(MailboxConfig, m, f"mailboxes[{i}]")
        for key in mb.periods:
            if notice.period(key) is None:
                raise ConfigError(f"mailboxes[{i}].periods", f"{key!r} is not a period of the notice")
        if mb.kind not in ("imap", "maildir"):
            raise ConfigError(f"mailboxes[{i}].kind", "must be imap or maildir")
        if mb.kind == "maildir":
            mb = _replace_path(mb, base)
        if "password" in m:
            raise ConfigError(
                f"mailboxes[{i}].password",
                "passwords never go in the TOML; use password_env or password_file",
            )
        mailboxes.append(mb)
    outbox = _section(OutboxConfig, data.get("outbox", {}), "outbox")
    daemon = _section(DaemonConfig, data.get("daemon", {}), "daemon")
    storage_dir = base / data.get("storage", {}).get("directory", "var/intake")
    organizers = _addresses(
        data.get("organizers", {}),
        "organizers",
        lambda k: notice.period(k) is not None,
        "not a period of the notice",
    )
    contacts = _addresses(
        data.get("contacts", {}), "contacts", lambda k: notice.unit(k) is not None, "not a unit in the notice"
    )
    digest = _scheduled(_section(DigestConfig, data.get("digest", {}), "digest"), "digest")
    if digest.stop_after not in ("deadline", "end", "never"):
        raise ConfigError("digest.stop_after", 'must be "deadline", "end" or "never"')
    reminders = _scheduled(_section(RemindersConfig, data.get("reminders", {}), "reminders"), "reminders")
    if not all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 60 for n in reminders.days_before
    ):
        raise ConfigError("reminders.days_before", "must be a list of whole numbers of days, 0 to 60")
    return Config(
        path=path,
        notice=notice,
        policy=policy,
        limits=limits,
        storage_dir=storage_dir,
        mailboxes=tuple(mailboxes),
        outbox=_outbox_paths(outbox, base),
        daemon=daemon,
        organizers=organizers,
        digest=digest,
        reminders=reminders,
        contacts=contacts,
    )


def _addresses(table: Any, where: str, valid_key: Any, why: str) -> dict[str, tuple[str, ...]]:
    """A table of key = ["a@b.cn", ...], as [organizers] and [contacts] are written."""
    if not isinstance(table, dict):
        raise ConfigError(where, "expected a table")
    out = {}
    for key, value in table.items():
        if not valid_key(key):
            raise ConfigError(f"{where}.{key}", why)
        if not isinstance(value, list) or not all(
            isinstance(a, str) and "@" in a.strip()[1:-1] for a in value
        ):
            raise ConfigError(f"{where}.{key}", 'expected a list of addresses ("name@example.cn")')
        out[key] = tuple(a.strip() for a in value)
    return out


def _scheduled(section: Any, where: str) -> Any:
    """Check the cron expression and time zone of [digest] / [reminders] now, not at the first run."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from apscheduler.triggers.cron import CronTrigger

    try:
        tz = ZoneInfo(section.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{where}.timezone", f"unknown time zone {section.timezone!r}") from exc
    fields_ = section.cron.split()
    if len(fields_) == 5 and any(ch.isdigit() for ch in fields_[4]):
        # APScheduler 3 counts weekdays from Monday = 0, crontab from Sunday = 0: names are unambiguous.
        raise ConfigError(f"{where}.cron", "write weekdays as names (mon-fri, sun), not numbers")
    try:
        CronTrigger.from_crontab(section.cron, timezone=tz)
    except ValueError as exc:
        raise ConfigError(
            f"{where}.cron", f"not a cron expression (minute hour day month weekday): {exc}"
        ) from exc
    return section


def _replace_path(mb: MailboxConfig, base: Path) -> MailboxConfig:
    from dataclasses import replace

    return replace(mb, path=str(base / mb.path))


def _outbox_paths(outbox: OutboxConfig, base: Path) -> OutboxConfig:
    from dataclasses import replace

    return replace(outbox, directory=str(base / outbox.directory), deliver_to=str(base / outbox.deliver_to))
