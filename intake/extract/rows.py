"""The participant rows of a receipt table: each row's values read, examples, footers and repeated
headers left out."""

from __future__ import annotations

import re

from intake.extract import normalize as norm
from intake.extract.columns import PARTICIPANT_FIELDS, match_header
from intake.extract.form_fields import looks_like_label
from intake.readers.grid import CellValue
from rules.receipt import ReceiptRow
from rules.verdict import Participant

_EXAMPLE_NAMES = {"张三", "李四", "王五", "赵六", "xxx", "某某", "示例", "样例", "例", "xx", "×××"}
_EXAMPLE_MARKS = ("例", "示例", "样例", "举例", "填写示例", "范例", "例:", "例：")
_EXAMPLE_WORDS = ("示例", "样例", "范例")  # anywhere in the name: 张三（示例）, 示例：李四
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
    "总计",
    "小计",
    "总人数",
    "注:",
    "注：",
    "备注",
    "说明",
)
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
    "总计",
    "小计",
)
# Printed remarks alone on a row: 以下空白, 此表可复制, 总人数.
_REMARK_WORDS = ("人数", "以上", "以下", "空白", "此表", "复制")
# A row holds a person when one of these is filled: a slot of the form whose unit, arrival or 领队
# (否) was filled in ahead, or whose formula gives 0, holds nobody.
_PERSONAL = ("name", "gender", "title", "mobile", "email")
_NOTHING = ("", "0", "/", "-", "—", "无")
_LONG_NOTE = 12  # characters: a row with only one cell filled with more than this is a note


def read_row(
    raw: list[CellValue], texts: list[str], mapping: dict[str, int], rownum: int, year: int, part: str = ""
) -> ReceiptRow | None:
    """One participant row, or None for an empty row, an example, a footer or a repeated header.

    part: the table or sheet the row is in, when it is not the roster's first ("工作表“Sheet2”")."""

    def at(field: str) -> CellValue:
        col = mapping.get(field)
        return raw[col] if col is not None and col < len(raw) else None

    values = {f: norm.cell_text(at(f)) for f in PARTICIPANT_FIELDS}
    filled = [f for f in PARTICIPANT_FIELDS if values[f]]
    if not any(values[f] not in _NOTHING for f in _PERSONAL):
        return None  # empty, or a blank slot of the form with its defaults (单位, 否, 0) filled in
    if _is_repeated_header(values) or _is_example(values, norm.cell_text(at("seq")), texts):
        return None
    if _is_footer(values, filled, texts):
        return None
    when, arrival_text = norm.arrival(at("arrival"), year)
    name, gender = norm.name(at("name")), norm.gender(at("gender"))
    if not gender:
        name, gender = norm.name_and_gender(norm.cell_text(at("name")))
    participant = Participant(
        name=name,
        gender=gender,
        unit=norm.compact(values["unit"]),
        title=" ".join(values["title"].split()),
        mobile=norm.mobile(at("mobile")),
        email=norm.email(at("email")),
        arrival=arrival_text,
        arrival_at=when,
        leader=bool(norm.leader(at("leader"))),
        remark=norm.remark(at("remark")),
        row=rownum,
        part=part,
    )
    return ReceiptRow(
        participant=participant,
        arrival_when=when,
        leader_text=norm.compact(values["leader"]),
        other_mobiles=norm.other_mobiles(at("mobile"), participant.mobile),
    )


def _is_repeated_header(values: dict[str, str]) -> bool:
    hits = sum(1 for v in values.values() if v and match_header(v))
    if hits >= 3:
        return True
    found = match_header(values["name"]) if values["name"] else None
    return found is not None and found[0] == "name"


def _is_example(values: dict[str, str], seq: str, texts: list[str]) -> bool:
    first = next((t for t in texts if t), "")
    if _mark(seq) in _EXAMPLE_MARKS or _mark(first) in _EXAMPLE_MARKS:
        return True
    name = norm.compact(values["name"]).lower()
    if name.startswith(("例:", "例：")) or any(w in name for w in (*_HINT_WORDS, *_EXAMPLE_WORDS)):
        return True
    return name in _EXAMPLE_NAMES and (
        norm.mobile(values["mobile"]) in _EXAMPLE_MOBILES
        or not values["mobile"]
        or "xx" in values["unit"].lower()
        or "×" in values["unit"]
    )


def _mark(text: str) -> str:
    """A cell as a mark: （示例） and 【例】 read 示例 and 例."""
    return norm.compact(text).strip("()[]【】〔〕<>《》")


def _is_footer(values: dict[str, str], filled: list[str], texts: list[str]) -> bool:
    """A signature line (填表人：, 盖章, 日期), a note, or a contact line under the table."""
    first = norm.compact(next((t for t in texts if t), ""))
    if any(_is_signature(text) for text in (norm.compact(values["name"]), first)):
        return True
    if len(filled) > 2:
        return False
    text = " ".join(values[f] for f in filled)
    if len(filled) == 1 and _is_lone_remark(text, filled[0]):
        return True
    return any(w in text for w in _FOOTER_WORDS) and not _is_name_and_mobile(values, filled)


def _is_lone_remark(text: str, field: str) -> bool:
    """The only text of a row: a long note, a count in the name column (3人, 共3人: not a name), or a
    printed remark (以下空白)."""
    return (
        len(norm.compact(text)) > _LONG_NOTE
        or (field == "name" and re.search(r"\d", text) is not None)
        or any(w in text for w in _REMARK_WORDS)
    )


def is_signature_row(texts: list[str]) -> bool:
    """A row under a table that someone signs or gives contacts in (填表人：, 联系人, 盖章, 日期 first)."""
    return _is_signature(norm.compact(next((t for t in texts if t), "")))


def _is_signature(text: str) -> bool:
    """A signature, a note or a form field (期数：第一期, 填报单位：…) typed under the table."""
    return bool(text) and (
        text.endswith((":", "：")) or any(w in text for w in _SIGNATURE_WORDS) or looks_like_label(text)
    )


def _is_name_and_mobile(values: dict[str, str], filled: list[str]) -> bool:
    """Only a name (without a colon) and a valid mobile: a participant, whatever words the name holds."""
    return bool(
        values["name"]
        and values["mobile"]
        and len(filled) == 2
        and norm.is_mobile(norm.mobile(values["mobile"]))
        and not re.search(r"[:：]", values["name"])
    )
