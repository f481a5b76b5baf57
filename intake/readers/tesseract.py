"""Is Tesseract installed here with its simplified Chinese data?  The OCR reader asks before it
takes an image (ocr.available), its worker before each run (workers/ocr_words.py)."""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess

log = logging.getLogger("intake.readers.ocr")  # the reader's logger, as before the split
LANG_CJK = "chi_sim"


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
