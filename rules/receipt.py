"""What receipt extraction hands to the rules: the form's header fields and its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from rules.verdict import Participant


@dataclass
class ReceiptRow:
    participant: Participant
    arrival_when: datetime | date | None = None  # parsed arrival, None when it could not be read
    leader_text: str = ""  # what was written in 领队
    uncertain: list[str] = field(default_factory=list)  # fields OCR read with low confidence
    other_mobiles: tuple[str, ...] = ()  # more mobiles written in the cell beside the one registered


@dataclass(frozen=True)
class UnplacedRows:
    """People in a table or sheet beside the roster whose columns could not be matched to the roster's."""

    where: str  # the file and its part as the sender knows them: "“回执.docx”的第 2 个表格"
    rows: tuple[int, ...]  # 1-based rows in that table or sheet
    names: tuple[str, ...]  # what reads as their names, for the reply


@dataclass(frozen=True)
class OtherReceipt:
    """Another receipt form in the same message, not joined to this one (another unit's or meeting's)."""

    where: str  # "“江苏.xlsx”", "“回执.docx”的第 2 个表格"
    unit_name: str  # its 省级教育行政部门名称 ("" when blank)
    meeting: str  # its 会议名称和期数
    people: int  # its participant rows


@dataclass
class Receipt:
    """One 报名回执表 as read from a grid, plus the message text around it."""

    source: str = ""  # grid label: "file.xlsx#Sheet1", "正文"
    unit_name: str = ""  # 省级教育行政部门名称 as written ("" when absent or blank)
    meeting: str = ""  # 会议名称和期数 as written ("" when absent or blank)
    title: str = ""  # text above the table that is not a header field (表头标题)
    notes: str = (
        ""  # the form's printed notes (注：…仅用于…): boilerplate, never evidence of program or period
    )
    rows: list[ReceiptRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as the sender wrote it
    missing_columns: list[str] = field(default_factory=list)
    header_row: int = 0  # 1-based
    ocr: bool = False  # read by OCR from a scan or a photo
    parts: list[str] = field(default_factory=list)  # the tables or sheets joined into this roster, in order
    unplaced: list[UnplacedRows] = field(
        default_factory=list
    )  # people beside the roster that were not joined
    others: list[OtherReceipt] = field(default_factory=list)  # other receipts in the message, not this one
    # message context, searched when the form itself is silent
    subject: str = ""
    filenames: list[str] = field(default_factory=list)
    body: str = ""
    sender: str = ""
    sender_name: str = ""
