"""OCR cell reading: the text and confidence of each table cell, and the text lines around the table.

Chinese first; columns that read as Latin text are read again with eng (digits
only for numeric columns); unsure Chinese cells get two more readings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from ._ocr_image import ink_mask
from ._ocr_tesseract import _CJK, LANG_CJK, Word, join_words, run_tesseract

_NUMERIC = set("0123456789-:./ ")
DIGITS = "0123456789-:./"
SURE = 0.80  # a reading this confident is taken without a second opinion
DISAGREED = 0.40  # the most confidence a text gets that the other readings contradict


def _read_cells(
    crops: list,
    plain: list,
    keys: list[tuple[int, int]],
    deadline: float,  # type: ignore[type-arg]
    work: Path,
) -> dict[tuple[int, int], tuple[str, float]]:
    """(text, confidence) per cell with ink.

    Chinese first (psm 6, seal-free crop).  Latin columns are read again with eng.
    Chinese cells still unsure are read twice more (as one line, psm 7; and the
    crop before the seal was whitened): the most confident reading wins, and
    its confidence is capped when another reading contradicts it.
    """
    first = run_tesseract(crops, LANG_CJK, 6, deadline, work)
    candidates: dict[int, list[tuple[str, float]]] = {
        i: [(join_words(first.get(i, [])), _confidence(first.get(i, [])))] for i in range(len(keys))
    }
    latin = _latin_cells(keys, {i: c[0] for i, c in candidates.items()})
    for indexes, config in latin:
        words = run_tesseract([crops[i] for i in indexes], "eng", 6, deadline, work, config)
        for n, i in enumerate(indexes):
            found = words.get(n, [])
            candidates[i].insert(0, (tidy_latin(join_words(found), bool(config)), _confidence(found)))
    unsure = [i for i in range(len(keys)) if candidates[i][0][1] < SURE or not candidates[i][0][0]]
    latin_cells = {j for indexes, _c in latin for j in indexes}
    chinese = [i for i in unsure if i not in latin_cells]
    if chinese:
        for images, psm in (([crops[i] for i in chinese], 7), ([plain[i] for i in chinese], 6)):
            words = run_tesseract(images, LANG_CJK, psm, deadline, work)
            for n, i in enumerate(chinese):
                found = words.get(n, [])
                candidates[i].append((join_words(found), _confidence(found)))
    out = {}
    for i, key in enumerate(keys):
        eng, chi = candidates[i][0], candidates[i][-1]
        if i in latin_cells and eng[0] and (eng[1] >= chi[1] or not _CJK.search(chi[0])):
            out[key] = eng  # chi_sim's reading of Latin text is no second opinion
        else:
            out[key] = _best(candidates[i])
    return out


def _best(readings: list[tuple[str, float]]) -> tuple[str, float]:
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


def _latin_cells(
    keys: list[tuple[int, int]], readings: dict[int, tuple[str, float]]
) -> list[tuple[list[int], tuple[str, ...]]]:
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
        cells = [texts[i] for i in indexes if texts[i]]
        plain = [t for t in cells if not _CJK.search(t)]
        if len(cells) < 2 or len(plain) * 10 < len(cells) * 6:
            continue
        chars = "".join(plain)
        target = numeric if sum(ch in _NUMERIC for ch in chars) >= 0.9 * len(chars) else latin
        target += [i for i in indexes if not _CJK.search(texts[i]) or readings[i][1] < SURE]
    return [
        (indexes, config)
        for indexes, config in ((numeric, (f"tessedit_char_whitelist={DIGITS} ",)), (latin, ()))
        if indexes
    ]


def _ink_share(mask) -> float:  # type: ignore[no-untyped-def]
    from PIL import ImageStat

    return ImageStat.Stat(mask).mean[0] / 255


def _confidence(words: list[Word]) -> float:
    return min((w.conf for w in words), default=0.0)


def _text_lines(regions: list, deadline: float, work: Path) -> list[str]:  # type: ignore[type-arg]
    """Lines of text in page regions (above and below the table), in order."""
    from PIL import ImageOps

    kept, order = [], []
    for region in regions:
        if region.height >= 8 and _ink_share(ink_mask(region)) >= 0.001:
            kept.append(ImageOps.expand(region, 16, fill=255))
            order.append(len(kept) - 1)
    words = run_tesseract(kept, LANG_CJK, 4, deadline, work) if kept else {}
    lines: list[str] = []
    for i in order:
        by_line: dict[tuple[int, int, int], list[Word]] = defaultdict(list)
        for w in words.get(i, []):
            by_line[w.line].append(w)
        for key in sorted(by_line, key=lambda k: (min(w.top for w in by_line[k]), k)):
            text = join_words(by_line[key])
            if text.strip() and sum(w.conf for w in by_line[key]) / len(by_line[key]) >= 0.3:
                lines.append(text.strip())
    return lines
