"""The one pipeline: raw bytes, mailbox and received time in; a verdict out.

`intake check` and the daemon both call `process`.  It does no I/O: storage, archiving and
replies are the daemon's business around it.  Its steps:

1. decode (intake/mime), and set bounces and auto-replies aside (intake/mime/classify.py);
2. gather the cheap evidence (intake/pipeline/evidence.py) and let the rules decide whether the
   message is ours before anything costly runs (rules/ours.py ``screen``): a question or a
   thank-you in our thread, mail that is not ours, or a message to read, with or without OCR and
   LibreOffice;
3. read it within one budget per message (intake/readers/budget.py): editable attachments and
   the body's tables first (never a table quoted from our own reply), scans only when needed;
4. decide again on what was found (``settle``), then judge it (rules/judge.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from intake.errors import UnreadableAttachment
from intake.extract.columns import match_header
from intake.extract.receipt import extract
from intake.mime.bounces import returned_ids
from intake.mime.classify import Classification, MessageKind, body_text, classify
from intake.mime.cloud import cloud_files
from intake.mime.message import Attachment, DecodedMessage, decode_message
from intake.mime.quoting import own_html, own_words, without_our_reply, without_our_roster
from intake.pipeline.evidence import KnownSender, gather, is_record_kind, own_text
from intake.readers import read_attachment, read_html_body, read_text_body
from intake.readers.budget import Budget, spending
from intake.readers.grid import Grid
from intake.readers.limits import Limits
from rules.attachments import WHOLE_MESSAGE, UnreadableFile
from rules.judge import Circumstances, judge
from rules.marks import ROSTER_MARK
from rules.notice import Notice
from rules.ours import Disposition, Found, Screening, screen, settle
from rules.placement import for_another_program, mailbox_programs
from rules.policy import Policy
from rules.problems import UnreadableReason
from rules.receipt import Receipt
from rules.units import find_province
from rules.verdict import Status, Verdict

__all__ = ["Context", "Outcome", "Reading", "is_record_kind", "process", "process_attachment", "read_message"]

log = logging.getLogger(__name__)
_NOT_READ = (UnreadableReason.SKIPPED, UnreadableReason.OUT_OF_TIME)


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
    # What the message is to us (rules.ours): read and judged, a question for a person, a thank-you,
    # or not ours; None for bounces, auto-replies and bare attachments.
    disposition: Disposition | None = None
    words: str = ""  # the sender's own words (quoted history stripped): what a person reads of a question
    in_thread: bool = False  # replies to one of our messages
    returned: tuple[str, ...] = ()  # a bounce: the Message-IDs of ours that it returns
    reading_s: float = 0.0  # wall-clock seconds spent reading attachments and bodies


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
    known_sender: KnownSender | None = None,
) -> Outcome:
    """oversize: raw holds only the header of a message too big to fetch (the daemon's case).
    served: the periods the configured mailbox serves; a receipt for one of them is not misrouted.
    known_sender(address): has this address sent us a receipt before (the daemon asks its store)?"""
    oversize = oversize or len(raw) > ctx.limits.max_message_bytes
    msg = decode_message(_headers_only(raw) if oversize else raw, ctx.limits.max_attachment_bytes)
    mid = msg.message_id or "-"
    cls = classify(msg)
    when = Circumstances(
        (mailbox or default_mailbox(msg)).strip().lower(),
        received or msg.date,
        msg.sender,
        served,
        addressed=(*msg.to, *msg.cc),
    )
    if oversize:
        verdict = judge(None, ctx.notice, ctx.policy, when, _too_large().unreadable)
        return Outcome(verdict, msg, cls, None, when.mailbox, when.received)
    if cls.kind in (MessageKind.BOUNCE, MessageKind.AUTO_REPLY):
        log.debug("%s ignored kind=%s reason=%s", mid, cls.kind, cls.reason)
        returned = returned_ids(raw, msg) if cls.kind is MessageKind.BOUNCE else ()
        return Outcome(
            _ignored(f"{cls.kind}: {cls.reason}"),
            msg,
            cls,
            None,
            when.mailbox,
            when.received,
            returned=returned,
        )
    return _ours(msg, cls, when, ctx, known_sender)


def _ours(
    msg: DecodedMessage, cls: Classification, when: Circumstances, ctx: Context, known: KnownSender | None
) -> Outcome:
    """Steps 2-4: decide whether it is ours, read it within its budget, decide again, judge."""
    mid = msg.message_id or "-"
    evidence = gather(msg, ctx.notice, ctx.limits, known)
    words = own_text(msg).text
    base = Outcome(
        _ignored(""), msg, cls, None, when.mailbox, when.received, words=words, in_thread=evidence.in_thread
    )
    first = screen(evidence)
    if first.disposition is not Disposition.READ:
        return _set_aside(base, first, mid)
    started = time.monotonic()
    budget = Budget(ctx.limits.message_budget_s, ctx.limits.message_cpu_budget_s, costly=first.costly)
    with spending(budget):
        reading = read_message(
            msg,
            ctx,
            mid,
            in_thread=evidence.in_thread,
            budget=budget,
            programs=mailbox_programs_of(when, ctx),
        )
    spent = time.monotonic() - started
    final = settle(evidence, first, found(reading, ctx.notice))
    if final.disposition is not Disposition.READ:
        return _set_aside(replace(base, reading_s=spent), final, mid)
    verdict = judge(reading.receipt, ctx.notice, ctx.policy, when, reading.unreadable)
    _log_verdict(mid, verdict, final, spent)
    return replace(
        base, verdict=verdict, receipt=reading.receipt, disposition=Disposition.READ, reading_s=spent
    )


def _set_aside(base: Outcome, screening: Screening, mid: str) -> Outcome:
    """A question, a thank-you or mail that is not ours: no verdict to answer, the reason logged."""
    log.info("%s not answered: %s (%s)", mid, screening.disposition, screening.reason)
    reason = f"{screening.disposition}: {screening.reason}"
    return replace(base, verdict=_ignored(reason), disposition=screening.disposition)


def found(reading: Reading, notice: Notice) -> Found:
    """What the reading found, as rules.ours.settle weighs it."""
    receipt = reading.receipt
    skipped = sum(1 for f in reading.unreadable if f.reason in _NOT_READ)
    rows = len(receipt.rows) if receipt else 0
    return Found(
        rows=rows,
        names_unit=bool(receipt and rows and _names_notice(receipt, notice)),
        form_columns=bool(receipt and rows and _has_form_columns(receipt, notice)),
        unreadable=len(reading.unreadable) - skipped,
        skipped=skipped,
    )


def _has_form_columns(receipt: Receipt, notice: Notice) -> bool:
    """Is the receipt's header the notice's own form: all its columns (notice data), or all but one?"""
    fields = {field for label in notice.form_columns if (field := _field_of(label)) is not None}
    return bool(fields) and len(fields - set(receipt.columns)) <= 1


def _field_of(label: str) -> str | None:
    matched = match_header(label)
    return matched[0] if matched else None


def _names_notice(receipt: Receipt, notice: Notice) -> bool:
    """Does the receipt name one of the notice's units, or one of its programs in 会议名称和期数?"""
    units = " ".join(r.participant.unit for r in receipt.rows)
    if find_province(f"{receipt.unit_name} {receipt.meeting} {units}", notice) is not None:
        return True
    return any(term in receipt.meeting for p in notice.programs for term in (p.name, *p.keywords))


def process_attachment(
    filename: str, data: bytes, ctx: Context, *, mailbox: str = "", received: datetime | None = None
) -> Outcome:
    """A bare attachment (no email around it), as `intake check FILE.xlsx` reads it."""
    attachment = Attachment(filename=filename, content_type="", data=data)
    with spending(Budget(ctx.limits.message_budget_s, ctx.limits.message_cpu_budget_s)) as budget:
        grids, unreadable = _attachment_grids((attachment,), ctx.limits, filename, budget)
    empty = DecodedMessage(message_id="", sender="", sender_name="", subject="", date=None)
    when = Circumstances(mailbox.strip().lower(), received)
    receipt = _extract(grids, empty, ctx, filenames=[filename], programs=mailbox_programs_of(when, ctx))
    verdict = judge(receipt, ctx.notice, ctx.policy, when, unreadable)
    return Outcome(verdict, None, None, receipt, mailbox, received)


def read_message(
    msg: DecodedMessage,
    ctx: Context,
    mid: str,
    *,
    in_thread: bool = False,
    budget: Budget | None = None,
    programs: frozenset[str] = frozenset(),
) -> Reading:
    """The receipt in the editable attachments and the HTML body; else in the scans and PDFs; else in the text body.

    Scans and PDFs are read (OCR takes seconds a page) only when no editable receipt was found;
    otherwise they are the signed record, kept in the archive with the message.  A table quoted
    from one of our replies is never read: in our thread the quoted history is left out, and
    anywhere a table under our roster's caption is dropped."""
    editable = tuple(a for a in msg.attachments if not is_record_kind(a))
    records = tuple(a for a in msg.attachments if is_record_kind(a))
    grids, unreadable = _attachment_grids(editable, ctx.limits, mid, budget)
    html = own_html(msg.html) if in_thread else without_our_reply(msg.html)
    if html:
        grids += _body_grids(lambda: read_html_body(html, ctx.limits), mid)
    receipt = _extract(grids, msg, ctx, programs=programs)
    if records and (receipt is None or not receipt.rows):
        more, unread_records = _attachment_grids(records, ctx.limits, mid, budget)
        unreadable += unread_records
        receipt = _extract(grids + more, msg, ctx, programs=programs)
    text = own_words(msg.text) if in_thread else without_our_roster(msg.text)
    if receipt is None and text:
        receipt = _extract(
            _body_grids(lambda: read_text_body(text, ctx.limits), mid), msg, ctx, programs=programs
        )
    return Reading(receipt, (*unreadable, *_linked_files(text, html, msg, mid)))


def _linked_files(text: str, html: str, msg: DecodedMessage, mid: str) -> list[UnreadableFile]:
    """Files the sender's own words link to (超大附件, 云附件, a net disk) instead of attaching."""
    linked = cloud_files(text, html, tuple(a.filename for a in msg.attachments))
    if linked.names:
        log.info("%s files sent as links: %d via %s", mid, len(linked.names), ",".join(linked.hosts))
    return [UnreadableFile(name, UnreadableReason.CLOUD_LINK) for name in linked.names]


def _too_large() -> Reading:
    """Only the header of the message was fetched: nothing to read, and the message itself unreadable."""
    return Reading(None, (UnreadableFile(WHOLE_MESSAGE, UnreadableReason.TOO_LARGE),))


def _ignored(reason: str) -> Verdict:
    return Verdict(status=Status.IGNORED, ignored_reason=reason)


def _log_verdict(mid: str, verdict: Verdict, screening: Screening, spent: float) -> None:
    log.debug(
        "%s %s program=%s period=%s province=%s rows=%d problems=%s ours=%s read=%.2fs",
        mid,
        verdict.status,
        verdict.program,
        verdict.period,
        verdict.province,
        len(verdict.participants),
        ",".join(sorted({p.code for p in verdict.problems})) or "-",
        screening.reason,
        spent,
    )


def _headers_only(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    return raw[: end if 0 < end < 1_000_000 else 1_000_000] + b"\r\n\r\n"


def _body_grids(read: Callable[[], Iterable[Grid]], mid: str) -> list[Grid]:
    """The tables in the message body; none when the body cannot be read (logged: the message goes on)."""
    try:
        return [grid for grid in read() if not is_our_roster(grid)]
    except UnreadableAttachment as exc:
        log.info("%s body table unreadable: %s", mid, exc.reason)
    except Exception:  # a reader bug must not lose the message
        log.exception("%s body table reader failed", mid)
    return []


def is_our_roster(grid: Grid) -> bool:
    """A table that opens with our roster's caption: our own reply, quoted or pasted back (rules.marks)."""
    head = [str(cell) for row in grid.rows[:2] for cell in row if cell is not None]
    return any(ROSTER_MARK in text for text in (*head, *grid.lines[-3:]))


def _attachment_grids(
    attachments: tuple[Attachment, ...], limits: Limits, mid: str, budget: Budget | None = None
) -> tuple[list[Grid], list[UnreadableFile]]:
    grids: list[Grid] = []
    unreadable: list[UnreadableFile] = []
    for att in attachments[: limits.max_attachments]:
        if budget is not None and budget.spent:
            log.info("%s reading budget spent: %s not read", mid, att.filename or "附件")
            unreadable.append(UnreadableFile(att.filename or "附件", UnreadableReason.OUT_OF_TIME))
            continue
        read = _read_attachment(att, limits, mid)
        if isinstance(read, UnreadableFile):
            unreadable.append(read)
        else:
            grids += [grid for grid in read if not is_our_roster(grid)]
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
    grids: list[Grid],
    msg: DecodedMessage,
    ctx: Context,
    filenames: list[str] | None = None,
    programs: frozenset[str] = frozenset(),
) -> Receipt | None:
    """programs: those the mailbox takes receipts for (a receipt naming only others is chosen last)."""
    names = filenames if filenames is not None else [a.filename for a in msg.attachments if a.filename]
    return extract(
        grids,
        year=ctx.notice.year,
        subject=msg.subject,
        filenames=names,
        body=own_words(body_text(msg)),
        sender=msg.sender,
        sender_name=msg.sender_name,
        elsewhere=lambda receipt: for_another_program(receipt, ctx.notice, programs),
    )


def mailbox_programs_of(when: Circumstances, ctx: Context) -> frozenset[str]:
    return mailbox_programs(when.mailbox, ctx.notice, when.served)
