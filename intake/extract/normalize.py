"""Normalising what people type into receipt cells.  Pure functions, never raise."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from intake.readers.grid import CellValue
from rules.arrival_text import parse_arrival_text

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def half_width(text: str) -> str:
    """Full-width letters, digits and punctuation to half-width (NFKC), ideographic space to space."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def cell_text(value: CellValue) -> str:
    """A cell as the text a person sees, half-width, trimmed.  Whole floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
        )
    if isinstance(value, date | time):
        return value.isoformat()
    return half_width(str(value)).strip()


def compact(text: str) -> str:
    """Text with every kind of space removed: for matching labels and names."""
    return _SPACES.sub("", half_width(text))


def is_blank(value: CellValue) -> bool:
    return compact(cell_text(value)) == ""


def name(value: CellValue) -> str:
    """A person's name: spaces inside Chinese names are layout, not part of the name."""
    text = cell_text(value)
    if re.search(r"[A-Za-z]", text):
        return " ".join(text.split())
    return compact(text)


_NAME_AND_GENDER = re.compile(r"^(?P<name>.+?)(?:\s+|\s*[(（]\s*)(?P<gender>男|女)\s*[)）]?$")


def name_and_gender(text: str) -> tuple[str, str]:
    """(name, gender) from a name cell that holds both, 李晓燕 女 or 李晓燕（女）; else (name, "")."""
    m = _NAME_AND_GENDER.match(half_width(text).strip())
    if m is None or len(compact(m.group("name"))) < 2:  # 王　男: a two-character name spaced out
        return name(text), ""
    return name(m.group("name")), m.group("gender")


def mobile(value: CellValue) -> str:
    """11 digits when it is a mainland mobile however written; else the cleaned text.

    Two numbers in a cell (on two lines, or split by / 、 ，) give the first mobile among them."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = cell_text(value)
    else:
        text = _from_scientific(compact(cell_text(value)))
    found = _whole_mobile(text)
    if found:
        return found
    for segment in _SEGMENTS.split(cell_text(value)):
        found = _whole_mobile(compact(segment))
        if found:
            return found
    # A mobile among other words: 13800001111（微信同号）, 手机:13800001111, 138..../139.... (the first).
    match = _MOBILE_IN_TEXT.search(re.sub(r"[\s\-‐‑–—()（）]", "", text))
    return match.group(1) if match else text


def other_mobiles(value: CellValue, taken: str) -> tuple[str, ...]:
    """The mobiles in a cell besides the one taken (13900001111/13800002222: a second phone), in order."""
    if not is_mobile(taken):
        return ()
    text = re.sub(r"[\s\-‐‑–—()（）]", "", cell_text(value))
    found = dict.fromkeys(m for m in _MOBILE_IN_TEXT.findall(text) if m != taken)
    return tuple(found)


_SEGMENTS = re.compile(r"[\r\n/／、,，;；|]+|\s{2,}")
# 1.3912345671E10, as a CSV shows a long number; only with all eleven digits (1.39123E+10 lost some).
_SCIENTIFIC = re.compile(r"(\d)\.(\d{10})[eE]\+?10")


def _from_scientific(text: str) -> str:
    m = _SCIENTIFIC.fullmatch(text)
    return m.group(1) + m.group(2) if m else text


def _whole_mobile(text: str) -> str:
    """The mobile a text is, written with dashes, dots, brackets or a +86 / 0086 prefix; else ""."""
    digits = re.sub(r"[\-‐‑–—.()（）]", "", text)
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE.match(digits) else ""


def remark(value: CellValue) -> str:
    """备注 as written (full-width punctuation kept), on one line: "需单间，清真"; a dash or a slash is nothing."""
    text = " ".join((value if isinstance(value, str) else cell_text(value)).split())
    return "" if text in ("/", "-", "—", "——", "无", "\\") else text[:200]


def is_mobile(text: str) -> bool:
    return bool(_MOBILE.match(text))


def email(value: CellValue) -> str:
    text = compact(cell_text(value)).rstrip(";；,，.。")
    text = text.replace("＠", "@")
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


_GENDER = {
    "男": "男",
    "女": "女",
    "男性": "男",
    "女性": "女",
    "m": "男",
    "f": "女",
    "male": "男",
    "female": "女",
    "man": "男",
    "woman": "女",
    "男士": "男",
    "女士": "女",
    "♂": "男",
    "♀": "女",
}


def gender(value: CellValue) -> str:
    text = compact(cell_text(value))
    return _GENDER.get(text.lower(), text)


_YES = {"是", "√", "✓", "✔", "y", "yes", "1", "领队", "是领队", "带队", "○", "●", "true", "☑", "对"}
_NO = {"", "否", "n", "no", "0", "×", "x", "✗", "无", "不是", "false", "/", "-", "—", "☐"}


def leader(value: CellValue) -> bool | None:
    """True for 是/√/Y, False for 否/N/blank, None when it cannot tell."""
    text = compact(cell_text(value)).lower()
    for form in (text, _BRACKETS.sub("", text)):  # 是（领队）, 否(非领队)
        if form in _YES:
            return True
        if form in _NO:
            return False
    if text.startswith(("是", "√", "✓", "✔", "☑")) and not text.startswith("是否"):
        return True  # √是, 是，担任领队
    if text.startswith(("否", "非", "不", "×")):
        return False
    return None


_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def arrival(value: CellValue, year: int) -> tuple[datetime | date | None, str]:
    """(when, text): when is a datetime when the time is known, a date when only the day is.

    Accepts Excel dates and serial numbers, 2023-07-15 17:30, 2023/7/15, 2023年7月15日17:30,
    7月15日14:00, 7月15日下午, 6月18日下午3点, 7.15.  text is what the participant wrote, tidied.
    """
    if isinstance(value, datetime):
        return (value if (value.hour or value.minute) else value.date()), cell_text(value)
    if isinstance(value, date):
        return value, value.isoformat()
    if isinstance(value, float | int) and not isinstance(value, bool) and 20000 < value < 80000:
        when = _EXCEL_EPOCH + timedelta(days=float(value))
        when = when.replace(second=0, microsecond=0)
        return (when if (when.hour or when.minute) else when.date()), when.strftime("%Y-%m-%d %H:%M")
    text = " ".join(cell_text(value).split())  # 7月14日⏎上午 typed on two lines in one cell
    return parse_arrival_text(text, year), text


def excel_column(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
