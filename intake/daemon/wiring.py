"""The outbox's senders made from the configuration: one account per SMTP login, chosen by From.

[outbox] kind = "file" writes every message as an .eml file (one account that sends any From);
kind = "smtp" makes one account per [mailboxes.smtp] table and one for the shared [outbox]
host, each with the From addresses it may send (intake.config.sending).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from intake.config.choices import OutboxKind, Security
from intake.config.sending import SmtpAccount, smtp_accounts
from intake.config.servers import tls_context
from intake.config.settings import Config, OutboxConfig
from mailer.accounts import Account, Accounts
from mailer.smtp_sender import FileSender, Sender, SmtpSender

# SmtpSender takes its security as a Literal of the same three words.
_SMTP_SECURITY: Mapping[Security, Literal["none", "tls", "starttls"]] = {
    Security.NONE: "none",
    Security.TLS: "tls",
    Security.STARTTLS: "starttls",
}


def file_sender(outbox: OutboxConfig) -> FileSender:
    """Replies written as .eml files into deliver_to (the embedded default)."""
    return FileSender(outbox.deliver_to)


def smtp_sender(account: SmtpAccount, from_addr: str = "") -> SmtpSender:
    """The sender of one SMTP account; its password was read when the configuration loaded."""
    return SmtpSender(
        account.host,
        account.port,
        security=_SMTP_SECURITY[account.security],
        user=account.user or None,
        password=account.secret.value if account.user else None,
        from_addr=from_addr or None,
        tls_context=tls_context(account.security, account.tls_ca_file),
    )


def make_accounts(config: Config) -> Accounts:
    """The accounts [outbox] and [mailboxes.smtp] ask for, in the order they are chosen."""
    if config.outbox.kind is OutboxKind.FILE:
        return Accounts.single(file_sender(config.outbox), "file")
    return Accounts(
        Account(
            account.name,
            smtp_sender(account, config.outbox.from_addr),
            senders=account.senders,
            login_interval=config.outbox.login_interval,
        )
        for account in smtp_accounts(config)
    )


def make_sender(config: Config) -> Sender:
    """The sender of the shared account ([outbox]); the file sender for kind = "file"."""
    return make_accounts(config).accounts[-1].sender
