"""The one pipeline: raw bytes, mailbox and received time in; a verdict out.

`intake check` and the daemon both call `process`.  It does no I/O: storage,
archiving and replies are the daemon's business around it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from intake.errors import UnreadableAttachment
from intake.extract.receipt import extract
from intake.mime.classify import Classification, body_text, classify, receipt_mention
from intake.mime.message import Attachment, DecodedMessage, decode_message
from intake.mime.quoting import own_words
from intake.readers import read_attachment, read_html_body, read_text_body
from intake.readers.grid import Grid
from intake.readers.limits import Limits
from rules.judge import Circumstances, judge
from rules.notice import Notice
from rules.policy import Policy
from rules.problems import problem, unreadable
from rules.receipt import Receipt
from rules.verdict import Problem, Verdict

log = logging.getLogger(__name__)

# Attachments that are only ever a record (a stamped scan) when an editable receipt is also present.
_RECORD_ONLY = re.compile(r"\.(pdf|jpe?g|png|gif|bmp|tiff?|heic)$", re.I)


@dataclass(frozen=True)
class Context:
    notice: Notice
    policy: Policy = field(default_factory=Policy)
    limits: Limits = field(default_factory=Limits)


@dataclass
class Outcome:
    verdict: Verdict
    message: DecodedMessage | None
    classification: Classification | None
    receipt: Receipt | None
    mailbox: str
    received: datetime | None


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
    limits = ctx.limits
    oversize = oversize or len(raw) > limits.max_message_bytes
    msg = decode_message(_headers_only(raw) if oversize else raw, limits.max_attachment_bytes)
    mailbox = (mailbox or default_mailbox(msg)).strip().lower()
    received = received or msg.date
    mid = msg.message_id or "-"
    cls = classify(msg)
    if cls.kind != "candidate" and not oversize:
        log.debug("%s ignored kind=%s reason=%s", mid, cls.kind, cls.reason)
        return Outcome(
            Verdict(status="ignored", ignored_reason=f"{cls.kind}: {cls.reason}"),
            msg,
            cls,
            None,
            mailbox,
            received,
        )
    if oversize:
        verdict = Verdict(status="rejected", problems=[unreadable("（整封邮件）", "too_large")])
        return Outcome(verdict, msg, cls, None, mailbox, received)
    editable = tuple(a for a in msg.attachments if not is_record_kind(a))
    records = tuple(a for a in msg.attachments if is_record_kind(a))
    grids, failures = _attachment_grids(editable, limits, mid)
    if msg.html:
        grids += _safe(lambda: read_html_body(msg.html, limits), mid)
    receipt = _extract(grids, msg, ctx)
    if records and (receipt is None or not receipt.rows):
        # Scans and PDFs are read (OCR takes seconds a page) only when no editable receipt was found;
        # otherwise they are the signed record, kept in the archive with the message.
        more, record_failures = _attachment_grids(records, limits, mid)
        failures += record_failures
        receipt = _extract(grids + more, msg, ctx)
    if receipt is None and msg.text:
        receipt = _extract(_safe(lambda: read_text_body(msg.text, limits), mid), msg, ctx)
    if receipt is None and receipt_mention(msg) is None:
        # Some mailboxes are a person's everyday inbox: a colleague's spreadsheet or PDF that is not a
        # receipt, in a message that never says 回执 or 报名, is not ours to answer.
        reason = "unrelated: no receipt table, and no 回执 or 报名 in the subject, body or file names"
        log.debug("%s ignored %s", mid, reason)
        return Outcome(Verdict(status="ignored", ignored_reason=reason), msg, cls, None, mailbox, received)
    verdict = _judge(receipt, failures, msg, ctx, mailbox, received, served)
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
    return Outcome(verdict, msg, cls, receipt, mailbox, received)


def process_attachment(
    filename: str, data: bytes, ctx: Context, *, mailbox: str = "", received: datetime | None = None
) -> Outcome:
    """A bare attachment (no email around it), as `intake check FILE.xlsx` reads it."""
    grids, failures = _attachment_grids(
        (Attachment(filename=filename, content_type="", data=data),), ctx.limits, filename
    )
    empty = DecodedMessage(message_id="", sender="", sender_name="", subject="", date=None)
    receipt = _extract(grids, empty, ctx, filenames=[filename])
    verdict = _judge(receipt, failures, empty, ctx, mailbox.strip().lower(), received)
    return Outcome(verdict, None, None, receipt, mailbox, received)


_RECORD_MAGIC = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def is_record_kind(att: Attachment) -> bool:
    """A PDF or an image: a stamped scan is usually the record beside an editable receipt."""
    return att.data[:4].startswith(_RECORD_MAGIC) or bool(_RECORD_ONLY.search(att.filename or ""))


def _headers_only(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    return raw[: end if 0 < end < 1_000_000 else 1_000_000] + b"\r\n\r\n"


def _safe(make, mid: str) -> list[Grid]:  # type: ignore[no-untyped-def]
    try:
        return list(make())
    except UnreadableAttachment as exc:
        log.info("%s body table unreadable: %s", mid, exc.reason)
    except Exception:  # a reader bug must not lose the message
        log.exception("%s body table reader failed", mid)
    return []


def _attachment_grids(
    attachments: tuple[Attachment, ...], limits: Limits, mid: str
) -> tuple[list[Grid], list[tuple[str, str]]]:
    grids: list[Grid] = []
    failures: list[tuple[str, str]] = []
    for att in attachments[: limits.max_attachments]:
        name = att.filename or "附件"
        if att.truncated or len(att.data) > limits.max_attachment_bytes:
            failures.append((name, "too_large"))
            continue
        try:
            grids += read_attachment(name, att.data, limits)
        except UnreadableAttachment as exc:
            log.info("%s attachment unreadable reason=%s detail=%s", mid, exc.reason, exc.detail[:200])
            failures.append((exc.filename or name, exc.reason))
        except Exception:  # a reader bug must not lose the message: report it as corrupt
            log.exception("%s reader failed on an attachment", mid)
            failures.append((name, "corrupt"))
    return grids, failures


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


def _judge(
    receipt: Receipt | None,
    failures: list[tuple[str, str]],
    msg: DecodedMessage,
    ctx: Context,
    mailbox: str,
    received: datetime | None,
    served: tuple[str, ...] = (),
) -> Verdict:
    if receipt is None:
        problems: list[Problem] = [unreadable(n, r) for n, r in failures] or [problem("no_form")]
        return Verdict(status="rejected", problems=problems)
    verdict = judge(receipt, ctx.notice, ctx.policy, Circumstances(mailbox, received, msg.sender, served))
    if not receipt.rows:
        verdict.problems.insert(0, problem("no_form"))
        verdict.status = "rejected"
    for name, reason in failures:
        if not _RECORD_ONLY.search(PurePosixPath(name).name):
            verdict.problems.append(unreadable(name, reason, severity="warning"))
    return verdict
