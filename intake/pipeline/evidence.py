"""The cheap facts about a message that decide whether it is ours (rules.ours.Evidence).  Pure.

Everything here is read without OCR, LibreOffice or a PDF worker: the headers (our Message-IDs in
References and In-Reply-To, our subject tags), the sender's own words (quoted history stripped),
the notice's program names and the form's header fields in them and in the file names, the
attachments by kind, tables in the sender's own part, and for .doc/.wps/.odt/.ods files the text
their containers hold in the clear (UTF-16 in a Word or WPS file, content.xml in OpenDocument).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from intake.mime.classify import body_text, receipt_like, text_table
from intake.mime.message import Attachment, DecodedMessage
from intake.mime.quoting import html_text, own_html, own_words, without_our_reply, without_our_roster
from intake.readers.limits import Limits
from rules.marks import has_our_tag, is_our_message_id
from rules.notice import Notice
from rules.ours import Evidence
from rules.units import find_province
from rules.words import about_training, read_words

_RECORD_MAGIC = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
_RECORD_NAME = re.compile(r"\.(pdf|jpe?g|png|gif|bmp|tiff?|heic|webp)$", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF_TEXT = ("content.xml",)
_SPACE = re.compile(r"[\s\u3000]+")
RECEIPT_WORDS = ("回执", "报名")
KnownSender = Callable[[str], bool]


@dataclass(frozen=True)
class Words:
    """The sender's own words, as found, for the questions queue and the log."""

    text: str  # own words (quoted history and our roster stripped), as written
    chars: int  # visible characters


def is_record_kind(att: Attachment) -> bool:
    """A PDF or an image: read by a PDF worker or OCR; usually the stamped record beside a receipt."""
    return att.data[:4].startswith(_RECORD_MAGIC) or bool(_RECORD_NAME.search(att.filename or ""))


def in_our_thread(msg: DecodedMessage) -> bool:
    """Does the message reply to one of ours (our Message-ID referenced, or our tag in its subject)?"""
    referenced = (msg.in_reply_to, *msg.references)
    return any(is_our_message_id(mid) for mid in referenced if mid) or has_our_tag(msg.subject)


def own_text(msg: DecodedMessage) -> Words:
    text = own_words(body_text(msg)).strip()
    return Words(text, len(_SPACE.sub("", text)))


def gather(
    msg: DecodedMessage, notice: Notice, limits: Limits, known_sender: KnownSender | None = None
) -> Evidence:
    """The evidence rules.ours weighs, from the decoded message alone (and who the store knows)."""
    own = own_text(msg)
    words = read_words(own.text)
    thread = in_our_thread(msg)
    files = [a for a in msg.attachments if receipt_like(a)]
    records = [a for a in files if is_record_kind(a)]
    places = _places(msg, own.text)
    return Evidence(
        in_thread=thread,
        known_sender=bool(msg.sender and known_sender is not None and known_sender(msg.sender.lower())),
        form_files=len(files) - len(records),
        record_files=len(records),
        own_table=_own_table(msg, thread),
        program_terms=tuple(_found(_program_terms(notice), places)),
        form_terms=tuple(_found(notice.form_fields, [*places, *_file_texts(files, limits)])),
        keyword=_keyword(msg, own.text),
        unit_named=find_province(_names(msg), notice) is not None,
        unit_in_words=about_training(own.text) and find_province(own.text, notice) is not None,
        own_chars=own.chars,
        asks=words.asks,
        thanks=words.thanks,
        covering=words.covering,
        empty=words.empty,
    )


def _own_table(msg: DecodedMessage, thread: bool) -> bool:
    """A participant table in the sender's own part (in our thread, what they quote is not theirs)."""
    html = own_html(msg.html) if thread else without_our_reply(msg.html)
    text = own_words(body_text(msg)) if thread else without_our_roster(body_text(msg))
    return text_table(html_text(html)) or text_table(text)


def _places(msg: DecodedMessage, own: str) -> list[str]:
    """Where the sender wrote: the subject, their own words, the file names."""
    return [msg.subject, own, _names(msg)]


def _names(msg: DecodedMessage) -> str:
    return " ".join(a.filename for a in msg.attachments)


def _program_terms(notice: Notice) -> list[str]:
    terms = [t for p in notice.programs for t in (p.name, p.full_name, *p.keywords)]
    return sorted({t for t in terms if t}, key=len, reverse=True)


def _found(terms: Iterable[str], places: Iterable[str]) -> list[str]:
    """The terms written in any of the places (full-width forms and spaces ignored)."""
    text = " ".join(_normal(p) for p in places)
    return [term for term in terms if _normal(term) in text]


def _normal(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def _keyword(msg: DecodedMessage, own: str) -> str:
    names = " ".join(a.filename for a in msg.attachments)
    for where, text in (("subject", msg.subject), ("body", own), ("file name", names)):
        if any(word in text for word in RECEIPT_WORDS):
            return where
    return ""


def _file_texts(files: Iterable[Attachment], limits: Limits) -> list[str]:
    """The text that Word, WPS and OpenDocument files hold in the clear, read without converting them."""
    return [text for att in files if (text := _clear_text(att.data, limits))]


def _clear_text(data: bytes, limits: Limits) -> str:
    if data.startswith(_OLE):
        return data[: limits.max_attachment_bytes].decode("utf-16-le", "ignore")
    if data.startswith(b"PK\x03\x04"):
        return _odf_text(data, limits)
    return ""


def _odf_text(data: bytes, limits: Limits) -> str:
    """content.xml of an OpenDocument file (bounded), as text; "" for any other or a damaged zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            member = next((i for i in package.infolist() if i.filename in _ODF_TEXT), None)
            if member is None or member.file_size > limits.max_xml_bytes:
                return ""
            return package.read(member).decode("utf-8", "ignore")
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError):
        return ""
