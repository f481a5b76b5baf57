"""The outbox's sender made from [outbox]: one factory per kind, in one table."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Literal

from intake.config.choices import OutboxKind, Security
from intake.config.settings import Config, OutboxConfig
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


def smtp_sender(outbox: OutboxConfig) -> SmtpSender:
    """Replies sent through the SMTP server; the password, if any, from the environment."""
    password = os.environ.get(outbox.password_env) if outbox.password_env else None
    return SmtpSender(
        outbox.host,
        outbox.port,
        security=_SMTP_SECURITY[outbox.security],
        user=outbox.user or None,
        password=password,
        from_addr=outbox.from_addr or None,
    )


SENDERS: Mapping[OutboxKind, Callable[[OutboxConfig], Sender]] = {
    OutboxKind.FILE: file_sender,
    OutboxKind.SMTP: smtp_sender,
}


def make_sender(config: Config) -> Sender:
    """The sender [outbox] asks for."""
    return SENDERS[config.outbox.kind](config.outbox)
