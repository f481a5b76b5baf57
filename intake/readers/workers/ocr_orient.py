"""Which way up the page is: 0, 90, 180 or 270 degrees, tried, and the one whose header reads as the
form's kept.

The detector finds text lines whichever way the page lies.  When most lines of several characters
are taller than wide, the page lies on its side; the 0/180 line classifier then says which side
(lines cut out and turned a quarter are upright or upside down).  That way is read first; if its text
has no form header in it (the column labels 姓名, 性别, 单位, 手机 ...), the other ways are read too,
as long as the time allows, and the one with the most header labels (then the surest text) is kept.
"""

from __future__ import annotations

import logging
import time

from intake.errors import UnreadableAttachment

from .ocr_engine import Quad, TextBox, crops, detect, recognise, upside_down_share
from .ocr_prepare import Prepared, turn

log = logging.getLogger("intake.readers.ocr")
HEADER_WORDS = ("姓名", "性别", "单位", "职务", "手机", "邮箱", "电话", "领队", "抵达", "省级", "会议名称")
FOUND = 3  # header labels that make a way up certain
SAMPLE = 24  # lines the classifier looks at


def upright(page: Prepared, deadline: float, name: str) -> tuple[Prepared, list[TextBox]]:
    """The page turned the right way up, and its text boxes (none on a blank page: the detector finds
    text lines in any orientation, so a page where it finds none is not turned and read again)."""
    quads = detect(page.image)
    if not quads:
        return page, []
    best: tuple[tuple[int, float], Prepared, list[TextBox]] | None = None
    for turns in likely_turns(page, quads):
        if time.monotonic() > deadline:
            if best is not None:
                break
            raise UnreadableAttachment(name, "too_large", "OCR time limit reached")
        turned = turn(page, turns)
        found = recognise(turned.image, quads if turns == 0 else detect(turned.image))
        score = header_score(found)
        log.debug("%s: turned %d degrees: %d header labels, confidence %.2f", name, 90 * turns, *score)
        if best is None or score > best[0]:
            best = (score, turned, found)
        if score[0] >= FOUND:
            break
    assert best is not None
    return best[1], best[2]


def likely_turns(page: Prepared, quads: list[Quad]) -> list[int]:
    """Quarter turns counter-clockwise to try, the likeliest first."""
    lines = [q for q in quads if _long_side(q) >= 2.5 * _short_side(q)]
    tall = sum(1 for q in lines if _height(q) > _width(q))
    sideways = tall * 2 > len(lines)
    sample = sorted(lines, key=_long_side, reverse=True)[:SAMPLE]
    flipped = upside_down_share(crops(page.image, sample)) > 0.5 if sample else False
    if sideways:
        first = 3 if flipped else 1
    else:
        first = 2 if flipped else 0
    return [first, (first + 2) % 4, (first + 1) % 4, (first + 3) % 4]


def header_score(boxes: list[TextBox]) -> tuple[int, float]:
    """How many of the form's header labels the text has, and the text's mean confidence."""
    text = "".join(b.text for b in boxes)
    hits = sum(1 for word in HEADER_WORDS if word in text)
    mean = sum(b.conf for b in boxes) / len(boxes) if boxes else 0.0
    return hits, mean


def _width(q: Quad) -> float:
    return float(q[:, 0].max() - q[:, 0].min())


def _height(q: Quad) -> float:
    return float(q[:, 1].max() - q[:, 1].min())


def _long_side(q: Quad) -> float:
    return max(_width(q), _height(q))


def _short_side(q: Quad) -> float:
    return max(1.0, min(_width(q), _height(q)))
