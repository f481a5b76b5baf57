"""Errors that are part of the intake package's interface.

One hierarchy, modelled on aiosmtplib's errors: every error carries its data as declared
attributes, keeps ``args`` in step with them (so it survives pickling, e.g. out of a worker
process, with equal fields), and inherits from a built-in where that fits::

    IntakeError
    ├── ConfigError             .key .message            (also ValueError)
    ├── UnreadableAttachment    .filename .reason .detail
    └── MailboxError            .mailbox .operation .detail
        ├── MailboxTimeout      (also TimeoutError)
        ├── MailboxAuthError    the login was refused
        └── MailboxRefused      the server answered NO or BAD; the connection stays usable
"""

from __future__ import annotations

from typing import Literal, get_args

# Why a reader could not turn a file into a grid.
Reason = Literal[
    "corrupt",
    "encrypted",
    "too_large",
    "too_many_rows",
    "zip_bomb",
    "unsupported",
    "legacy_format",
    "winmail",  # an Outlook winmail.dat (TNEF) whose files could not be taken out (intake/mime/tnef.py)
    "empty",
    "out_of_time",  # the message's reading budget ran out before this file (intake/readers/budget.py)
    "skipped",  # costly reading not started: nothing said the message is ours (rules/ours.py)
    "cloud_link",  # sent as a download link (超大附件, 云附件, a net disk), never fetched (intake/mime/cloud.py)
]


class IntakeError(Exception):
    """Base of every error raised on purpose by intake."""


class ConfigError(IntakeError, ValueError):
    """The configuration or the notice data is invalid.

    key: the offending key as written in the TOML ("mailboxes[0].security", "digest.cron").
    message: what is wrong with it, for the operator.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(key, message)
        self.key = key
        self.message = message
        self.args = (key, message)

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class UnreadableAttachment(IntakeError):
    """A reader could not turn a file into a grid.

    filename: the name the sender gave it (for a member of a zip: "outer.zip/inner.xlsx").
    reason: one of REASONS.  detail: for the log.
    """

    REASONS: tuple[Reason, ...] = get_args(Reason)

    def __init__(self, filename: str, reason: Reason, detail: str = "") -> None:
        super().__init__(filename, reason, detail)
        self.filename = filename
        self.reason: Reason = reason
        self.detail = detail
        self.args = (filename, reason, detail)

    def __str__(self) -> str:
        return f"{self.filename}: {self.reason}{': ' + self.detail if self.detail else ''}"


class MailboxError(IntakeError):
    """An IMAP or maildir source failed; the daemon reconnects.

    mailbox: the configured mailbox name.  operation: what was being done ("connect",
    "SELECT INBOX", "MOVE to Done", "read <file>"; "" when nothing was tried, as for "not
    connected").  detail: what went wrong, with any password scrubbed out.
    The text is "mailbox: operation: detail".
    """

    def __init__(self, mailbox: str, operation: str, detail: str) -> None:
        # No arguments for the base: MailboxTimeout is also an OSError, which would read them
        # as (errno, strerror, filename).
        super().__init__()
        self.mailbox = mailbox
        self.operation = operation
        self.detail = detail
        self.args = (mailbox, operation, detail)

    def __str__(self) -> str:
        return ": ".join(part for part in (self.mailbox, self.operation, self.detail) if part)


class MailboxTimeout(MailboxError, TimeoutError):
    """The IMAP server did not answer in time."""


class MailboxAuthError(MailboxError):
    """The server refused the user name or password (retrying soon will not help)."""


class MailboxRefused(MailboxError):
    """The server answered NO or BAD to one command; the connection itself stays usable.

    The text is "mailbox: operation failed: detail".
    """

    def __str__(self) -> str:
        return f"{self.mailbox}: {self.operation} failed: {self.detail}"
