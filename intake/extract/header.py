"""The header of a receipt table: which row names the columns, and the form fields typed above it.

The header row is the one (within the first MAX_HEADER_SEARCH rows) that names
姓名 and the most other participant columns; a row below it that names columns
too makes a two-row header (联系方式 over 手机 | 电子邮箱).  Above the table,
省级教育行政部门名称 and 会议名称和期数 are found in free text or in a label cell
with its value in the next cell; the rest is the receipt's title.  Under the table,
rows that are not participants may fill the fields left blank (fields_below); a
header row repeated under fields of its own starts another roster (section_starts);
same_field tells whether two tables name the same unit or meeting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from intake.extract import normalize as norm
from intake.extract.columns import PARTICIPANT_FIELDS, header_score, map_columns
from intake.extract.form_fields import FormField, is_label_only, split_fields
from rules.periods import find_period
from rules.receipt import Receipt

MAX_HEADER_SEARCH = 60
MIN_HEADER_COLUMNS = 3  # participant columns a header row must name (姓名 among them)
MAX_TITLE = 500


@dataclass(frozen=True)
class Header:
    """Where the table's header is and what its columns hold."""

    row: int  # 0-based index of the (first) header row
    mapping: dict[str, int]  # field -> column index
    data_start: int  # 0-based index of the first row after the header


def find_header(texts: list[list[str]], first_row: int = 0) -> Header | None:
    """The header row of the participant table in the cell texts (from first_row on), or None."""
    best: tuple[int, int, dict[str, int]] | None = None
    for r, cells in enumerate(texts[: first_row + MAX_HEADER_SEARCH]):
        if r < first_row:
            continue
        mapping = map_columns(cells)
        score = header_score(mapping)
        if "name" in mapping and score >= MIN_HEADER_COLUMNS and (best is None or score > best[0]):
            best = (score, r, mapping)
    if best is None:
        return None
    _score, r, mapping = best
    if r + 1 < len(texts) and _is_second_header_row(texts[r + 1]):
        return Header(r, _with_second_row(mapping, map_columns(texts[r + 1])), r + 2)
    return Header(r, mapping, r + 1)


def is_header_row(cells: list[str]) -> bool:
    """Does the row name 姓名 and enough other participant columns to be a roster's header?"""
    mapping = map_columns(cells)
    return "name" in mapping and header_score(mapping) >= MIN_HEADER_COLUMNS


def section_starts(texts: list[list[str]], header: Header) -> list[int]:
    """Where another roster starts below the first in one sheet or table: its header row repeated
    under rows with form fields of its own (会议名称和期数：…第二期), the first of those rows.

    A header repeated without fields above it (a long table printed over pages) starts nothing."""
    starts: list[int] = []
    fields_from: int | None = None
    name_col = header.mapping.get("name")
    for r in range(header.data_start, len(texts)):
        cells = texts[r]
        if is_header_row(cells):
            if fields_from is not None:
                starts.append(fields_from)
            fields_from = None
        elif any(value for text in cells if text for _field, value in split_fields(text)):
            fields_from = r if fields_from is None else fields_from
        elif name_col is not None and texts_at(texts, r, name_col):
            fields_from = None  # a participant: the fields above were a footer
    return starts


def _is_second_header_row(cells: list[str]) -> bool:
    """Does the row below a header name columns too (at least half its cells), with no mobile in it?"""
    below = map_columns(cells)
    filled = [t for t in cells if t]
    return (
        bool(below)
        and len(below) * 2 >= len(filled)
        and not any(norm.is_mobile(norm.mobile(t)) for t in filled)
    )


def _with_second_row(mapping: dict[str, int], below: dict[str, int]) -> dict[str, int]:
    """The header mapping with the second row's columns taking their places (the first row's 姓名 stays)."""
    for field, col in below.items():
        if field == "name" and "name" in mapping:
            continue
        for other, c in list(mapping.items()):
            if c == col:
                del mapping[other]
        mapping[field] = col
    return mapping


def texts_at(texts: list[list[str]], r: int, c: int) -> str:
    return texts[r][c] if r < len(texts) and c < len(texts[r]) else ""


def labels(texts: list[list[str]], header: Header) -> dict[str, tuple[int, int]]:
    """(row, column) of each participant column's label: the second header row's when it has one there."""
    out = {}
    for field, col in header.mapping.items():
        if field not in PARTICIPANT_FIELDS:
            continue
        below = header.data_start - 1
        out[field] = (below if below > header.row and texts_at(texts, below, col) else header.row, col)
    return out


def rows_as_lines(texts: list[list[str]]) -> list[str]:
    return [" ".join(t for t in row if t) for row in texts if any(row)]


# A printed note of the form (注：《报名回执表》仅用于…, 填表说明, 备注): boilerplate, not the receipt's title.
_NOTE_STARTS = (
    "注:",
    "注：",
    "注 ",
    "备注",
    "附注",
    "说明",
    "填表说明",
    "填写说明",
    "温馨提示",
    "提示:",
    "提示：",
    "*",
)


def is_note(text: str) -> bool:
    return norm.half_width(text).strip().startswith(_NOTE_STARTS)


def header_fields(
    receipt: Receipt, lines: list[str], cells: list[list[str]], tables: Sequence[list[list[str]]] = ()
) -> None:
    """Fill unit_name and meeting from label/value text; label in one cell, value in the next (or below).

    lines and cells: the text around and above the roster.  What is not a field is the receipt's title,
    or its notes when it reads as a printed note (注：…).  tables: label | value tables printed apart from
    the roster (a two-column table above it); only their fields are taken."""
    _join_labels_to_values(cells)
    title: list[str] = []
    notes: list[str] = []
    for text in [*lines, *(t for row in cells for t in row if t)]:
        fields = split_fields(text)
        kept = notes if is_note(text) else title
        if not fields and text not in kept:
            kept.append(text)
        for field, value in fields:
            _set_field(receipt, field, value)
    for table in tables:
        _join_labels_to_values(table)
        for text in (t for row in table for t in row if t):
            for field, value in split_fields(text):
                _set_field(receipt, field, value)
    receipt.title = " ".join(title)[:MAX_TITLE]
    receipt.notes = " ".join(notes)[:MAX_TITLE]


def fields_below(receipt: Receipt, rows: Sequence[list[str]]) -> None:
    """省级教育行政部门名称 and 会议名称和期数 typed under the roster (填报单位：…（盖章）, 期数：第一期), in
    rows that are not participants: they fill what the text above left blank.  A printed note
    (注：1.省级教育行政部门名称：填写全称) is the form's instructions, not its fields."""
    filled = [[t for t in row if t] for row in rows]
    for text in (t for row in filled if row and not is_note(row[0]) for t in row):
        for field, value in split_fields(text):
            if not (field == "unit" and receipt.unit_name):
                _set_field(receipt, field, value)


def _join_labels_to_values(cells: list[list[str]]) -> None:
    """A label alone in a cell ("省级教育行政部门名称") becomes "label：value" with the value beside it,
    or, in a row of labels only, with the value under it in the next row."""
    for r, row in enumerate(cells):
        below = cells[r + 1] if r + 1 < len(cells) else []
        labels_only = all(is_label_only(t) for t in row if t)
        for c, text in enumerate(row):
            if text and is_label_only(text):
                _take_value(row, c, below if labels_only else [], below)


def _take_value(row: list[str], c: int, under: list[str], below: list[str]) -> None:
    """Join the label at row[c] to its value: the next filled cell beside it, else the cell under it
    (under: the next row, when the labels have a row of their own)."""
    beside = next((i for i in range(c + 1, len(row)) if row[i]), None)
    if under or beside is None or is_label_only(row[beside]):
        cell, col = below, c
    else:
        cell, col = row, beside
    value = cell[col] if col < len(cell) else ""
    if value and not split_fields(value) and not is_note(value):
        row[c] = f"{row[c].rstrip(':：')}：{value}"
        cell[col] = ""  # taken: not the title too


def _set_field(receipt: Receipt, field: FormField, value: str) -> None:
    """The first non-empty value found for a field is kept; the meeting's name and its period written
    apart (会议名称：高职状态平台培训 | 期数：第二期) are joined."""
    if field == "unit" and value and not receipt.unit_name:
        receipt.unit_name = value
    elif field == "meeting" and value:
        receipt.meeting = joined_meeting(receipt.meeting, value)


_PERIOD_WORDS = re.compile(r"第?[一二两三四五六七八九十\d]{1,2}[期批]")
_PUNCTUATION = re.compile(r"[()（）\[\]【】《》<>,，。.、:：;；\"“”'‘’\-—_/]")


def same_field(ours: str, theirs: str) -> bool:
    """Do two values of a form field name the same unit or meeting?  A blank one does; else one lies
    within the other once spaces, brackets and the period are gone (江苏省教育厅 | 江苏省教育厅职成处,
    高职状态平台培训第一期 | 高职状态平台培训（1期）), and they name the same period when both name one."""
    if not ours or not theirs:
        return True
    ours_period, theirs_period = find_period(ours), find_period(theirs)
    if ours_period is not None and theirs_period is not None and ours_period != theirs_period:
        return False
    a, b = _bare(ours), _bare(theirs)
    return a in b or b in a


def _bare(text: str) -> str:
    return _PUNCTUATION.sub("", _PERIOD_WORDS.sub("", norm.compact(text)))


def joined_meeting(ours: str, theirs: str) -> str:
    """The meeting read so far with another value for it: kept, or joined when one of them names the
    period and the other does not."""
    if not ours:
        return theirs
    if norm.compact(theirs) in norm.compact(ours):
        return ours
    if (find_period(ours) is None) != (find_period(theirs) is None):
        return f"{ours} {theirs}"
    return ours
