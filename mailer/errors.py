"""Errors that are part of the mailer package's interface.

One hierarchy, modelled on aiosmtplib's errors: every error carries its data as
declared fields, ``args`` holds the same values in the same order, and it survives
``pickle.loads(pickle.dumps(e))`` with equal fields.  Errors inherit from a built-in
where that fits (a send timeout is a TimeoutError, a lost connection a
ConnectionError), so callers may catch either.

    MailerError                        .message
    ├── SendError                      .code .message .phase .uncertain
    │   ├── SendTemporaryError         retry later (4xx, network, timeout, config)
    │   │   ├── SendTimeout            (also TimeoutError)
    │   │   ├── SendConnectionError    (also ConnectionError)
    │   │   ├── SendThrottled          a provider's rate limit, even as a 5xx (163 "554 DT:SPM")
    │   │   └── SendAccountRefused     the account may not send as this From (QQ 501, 163 553)
    │   └── SendPermanentError         5xx to MAIL/RCPT/DATA: never retried
    └── OutboxError                    .message .path
        ├── OutboxStateError           .key .state .wanted .path (also ValueError) illegal transition
        └── OutboxLocked               another delivery run holds the outbox
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar


def _rebuild(cls: type[MailerError], fields: dict[str, Any]) -> MailerError:
    return cls(**fields)


class MailerError(Exception):
    """Base of every error raised on purpose by mailer.

    ``fields`` names the constructor's parameters in the order of ``args``; pickling rebuilds
    the error from them (keyword-only parameters included, which Exception's own reduce cannot).
    """

    fields: ClassVar[tuple[str, ...]] = ("message",)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), dict(zip(self.fields, self.args, strict=True)))

    def __str__(self) -> str:
        return self.message


class SendError(MailerError):
    """Sending one message failed.

    code: the SMTP reply code, or None when there was no reply (network error,
    timeout, local I/O).  message: the server's text or a description.
    phase: where it failed: "connect", "auth", "mail", "rcpt", "data", "write".
    uncertain: True when the server may have accepted the message anyway
    (connection lost or timed out during DATA): a retry may duplicate it.
    """

    fields: ClassVar[tuple[str, ...]] = ("code", "message", "phase", "uncertain")

    def __init__(self, code: int | None, message: str, *, phase: str = "", uncertain: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.phase = phase
        self.uncertain = uncertain
        self.args = (code, message, phase, uncertain)

    def __str__(self) -> str:
        return f"{self.code} {self.message}" if self.code is not None else self.message


class SendTemporaryError(SendError):
    """Try again later: a 4xx reply, a network problem, or a sender-side configuration problem."""


class SendTimeout(SendTemporaryError, TimeoutError):
    """The server did not answer in time."""


class SendConnectionError(SendTemporaryError, ConnectionError):
    """The server could not be reached, or the connection was lost."""


class SendThrottled(SendTemporaryError):
    """The provider limits how much or how fast this account sends; retried slowly, never flagged at once.

    Providers answer so with a 5xx as often as a 4xx (163: ``554 DT:SPM``, ``550 RP:TRC``;
    QQ: ``550 Ip frequency limited``), so the text decides, not the code.
    """


class SendAccountRefused(SendTemporaryError):
    """The server refuses this account to send as this From (QQ ``501 mail from address must be same
    as authorization user``, 163 ``553 Mail from must equal authorized user``): the configuration
    is at fault, not the reply, which is kept for when it is fixed."""


class SendPermanentError(SendError):
    """The server refused this message with a 5xx reply; retrying cannot help."""


class OutboxError(MailerError):
    """The outbox directory or one of its files cannot be used; path names it."""

    fields: ClassVar[tuple[str, ...]] = ("message", "path")

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None
        self.args = (message, self.path)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path is not None else self.message


class OutboxStateError(OutboxError, ValueError):
    """The requested transition is not allowed from the item's current state."""

    fields: ClassVar[tuple[str, ...]] = ("key", "state", "wanted", "path")

    def __init__(self, key: str, *, state: str, wanted: str, path: str | Path | None = None) -> None:
        super().__init__(f"{key}: cannot go from {state!r} to {wanted!r}", path)
        self.key = key
        self.state = state
        self.wanted = wanted
        self.args = (key, state, wanted, self.path)


class OutboxLocked(OutboxError):
    """Another delivery run (this or another process) holds the outbox lock."""
