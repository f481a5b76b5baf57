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


def tidy(text: str) -> str:
    """A recognised line's known slips put right: a date run into its time (2023-08-1209:30)."""
    return _DATE_TIME.sub(r"\1 \2", text)


def closed(text: str) -> str:
    """A cell's text with a bracket it opens and never closes closed (the closing one alone on a wrapped
    cell's last line is too small for the detector)."""
    for opening, closing in (("（", "）"), ("(", ")")):
        if text.rfind(opening) > text.rfind(closing) and len(text) - text.rfind(opening) > 2:
            return text + closing
    return text
