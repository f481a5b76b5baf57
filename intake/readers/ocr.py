"""Scans and photos (JPEG, PNG, TIFF, BMP, WEBP) read by OCR: Tesseract with simplified Chinese.

The image is cleaned first: the red channel of a colour image (a red seal
nearly vanishes in it), a 3x3 median filter against speckle, and the skew
found by projection profiles (the angle within +-5 degrees whose row sums are
most uneven) is undone.  The table comes from the page layout: ruling lines
are rows and columns in which most short segments are dark; a rule missing
between two cells makes them one merged cell.  Each cell is cropped and all
cells go through one Tesseract run (a list of images), chi_sim first; cells
of columns that read as Latin text (mobiles, e-mails, times) are read again
with eng, with a digit whitelist for numeric columns.  Text above and below
the table becomes the grid's lines.  Without ruling lines, rows and columns
come from the white space between text lines and between columns.

Every grid made here has ocr=True and a confidence per cell (the lowest word
confidence Tesseract gave, 0.0-1.0), so extraction can warn about the values
it is unsure of.  Runs in the sandbox worker (sandbox.py); can_read is False
when Tesseract or its chi_sim data is not installed, and the image is then
refused as before ("unsupported").
"""
from __future__ import annotations

import functools
import io
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from intake.errors import UnreadableAttachment
from intake.grid import CellValue, Grid, Merge
from intake.limits import Limits

from . import sandbox

log = logging.getLogger(__name__)
KIND = "ocr"
LANG_CJK = "chi_sim"
IMAGE_MAGICS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NUMERIC = set("0123456789-:./ ")
_PUNCTUATION = set(":：,，.。、;；-—()（）@/")
DIGITS = "0123456789-:./"
OCR_DPI = 300      # the resolution Tesseract reads 10.5 pt Chinese best at
CUT = 0.4  # contrast(): levels this close to the paper (as a share of the paper-ink span) become white


def _is_image(head: bytes) -> bool:
    return (head.startswith(IMAGE_MAGICS) or (head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00")
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"))


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
        log.warning("tesseract is installed without %s data (Debian tesseract-ocr-chi-sim): OCR is off", LANG_CJK)
        return None
    return program


def available() -> bool:
    return tesseract() is not None


def can_read(name: str, head: bytes) -> bool:
    return _is_image(head) and available()


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    return sandbox.run("image", data, name, limits, limits.ocr_timeout_s)


# --- in the worker ------------------------------------------------------------------------------

def read_in_worker(data: bytes, name: str, limits: Limits, deadline: float) -> list[Grid]:
    frames = load_images(data, name, limits)
    grids: list[Grid] = []
    for index, frame in enumerate(frames):
        grid = read_page(frame, name, "" if len(frames) == 1 else f"第{index + 1}页", limits, deadline)
        if grid is not None:
            grids.append(grid)
    return grids


def load_images(data: bytes, name: str, limits: Limits) -> list:  # type: ignore[type-arg]
    """The image (each page of a multi-page TIFF, up to limits.max_pdf_pages) upright, within
    limits.max_image_pixels (a JPEG up to 4x larger is decoded at half or quarter scale)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 4 * limits.max_image_pixels  # Pillow's own bomb check, beyond ours below
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableAttachment(name, "corrupt", f"image: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise UnreadableAttachment(name, "too_large", str(exc)) from exc
    w, h = image.size
    if w * h > limits.max_image_pixels and image.format == "JPEG":
        image.draft("RGB", (w // 2, h // 2) if w * h <= 4 * limits.max_image_pixels else (w // 4, h // 4))
        w, h = image.size
    if w * h > limits.max_image_pixels:
        raise UnreadableAttachment(name, "too_large", f"{w}x{h} pixels (limit {limits.max_image_pixels})")
    frames = []
    try:
        for index in range(min(getattr(image, "n_frames", 1), limits.max_pdf_pages)):
            image.seek(index)
            if image.size[0] * image.size[1] > limits.max_image_pixels:
                raise UnreadableAttachment(name, "too_large", f"page {index + 1}: {image.size} pixels")
            image.load()
            frames.append(ImageOps.exif_transpose(image.copy()))
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UnreadableAttachment(name, "corrupt", f"image: {exc}") from exc
    return frames


# --- image cleaning ------------------------------------------------------------------------------

def clean(image):  # type: ignore[no-untyped-def]
    """Grey, seal-free, despeckled, deskewed: (image, angle undone)."""
    from PIL import Image, ImageFilter

    if image.mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr", "LAB", "HSV"):
        image = image.convert("RGB").getchannel("R")  # red seals are light in the red channel
    elif image.mode != "L":
        image = image.convert("L")
    image = image.filter(ImageFilter.MedianFilter(3))
    angle = skew(image)
    if abs(angle) >= 0.05:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return image, angle


def _ink_threshold(gray) -> tuple[int, int, float]:  # type: ignore[no-untyped-def]
    """(paper, ink, threshold) grey levels: the most common level, a dark percentile, a quarter between."""
    hist = gray.histogram()
    paper = max(range(128, 256), key=lambda i: hist[i])
    total, seen, ink = sum(hist), 0, 0
    for level in range(256):
        seen += hist[level]
        if seen > total * 0.004:
            ink = level
            break
    ink = min(ink, paper - 60)
    return paper, ink, paper - 0.3 * (paper - ink)


def ink_mask(gray):  # type: ignore[no-untyped-def]
    """255 where there is ink, 0 for paper."""
    _paper, _ink, threshold = _ink_threshold(gray)
    return gray.point(lambda v: 255 if v < threshold else 0)


def contrast(gray):  # type: ignore[no-untyped-def]
    """Paper white, and everything nearly as light as it (faint seals, stains, grain) white too."""
    paper, ink, _threshold = _ink_threshold(gray)
    cut = paper - CUT * (paper - ink)
    return gray.point(lambda v: 255 if v >= cut else v)


def skew(gray) -> float:  # type: ignore[no-untyped-def]
    """The rotation (degrees, counter-clockwise) that makes text lines and rules horizontal, within +-5."""
    from PIL import Image, ImageStat

    mask = ink_mask(gray)
    scale = max(1, mask.width // 800)
    small = mask.resize((mask.width // scale, mask.height // scale), Image.Resampling.BOX)

    def score(angle: float) -> float:
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        return ImageStat.Stat(turned.resize((1, turned.height), Image.Resampling.BOX)).var[0]

    best = max((score(a / 2), a / 2) for a in range(-10, 11))[1]
    best = max((score(best + a / 20), best + a / 20) for a in range(-10, 11))[1]
    return best


# --- ruling lines and cells ----------------------------------------------------------------------

def _runs(values: list[float], threshold: float) -> list[tuple[int, int]]:
    out, start = [], None
    for i, v in enumerate(values):
        if v >= threshold and start is None:
            start = i
        elif v < threshold and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(values) - 1))
    return out


def _dark_share(mask, horizontal: bool, segment: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Per row (horizontal) or column: the share of segment-long pieces that are mostly ink."""
    from PIL import Image

    w, h = mask.size
    if horizontal:
        n = max(1, w // segment)
        data = mask.resize((n, h), Image.Resampling.BOX).tobytes()
        return [sum(1 for v in data[y * n:(y + 1) * n] if v > 150) / n for y in range(h)]
    n = max(1, h // segment)
    data = mask.resize((w, n), Image.Resampling.BOX).tobytes()
    counts = [0] * w
    for k in range(n):
        row = data[k * w:(k + 1) * w]
        for x in range(w):
            if row[x] > 150:
                counts[x] += 1
    return [c / n for c in counts]


@dataclass
class Layout:
    rows: list[float]                 # y of each horizontal rule, top to bottom
    cols: list[float]                 # x of each vertical rule, left to right
    thickness: int
    cells: list[tuple[int, int, int, int]] = field(default_factory=list)  # (top, left, bottom, right) band indexes


def find_table(mask, dpi: float) -> Layout | None:  # type: ignore[no-untyped-def]
    """The ruled table on the page, or None when there are not at least 2x2 rules."""
    segment = max(8, int(dpi / 12))
    shares = _dark_share(mask, True, segment)
    if not shares or max(shares) < 0.2:
        return None
    h_runs = _runs(shares, 0.6 * max(shares))
    if len(h_runs) < 2:
        return None
    top, bottom = h_runs[0][0], h_runs[-1][1]
    band = mask.crop((0, max(0, top - 2), mask.width, min(mask.height, bottom + 3)))
    v_shares = _dark_share(band, False, segment)
    if not v_shares or max(v_shares) < 0.5:
        return None
    v_runs = _runs(v_shares, 0.6 * max(v_shares))
    if len(v_runs) < 2:
        return None
    thickness = max(b - a + 1 for a, b in h_runs + v_runs)
    thickness = min(thickness, int(dpi / 20) + 1)
    layout = Layout(rows=[(a + b) / 2 for a, b in h_runs], cols=[(a + b) / 2 for a, b in v_runs],
                    thickness=thickness)
    layout.cells = _merged_cells(mask, layout)
    return layout


def _rule_between(mask, layout: Layout, horizontal: bool, i: int, j: int) -> bool:  # type: ignore[no-untyped-def]
    """Is there a rule below band row i in column j (horizontal), or right of column j in row i?"""
    t = layout.thickness + 2
    if horizontal:
        y = layout.rows[i + 1]
        box = (int(layout.cols[j]) + t, int(y) - t, int(layout.cols[j + 1]) - t, int(y) + t + 1)
    else:
        x = layout.cols[j + 1]
        box = (int(x) - t, int(layout.rows[i]) + t, int(x) + t + 1, int(layout.rows[i + 1]) - t)
    if box[2] - box[0] < 3 or box[3] - box[1] < 3:
        return True
    strip = mask.crop(box)
    w, h = strip.size
    data = strip.tobytes()
    if horizontal:
        best = max(sum(1 for v in data[y * w:(y + 1) * w] if v) / w for y in range(h))
    else:
        best = max(sum(1 for y in range(h) if data[y * w + x]) / h for x in range(w))
    return best >= 0.6


def _merged_cells(mask, layout: Layout) -> list[tuple[int, int, int, int]]:  # type: ignore[no-untyped-def]
    nrows, ncols = len(layout.rows) - 1, len(layout.cols) - 1
    parent = {(r, c): (r, c) for r in range(nrows) for c in range(ncols)}

    def find(x: tuple[int, int]) -> tuple[int, int]:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in range(nrows):
        for c in range(ncols):
            if r + 1 < nrows and not _rule_between(mask, layout, True, r, c):
                parent[find((r + 1, c))] = find((r, c))
            if c + 1 < ncols and not _rule_between(mask, layout, False, r, c):
                parent[find((r, c + 1))] = find((r, c))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for key in parent:
        groups[find(key)].append(key)
    cells = []
    for members in groups.values():
        rs, cs = [m[0] for m in members], [m[1] for m in members]
        cells.append((min(rs), min(cs), max(rs), max(cs)))
    return sorted(cells)


# --- Tesseract -------------------------------------------------------------------------------------

@dataclass
class Word:
    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    line: tuple[int, int, int]        # block, paragraph, line


def run_tesseract(images: list, lang: str, psm: int, deadline: float, work: Path,  # type: ignore[type-arg]
                  config: tuple[str, ...] = ()) -> dict[int, list[Word]]:
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
        proc = subprocess.run([*args, "tsv"], capture_output=True, timeout=remaining, cwd=work,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except subprocess.TimeoutExpired as exc:
        raise UnreadableAttachment("", "too_large", "OCR time limit reached") from exc
    if proc.returncode != 0:
        raise UnreadableAttachment("", "corrupt", "tesseract: " + proc.stderr[-300:].decode("utf-8", "replace"))
    words: dict[int, list[Word]] = defaultdict(list)
    for line in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        f = line.split("\t")
        if len(f) < 12 or f[0] != "5" or not any(ch.isalnum() or ch in _PUNCTUATION for ch in f[11]):
            continue  # not a word, or a speck or a piece of a rule read as | _ < “
        try:
            words[int(f[1]) - 1].append(Word(f[11].strip(), max(0.0, float(f[10])) / 100, int(f[6]), int(f[7]),
                                             int(f[8]), int(f[9]), (int(f[2]), int(f[3]), int(f[4]))))
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


# --- a page --------------------------------------------------------------------------------------

def read_page(image, name: str, part: str, limits: Limits, deadline: float,  # type: ignore[no-untyped-def]
              dpi: float | None = None) -> Grid | None:
    """One page or photo as a Grid (ocr=True), or None when no text was found on it.

    An image of less than about 300 dpi is enlarged first (thin rules and small
    Chinese characters are lost below it), within limits.max_image_pixels.
    """
    from PIL import Image

    dpi = dpi or _guess_dpi(image)
    scale = min(OCR_DPI / dpi, math.sqrt(limits.max_image_pixels / max(1, image.width * image.height)))
    if scale > 1.15:
        image = image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS)
        dpi *= scale
    gray, angle = clean(image)
    log.debug("%s %s: %dx%d, skew %.2f, ~%.0f dpi", name, part, gray.width, gray.height, angle, dpi)
    mask = ink_mask(gray)
    with tempfile.TemporaryDirectory(prefix="intake-ocr-") as tmp:
        work = Path(tmp)
        layout = find_table(mask, dpi)
        if layout is not None and len(layout.rows) >= 3 and len(layout.cols) >= 3:
            return _read_ruled(gray, mask, layout, name, part, limits, deadline, work)
        return _read_unruled(gray, mask, name, part, limits, deadline, work, dpi)


def _guess_dpi(gray) -> float:  # type: ignore[no-untyped-def]
    """A page is about A4 (8.27 in wide); a photo's dpi is a guess anyway."""
    return max(100.0, min(600.0, min(gray.size) / 8.27))


def _read_ruled(gray, mask, layout: Layout, name: str, part: str, limits: Limits,  # type: ignore[no-untyped-def]
                deadline: float, work: Path) -> Grid:
    from PIL import ImageOps

    inset = layout.thickness + 3
    cut = contrast(gray)
    crops, plain, keys = [], [], []
    for top, left, bottom, right in layout.cells:
        box = (int(layout.cols[left]) + inset, int(layout.rows[top]) + inset,
               int(layout.cols[right + 1]) - inset, int(layout.rows[bottom + 1]) - inset)
        if box[2] - box[0] < 4 or box[3] - box[1] < 4:
            continue
        if _ink_share(mask.crop(box)) < 0.003:
            continue  # an empty cell: a few specks of noise at most
        crops.append(ImageOps.expand(cut.crop(box), 16, fill=255))
        plain.append(ImageOps.expand(gray.crop(box), 16, fill=255))
        keys.append((top, left))
    readings = _read_cells(crops, plain, keys, deadline, work)
    nrows, ncols = len(layout.rows) - 1, min(len(layout.cols) - 1, limits.max_cols)
    rows: list[list[CellValue]] = [[None] * ncols for _ in range(nrows)]
    confidence: dict[tuple[int, int], float] = {}
    for (r, c), (text, conf) in readings.items():
        if c < ncols:
            rows[r][c] = text or None
            confidence[(r, c)] = conf
    merges = [Merge(t, lft, b, min(rgt, ncols - 1)) for t, lft, b, rgt in layout.cells
              if (b > t or rgt > lft) and lft < ncols]
    if sum(1 for row in rows if any(v is not None for v in row)) > limits.max_rows:
        raise UnreadableAttachment(name, "too_many_rows", f"more than {limits.max_rows} filled rows")
    above = cut.crop((0, 0, cut.width, max(1, int(layout.rows[0]) - layout.thickness)))
    below = cut.crop((0, min(cut.height - 1, int(layout.rows[-1]) + layout.thickness), cut.width, cut.height))
    lines = _text_lines([above, below], deadline, work)
    return Grid(source=name, part=part or "表格1", rows=rows, merges=merges, lines=lines, kind=KIND, ocr=True,
                confidence=confidence)


SURE = 0.80        # a reading this confident is taken without a second opinion
DISAGREED = 0.40   # the most confidence a text gets that the other readings contradict


def _read_cells(crops: list, plain: list, keys: list[tuple[int, int]], deadline: float,  # type: ignore[type-arg]
                work: Path) -> dict[tuple[int, int], tuple[str, float]]:
    """(text, confidence) per cell with ink.

    Chinese first (psm 6, seal-free crop).  Latin columns are read again with eng.
    Chinese cells still unsure are read twice more (as one line, psm 7; and the
    crop before the seal was whitened): the most confident reading wins, and
    its confidence is capped when another reading contradicts it.
    """
    first = run_tesseract(crops, LANG_CJK, 6, deadline, work)
    candidates: dict[int, list[tuple[str, float]]] = {
        i: [(join_words(first.get(i, [])), _confidence(first.get(i, [])))] for i in range(len(keys))}
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


def _latin_cells(keys: list[tuple[int, int]],
                 readings: dict[int, tuple[str, float]]) -> list[tuple[list[int], tuple[str, ...]]]:
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
    return [(indexes, config) for indexes, config in
            ((numeric, (f"tessedit_char_whitelist={DIGITS} ",)), (latin, ())) if indexes]


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


def find_unruled(mask, dpi: float) -> Layout | None:  # type: ignore[no-untyped-def]
    """A table without rules, from the white space on the page: None when there is none.

    Text lines are the runs of rows with ink (a wrapped cell and its vertically
    centred neighbours overlap, so they are one run); the table is the longest
    run of lines that white gaps split into at least three pieces; its columns
    are separated by the strips that have no ink in (nearly) any of its lines.
    """
    from PIL import Image

    w, h = mask.size
    rows = mask.resize((1, h), Image.Resampling.BOX).tobytes()
    bands = _runs([float(v) for v in rows], 1)
    if not bands:
        return None
    heights = sorted(b - a + 1 for a, b in bands)
    char = max(4, heights[len(heights) // 4])  # a single line (taller bands are wrapped cells)
    merged: list[tuple[int, int]] = []
    pieces: list[int] = []
    for a, b in bands:
        cols = mask.crop((0, a, w, b + 1)).resize((w, 1), Image.Resampling.BOX).tobytes()
        n = len(_segments(cols, 0.8 * char))
        if merged and n < 3 and pieces[-1] >= 3 and a - merged[-1][1] < 0.6 * char:
            merged[-1] = (merged[-1][0], b)  # the wrapped tail of a cell in the row above
            continue
        merged.append((a, b))
        pieces.append(n)
    bands = merged
    best: tuple[int, int] | None = None
    start = None
    for i, n in enumerate([*pieces, 0]):
        if n >= 3 and start is None:
            start = i
        elif n < 3 and start is not None:
            if best is None or i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    if best is None or best[1] - best[0] < 2:
        return None
    table = bands[best[0]:best[1]]
    inked = [0] * w  # per x: in how many of the table's lines there is ink
    for a, b in table:
        line = mask.crop((0, a, w, b + 1)).resize((w, 1), Image.Resampling.BOX).tobytes()
        for x in range(w):
            if line[x]:
                inked[x] += 1
    allowed = len(table) // 10  # a title or a footer line across the columns does not close a gutter
    cols = bytes(1 if n > allowed else 0 for n in inked)
    segments = _segments(cols, 0.5 * char)
    if len(segments) < 3:
        return None
    edges = [float(max(0, segments[0][0] - 4))]
    edges += [(segments[k][1] + segments[k + 1][0]) / 2 for k in range(len(segments) - 1)]
    edges.append(float(min(w - 1, segments[-1][1] + 4)))
    ys = [float(max(0, table[0][0] - 4))]
    ys += [(table[k][1] + table[k + 1][0]) / 2 for k in range(len(table) - 1)]
    ys.append(float(min(h - 1, table[-1][1] + 4)))
    return Layout(rows=ys, cols=edges, thickness=0,
                  cells=[(r, c, r, c) for r in range(len(ys) - 1) for c in range(len(edges) - 1)])


def _segments(profile: bytes, gap: float) -> list[tuple[int, int]]:
    """Runs of inked positions in a profile, joined across white gaps narrower than gap."""
    out: list[tuple[int, int]] = []
    for a, b in _runs([float(v) for v in profile], 1):
        if out and a - out[-1][1] - 1 < gap:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _read_unruled(gray, mask, name: str, part: str, limits: Limits,  # type: ignore[no-untyped-def]
                  deadline: float, work: Path, dpi: float) -> Grid | None:
    """No ruling lines: cells from the white space (find_unruled), or only text lines when there is no table."""
    found = find_unruled(mask, dpi)
    if found is not None:
        return _read_ruled(gray, mask, found, name, part, limits, deadline, work)
    lines = _text_lines([contrast(gray)], deadline, work)
    return Grid(source=name, part=part, rows=[], lines=lines, kind=KIND, ocr=True) if lines else None
