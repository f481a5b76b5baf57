"""Tesseract runs for OCR: one run over a list of images, its words, and words joined as text."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from intake.errors import UnreadableAttachment
from intake.readers.tesseract import tesseract

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PUNCTUATION = set(":：,，.。、;；-—()（）@/")
_TSV_WORD_LEVEL = "5"  # the level of a word row in Tesseract's TSV output


@dataclass
class Word:
    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    line: tuple[int, int, int]  # block, paragraph, line


def run_tesseract(
    images: list[Image.Image],
    lang: str,
    psm: int,
    deadline: float,
    work: Path,
    config: tuple[str, ...] = (),
) -> dict[int, list[Word]]:
    """Words per image (0-based index), from one Tesseract run over all the images."""
    program = tesseract()
    if program is None:
        raise UnreadableAttachment("", "unsupported", "tesseract with chi_sim is not installed")
    if not images:
        return {}
    listing = _write_images(images, f"{lang.replace('+', '_')}_{psm}", work)
    remaining = deadline - time.monotonic()
    if remaining <= 1:
        raise UnreadableAttachment("", "too_large", "OCR time limit reached")
    args = [program, str(listing), "stdout", "-l", lang, "--psm", str(psm)]
    for item in config:
        args += ["-c", item]
    return _words(_run(args, remaining, work))


def _write_images(images: list[Image.Image], stem: str, work: Path) -> Path:
    """The images saved as PNG files in work, and the list file naming them (Tesseract's batch input)."""
    paths = []
    for i, image in enumerate(images):
        path = work / f"{stem}_{i:04d}.png"
        image.save(path)
        paths.append(str(path))
    listing = work / f"{stem}.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    return listing


def _run(args: list[str], timeout: float, work: Path) -> str:
    """Tesseract's TSV output for args."""
    try:
        proc = subprocess.run(
            [*args, "tsv"],
            capture_output=True,
            timeout=timeout,
            cwd=work,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise UnreadableAttachment("", "too_large", "OCR time limit reached") from exc
    if proc.returncode != 0:
        raise UnreadableAttachment(
            "", "corrupt", "tesseract: " + proc.stderr[-300:].decode("utf-8", "replace")
        )
    return proc.stdout.decode("utf-8", "replace")


def _words(tsv: str) -> dict[int, list[Word]]:
    """The words of a TSV listing, per image."""
    words: dict[int, list[Word]] = defaultdict(list)
    for line in tsv.splitlines()[1:]:
        f = line.split("\t")
        if len(f) < 12 or f[0] != _TSV_WORD_LEVEL or not _is_word(f[11]):
            continue  # not a word, or a speck or a piece of a rule read as | _ < “
        try:
            words[int(f[1]) - 1].append(
                Word(
                    f[11].strip(),
                    max(0.0, float(f[10])) / 100,
                    int(f[6]),
                    int(f[7]),
                    int(f[8]),
                    int(f[9]),
                    (int(f[2]), int(f[3]), int(f[4])),
                )
            )
        except ValueError:
            continue
    return words


def _is_word(text: str) -> bool:
    return any(ch.isalnum() or ch in _PUNCTUATION for ch in text)


def join_words(words: list[Word]) -> str:
    """Words in reading order as text: no space between CJK characters, lines joined as one text."""
    out = ""
    for text in line_texts(words):
        out = join_pieces(out, text)
    return out


def line_texts(words: list[Word]) -> list[str]:
    """The text of each line the words are on, top to bottom (words left to right)."""
    return [_join_line(line) for line in lines_of(words)]


def lines_of(words: list[Word]) -> list[list[Word]]:
    """The words grouped by Tesseract's line, top to bottom."""
    lines: dict[tuple[int, int, int], list[Word]] = defaultdict(list)
    for w in words:
        lines[w.line].append(w)
    return [lines[key] for key in sorted(lines, key=lambda k: (min(w.top for w in lines[k]), k))]


def _join_line(line: list[Word]) -> str:
    text = ""
    for w in sorted(line, key=lambda w: w.left):
        text = join_pieces(text, w.text)
    return text


def join_pieces(left: str, right: str) -> str:
    """left + right, with a space unless either side of the join is a CJK character."""
    if not left:
        return right
    if not right:
        return left
    if CJK.match(left[-1]) or CJK.match(right[0]) or left[-1] in "：:（(" or right[0] in "：:）)":
        return left + right
    return f"{left} {right}"
