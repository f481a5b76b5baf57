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


@dataclass
class Receipt:
    """One 报名回执表 as read from a grid, plus the message text around it."""

    source: str = ""  # grid label: "file.xlsx#Sheet1", "正文"
    unit_name: str = ""  # 省级教育行政部门名称 as written ("" when absent or blank)
    meeting: str = ""  # 会议名称和期数 as written ("" when absent or blank)
    title: str = ""  # text above the table that is not a header field (表头标题)
    rows: list[ReceiptRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as the sender wrote it
    missing_columns: list[str] = field(default_factory=list)
    header_row: int = 0  # 1-based
    ocr: bool = False  # read by OCR from a scan or a photo
    # message context, searched when the form itself is silent
    subject: str = ""
    filenames: list[str] = field(default_factory=list)
    body: str = ""
    sender: str = ""
    sender_name: str = ""
