"""What is ours to answer: the evidence a message carries, weighed before it is read and after.  Pure.

A public registration address receives course adverts with their own 报名回执表, fair invitations,
list mail and questions.  A keyword is not enough: adverts say 报名 and 回执 too, in thousands of
characters, where a covering note is a few lines.  What makes a message ours (docs/what-is-ours.md
has the evidence behind each rule):

* it replies in one of our threads (our Message-ID in References or In-Reply-To, or our tag in
  the subject): a new attachment or table is a resubmission; without one it is a question for a
  person, a thank-you (no reply), or a covering note that forgot its file (answered as before);
* strong signs: the sender sent us a receipt before (or is a configured contact); the notice's
  program names (from the notice data); the form's own header fields (省级教育行政部门名称,
  会议名称和期数) in the words or in a file's text; 回执 or 报名 in a short message, or a unit
  of the notice (河南, 河南省教育厅) in one of its file names;
* a table with rows is a receipt when a strong sign or the notice's units stand beside it, or when
  its header is the notice's own form (all its columns, or all but one).

Costly reading (OCR, LibreOffice, PDF workers) runs only with a strong sign or in our thread:
scans and photos with no word of ours are not read at all.  ``screen`` decides before reading,
``settle`` after the cheap reading found (or did not find) a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# A covering note is a few lines; course adverts that say 报名 run to thousands of characters.
# Own words (quoted history stripped) longer than this, with no other sign, are not a note to us.
COVERING_NOTE_CHARS = 400


class Disposition(StrEnum):
    """What to do with a message that is neither a bounce nor an auto-reply."""

    READ = "read"  # read it and judge what was found: a reply goes out
    QUESTION = "question"  # no receipt, and words for a person: kept for one, never answered by rule
    NOTE = "note"  # a thank-you (or nothing) in our thread: no reply
    UNRELATED = "unrelated"  # not ours: no reply


@dataclass(frozen=True)
class Evidence:
    """The cheap facts about one message that decide whether it is ours (intake/pipeline/evidence.py)."""

    in_thread: bool = False  # replies to one of our messages
    known_sender: bool = False  # sent us a receipt before, or is a configured contact
    form_files: int = 0  # the sender's attachments that may be an editable receipt (office, csv, zip, html)
    record_files: int = 0  # the sender's scans, photos and PDFs (read by OCR or a PDF worker)
    own_table: bool = False  # a table in the sender's own words (HTML or text), not a quote of ours
    program_terms: tuple[str, ...] = ()  # program names or keywords of the notice, where the sender wrote
    form_terms: tuple[str, ...] = ()  # the form's header fields, in the words or in a file's text
    keyword: str = ""  # where 回执 or 报名 is written: "subject", "body", "file name" ("" nowhere)
    # A unit of the notice (河南, 河南省教育厅 ...) in a file name.  Not the subject: 「海南的照片」 is a
    # holiday, not a receipt.
    unit_named: bool = False
    # A unit of the notice in the sender's own words (a signature: 河南省教育厅 王喆) that speak of the
    # training (名额, 住宿, 第二期 ...: rules.words.about_training).  A sign only for a short question
    # with no file: it goes to a person, never gets an answer by rule.
    unit_in_words: bool = False
    own_chars: int = 0  # visible characters of the sender's own words
    asks: bool = False  # the own words ask something (rules.words)
    thanks: bool = False  # ... are only thanks
    covering: bool = False  # ... say a receipt is attached
    empty: bool = False  # ... are nothing at all

    @property
    def attachments(self) -> int:
        return self.form_files + self.record_files


@dataclass(frozen=True)
class Found:
    """What the cheap reading found, for ``settle``."""

    rows: int = 0  # participant rows of the receipt found (0: none, or no receipt)
    names_unit: bool = False  # the receipt names a unit of the notice (header field, meeting or a row)
    # its header holds the notice's own form columns (all, or all but one: 抵达酒店时间 and 领队 are
    # this form's; an advert's 报名表 has the generic 姓名/性别/单位/职务/手机/邮箱 only)
    form_columns: bool = False
    unreadable: int = 0  # files that could not be read (their explanation is the answer)
    skipped: int = 0  # files not read: costly reading was not allowed, or the budget ran out


@dataclass(frozen=True)
class Screening:
    disposition: Disposition
    reason: str  # short English reason, for the log and the ignored verdict
    costly: bool = False  # OCR, LibreOffice and PDF workers may run


def strong_sign(e: Evidence) -> str | None:
    """The strongest sign that the message is to us, or None."""
    if e.known_sender:
        return "known sender"
    if e.program_terms:
        return f"program named ({e.program_terms[0]})"
    if e.form_terms:
        return f"the form's own field ({e.form_terms[0]})"
    if e.own_chars <= COVERING_NOTE_CHARS:
        if e.keyword:
            return f"receipt keyword in {e.keyword} of a short message"
        if e.unit_named:
            return "a unit of the notice in a file name of a short message"
    return None


def screen(e: Evidence) -> Screening:
    """Before reading: is the message ours, and may it cost OCR or a conversion?"""
    if e.in_thread:
        if e.attachments or e.own_table:
            return Screening(Disposition.READ, "a new attachment or table in our thread", costly=True)
        return _words_in_thread(e)
    sign = strong_sign(e)
    if e.form_files or e.own_table:
        return Screening(
            Disposition.READ, sign or "a file or table that may be a receipt", costly=sign is not None
        )
    if e.record_files:
        if sign is None:
            return Screening(Disposition.UNRELATED, "scans or photos with no word of ours")
        return Screening(Disposition.READ, sign, costly=True)
    if e.asks and not e.covering:
        return _question_without_file(e, sign)
    if sign is not None and sign != "known sender":
        return Screening(Disposition.READ, sign)
    if e.keyword:
        return Screening(
            Disposition.UNRELATED, "receipt keyword in a long text with no program or form named"
        )
    return Screening(Disposition.UNRELATED, "no receipt-like attachment, table or word of ours")


def _question_without_file(e: Evidence, sign: str | None) -> Screening:
    """A question with no file, not in our thread: a person answers it when anything makes it ours
    (「请问第二期还有名额吗？」 from a province is not a receipt that forgot its file)."""
    if e.known_sender:
        return Screening(Disposition.QUESTION, "a question from a known sender, no receipt")
    if sign is not None:
        return Screening(Disposition.QUESTION, f"a question, no receipt; {sign}")
    if e.unit_in_words and e.own_chars <= COVERING_NOTE_CHARS:
        return Screening(Disposition.QUESTION, "a short question naming a unit of the notice, no receipt")
    if e.keyword:
        return Screening(
            Disposition.UNRELATED, "receipt keyword in a long text with no program or form named"
        )
    return Screening(Disposition.UNRELATED, "a question with no word of ours")


def settle(e: Evidence, first: Screening, found: Found) -> Screening:
    """After the cheap reading: judge a receipt, explain what could not be read, or decide otherwise."""
    if first.disposition is not Disposition.READ:
        return first
    if found.rows:
        if strong_sign(e) or e.in_thread or found.names_unit or found.form_columns:
            return first
        return Screening(
            Disposition.UNRELATED, "a table with no sign of the notice (no program, form or unit)"
        )
    if e.in_thread:
        return first if found.unreadable or e.covering else _words_in_thread(e)
    return _no_receipt(e, first, found)


def _no_receipt(e: Evidence, first: Screening, found: Found) -> Screening:
    """Not in our thread, and no receipt read: answered (no_form, unreadable files) only when it is ours."""
    sign = strong_sign(e)
    if e.asks and not e.covering and not found.unreadable and (sign or e.unit_in_words):
        # 「请问附件通知中的第二期还有名额吗？」 with the notice attached: its files hold no receipt.
        return Screening(Disposition.QUESTION, "a question; its files hold no receipt")
    if sign is not None and sign != "known sender":
        return first
    if e.known_sender and (found.unreadable or e.covering):
        return first
    if e.known_sender and e.asks:
        return Screening(Disposition.QUESTION, "a question from a known sender, no receipt")
    return Screening(Disposition.UNRELATED, "no receipt found and no word of ours")


def _words_in_thread(e: Evidence) -> Screening:
    """A reply in our thread with no receipt: a covering note, thanks, or words for a person."""
    if e.covering:
        return Screening(Disposition.READ, "says a receipt is attached, in our thread")
    if e.empty or e.thanks:
        return Screening(Disposition.NOTE, "a thank-you in our thread, no receipt")
    return Screening(Disposition.QUESTION, "words for a person in our thread, no receipt")
