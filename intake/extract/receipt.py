"""Receipt extraction: find the header fields and the table in grids, map columns, read rows.

Pure: grids and message text in, a Receipt out.  Never raises on odd grids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from intake.extract import normalize as norm
from intake.extract.columns import PARTICIPANT_FIELDS, header_score, map_columns, match_header
from intake.extract.form_fields import is_label_only, split_fields
from intake.readers.grid import CellValue, Grid
from rules.receipt import Receipt, ReceiptRow
from rules.verdict import Participant

MAX_HEADER_SEARCH = 60
_EXAMPLE_NAMES = {"张三", "李四", "王五", "赵六", "xxx", "某某", "示例", "样例", "例", "xx", "×××"}
_EXAMPLE_MARKS = ("例", "示例", "样例", "举例", "填写示例", "范例", "例:", "例：")
_EXAMPLE_MOBILES = {"13800000000", "13800138000", "13912345678", "13812345678", "13888888888"}
_HINT_WORDS = ("必填", "选填", "请填写", "请如实", "填写说明")
_SIGNATURE_WORDS = (
    "填表人",
    "填报人",
    "联系人",
    "经办人",
    "审核人",
    "负责人",
    "盖章",
    "签字",
    "签名",
    "日期",
    "合计",
    "共计",
    "注:",
    "注：",
    "备注",
    "说明",
)
# An OCR'd cell below this confidence is reported (ocr_uncertain) instead of taken silently.
# Mobiles, e-mails and times need more: a wrong digit or letter reads nearly as confidently as a right one.
OCR_UNCERTAIN = 0.70
OCR_UNCERTAIN_LATIN = 0.85
_LATIN_FIELDS = ("mobile", "email", "arrival")
# An OCR grid beats an editable one only when it maps this many more columns (a stamped
# scan sent with the xlsx it was printed from: the xlsx wins, the scan is the signed record).
OCR_PENALTY = 1
_FOOTER_WORDS = (
    "联系人",
    "填表人",
    "填报人",
    "经办人",
    "审核人",
    "负责人",
    "电话",
    "盖章",
    "日期",
    "注:",
    "注：",
    "备注",
    "说明",
    "合计",
    "共计",
    "签字",
    "签名",
    "报名回执",
    "如有",
    "请于",
    "手机",
)


def extract(
    grids: Sequence[Grid],
    *,
    year: int,
    subject: str = "",
    filenames: Sequence[str] = (),
    body: str = "",
    sender: str = "",
    sender_name: str = "",
) -> Receipt | None:
    """The best receipt among the grids, or None when none holds a participant table."""
    best: tuple[tuple[bool, int, bool, int], Receipt] | None = None
    for grid in grids:
        receipt = extract_grid(grid, year)
        if receipt is None:
            continue
        score = (
            len(receipt.rows) > 0,
            len(receipt.columns) - OCR_PENALTY * receipt.ocr,
            not receipt.ocr,
            len(receipt.rows),
        )
        if best is None or score > best[0]:
            best = (score, receipt)
    if best is None:
        return None
    receipt = best[1]
    receipt.subject, receipt.filenames, receipt.body = subject, list(filenames), body
    receipt.sender, receipt.sender_name = sender, sender_name
    return receipt


def extract_grid(grid: Grid, year: int) -> Receipt | None:
    try:
        rows = grid.filled()
    except Exception:  # a malformed merge list must not lose the grid
        rows = [list(r) for r in grid.rows]
    texts = [[norm.cell_text(v) for v in row] for row in rows]
    found = _find_header(texts)
    if found is None:
        return None
    header_row, mapping, data_start = found
    receipt = Receipt(source=grid.label, header_row=header_row + 1, ocr=grid.ocr)
    labels = _labels(texts, header_row, data_start, mapping)
    receipt.columns = {f: " ".join(str(rows[r][c]).split()) for f, (r, c) in labels.items()}
    receipt.missing_columns = [f for f in PARTICIPANT_FIELDS if f not in mapping]
    _header_fields(receipt, [*grid.lines, *_rows_as_lines(texts[:header_row])], texts[:header_row])
    for r in range(data_start, len(rows)):
        row = _read_row(rows[r], texts[r], mapping, r + 1, year)
        if row is not None:
            if grid.ocr:
                row.uncertain = _uncertain(grid, r, mapping)
            receipt.rows.append(row)
    return receipt


def _uncertain(grid: Grid, r: int, mapping: dict[str, int]) -> list[str]:
    """The fields of an OCR'd row whose cell the recogniser was unsure of."""
    out = []
    for field in PARTICIPANT_FIELDS:
        col = mapping.get(field)
        conf = grid.cell_confidence(r, col) if col is not None else None
        if conf is not None and conf < (OCR_UNCERTAIN_LATIN if field in _LATIN_FIELDS else OCR_UNCERTAIN):
            out.append(field)
    return out


def texts_at(texts: list[list[str]], r: int, c: int) -> str:
    return texts[r][c] if r < len(texts) and c < len(texts[r]) else ""


def _find_header(texts: list[list[str]]) -> tuple[int, dict[str, int], int] | None:
    best: tuple[int, int, dict[str, int]] | None = None
    for r, cells in enumerate(texts[:MAX_HEADER_SEARCH]):
        mapping = map_columns(cells)
        score = header_score(mapping)
        if "name" in mapping and score >= 3 and (best is None or score > best[0]):
            best = (score, r, mapping)
    if best is None:
        return None
    _score, r, mapping = best
    data_start = r + 1
    # A two-row header: 联系方式 over 手机 | 电子邮箱.
    if r + 1 < len(texts):
        below = map_columns(texts[r + 1])
        filled = [t for t in texts[r + 1] if t]
        if (
            below
            and len(below) * 2 >= len(filled)
            and not any(norm.is_mobile(norm.mobile(t)) for t in filled)
        ):
            for field, col in below.items():
                if field == "name" and "name" in mapping:
                    continue
                for other, c in list(mapping.items()):
                    if c == col:
                        del mapping[other]
                mapping[field] = col
            data_start = r + 2
    return r, mapping, data_start


def _labels(
    texts: list[list[str]], header_row: int, data_start: int, mapping: dict[str, int]
) -> dict[str, tuple[int, int]]:
    out = {}
    for field, col in mapping.items():
        if field not in PARTICIPANT_FIELDS:
            continue
        r = (
            data_start - 1
            if data_start - 1 > header_row and texts_at(texts, data_start - 1, col)
            else header_row
        )
        out[field] = (r, col)
    return out


def _rows_as_lines(texts: list[list[str]]) -> list[str]:
    return [" ".join(t for t in row if t) for row in texts if any(row)]


def _header_fields(receipt: Receipt, lines: list[str], cells: list[list[str]]) -> None:
    """Fill unit_name and meeting from label/value text; label in one cell, value in the next, too."""
    title: list[str] = []
    for row in cells:
        for c, text in enumerate(row):
            if text and is_label_only(text):
                value = next((t for t in row[c + 1 :] if t and not is_label_only(t)), "")
                if value and not split_fields(value):
                    row[c] = f"{text.rstrip(':：')}：{value}"
    candidates = [*lines, *(t for row in cells for t in row if t)]
    for text in candidates:
        fields = split_fields(text)
        if not fields and text not in title:
            title.append(text)
        for field, value in fields:
            if field == "unit" and value and not receipt.unit_name:
                receipt.unit_name = value
            elif field == "meeting" and value and not receipt.meeting:
                receipt.meeting = value
    receipt.title = " ".join(title)[:500]


def _read_row(
    raw: list[CellValue], texts: list[str], mapping: dict[str, int], rownum: int, year: int
) -> ReceiptRow | None:
    def at(field: str) -> CellValue:
        col = mapping.get(field)
        return raw[col] if col is not None and col < len(raw) else None

    values = {f: norm.cell_text(at(f)) for f in PARTICIPANT_FIELDS}
    filled = [f for f in PARTICIPANT_FIELDS if values[f]]
    if not filled:
        return None
    if _is_repeated_header(values) or _is_example(values, norm.cell_text(at("seq")), texts):
        return None
    if _is_footer(values, filled, texts):
        return None
    when, arrival_text = norm.arrival(at("arrival"), year)
    leader_text = norm.compact(values["leader"])
    participant = Participant(
        name=norm.name(at("name")),
        gender=norm.gender(at("gender")),
        unit=norm.compact(values["unit"]),
        title=values["title"],
        mobile=norm.mobile(at("mobile")),
        email=norm.email(at("email")),
        arrival=_arrival_text(when, arrival_text),
        leader=bool(norm.leader(at("leader"))),
        row=rownum,
    )
    return ReceiptRow(participant=participant, arrival_when=when, leader_text=leader_text)


def _arrival_text(when: object, written: str) -> str:
    """ISO 8601 when it could be read ("2023-07-14T11:30", "2023-07-14 下午"), else as written."""
    if when is None:
        return written
    text = when.isoformat()[:16]  # type: ignore[attr-defined]
    if len(text) == 10:
        part = next((w for w in ("上午", "中午", "下午", "晚上", "傍晚", "早上") if w in written), "")
        text = f"{text} {part}".strip()
    return text


def _is_repeated_header(values: dict[str, str]) -> bool:
    hits = sum(1 for v in values.values() if v and match_header(v))
    return hits >= 3 or (values["name"] and (match_header(values["name"]) or ("", 0))[0] == "name")  # type: ignore[return-value]


def _is_example(values: dict[str, str], seq: str, texts: list[str]) -> bool:
    first = next((t for t in texts if t), "")
    if norm.compact(seq) in _EXAMPLE_MARKS or norm.compact(first) in _EXAMPLE_MARKS:
        return True
    name = norm.compact(values["name"]).lower()
    if name.startswith(("例:", "例：", "示例", "样例")) or any(w in name for w in _HINT_WORDS):
        return True
    return name in _EXAMPLE_NAMES and (
        norm.mobile(values["mobile"]) in _EXAMPLE_MOBILES
        or not values["mobile"]
        or "xx" in values["unit"].lower()
        or "×" in values["unit"]
    )


def _is_footer(values: dict[str, str], filled: list[str], texts: list[str]) -> bool:
    first = norm.compact(next((t for t in texts if t), ""))
    for text in (norm.compact(values["name"]), first):
        if text and (text.endswith((":", "：")) or any(w in text for w in _SIGNATURE_WORDS)):
            return True
    if len(filled) > 2:
        return False
    text = " ".join(values[f] for f in filled)
    if len(filled) == 1 and len(norm.compact(text)) > 12:
        return True
    return any(w in text for w in _FOOTER_WORDS) and not (
        values["name"]
        and values["mobile"]
        and len(filled) == 2
        and norm.is_mobile(norm.mobile(values["mobile"]))
        and not re.search(r"[:：]", values["name"])
    )
