"""intake's errors carry their data as fields, keep args in step, and survive pickling with equal fields."""

from __future__ import annotations

import pickle

import pytest

from intake.errors import (
    ConfigError,
    IntakeError,
    MailboxAuthError,
    MailboxError,
    MailboxRefused,
    MailboxTimeout,
    UnreadableAttachment,
)

FIELDS = {
    ConfigError: ("key", "message"),
    UnreadableAttachment: ("filename", "reason", "detail"),
    MailboxError: ("mailbox", "operation", "detail"),
    MailboxTimeout: ("mailbox", "operation", "detail"),
    MailboxAuthError: ("mailbox", "operation", "detail"),
    MailboxRefused: ("mailbox", "operation", "detail"),
}

ERRORS = [
    (
        ConfigError("mailboxes[0].security", '"ssl" is not one of "tls", "starttls", "none"'),
        'mailboxes[0].security: "ssl" is not one of "tls", "starttls", "none"',
    ),
    (
        UnreadableAttachment("回执.zip/回执.xlsx", "zip_bomb", "ratio 900"),
        "回执.zip/回执.xlsx: zip_bomb: ratio 900",
    ),
    (UnreadableAttachment("scan.bmp", "unsupported"), "scan.bmp: unsupported"),
    (
        MailboxError("gz2", "connect", "ConnectionRefusedError: [Errno 111] Connection refused"),
        "gz2: connect: ConnectionRefusedError: [Errno 111] Connection refused",
    ),
    (MailboxError("gz2", "", "not connected"), "gz2: not connected"),
    (
        MailboxTimeout("gz2", "IDLE", "imap.163.com:993 did not answer within 60s"),
        "gz2: IDLE: imap.163.com:993 did not answer within 60s",
    ),
    (
        MailboxAuthError("gz2", "LOGIN", "login as a@163.com refused: [AUTHENTICATIONFAILED]"),
        "gz2: LOGIN: login as a@163.com refused: [AUTHENTICATIONFAILED]",
    ),
    (
        MailboxRefused("gz2", "MOVE to Done", "[TRYCREATE] no such mailbox"),
        "gz2: MOVE to Done failed: [TRYCREATE] no such mailbox",
    ),
]


@pytest.mark.parametrize(
    "error, text", ERRORS, ids=lambda e: type(e).__name__ if isinstance(e, Exception) else ""
)
def test_errors_carry_fields_keep_args_in_step_and_survive_pickling(error: IntakeError, text: str) -> None:
    names = FIELDS[type(error)]
    values = tuple(getattr(error, name) for name in names)
    assert error.args == values
    assert str(error) == text
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert tuple(getattr(copy, name) for name in names) == values
    assert copy.args == error.args and str(copy) == text


def test_errors_are_also_the_builtin_that_fits() -> None:
    assert isinstance(ConfigError("k", "m"), ValueError)
    timeout = MailboxTimeout("gz2", "connect", "no answer")
    assert isinstance(timeout, TimeoutError) and isinstance(timeout, MailboxError)
    assert timeout.errno is None  # not read as (errno, strerror, filename)
    assert isinstance(MailboxRefused("gz2", "STORE", "NO"), MailboxError)


def test_the_reasons_of_unreadable_attachment_are_the_twelve() -> None:
    assert UnreadableAttachment.REASONS == (
        "corrupt",
        "encrypted",
        "too_large",
        "too_many_rows",
        "zip_bomb",
        "unsupported",
        "legacy_format",
        "winmail",
        "empty",
        "out_of_time",
        "skipped",
        "cloud_link",
    )


def test_every_reader_failure_reason_has_an_explanation_in_rules() -> None:
    """The readers' reasons (intake.errors.Reason) and the rules' explained ones are the same set."""
    from rules.problems import UNREADABLE_REASONS, UnreadableReason

    assert set(UnreadableAttachment.REASONS) == {r.value for r in UnreadableReason} == set(UNREADABLE_REASONS)
