"""Errors that are part of the mailer package's interface.

One hierarchy, modelled on aiosmtplib's errors: every error carries its data as
attributes, and inherits from a built-in where that fits (a send timeout is a
TimeoutError, a lost connection a ConnectionError), so callers may catch either.

    MailerError
    ├── SendError                      .code .message .phase .uncertain
    │   ├── SendTemporaryError         retry later (4xx, network, timeout, config)
    │   │   ├── SendTimeout            (also TimeoutError)
    │   │   └── SendConnectionError    (also ConnectionError)
    │   └── SendPermanentError         5xx to MAIL/RCPT/DATA: never retried
    └── OutboxError                    .path
        ├── OutboxStateError           (also ValueError) illegal state transition
        └── OutboxLocked               another delivery run holds the outbox
"""

from __future__ import annotations

from pathlib import Path


class MailerError(Exception):
    """Base of every error raised on purpose by mailer."""


class SendError(MailerError):
    """Sending one message failed.

    code: the SMTP reply code, or None when there was no reply (network error,
    timeout, local I/O).  message: the server's text or a description.
    phase: where it failed: "connect", "auth", "mail", "rcpt", "data", "write".
    uncertain: True when the server may have accepted the message anyway
    (connection lost or timed out during DATA): a retry may duplicate it.
    """

    def __init__(self, code: int | None, message: str, *, phase: str = "", uncertain: bool = False) -> None:
        text = f"{code} {message}" if code is not None else message
        super().__init__(text)
        self.code = code
        self.message = message
        self.phase = phase
        self.uncertain = uncertain


class SendTemporaryError(SendError):
    """Try again later: a 4xx reply, a network problem, or a sender-side configuration problem."""


class SendTimeout(SendTemporaryError, TimeoutError):
    """The server did not answer in time."""


class SendConnectionError(SendTemporaryError, ConnectionError):
    """The server could not be reached, or the connection was lost."""


class SendPermanentError(SendError):
    """The server refused this message with a 5xx reply; retrying cannot help."""


class OutboxError(MailerError):
    """The outbox directory or one of its files cannot be used; path names it."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        super().__init__(f"{path}: {message}" if path is not None else message)
        self.message = message
        self.path = Path(path) if path is not None else None


class OutboxStateError(OutboxError, ValueError):
    """The requested transition is not allowed from the item's current state."""

    def __init__(self, key: str, state: str, wanted: str, path: str | Path | None = None) -> None:
        super().__init__(f"{key}: cannot go from {state!r} to {wanted!r}", path)
        self.key = key
        self.state = state
        self.wanted = wanted


class OutboxLocked(OutboxError):
    """Another delivery run (this or another process) holds the outbox lock."""
