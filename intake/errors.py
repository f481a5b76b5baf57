"""Errors that are part of the intake package's interface."""

from __future__ import annotations


class IntakeError(Exception):
    """Base of every error raised on purpose by intake."""


class ConfigError(IntakeError, ValueError):
    """The configuration or the notice data is invalid; `key` names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class UnreadableAttachment(IntakeError):
    """A reader could not turn a file into a grid.

    reason is one of: corrupt, encrypted, too_large, too_many_rows, zip_bomb,
    unsupported, legacy_format, empty.  filename is the name the sender gave it
    (for a member of a zip: "outer.zip/inner.xlsx").  detail is for the log.
    """

    REASONS = (
        "corrupt",
        "encrypted",
        "too_large",
        "too_many_rows",
        "zip_bomb",
        "unsupported",
        "legacy_format",
        "empty",
    )

    def __init__(self, filename: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{filename}: {reason}{': ' + detail if detail else ''}")
        self.filename = filename
        self.reason = reason
        self.detail = detail


class MailboxError(IntakeError):
    """An IMAP or maildir source failed; the daemon reconnects."""


class MailboxTimeout(MailboxError, TimeoutError):
    """The IMAP server did not answer in time."""


class MailboxAuthError(MailboxError):
    """The server refused the user name or password (retrying soon will not help)."""
