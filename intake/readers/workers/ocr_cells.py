"""OCR cell reading: the text and confidence of each table cell, and the text lines around the table.

Chinese first; columns that read as Latin text are read again with eng (digits
only for numeric columns); unsure Chinese cells get two more readings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps, ImageStat

from intake.readers.tesseract import LANG_CJK

from .ocr_clean import ink_mask
from .ocr_words import CJK, Word, join_words, lines_of, run_tesseract

_NUMERIC = set("0123456789-:./ ")
DIGITS = "0123456789-:./"
SURE = 0.80  # a reading this confident is taken without a second opinion
DISAGREED = 0.40  # the most confidence a text gets that the other readings contradict

Reading = tuple[str, float]  # a text and Tesseract's confidence in it (0.0-1.0)
Cell = tuple[int, int]  # (row, column) of a cell's top-left band
LatinCells = list[tuple[list[int], tuple[str, ...]]]  # (cell indexes, tesseract config) per script


def read_cells(
    crops: list[Image.Image],
    plain: list[Image.Image],
    keys: list[Cell],
    deadline: float,
    work: Path,
) -> dict[Cell, Reading]:
    """(text, confidence) per cell with ink.

    Chinese first (psm 6, seal-free crop).  Latin columns are read again with eng.
    Chinese cells still unsure are read twice more (as one line, psm 7; and the
    crop before the seal was whitened): the most confident reading wins, and
    its confidence is capped when another reading contradicts it.
    """
    first = run_tesseract(crops, LANG_CJK, 6, deadline, work)
    candidates = {i: [_reading(first.get(i, []))] for i in range(len(keys))}
    latin = _latin_cells(keys, {i: c[0] for i, c in candidates.items()})
    _read_latin(crops, latin, candidates, deadline, work)
    latin_cells = {j for indexes, _c in latin for j in indexes}
    chinese = [i for i in _unsure(candidates) if i not in latin_cells]
    _read_chinese_again(crops, plain, chinese, candidates, deadline, work)
    return {key: _choose(candidates[i], i in latin_cells) for i, key in enumerate(keys)}


def _reading(words: list[Word]) -> Reading:
    return join_words(words), _confidence(words)


def _read_latin(
    crops: list[Image.Image],
    latin: LatinCells,
    candidates: dict[int, list[Reading]],
    deadline: float,
    work: Path,
) -> None:
    """Each Latin cell read again with eng; that reading goes first in its candidates."""
    for indexes, config in latin:
        words = run_tesseract([crops[i] for i in indexes], "eng", 6, deadline, work, config)
        for n, i in enumerate(indexes):
            found = words.get(n, [])
            candidates[i].insert(0, (tidy_latin(join_words(found), bool(config)), _confidence(found)))


def _unsure(candidates: dict[int, list[Reading]]) -> list[int]:
    """The cells whose first reading is empty or not confident enough."""
    return [i for i, readings in candidates.items() if readings[0][1] < SURE or not readings[0][0]]


def _read_chinese_again(
    crops: list[Image.Image],
    plain: list[Image.Image],
    chinese: list[int],
    candidates: dict[int, list[Reading]],
    deadline: float,
    work: Path,
) -> None:
    """Unsure Chinese cells read as one line (psm 7), then from the crop with its seal (psm 6)."""
    if not chinese:
        return
    for images, psm in (([crops[i] for i in chinese], 7), ([plain[i] for i in chinese], 6)):
        words = run_tesseract(images, LANG_CJK, psm, deadline, work)
        for n, i in enumerate(chinese):
            candidates[i].append(_reading(words.get(n, [])))


def _choose(readings: list[Reading], latin: bool) -> Reading:
    eng, chi = readings[0], readings[-1]
    if latin and eng[0] and (eng[1] >= chi[1] or not CJK.search(chi[0])):
        return eng  # chi_sim's reading of Latin text is no second opinion
    return _best(readings)


def _best(readings: list[Reading]) -> Reading:
    texts = [t for t, _c in readings if t]
    if not texts:
        return "", 0.0
    text, conf = max(((t, c) for t, c in readings if t), key=lambda r: r[1])
    if len(readings) == 1:
        return text, conf
    same = sum(1 for t in texts if _key(t) == _key(text))
    if same >= 2:
        return text, conf
    return text, min(conf, DISAGREED)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def tidy_latin(text: str, numeric: bool) -> str:
    """OCR spacing in Latin text: none around - : . / @, none inside a number (09:1 5)."""
    text = re.sub(r"\s*([-:./@])\s*", r"\1", text)
    if numeric:
        text = re.sub(r"(?<=:\d) (?=\d\b)", "", text)
    return text


def _latin_cells(keys: list[Cell], readings: dict[int, Reading]) -> LatinCells:
    """Cells of columns that read as Latin text, to read again with eng: [(indexes, tesseract config)].

    In such a column every cell is read again except a confident Chinese one (its header).
    """
    texts = {i: t for i, (t, _c) in readings.items()}
    by_column: dict[int, list[int]] = defaultdict(list)
    for i, (_r, c) in enumerate(keys):
        by_column[c].append(i)
    numeric: list[int] = []
    latin: list[int] = []
    for indexes in by_column.values():
        script = _column_script([texts[i] for i in indexes])
        if script is None:
            continue
        target = numeric if script == "numeric" else latin
        target += [i for i in indexes if not CJK.search(texts[i]) or readings[i][1] < SURE]
    return [
        (indexes, config)
        for indexes, config in ((numeric, (f"tessedit_char_whitelist={DIGITS} ",)), (latin, ()))
        if indexes
    ]


def _column_script(texts: list[str]) -> Literal["numeric", "latin"] | None:
    """numeric or latin for a column whose cells read (at least 60 %) as Latin text, else None."""
    cells = [t for t in texts if t]
    plain = [t for t in cells if not CJK.search(t)]
    if len(cells) < 2 or len(plain) * 10 < len(cells) * 6:
        return None
    chars = "".join(plain)
    return "numeric" if sum(ch in _NUMERIC for ch in chars) >= 0.9 * len(chars) else "latin"


def ink_share(mask: Image.Image) -> float:
    """The share of an ink mask (ocr_clean.ink_mask) that is ink."""
    return float(ImageStat.Stat(mask).mean[0]) / 255


def _confidence(words: list[Word]) -> float:
    return min((w.conf for w in words), default=0.0)


def text_lines(regions: list[Image.Image], deadline: float, work: Path) -> list[str]:
    """Lines of text in page regions (above and below the table), in order."""
    kept = [
        ImageOps.expand(region, 16, fill=255)
        for region in regions
        if region.height >= 8 and ink_share(ink_mask(region)) >= 0.001
    ]
    words = run_tesseract(kept, LANG_CJK, 4, deadline, work) if kept else {}
    lines: list[str] = []
    for i in range(len(kept)):
        for line in lines_of(words.get(i, [])):
            text = join_words(line)
            if text.strip() and sum(w.conf for w in line) / len(line) >= 0.3:
                lines.append(text.strip())
    return lines
