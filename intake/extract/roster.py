"""One roster from every table or sheet of a file that carries it.  Pure.

Word splits a long table at a page break (the header row repeated, or not), a workbook's roster goes
on in a second sheet, an HTML body holds two tables.  The grids of one file (one source), in order:

- a grid with the roster's header row starts a receipt, or continues the one before it when its own
  header fields (省级教育行政部门名称, 会议名称和期数) are blank or the same: each is read with its own
  columns, and a grid that only repeats people already read (a copy for printing) adds nothing;
- a grid without a header row but with people in it continues the receipt when its rows line up with
  the receipt's columns (no wider than its header; each person's name, gender and mobile where the
  header has them).  When they do not, its people are kept as unplaced: rules.roster_parts names the
  file, the table or sheet and the rows in the reply.  Nobody is dropped quietly;
- a grid without people before a receipt (a label | value table) may hold its header fields;
- a grid holding two rosters stacked (a header row repeated under fields of its own) is read as two
  grids, each with the other's rows blanked, and goes through the same rules.  "The same" fields are
  read loosely (header.same_field: 第一期 | （1期）).

Rows of the first grid keep their row numbers; the rows of the others are numbered in their own table
or sheet, which each participant names (Participant.part: "工作表“Sheet2”", "第 2 个表格").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from intake.extract import normalize as norm
from intake.extract.align import SPAN_AWARE, labelled, outside, realigned
from intake.extract.columns import PARTICIPANT_FIELDS
from intake.extract.header import (
    Header,
    fields_below,
    find_header,
    header_fields,
    labels,
    rows_as_lines,
    same_field,
    section_starts,
)
from intake.extract.people import fits, looks_like_person, name_in, person_in_one_cell
from intake.extract.rows import read_row
from intake.readers.grid import CellValue, Grid
from rules.receipt import Receipt, ReceiptRow, UnplacedRows
from rules.verdict import Participant

# An OCR'd cell below this confidence is reported (ocr_uncertain) instead of taken silently.
# Mobiles, e-mails and times need more: a wrong digit or letter reads nearly as confidently as a right one.
OCR_UNCERTAIN = 0.70
OCR_UNCERTAIN_LATIN = 0.85
_LATIN_FIELDS = ("mobile", "email", "arrival")


@dataclass
class Table:
    """One grid as cell values and texts, with its header row when it has one."""

    grid: Grid
    rows: list[list[CellValue]]
    texts: list[list[str]]
    header: Header | None

    @classmethod
    def of(cls, grid: Grid, first_row: int = 0) -> Table:
        rows = _filled(grid)
        texts = [[norm.cell_text(v) for v in row] for row in rows]
        return cls(grid, rows, texts, find_header(texts, first_row))

    def sections(self) -> list[Table]:
        """The table, or one table per roster when several are stacked in it (header.section_starts),
        each with the others' rows blanked so that rows keep their numbers."""
        starts = section_starts(self.texts, self.header) if self.header else []
        if not starts:
            return [self]
        bounds = list(zip([0, *starts], [*starts, len(self.grid.rows)], strict=True))
        return [
            Table.of(
                replace(
                    self.grid,
                    rows=[row if a <= r < b else [] for r, row in enumerate(self.grid.rows)],
                    lines=self.grid.lines if a == 0 else [],
                ),
                a,
            )
            for a, b in bounds
        ]

    @property
    def width(self) -> int:
        """Columns in use: the widest row without its empty cells at the end."""
        return max((_used(row) for row in self.texts), default=0)


@dataclass
class _Roster:
    """A receipt being joined from its tables."""

    receipt: Receipt
    first: Grid  # the table or sheet it starts in
    mapping: dict[str, int]  # the first table's columns
    width: int  # the first table's header row, in columns
    people: set[tuple[str, str]] = field(default_factory=set)  # (name, mobile) read so far

    def add_rows(self, rows: Sequence[ReceiptRow]) -> None:
        self.receipt.rows.extend(rows)
        self.people.update(_person_key(r) for r in rows)


def rosters(grids: Sequence[Grid], year: int) -> list[tuple[Receipt, Grid]]:
    """The receipts in the grids of one file, each joined from all its tables or sheets, with the grid
    each starts in."""
    out: list[_Roster] = []
    before: list[Table] = []  # grids without a header since the last one that had it
    for table in (section for grid in grids for section in Table.of(grid).sections()):
        grid = table.grid
        if table.header is None:
            if not out or not _headless(out[-1], table, year):
                before.append(table)
            continue
        receipt = read_table(table, table.header, year, before)
        before = []
        if out and _continues(out[-1].receipt, receipt):
            _join(out[-1], receipt, table)
        else:
            width = _used(table.texts[table.header.row])
            out.append(_Roster(receipt, grid, dict(table.header.mapping), width))
            out[-1].people.update(_person_key(r) for r in receipt.rows)
    return [(r.receipt, r.first) for r in out]


def read_table(
    table: Table, header: Header, year: int, before: Sequence[Table] = (), part: str = ""
) -> Receipt:
    """The receipt in one table with a header row; before: tables above it that may hold its header fields."""
    grid, rows, texts = table.grid, table.rows, table.texts
    receipt = Receipt(source=grid.label, header_row=header.row + 1, ocr=grid.ocr, parts=[grid.label])
    receipt.columns = {f: " ".join(str(rows[r][c]).split()) for f, (r, c) in labels(texts, header).items()}
    receipt.missing_columns = [f for f in PARTICIPANT_FIELDS if f not in header.mapping]
    above = texts[: header.row]
    lines = [line for t in before for line in t.grid.lines]
    header_fields(receipt, [*lines, *grid.lines, *rows_as_lines(above)], above, [t.texts for t in before])
    misplaced = []
    skipped = []
    for r in range(header.data_start, len(rows)):
        row = _read_aligned(table, header, r, year, part)
        if (
            row is None
            and (outside(rows[r], rows[header.row : header.data_start]) or person_in_one_cell(texts[r]))
            and looks_like_person(texts[r])
        ):
            misplaced.append(r)
        elif row is not None:
            if grid.ocr:
                row.uncertain = _uncertain(grid, r, header.mapping)
            receipt.rows.append(row)
        else:
            skipped.append(texts[r])
    fields_below(receipt, skipped)
    if misplaced:
        receipt.unplaced.append(_unplaced(table, misplaced))
    return receipt


def _read_aligned(table: Table, header: Header, r: int, year: int, part: str) -> ReceiptRow | None:
    """Row r read under the header's columns, put back under them first when Word shifted its cells."""
    raw = realigned(table.grid, table.rows[r], table.rows[header.row : header.data_start])
    if raw is None:
        return _read_with_extras(table, header, r, year, part)
    texts = table.texts[r] if raw is table.rows[r] else [norm.cell_text(v) for v in raw]
    row = read_row(raw, texts, header.mapping, r + 1, year, part)
    return row if row is None or row.participant.name or raw is table.rows[r] else None


def _read_with_extras(table: Table, header: Header, r: int, year: int, part: str) -> ReceiptRow | None:
    """A spreadsheet row with text beside the header's columns (需单间 in a column without a header):
    read as it stands when its named columns hold a person (name, 男/女, a phone number), the text
    beside them kept as its 备注.  Else None: a shifted row, or one with a second person beside the
    first, is named, not misread."""
    if table.grid.kind in SPAN_AWARE or not fits(table.texts[r], header.mapping):
        return None
    row = read_row(table.rows[r], table.texts[r], header.mapping, r + 1, year, part)
    if row is None:
        return None
    named = set(labelled(table.rows[header.row : header.data_start]))
    extras = [t for c, t in enumerate(table.texts[r]) if t and c not in named]
    if looks_like_person(extras):  # a second person typed on the same row: named, not a 备注
        return None
    remark = "；".join(t for t in (row.participant.remark, *extras) if t)
    row.participant = replace(row.participant, remark=remark[:200])
    return row


def _continues(first: Receipt, then: Receipt) -> bool:
    """A later table goes on with the receipt unless it names another unit or meeting (not the same one
    written otherwise: 第一期 | （1期）, 江苏省教育厅 | 江苏省教育厅职成处, which rules would not name)."""
    return same_field(first.unit_name, then.unit_name) and same_field(first.meeting, then.meeting)


def _join(roster: _Roster, then: Receipt, table: Table) -> None:
    """The later table's rows, each marked with its table, unless they only repeat people already read."""
    if then.rows and all(_person_key(r) in roster.people for r in then.rows):
        return
    part = "" if table.grid.label == roster.first.label else part_label(table.grid)
    for r in then.rows:
        r.participant = _in_part(r, part)
    roster.add_rows(then.rows)
    _joined(roster.receipt, table.grid, [then.title, then.notes])


def _headless(roster: _Roster, table: Table, year: int) -> bool:
    """Join a table without a header to the roster when its people line up with its columns, else keep
    them as unplaced.  False when the table has no people (it may hold the next receipt's fields)."""
    people = [r for r, texts in enumerate(table.texts) if looks_like_person(texts)]
    if not people:
        return False
    if table.width <= roster.width and all(fits(table.texts[r], roster.mapping) for r in people):
        part = part_label(table.grid)
        read = (read_row(table.rows[r], table.texts[r], roster.mapping, r + 1, year, part) for r in people)
        rows = [row for row in read if row is not None]
        if not all(_person_key(r) in roster.people for r in rows):
            roster.add_rows(rows)
            _joined(roster.receipt, table.grid, table.grid.lines)
        return True
    roster.receipt.unplaced.append(_unplaced(table, people))
    return True


def _unplaced(table: Table, people: list[int]) -> UnplacedRows:
    return UnplacedRows(
        where=where(table.grid),
        rows=tuple(r + 1 for r in people),
        names=tuple(n for r in people if (n := name_in(table.texts[r]))),
    )


def _joined(receipt: Receipt, grid: Grid, texts: Sequence[str]) -> None:
    if grid.label not in receipt.parts:  # not a second roster block of a sheet already joined
        receipt.parts.append(grid.label)
        receipt.source = f"{receipt.source}、{grid.part}" if grid.part else receipt.source
    notes = [t for t in (receipt.notes, *texts) if t]
    receipt.notes = " ".join(dict.fromkeys(notes))[:500]


def _in_part(row: ReceiptRow, part: str) -> Participant:
    return replace(row.participant, part=part)


def _person_key(row: ReceiptRow) -> tuple[str, str]:
    return row.participant.name, row.participant.mobile


def part_label(grid: Grid) -> str:
    """The table or sheet as the sender knows it: 第 2 个表格, 工作表“Sheet2”, 第2页."""
    m = re.fullmatch(r"表格(\d+)", grid.part)
    if m:
        return f"第 {m.group(1)} 个表格"
    if re.fullmatch(r"第\d+页", grid.part):
        return grid.part
    return f"工作表“{grid.part}”" if grid.part else ""


def where(grid: Grid, with_part: bool = True) -> str:
    """The file and its table or sheet: “回执.docx”的第 2 个表格, 邮件正文的第 2 个表格."""
    source = "邮件正文" if grid.source == "正文" else f"“{grid.source}”"
    part = part_label(grid) if with_part else ""
    return f"{source}的{part}" if part else source


def by_source(grids: Sequence[Grid]) -> Iterator[list[Grid]]:
    """The grids file by file, in order (a part seen twice starts another file of the same name)."""
    group: list[Grid] = []
    for grid in grids:
        if group and (grid.source != group[0].source or (grid.part and grid.part in {g.part for g in group})):
            yield group
            group = []
        group.append(grid)
    if group:
        yield group


def _used(row: list[str]) -> int:
    return max((i + 1 for i, t in enumerate(row) if t), default=0)


def _filled(grid: Grid) -> list[list[CellValue]]:
    """The grid's rows with merged ranges filled in (as found, when the merge list is malformed)."""
    try:
        return grid.filled()
    except Exception:  # a malformed merge list must not lose the grid
        return [list(r) for r in grid.rows]


def _uncertain(grid: Grid, r: int, mapping: dict[str, int]) -> list[str]:
    """The fields of an OCR'd row whose cell the recogniser was unsure of."""
    out = []
    for f in PARTICIPANT_FIELDS:
        col = mapping.get(f)
        conf = grid.cell_confidence(r, col) if col is not None else None
        if conf is not None and conf < (OCR_UNCERTAIN_LATIN if f in _LATIN_FIELDS else OCR_UNCERTAIN):
            out.append(f)
    return out
