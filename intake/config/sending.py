"""Which SMTP account sends what: [[mailboxes]] smtp sub-tables, the shared [outbox], From addresses.

QQ Mail and 163 let an account send only as itself (QQ: ``501 mail from address must be same
as authorization user``; 163: ``553 Mail from must equal authorized user``), so each mailbox can
name its own submission account::

    [[mailboxes]]
    name = "gz-status-3"
    address = "287455270@qq.com"
    user = "287455270@qq.com"
    password_env = "INTAKE_QQ3_PASSWORD"     # the 授权码, used for IMAP and, by default, SMTP
    ...
    [mailboxes.smtp]
    host = "smtp.qq.com"                      # security "tls", port 465 by default

An account sends the From addresses in its ``senders`` (default: the mailbox's reply_from, else
its address).  The shared [outbox] account (host set there) sends any other From address, for
a relay that allows any sender (or those in its own ``senders`` when given).

Every From the daemon will use — each mailbox's replies, the digests and reminders of every
period — is checked at load against these accounts (check_senders); a From no account may send
is refused then, naming the key it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from intake.config.choices import Security
from intake.config.model import Config, MailboxConfig, OutboxConfig, SmtpConfig
from intake.config.sections import read_section
from intake.config.servers import (
    Secret,
    check_ca_file,
    check_plaintext,
    default_port,
    read_secret,
    resolve_path,
)
from intake.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

    from rules.notice import Period


@dataclass(frozen=True)
class SmtpAccount:
    """One SMTP login as the delivery uses it: where, who, and which From addresses it may send."""

    name: str  # "outbox" or "mailbox <name>": how logs and `intake status` name it
    key: str  # where it is configured ("outbox", "mailboxes[2].smtp")
    host: str
    port: int
    security: Security
    user: str
    secret: Secret = field(repr=False, compare=False)
    tls_ca_file: str = ""
    senders: frozenset[str] | None = None  # lower-case addresses; None: any From

    def may_send(self, address: str) -> bool:
        return self.senders is None or address.strip().lower() in self.senders


def read_mailbox_smtp(
    table: object, where: str, mailbox: MailboxConfig, base: Path, *, secrets: bool
) -> SmtpConfig:
    """The [mailboxes.smtp] sub-table of mailbox, with its defaults, port, secret and CA file checked."""
    smtp = read_section(SmtpConfig, table, where)
    if not smtp.host:
        raise ConfigError(f"{where}.host", "is empty")
    own_source = bool(smtp.password_env or smtp.password_file)
    smtp = replace(
        smtp,
        port=smtp.port or default_port("smtp", smtp.security),
        user=smtp.user or mailbox.user,
        password_env=smtp.password_env if own_source else mailbox.password_env,
        password_file=resolve_path(base, smtp.password_file) if own_source else mailbox.password_file,
        tls_ca_file=resolve_path(base, smtp.tls_ca_file),
        senders=_addresses(f"{where}.senders", smtp.senders) or _mailbox_from(mailbox, where),
    )
    check_plaintext(where, smtp.host, smtp.security, smtp.allow_plaintext)
    check_ca_file(f"{where}.tls_ca_file", smtp.tls_ca_file)
    if secrets and smtp.user:
        secret_key = where if own_source else where.removesuffix(".smtp")
        smtp = replace(smtp, secret=_required_secret(secret_key, smtp.password_env, smtp.password_file))
    return smtp


def finish_outbox(outbox: OutboxConfig, base: Path, *, secrets: bool) -> OutboxConfig:
    """[outbox] with its paths resolved, its port from security, its secret and CA file checked."""
    outbox = replace(
        outbox,
        directory=str(base / outbox.directory),
        deliver_to=str(base / outbox.deliver_to),
        port=outbox.port or default_port("smtp", outbox.security),
        password_file=resolve_path(base, outbox.password_file),
        tls_ca_file=resolve_path(base, outbox.tls_ca_file),
        senders=_addresses("outbox.senders", outbox.senders),
    )
    for key in ("login_interval", "keep_session_s", "throttle_delay"):
        if getattr(outbox, key) < 0:
            raise ConfigError(f"outbox.{key}", f"must be 0 or more seconds, not {getattr(outbox, key)}")
    if outbox.kind != "smtp":
        return outbox
    check_plaintext("outbox", outbox.host, outbox.security, outbox.allow_plaintext)
    check_ca_file("outbox.tls_ca_file", outbox.tls_ca_file)
    if secrets and outbox.user:
        outbox = replace(outbox, secret=_required_secret("outbox", outbox.password_env, outbox.password_file))
    return outbox


def _required_secret(where: str, password_env: str, password_file: str) -> Secret:
    secret = read_secret(where, password_env, password_file)
    if not secret:
        raise ConfigError(
            f"{where}.password_env", "missing: a user is set, so name its password_env or password_file"
        )
    return secret


def _addresses(key: str, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or "@" not in value.strip()[1:-1]:
            raise ConfigError(key, f'expected addresses ("name@example.cn"), got {value!r}')
    return tuple(v.strip().lower() for v in values)


def _mailbox_from(mailbox: MailboxConfig, where: str) -> tuple[str, ...]:
    sender = mailbox.reply_from or mailbox.address
    if not sender:
        raise ConfigError(
            f"{where}.senders", "the mailbox has no address or reply_from: name the From addresses it sends"
        )
    return (sender.strip().lower(),)


# -- the accounts and the From addresses they cover --------------------------------------------------


def smtp_accounts(config: Config) -> tuple[SmtpAccount, ...]:
    """Every SMTP account of the configuration: the mailboxes' first, the shared [outbox] last."""
    accounts = [
        SmtpAccount(
            name=f"mailbox {mb.name}",
            key=f"mailboxes[{i}].smtp",
            host=mb.smtp.host,
            port=mb.smtp.port,
            security=mb.smtp.security,
            user=mb.smtp.user,
            secret=mb.smtp.secret,
            tls_ca_file=mb.smtp.tls_ca_file,
            senders=frozenset(mb.smtp.senders),
        )
        for i, mb in enumerate(config.mailboxes)
        if mb.smtp is not None
    ]
    ob = config.outbox
    if ob.host:
        accounts.append(
            SmtpAccount(
                name="outbox",
                key="outbox",
                host=ob.host,
                port=ob.port,
                security=ob.security,
                user=ob.user,
                secret=ob.secret,
                tls_ca_file=ob.tls_ca_file,
                senders=frozenset(ob.senders) if ob.senders else None,
            )
        )
    return tuple(accounts)


def account_for(accounts: tuple[SmtpAccount, ...], address: str) -> SmtpAccount | None:
    """The first account that may send From address (a mailbox's own before the shared one)."""
    return next((a for a in accounts if a.may_send(address)), None)


def period_from(config: Config, period: Period, configured: str = "") -> str:
    """The From of a period's digests and reminders: configured, else its mailbox's, else [outbox]'s."""
    if configured:
        return configured
    for mb in config.mailboxes:
        if period.key in mb.periods and (mb.reply_from or mb.address):
            return mb.reply_from or mb.address
    return config.outbox.from_addr or period.mailbox


def planned_senders(config: Config) -> list[tuple[str, str]]:
    """(config key it comes from, From address) of every message the daemon will send; "" = any."""
    planned = [
        (f"mailboxes[{i}].{'reply_from' if mb.reply_from else 'address'}", mb.reply_from or mb.address)
        for i, mb in enumerate(config.mailboxes)
    ]
    for period in config.notice.periods:
        if config.digest.enabled and config.organizers.get(period.key):
            planned.append(("digest.from_addr", period_from(config, period, config.digest.from_addr)))
        if config.reminders.enabled:
            planned.append(("reminders.from_addr", period_from(config, period, config.reminders.from_addr)))
    return planned


def check_senders(config: Config) -> None:
    """Refuse a configuration in which some From address has no SMTP account that may send it."""
    if config.outbox.kind != "smtp":
        return
    accounts = smtp_accounts(config)
    if not accounts:
        raise ConfigError("outbox.host", 'missing: kind = "smtp" needs a host here or a [mailboxes.smtp]')
    anyone = any(a.senders is None for a in accounts)
    for key, address in planned_senders(config):
        if not address and not anyone:
            raise ConfigError(
                key,
                "empty: replies would go From each message's To, which only an [outbox] account "
                "without senders may send",
            )
        if address and account_for(accounts, address) is None:
            raise ConfigError(
                key,
                f"no SMTP account may send From {address}: give the mailbox that owns it a "
                "[mailboxes.smtp] table, or list it in an account's senders",
            )
