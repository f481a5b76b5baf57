"""Small builders shared by tests: the notice, grids and receipts."""

from __future__ import annotations

from datetime import datetime
from email.message import MIMEPart
from pathlib import Path
from zoneinfo import ZoneInfo

from intake.extract.receipt import extract
from intake.readers.grid import CellValue, Grid, Merge
from rules.notice import Notice, Period, Program, Unit, load_notice
from rules.receipt import Receipt

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CST = ZoneInfo("Asia/Shanghai")
HEADER = ["序号", "姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]

_notice: Notice | None = None


def notice() -> Notice:
    global _notice
    if _notice is None:
        _notice = load_notice(ROOT / "notice-2023.toml")
    return _notice


def known_program(program_id: str, source: Notice | None = None) -> Program:
    """The program with that id in source (the notice by default); the test stops here if there is none."""
    found = (source or notice()).program(program_id)
    assert found is not None, f"no program {program_id}"
    return found


def known_period(key: str, source: Notice | None = None) -> Period:
    """The period with that key in source (the notice by default); the test stops here if there is none."""
    found = (source or notice()).period(key)
    assert found is not None, f"no period {key}"
    return found


def known_unit(name: str, source: Notice | None = None) -> Unit:
    """The unit with that name in source (the notice by default); the test stops here if there is none."""
    found = (source or notice()).unit(name)
    assert found is not None, f"no unit {name}"
    return found


def body_text(msg: MIMEPart, subtype: str = "plain") -> str:
    """The decoded text/<subtype> body of a parsed message; the test stops here if it has none."""
    part = msg.get_body((subtype,))
    assert part is not None, f"the message has no text/{subtype} body"
    text: str = part.get_content()
    return text


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def receipt_grid(
    unit: str, meeting: str, people: list[list[CellValue]], header: list[str] | None = None
) -> Grid:
    """A grid laid out like the notice's 附件3: title, two header lines, the table."""
    header = header or HEADER
    width = len(header)
    rows: list[list[CellValue]] = [
        ["报名回执表"] + [None] * (width - 1),
        [f"省级教育行政部门名称：{unit}"] + [None] * (width - 1),
        [f"会议名称和期数：{meeting}"] + [None] * (width - 1),
        list(header),
    ]
    rows += [list(p) for p in people]
    merges = [Merge(r, 0, r, width - 1) for r in range(3)]
    return Grid(source="回执.xlsx", part="Sheet1", rows=rows, merges=merges, kind="xlsx")


def person(
    i: int,
    name: str,
    unit: str,
    leader: str = "",
    gender: str = "男",
    mobile: str | None = None,
    arrival: CellValue = "2023-07-28 14:00",
    email: str | None = None,
) -> list[CellValue]:
    return [
        i,
        name,
        gender,
        unit,
        "科长",
        mobile or f"1390000{i:04d}",
        email or f"p{i}@example.cn",
        arrival,
        leader,
    ]


def receipt_of(grid: Grid, subject: str = "") -> Receipt:
    receipt = extract([grid], year=2023, subject=subject, filenames=[grid.source])
    assert receipt is not None, "the grid holds no participant table"
    return receipt
