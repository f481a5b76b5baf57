"""Sort a decoded message: a possible receipt, an auto-reply, a bounce, or unrelated mail.

Checks run in order: a bounce by structure (intake/mime/bounces.py: a report, a mail system's
sender), an auto-reply (intake/mime/autoreply.py: RFC 3834 and common practice), a bounce by
envelope (a null Return-Path), a bounce by wording (a provider's notice; not when the sender's own
part holds a receipt), then unrelated (nothing that looks like a receipt), else candidate.  Whether a candidate is ours to answer is decided after, by the
rules (rules/ours.py) on the evidence intake/pipeline/evidence.py gathers.  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from intake.mime.autoreply import decisive_auto_reply, supporting_auto_reply
from intake.mime.bounces import envelope_bounce, notice_bounce, report_bounce
from intake.mime.message import Attachment, DecodedMessage
from intake.mime.parts import EXTENSION_BY_TYPE
from intake.mime.quoting import html_text, own_html, own_words, without_our_reply


class MessageKind(StrEnum):
    """What a message is to the desk; only a candidate is read for a receipt."""

    CANDIDATE = "candidate"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    UNRELATED = "unrelated"


KINDS = tuple(MessageKind)

RECEIPT_EXTENSIONS = frozenset(
    {
        ".xlsx",
        ".xlsm",
        ".xls",
        ".et",
        ".ett",
        ".csv",
        ".docx",
        ".doc",
        ".wps",
        ".zip",
        ".rar",
        ".7z",
        ".ods",
        ".odt",
        ".pdf",
        ".htm",
        ".html",
        ".jpg",
        ".jpeg",
        ".png",
        # a fax arrives as TIFF; scans and screenshots as BMP, GIF or WEBP; an iPhone photo as HEIC
        ".tif",
        ".tiff",
        ".bmp",
        ".gif",
        ".webp",
        ".heic",
        ".rtf",  # WordPad, Word's "save as RTF"
        ".tsv",
        ".xml",  # Excel 2003 XML spreadsheet
        ".mht",  # a web page or an Excel sheet saved as a single file
        ".mhtml",
    }
)
RECEIPT_TYPES = frozenset(ctype for ctype, ext in EXTENSION_BY_TYPE.items() if ext in RECEIPT_EXTENSIONS) | {
    "application/vnd.ms-excel.template.macroenabled.12",
    "application/x-msexcel",
    "application/excel",
    "application/x-excel",
    "application/x-7z",
    "image/pjpeg",
    "application/wps-office.ett",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
}
_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",  # zip: xlsx, docx, ods, odt, zip
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE2: xls, doc, wps, et
    b"%PDF-",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"II*\x00",  # TIFF (a fax)
    b"MM\x00*",
    b"{\\rtf",
)
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")
_HTML_START = re.compile(rb"\s*(?:<!doctype html|<html|<table|<meta)", re.I)
_HTML_TABLE = re.compile(r"<table\b", re.I)
_CELL_SEPARATOR = re.compile(r"[\t \u3000\xa0]+")
_TABLE_COLUMNS = ("性别", "单位", "手机", "职务")
RECEIPT_WORDS = ("回执", "报名")


@dataclass(frozen=True)
class Classification:
    kind: MessageKind  # a StrEnum: compares equal to "candidate", "auto_reply", "bounce", "unrelated"
    reason: str  # short English reason, e.g. "Auto-Submitted: auto-replied"


def classify(msg: DecodedMessage) -> Classification:
    for kind, check in _CHECKS:
        reason = check(msg)
        if reason:
            return Classification(kind, reason)
    reason = _receipt_sign(msg)
    if reason is None:
        return Classification(MessageKind.UNRELATED, "no receipt-like attachment, table or receipt keyword")
    return Classification(MessageKind.CANDIDATE, reason)


def _auto_reply(msg: DecodedMessage) -> str | None:
    decisive = decisive_auto_reply(msg)
    if decisive:
        return decisive
    weak = supporting_auto_reply(msg, own_words(body_text(msg)))
    if weak is None:
        return None
    return None if own_receipt_evidence(msg) else f"{weak}, no receipt-like attachment or table"


def _notice_bounce(msg: DecodedMessage) -> str | None:
    """A bounce by wording, unless the sender's own part holds a receipt: 「上次投递失败，重新发送回执」
    with the file attached is a receipt, whatever its words say."""
    reason = notice_bounce(msg)
    return reason if reason and not own_receipt_evidence(msg) else None


_CHECKS: tuple[tuple[MessageKind, Callable[[DecodedMessage], str | None]], ...] = (
    (MessageKind.BOUNCE, report_bounce),
    (MessageKind.AUTO_REPLY, _auto_reply),
    (MessageKind.BOUNCE, envelope_bounce),
    (MessageKind.BOUNCE, _notice_bounce),
)


def own_receipt_evidence(msg: DecodedMessage) -> str | None:
    """A receipt in the sender's own part: their own attachment that may be one (not an inline
    picture such as a signature logo), or a table in their words (not in what they quote)."""
    if any(receipt_like(a) and not a.nested and not _inline_picture(a) for a in msg.attachments):
        return "receipt-like attachment"
    if _HTML_TABLE.search(own_html(msg.html)):
        return "HTML table in body"
    if text_table(own_words(body_text(msg))):
        return "text table in body"
    return None


def _receipt_evidence(msg: DecodedMessage) -> str | None:
    """A receipt-like attachment (also in a forwarded message) or a table in the body (not a quote of ours)."""
    if any(receipt_like(attachment) for attachment in msg.attachments):
        return "receipt-like attachment"
    if _HTML_TABLE.search(without_our_reply(msg.html)):
        return "HTML table in body"
    if text_table(body_text(msg)):
        return "text table in body"
    return None


def _receipt_sign(msg: DecodedMessage) -> str | None:
    """Why the message may hold a receipt, or None when nothing suggests it."""
    return _receipt_evidence(msg) or receipt_mention(msg)


def body_text(msg: DecodedMessage) -> str:
    """The text body, or the HTML body as text when there is no text part."""
    return msg.text or html_text(msg.html)


def receipt_mention(msg: DecodedMessage) -> str | None:
    """Where 回执 or 报名 is written: the subject, the sender's own words (not quoted history),
    or an attachment's file name; None when nowhere."""
    own = own_words(body_text(msg))
    names = " ".join(a.filename for a in msg.attachments)
    for where, text in (("subject", msg.subject), ("body", own), ("file name", names)):
        if any(word in text for word in RECEIPT_WORDS):
            return f"receipt keyword in {where}"
    return None


def receipt_like(attachment: Attachment) -> bool:
    """By file extension, declared content type, or sniffed content."""
    dot = attachment.filename.rfind(".")
    if dot >= 0 and attachment.filename[dot:].lower().strip() in RECEIPT_EXTENSIONS:
        return True
    if attachment.content_type in RECEIPT_TYPES:
        return True
    head = attachment.data[:1024]
    return head.startswith(_MAGIC) or bool(_HTML_START.match(head))


def _inline_picture(attachment: Attachment) -> bool:
    """An image shown in the body (a signature logo, a pasted screenshot), not attached as a file."""
    return attachment.inline and (
        attachment.content_type.startswith("image/") or attachment.data[:8].startswith(_IMAGE_MAGIC)
    )


def text_table(text: str) -> bool:
    """A line holding 姓名 and at least two of 性别/单位/手机/职务, as separate cells."""
    for line in text.splitlines():
        if "姓名" not in line:
            continue
        cells = _CELL_SEPARATOR.split(line.strip())
        if len(cells) < 3 or not any("姓名" in cell for cell in cells):
            continue
        found = {
            column for column in _TABLE_COLUMNS for cell in cells if column in cell and "姓名" not in cell
        }
        if len(found) >= 2:
            return True
    return False
