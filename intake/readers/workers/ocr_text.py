"""Recognised pieces of text put together: lines in reading order, no space between Chinese characters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Placed(Protocol):
    """A piece of text with its box on the page."""

    @property
    def text(self) -> str: ...
    @property
    def y0(self) -> float: ...
    @property
    def y1(self) -> float: ...
    @property
    def x0(self) -> float: ...


T = TypeVar("T", bound=Placed)


def join_pieces(left: str, right: str) -> str:
    """left + right, with a space unless either side of the join is a CJK character."""
    if not left:
        return right
    if not right:
        return left
    if CJK.match(left[-1]) or CJK.match(right[0]) or left[-1] in "：:（(" or right[0] in "：:）)":
        return left + right
    return f"{left} {right}"


def in_lines(pieces: Sequence[T]) -> list[list[T]]:
    """The pieces grouped into lines (boxes that share most of their height), top to bottom, left to right."""
    lines: list[list[T]] = []
    for piece in sorted(pieces, key=lambda p: (p.y0 + p.y1) / 2):
        for line in lines:
            if _same_line(line[-1], piece):
                line.append(piece)
                break
        else:
            lines.append([piece])
    return [sorted(line, key=lambda p: p.x0) for line in lines]


def _same_line(a: Placed, b: Placed) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.y1 - a.y0, b.y1 - b.y0)


def reading_order(pieces: Sequence[Placed]) -> str:
    """The pieces' text line by line (a wrapped cell is one value)."""
    out = ""
    for line in in_lines(pieces):
        for piece in line:
            out = join_pieces(out, piece.text)
    return out


_DATE_TIME = re.compile(r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(\d{1,2}[:：]\d{2})")
# Traditional forms the recogniser sometimes gives for a simplified character it was unsure of
# (the forms are filled in on the mainland, in simplified characters).
_SIMPLIFIED = str.maketrans(
    "黃學別領職務區陽國書華長會員廳號時間達電話郵業術單處師東門張趙劉陳楊吳孫鄒錢蔣龍鄭馬數據與屬檔實廣課級們軍鄉縣鎮辦館醫療衛",
    "黄学别领职务区阳国书华长会员厅号时间达电话邮业术单处师东门张赵刘陈杨吴孙邹钱蒋龙郑马数据与属档实广课级们军乡县镇办馆医疗卫",
)


def tidy(text: str) -> str:
    """A recognised line's known slips put right: a date run into its time (2023-08-1209:30), a
    traditional form for a simplified character."""
    return _DATE_TIME.sub(r"\1 \2", text).translate(_SIMPLIFIED)


def closed(text: str) -> str:
    """A cell's brackets balanced: one it opens and never closes closed (the closing one alone on a
    wrapped cell's last line is too small for the detector, or read as 1), one closed twice once."""
    if CJK.search(text):
        text = text.replace("(", "（").replace(")", "）")  # Chinese text has full-width brackets
    for opening, closing in (("（", "）"), ("(", ")")):
        last_open, last_close = text.rfind(opening), text.rfind(closing)
        if last_open > last_close and len(text) - last_open > 2:
            stray = text[-1] in "1lI|]" and len(text) >= 2 and CJK.match(text[-2])
            return (text[:-1] if stray else text) + closing
        if text.endswith(closing * 2) and text.count(opening) < text.count(closing):
            return text[:-1]
    return text
