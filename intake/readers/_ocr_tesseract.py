"""Tesseract invocation for OCR: the program check, one run over a list of images, words joined as text."""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from intake.errors import UnreadableAttachment

log = logging.getLogger("intake.readers.ocr")  # the reader's logger, as before the split
LANG_CJK = "chi_sim"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PUNCTUATION = set(":：,，.。、;；-—()（）@/")


@functools.lru_cache(maxsize=1)
def tesseract() -> str | None:
    """The tesseract program when it is installed with its chi_sim data, else None (checked once)."""
    program = shutil.which("tesseract")
    if program is None:
        return None
    try:
        out = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("tesseract --list-langs failed: %s", exc)
        return None
    if LANG_CJK not in out.split():
        log.warning(
            "tesseract is installed without %s data (Debian tesseract-ocr-chi-sim): OCR is off", LANG_CJK
        )
        return None
    return program


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
    images: list,
    lang: str,
    psm: int,
    deadline: float,
    work: Path,  # type: ignore[type-arg]
    config: tuple[str, ...] = (),
) -> dict[int, list[Word]]:
    """Words per image (0-based index), from one Tesseract run over all the images."""
    program = tesseract()
    if program is None:
        raise UnreadableAttachment("", "unsupported", "tesseract with chi_sim is not installed")
    if not images:
        return {}
    paths = []
    for i, image in enumerate(images):
        path = work / f"{lang.replace('+', '_')}_{psm}_{i:04d}.png"
        image.save(path)
        paths.append(str(path))
    listing = work / f"{lang.replace('+', '_')}_{psm}.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    remaining = deadline - time.monotonic()
    if remaining <= 1:
        raise UnreadableAttachment("", "too_large", "OCR time limit reached")
    args = [program, str(listing), "stdout", "-l", lang, "--psm", str(psm)]
    for item in config:
        args += ["-c", item]
    try:
        proc = subprocess.run(
            [*args, "tsv"],
            capture_output=True,
            timeout=remaining,
            cwd=work,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise UnreadableAttachment("", "too_large", "OCR time limit reached") from exc
    if proc.returncode != 0:
        raise UnreadableAttachment(
            "", "corrupt", "tesseract: " + proc.stderr[-300:].decode("utf-8", "replace")
        )
    words: dict[int, list[Word]] = defaultdict(list)
    for line in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        f = line.split("\t")
        if len(f) < 12 or f[0] != "5" or not any(ch.isalnum() or ch in _PUNCTUATION for ch in f[11]):
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


def join_words(words: list[Word]) -> str:
    """Words in reading order as text: no space between CJK characters, lines joined as one text."""
    lines: dict[tuple[int, int, int], list[Word]] = defaultdict(list)
    for w in words:
        lines[w.line].append(w)
    texts = []
    for key in sorted(lines, key=lambda k: (min(w.top for w in lines[k]), k)):
        text = ""
        for w in sorted(lines[key], key=lambda w: w.left):
            text = join_pieces(text, w.text)
        texts.append(text)
    out = ""
    for text in texts:
        out = join_pieces(out, text)
    return out


def join_pieces(left: str, right: str) -> str:
    """left + right, with a space unless either side of the join is a CJK character."""
    if not left:
        return right
    if not right:
        return left
    if _CJK.match(left[-1]) or _CJK.match(right[0]) or left[-1] in "：:（(" or right[0] in "：:）)":
        return left + right
    return f"{left} {right}"
