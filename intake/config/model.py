"""The configuration as frozen dataclasses: what intake.config.settings.load_config returns.

Each dataclass is one TOML table; intake.config.sections reads a table into it, checked by its
annotations.  Fields marked LOADED (the secrets) are filled in by the loader, never read from the
TOML.  Loading, defaults that depend on other keys, and the checks: intake.config.settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from intake.config.choices import MailboxKind, OutboxKind, ProcessedAction, Security, StopAfter
from intake.config.servers import LOADED, Secret
from intake.readers.limits import Limits
from rules.notice import Notice
from rules.policy import Policy


@dataclass(frozen=True)
class SmtpConfig:
    """[mailboxes.smtp]: the submission account of one mailbox (user and password default to its IMAP ones)."""

    host: str
    port: int = 0  # 0: from security (465 tls, 587 starttls, 25 none)
    security: Security = Security.TLS
    user: str = ""  # default: the mailbox's user
    password_env: str = ""  # default (with password_file): the mailbox's password source
    password_file: str = ""
    tls_ca_file: str = ""
    allow_plaintext: bool = False
    senders: tuple[str, ...] = ()  # From addresses it sends; default: the mailbox's reply_from or address
    secret: Secret = field(default=Secret(), repr=False, compare=False, metadata=LOADED)


@dataclass(frozen=True)
class MailboxConfig:
    name: str
    address: str
    periods: tuple[str, ...]
    kind: MailboxKind = MailboxKind.IMAP
    path: str = ""  # maildir
    host: str = ""
    port: int = 0  # 0: from security (993 tls, 143 starttls)
    security: Security = Security.TLS
    user: str = ""
    password_env: str = ""
    password_file: str = ""
    tls_ca_file: str = ""  # PEM file of the CA(s) this server's certificate is checked against
    allow_plaintext: bool = False  # security = "none" to a host that is not loopback
    folder: str = "INBOX"
    processed_action: ProcessedAction = ProcessedAction.NONE
    processed_target: str = ""  # folder for move, keyword for keyword
    reply_from: str = ""  # From of our replies; defaults to address
    smtp: SmtpConfig | None = None  # [mailboxes.smtp]: its own submission account
    secret: Secret = field(default=Secret(), repr=False, compare=False, metadata=LOADED)

    def password(self) -> str:
        """The password read at load ("" when the config was loaded without secrets)."""
        return self.secret.value


@dataclass(frozen=True)
class OutboxConfig:
    kind: OutboxKind = OutboxKind.FILE
    directory: str = "var/outbox"  # durable queue
    deliver_to: str = "var/sent"  # file kind: where .eml replies are written
    # The shared SMTP account (kind = "smtp"): sends every From no [mailboxes.smtp] sends.
    host: str = ""
    port: int = 0  # 0: from security (465 tls, 587 starttls, 25 none)
    security: Security = Security.TLS
    user: str = ""
    password_env: str = ""
    password_file: str = ""
    tls_ca_file: str = ""
    allow_plaintext: bool = False
    senders: tuple[str, ...] = ()  # From addresses it may send; empty: any
    from_addr: str = ""
    login_interval: float = 2.0  # seconds between two logins of one account
    keep_session_s: float = 30.0  # the daemon keeps an account's session open this long unused; 0: never
    throttle_delay: float = 1800.0  # wait after a provider's rate-limit answer (163 "554 DT:SPM")
    secret: Secret = field(default=Secret(), repr=False, compare=False, metadata=LOADED)


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
class ConsoleConfig:
    """[console]: the organizers' web console, served by `intake run` (docs/console.md).

    A [console] section switches it on (enabled = true unless written false); without one there
    is no console.  It listens on host:port (127.0.0.1 by default: put a TLS reverse proxy in
    front to reach it from elsewhere, and set https = true)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8765  # 0: any free port (tests); the port taken is logged
    https: bool = False  # served over TLS (through a proxy): Secure cookies with the __Host- prefix
    trusted_proxy: str = ""  # the proxy's address whose X-Forwarded-For names the client
    idle_timeout: float = 1800.0  # a session unused this long ends (seconds)
    absolute_timeout: float = 43200.0  # a session ends this long after login, used or not
    users_file: str = ""  # default: <storage.directory>/console/users.json
    threads: int = 4  # waitress worker threads


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
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
