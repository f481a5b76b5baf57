"""Sort a decoded message: a possible receipt, an auto-reply, a bounce, or unrelated mail.

Checks run in order: bounce, then auto-reply (RFC 3834 and common practice),
then unrelated (nothing that looks like a receipt), else candidate.  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from html import unescape

from intake.mime.message import Attachment, DecodedMessage
from intake.mime.parts import EXTENSION_BY_TYPE
from intake.mime.quoting import own_words


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
)
_HTML_START = re.compile(rb"\s*(?:<!doctype html|<html|<table|<meta)", re.I)
_HTML_TABLE = re.compile(r"<table\b", re.I)
_TAGS = re.compile(r"<[^>]{0,2000}>")
_BREAKS = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d)\b[^>]{0,2000}>", re.I)
_CELL_SEPARATOR = re.compile(r"[\t \u3000\xa0]+")
_TABLE_COLUMNS = ("性别", "单位", "手机", "职务")
RECEIPT_WORDS = ("回执", "报名")
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_AUTO_SUBJECT = re.compile(
    r"\s*(?:自动回复|自动答复|自動回覆|auto:|automatic reply|auto[- ]?reply|out of (?:the )?office)", re.I
)


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


def _bounce(msg: DecodedMessage) -> str | None:
    if msg.content_type == "multipart/report":
        return "Content-Type: multipart/report"
    local = msg.sender.rpartition("@")[0] if "@" in msg.sender else msg.sender
    if local in _BOUNCE_SENDERS:
        return f"sender is {local}"
    return_path = msg.header("return-path")
    if return_path is not None and re.fullmatch(r"<\s*>", return_path.strip()):
        return "null Return-Path"
    if msg.header("x-failed-recipients") is not None:
        return "X-Failed-Recipients present"
    return None


def _token(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _auto_reply(msg: DecodedMessage) -> str | None:
    auto_submitted = msg.header("auto-submitted")
    if auto_submitted is not None and _token(auto_submitted) != "no":
        return f"Auto-Submitted: {_token(auto_submitted)[:40]}"
    precedence = _token(msg.header("precedence") or "")
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond"):
        if msg.header(name) is not None:
            return f"{_title(name)} present"
    for name, _value in msg.headers:
        if name.startswith("list-"):
            return f"{_title(name)[:40]} present"
    # Supporting signals only: Exchange also puts X-Auto-Response-Suppress on ordinary mail
    # (through distribution lists, from applications), and a person may type any subject.
    if msg.header("x-auto-response-suppress") is not None:
        weak = "X-Auto-Response-Suppress present"
    elif _AUTO_SUBJECT.match(msg.subject):
        weak = "auto-reply subject"
    else:
        return None
    return None if _receipt_evidence(msg) else f"{weak}, no receipt-like attachment or table"


_CHECKS: tuple[tuple[MessageKind, Callable[[DecodedMessage], str | None]], ...] = (
    (MessageKind.BOUNCE, _bounce),
    (MessageKind.AUTO_REPLY, _auto_reply),
)


def _title(name: str) -> str:
    return "-".join(word.capitalize() for word in name.split("-"))


def _receipt_evidence(msg: DecodedMessage) -> str | None:
    """A receipt-like attachment or a table in the body, or None."""
    if any(_receipt_like(attachment) for attachment in msg.attachments):
        return "receipt-like attachment"
    if _HTML_TABLE.search(msg.html):
        return "HTML table in body"
    if _text_table(body_text(msg)):
        return "text table in body"
    return None


def _receipt_sign(msg: DecodedMessage) -> str | None:
    """Why the message may hold a receipt, or None when nothing suggests it."""
    return _receipt_evidence(msg) or receipt_mention(msg)


def body_text(msg: DecodedMessage) -> str:
    """The text body, or the HTML body as text when there is no text part."""
    return msg.text or unescape(_TAGS.sub(" ", _BREAKS.sub("\n", msg.html)))


def receipt_mention(msg: DecodedMessage) -> str | None:
    """Where 回执 or 报名 is written: the subject, the sender's own words (not quoted history),
    or an attachment's file name; None when nowhere."""
    own = own_words(body_text(msg))
    names = " ".join(a.filename for a in msg.attachments)
    for where, text in (("subject", msg.subject), ("body", own), ("file name", names)):
        if any(word in text for word in RECEIPT_WORDS):
            return f"receipt keyword in {where}"
    return None


def _receipt_like(attachment: Attachment) -> bool:
    """By file extension, declared content type, or sniffed content."""
    dot = attachment.filename.rfind(".")
    if dot >= 0 and attachment.filename[dot:].lower().strip() in RECEIPT_EXTENSIONS:
        return True
    if attachment.content_type in RECEIPT_TYPES:
        return True
    head = attachment.data[:1024]
    return head.startswith(_MAGIC) or bool(_HTML_START.match(head))


def _text_table(text: str) -> bool:
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
