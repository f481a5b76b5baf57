"""The one pipeline: raw bytes, mailbox and received time in; a verdict out.

`intake check` and the daemon both call `process`.  It does no I/O: storage, archiving and
replies are the daemon's business around it.  It reads and extracts; every decision on what
was read is the rules' (rules.judge.judge).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from intake.errors import UnreadableAttachment
from intake.extract.receipt import extract
from intake.mime.classify import Classification, body_text, classify, receipt_mention
from intake.mime.message import Attachment, DecodedMessage, decode_message
from intake.mime.quoting import own_words
from intake.readers import read_attachment, read_html_body, read_text_body
from intake.readers.grid import Grid
from intake.readers.limits import Limits
from rules.attachments import WHOLE_MESSAGE, UnreadableFile, is_record_name
from rules.judge import Circumstances, judge
from rules.notice import Notice
from rules.policy import Policy
from rules.problems import UnreadableReason
from rules.receipt import Receipt
from rules.verdict import Status, Verdict

log = logging.getLogger(__name__)

_RECORD_MAGIC = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
_UNRELATED = "unrelated: no receipt table, and no 回执 or 报名 in the subject, body or file names"


@dataclass(frozen=True)
class Context:
    notice: Notice
    policy: Policy = field(default_factory=Policy)
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    message: DecodedMessage | None
    classification: Classification | None
    receipt: Receipt | None
    mailbox: str
    received: datetime | None


@dataclass(frozen=True)
class Reading:
    """What reading a message found: its receipt (None: no table that looks like one) and the files that failed."""

    receipt: Receipt | None
    unreadable: tuple[UnreadableFile, ...] = ()


def default_mailbox(msg: DecodedMessage) -> str:
    """Delivered-To, then X-Original-To, then To."""
    for addresses in (msg.delivered_to, msg.x_original_to, msg.to):
        if addresses:
            return addresses[0]
    return ""


def process(
    raw: bytes,
    ctx: Context,
    *,
    mailbox: str | None = None,
    received: datetime | None = None,
    oversize: bool = False,
    served: tuple[str, ...] = (),
) -> Outcome:
    """oversize: raw holds only the header of a message too big to fetch (the daemon's case).
    served: the periods the configured mailbox serves; a receipt for one of them is not misrouted."""
    oversize = oversize or len(raw) > ctx.limits.max_message_bytes
    msg = decode_message(_headers_only(raw) if oversize else raw, ctx.limits.max_attachment_bytes)
    mid = msg.message_id or "-"
    cls = classify(msg)
    when = Circumstances(
        (mailbox or default_mailbox(msg)).strip().lower(), received or msg.date, msg.sender, served
    )
    if cls.kind != "candidate" and not oversize:
        log.debug("%s ignored kind=%s reason=%s", mid, cls.kind, cls.reason)
        return Outcome(_ignored(f"{cls.kind}: {cls.reason}"), msg, cls, None, when.mailbox, when.received)
    reading = _too_large() if oversize else read_message(msg, ctx, mid)
    if reading.receipt is None and not oversize and receipt_mention(msg) is None:
        # Some mailboxes are a person's everyday inbox: a colleague's spreadsheet or PDF that is not a
        # receipt, in a message that never says 回执 or 报名, is not ours to answer.
        log.debug("%s ignored %s", mid, _UNRELATED)
        return Outcome(_ignored(_UNRELATED), msg, cls, None, when.mailbox, when.received)
    verdict = judge(reading.receipt, ctx.notice, ctx.policy, when, reading.unreadable)
    _log_verdict(mid, verdict)
    return Outcome(verdict, msg, cls, reading.receipt, when.mailbox, when.received)


def process_attachment(
    filename: str, data: bytes, ctx: Context, *, mailbox: str = "", received: datetime | None = None
) -> Outcome:
    """A bare attachment (no email around it), as `intake check FILE.xlsx` reads it."""
    attachment = Attachment(filename=filename, content_type="", data=data)
    grids, unreadable = _attachment_grids((attachment,), ctx.limits, filename)
    empty = DecodedMessage(message_id="", sender="", sender_name="", subject="", date=None)
    receipt = _extract(grids, empty, ctx, filenames=[filename])
    when = Circumstances(mailbox.strip().lower(), received)
    verdict = judge(receipt, ctx.notice, ctx.policy, when, unreadable)
    return Outcome(verdict, None, None, receipt, mailbox, received)


def is_record_kind(att: Attachment) -> bool:
    """A PDF or an image: a stamped scan is usually the record beside an editable receipt."""
    return att.data[:4].startswith(_RECORD_MAGIC) or is_record_name(att.filename or "")


def read_message(msg: DecodedMessage, ctx: Context, mid: str) -> Reading:
    """The receipt in the editable attachments and the HTML body; else in the scans and PDFs; else in the text body.

    Scans and PDFs are read (OCR takes seconds a page) only when no editable receipt was found;
    otherwise they are the signed record, kept in the archive with the message."""
    editable = tuple(a for a in msg.attachments if not is_record_kind(a))
    records = tuple(a for a in msg.attachments if is_record_kind(a))
    grids, unreadable = _attachment_grids(editable, ctx.limits, mid)
    if msg.html:
        grids += _body_grids(lambda: read_html_body(msg.html, ctx.limits), mid)
    receipt = _extract(grids, msg, ctx)
    if records and (receipt is None or not receipt.rows):
        more, unread_records = _attachment_grids(records, ctx.limits, mid)
        unreadable += unread_records
        receipt = _extract(grids + more, msg, ctx)
    if receipt is None and msg.text:
        receipt = _extract(_body_grids(lambda: read_text_body(msg.text, ctx.limits), mid), msg, ctx)
    return Reading(receipt, tuple(unreadable))


def _too_large() -> Reading:
    """Only the header of the message was fetched: nothing to read, and the message itself unreadable."""
    return Reading(None, (UnreadableFile(WHOLE_MESSAGE, UnreadableReason.TOO_LARGE),))


def _ignored(reason: str) -> Verdict:
    return Verdict(status=Status.IGNORED, ignored_reason=reason)


def _log_verdict(mid: str, verdict: Verdict) -> None:
    log.debug(
        "%s %s program=%s period=%s province=%s rows=%d problems=%s",
        mid,
        verdict.status,
        verdict.program,
        verdict.period,
        verdict.province,
        len(verdict.participants),
        ",".join(sorted({p.code for p in verdict.problems})) or "-",
    )


def _headers_only(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    return raw[: end if 0 < end < 1_000_000 else 1_000_000] + b"\r\n\r\n"


def _body_grids(read: Callable[[], Iterable[Grid]], mid: str) -> list[Grid]:
    """The tables in the message body; none when the body cannot be read (logged: the message goes on)."""
    try:
        return list(read())
    except UnreadableAttachment as exc:
        log.info("%s body table unreadable: %s", mid, exc.reason)
    except Exception:  # a reader bug must not lose the message
        log.exception("%s body table reader failed", mid)
    return []


def _attachment_grids(
    attachments: tuple[Attachment, ...], limits: Limits, mid: str
) -> tuple[list[Grid], list[UnreadableFile]]:
    grids: list[Grid] = []
    unreadable: list[UnreadableFile] = []
    for att in attachments[: limits.max_attachments]:
        read = _read_attachment(att, limits, mid)
        if isinstance(read, UnreadableFile):
            unreadable.append(read)
        else:
            grids += read
    return grids, unreadable


def _read_attachment(att: Attachment, limits: Limits, mid: str) -> list[Grid] | UnreadableFile:
    """The attachment's grids, or why it could not be read (a reader bug reads as a corrupt file)."""
    name = att.filename or "附件"
    if att.truncated or len(att.data) > limits.max_attachment_bytes:
        return UnreadableFile(name, UnreadableReason.TOO_LARGE)
    try:
        return read_attachment(name, att.data, limits)
    except UnreadableAttachment as exc:
        log.info("%s attachment unreadable reason=%s detail=%s", mid, exc.reason, exc.detail[:200])
        return UnreadableFile(exc.filename or name, UnreadableReason(exc.reason))
    except Exception:  # a reader bug must not lose the message: report it as corrupt
        log.exception("%s reader failed on an attachment", mid)
        return UnreadableFile(name, UnreadableReason.CORRUPT)


def _extract(
    grids: list[Grid], msg: DecodedMessage, ctx: Context, filenames: list[str] | None = None
) -> Receipt | None:
    names = filenames if filenames is not None else [a.filename for a in msg.attachments if a.filename]
    return extract(
        grids,
        year=ctx.notice.year,
        subject=msg.subject,
        filenames=names,
        body=own_words(body_text(msg)),
        sender=msg.sender,
        sender_name=msg.sender_name,
    )
