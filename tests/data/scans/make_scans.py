"""Make the scan set: receipts printed by LibreOffice, then scanned, faxed and photographed.

Run at test time (tests/test_ocr_scans.py calls make_set into a temporary directory), or by hand to
look at the pictures:

    .venv/bin/python -m tests.data.scans.make_scans OUT_DIR

Each receipt of receipts.py is written as an xlsx (openpyxl), printed to PDF by LibreOffice
(`soffice --headless --convert-to pdf`) and rasterised at 300 dpi by poppler's `pdftoppm`: that is
the paper.  The paper then goes through what happens to it on its way to us (Pillow and OpenCV):

- scan_seal.pdf: a 300 dpi colour flatbed scan, a red seal (ring, star and the department's name)
  over the table, turned 1.6 degrees, off-white paper with grain; an image-only PDF.
- phone_photo.jpg: a phone photo: the page on a grey table with keystone (the phone held low),
  uneven light and a shadow across it, a little blur, JPEG quality 70, stored sideways with EXIF
  orientation 6 (as phones do).
- fax.tif: a 200 dpi 1-bit fax (Group 4 TIFF) with speckle, one vertical ruling line lost.
- desk_photo.jpg: a printout lying on a wooden desk photographed at an angle (turned 12 degrees and
  in perspective), with a pen beside it.
- two_pages.pdf: a roster of 28 printed over two pages (the header row repeated on the second),
  scanned as a two-page greyscale PDF.
- handwritten.jpg: the names and mobiles left blank in print and written by hand in blue ink, in a
  楷体 face (Debian fonts-arphic-ukai, AR PL UKai CN) for the names and a handwriting face (Debian
  fonts-dkg-handwriting) for the digits, each character moved, turned and sized a little at random.
- sideways.png: the landscape form scanned sideways (a portrait image, the form turned 90 degrees).

Needs LibreOffice, poppler-utils and the fonts fonts-arphic-uming, fonts-arphic-ukai and
fonts-dkg-handwriting (.ci/run installs them).
"""

from __future__ import annotations

import io
import math
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from tests.data.scans.receipts import (
    FIELDS,
    HENAN,
    JIANGSU,
    SICHUAN,
    SICHUAN_HANDWRITTEN,
    SICHUAN_LONG,
    Roster,
    workbook,
)

DPI = 300
SEAL_RED = (214, 38, 48)
KAI = "/usr/share/fonts/truetype/arphic/ukai.ttc"  # AR PL UKai CN is face 0
HAND_DIGITS = "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf"
SEAL_FONT = "/usr/share/fonts/truetype/arphic/uming.ttc"
NEEDS = {
    "soffice": "libreoffice-calc",
    "pdftoppm": "poppler-utils",
    KAI: "fonts-arphic-ukai",
    HAND_DIGITS: "fonts-dkg-handwriting",
    SEAL_FONT: "fonts-arphic-uming",
}


@dataclass(frozen=True)
class Sample:
    """One file of the set: its name, what it is, and the roster printed on it."""

    filename: str
    kind: str
    roster: Roster


SET = (
    Sample("scan_seal.pdf", "300 dpi colour scan, red seal, turned 1.6°", SICHUAN),
    Sample("phone_photo.jpg", "phone photo: keystone, uneven light, blur, JPEG q70, EXIF 6", HENAN),
    Sample("fax.tif", "1-bit 200 dpi fax, a ruling line lost", SICHUAN),
    Sample("desk_photo.jpg", "printout on a desk photographed at an angle", HENAN),
    Sample("two_pages.pdf", "two-page scan, header row repeated", SICHUAN_LONG),
    Sample("handwritten.jpg", "names and mobiles handwritten", SICHUAN_HANDWRITTEN),
    Sample("sideways.png", "landscape form scanned sideways", JIANGSU),
)


def missing_tools() -> list[str]:
    """The Debian packages this script needs that are not installed."""
    out = []
    for need, package in NEEDS.items():
        present = Path(need).exists() if need.startswith("/") else shutil.which(need) is not None
        if not present:
            out.append(package)
    return out


# --- the paper ----------------------------------------------------------------------------------


def print_pdf(roster: Roster, work: Path) -> Path:
    """The roster's workbook printed to PDF by LibreOffice Calc."""
    source = work / f"{roster.key}.xlsx"
    source.write_bytes(workbook(roster))
    profile = work / "lo-profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf:calc_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return work / f"{roster.key}.pdf"


def rasterise(pdf: Path, dpi: int, work: Path) -> list[Image.Image]:
    """Each page of the PDF as pdftoppm renders it (RGB)."""
    stem = work / f"{pdf.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(stem)], check=True, timeout=240)
    pages = sorted(work.glob(f"{stem.name}-*.png"))
    return [Image.open(p).convert("RGB") for p in pages]


# --- what happens to paper ----------------------------------------------------------------------


def paper_tone(
    image: Image.Image, rng: random.Random, tone: tuple[int, int, int] = (240, 236, 226)
) -> Image.Image:
    """Off-white paper with a little grain."""
    image = ImageChops.multiply(image, Image.new("RGB", image.size, tone))
    grain = Image.merge("RGB", [Image.effect_noise(image.size, 18)] * 3)
    return Image.blend(image, grain, 0.06 + rng.random() * 0.02)


def seal(image: Image.Image, centre: tuple[int, int], text: str) -> Image.Image:
    """A round red seal (ring, star, the unit's name round the top) stamped over the page like ink."""
    w, h = image.size
    r = int(DPI * 0.8)  # a 42 mm seal
    stamp = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(stamp)
    cx, cy = centre
    for k in range(10):
        draw.ellipse((cx - r + k, cy - r + k, cx + r - k, cy + r - k), outline=SEAL_RED)
    draw.regular_polygon((cx, cy, r // 3), 5, fill=SEAL_RED)
    font = ImageFont.truetype(SEAL_FONT, int(r * 0.30))
    span = 220.0  # degrees of the ring the name covers
    for i, ch in enumerate(text):
        angle = -90 - span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("L", (int(r * 0.4), int(r * 0.4)), 0)
        ImageDraw.Draw(glyph).text(
            (glyph.width // 2, glyph.height // 2), ch, font=font, fill=255, anchor="mm"
        )
        glyph = glyph.rotate(-angle - 90, resample=Image.Resampling.BICUBIC)
        x = cx + int(r * 0.72 * math.cos(math.radians(angle))) - glyph.width // 2
        y = cy + int(r * 0.72 * math.sin(math.radians(angle))) - glyph.height // 2
        stamp.paste(Image.new("RGB", glyph.size, SEAL_RED), (x, y), glyph)
    faded = Image.blend(stamp, Image.new("RGB", (w, h), "white"), 0.15)
    return ImageChops.multiply(image, faded)


def turn(image: Image.Image, degrees: float, fill: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def jpeg(image: Image.Image, quality: int, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    if orientation is None:
        image.save(out, "JPEG", quality=quality)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def image_pdf(pages: list[Image.Image], dpi: int, quality: int = 60) -> bytes:
    """An image-only PDF, one JPEG per page, as a scanner writes it."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=dpi, quality=quality, save_all=True, append_images=pages[1:])
    return out.getvalue()


def on_background(
    page: Image.Image, corners: np.ndarray, size: tuple[int, int], background: Image.Image
) -> Image.Image:
    """The page warped onto corners (top-left, top-right, bottom-right, bottom-left) of a photo."""
    src = np.array([[0, 0], [page.width, 0], [page.width, page.height], [0, page.height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    warped = cv2.warpPerspective(np.array(page), matrix, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((page.height, page.width), 255, np.uint8), matrix, size)
    photo = background.copy()
    photo.paste(Image.fromarray(warped), (0, 0), Image.fromarray(mask).filter(ImageFilter.GaussianBlur(1)))
    return photo


def uneven_light(image: Image.Image, rng: random.Random, shadow: bool) -> Image.Image:
    """Light falling off towards one corner, and the shadow of the phone (a soft dark band)."""
    w, h = image.size
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - 0.30 * ((xs / w) * 0.6 + (ys / h) * 0.4)
    if shadow:
        band = np.exp(-(((xs - ys * 0.45 - w * 0.55) / (w * 0.09)) ** 2))
        light *= 1.0 - 0.32 * band
    light += rng.random() * 0.02
    out = np.clip(np.array(image).astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(out)


def table_surface(size: tuple[int, int], rng: random.Random) -> Image.Image:
    w, h = size
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 6, (h, w, 1))
    base = np.array([118, 122, 128], np.float32) + noise
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


def wood(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A wooden desk: warm brown with grain along it."""
    w, h = size
    gen = np.random.default_rng(rng.randrange(1 << 30))
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = np.sin((ys + 25 * np.sin(xs / 180.0)) / 9.0) * 14 + gen.normal(0, 5, (h, w))
    rgb = np.stack([150 + grain, 98 + grain * 0.8, 56 + grain * 0.5], axis=-1)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


# --- the samples ----------------------------------------------------------------------------------


def make_scan_seal(page: Image.Image, rng: random.Random) -> bytes:
    w, h = page.size
    image = seal(page, (int(w * 0.62), int(h * 0.26)), "四川省教育厅")
    image = turn(image, 1.6)
    return image_pdf([paper_tone(image, rng)], DPI, quality=70)


def make_phone_photo(page: Image.Image, rng: random.Random) -> bytes:
    page = paper_tone(page, rng)
    size = (3000, 4000)  # a 12 Mpx phone camera, the page filling most of the frame
    corners = np.array([[412, 312], [2600, 362], [2850, 3800], [162, 3725]], np.float32)  # held low: keystone
    photo = on_background(page, corners, size, table_surface(size, rng))
    photo = uneven_light(photo, rng, shadow=True).filter(ImageFilter.GaussianBlur(1.3))
    stored = photo.rotate(90, expand=True)  # the sensor's way up; EXIF 6 says turn it 90° clockwise
    return jpeg(stored, 70, orientation=6)


def make_fax(page: Image.Image, rng: random.Random, work: Path) -> bytes:
    grey = page.convert("L").resize((page.width * 2 // 3, page.height * 2 // 3), Image.Resampling.LANCZOS)
    grey = _lose_a_rule(grey)
    grey = grey.rotate(0.4, resample=Image.Resampling.BILINEAR, fillcolor=255)
    data = np.array(grey, np.float32) + np.random.default_rng(rng.randrange(1 << 30)).normal(
        0, 14, grey.size[::-1]
    )
    bits = Image.fromarray((data > 165).astype(np.uint8) * 255).convert("1")
    path = work / "fax.tif"
    bits.save(path, "TIFF", compression="group4", dpi=(200, 200))
    return path.read_bytes()


def _lose_a_rule(grey: Image.Image) -> Image.Image:
    """The vertical rule between 性别 and 单位 lost in transmission (a streak of the fax's scanner)."""
    arr = np.array(grey)
    dark = (arr < 128).astype(np.int32)
    h, w = arr.shape
    columns = dark[int(h * 0.15) : int(h * 0.6)].sum(axis=0)
    rules = [
        x
        for x in range(1, w - 1)
        if columns[x] > 0.25 * (0.45 * h) and columns[x] >= columns[x - 1] and columns[x] >= columns[x + 1]
    ]
    xs = sorted({x for x in rules})
    groups: list[list[int]] = []
    for x in xs:
        if groups and x - groups[-1][-1] <= 3:
            groups[-1].append(x)
        else:
            groups.append([x])
    if len(groups) >= 3:
        third = groups[2]
        x0, x1 = third[0] - 2, third[-1] + 3
        arr[:, x0:x1] = np.maximum(arr[:, x0:x1], 245)
    return Image.fromarray(arr)


def make_desk_photo(page: Image.Image, rng: random.Random) -> bytes:
    page = paper_tone(
        page.resize((page.width * 4 // 5, page.height * 4 // 5), Image.Resampling.LANCZOS),
        rng,
        (250, 248, 242),
    )
    size = (4000, 3000)  # 12 Mpx, the page lying at an angle in the middle of the desk
    pw, ph = page.size
    angle = math.radians(-12)
    cx, cy = 1950, 1500
    base = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]], np.float32)
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
    corners = base @ rot.T
    corners[:, 0] *= 1.0 + 0.10 * (corners[:, 1] / (ph / 2))  # farther edge narrower: an angled view
    corners[:, 1] *= 0.86
    corners += np.array([cx, cy], np.float32)
    photo = on_background(page, corners, size, wood(size, rng))
    draw = ImageDraw.Draw(photo)
    draw.line((3560, 520, 3860, 2500), fill=(30, 40, 120), width=42)  # a pen beside the page
    draw.line((3560, 520, 3580, 660), fill=(200, 200, 205), width=42)
    photo = uneven_light(photo, rng, shadow=False).filter(ImageFilter.GaussianBlur(1.0))
    return jpeg(photo, 82)


def make_two_pages(pages: list[Image.Image], rng: random.Random) -> bytes:
    scanned = []
    for i, page in enumerate(pages):
        grey = paper_tone(turn(page, (-0.7, 0.9)[i % 2]), rng).convert("L")
        scanned.append(grey.convert("RGB"))
    return image_pdf(scanned, DPI, quality=65)


def make_handwritten(page: Image.Image, pdf: Path, roster: Roster, rng: random.Random) -> bytes:
    image = page.copy()
    cells = _cell_boxes(pdf, len(roster.people))
    draw = ImageDraw.Draw(image)
    for i, person in enumerate(roster.people):
        for field in roster.blank_fields:
            c = FIELDS.index(field)
            box = cells[i][c]
            _write_by_hand(draw, person[c], box, field == "mobile", rng)
    return jpeg(paper_tone(image, rng), 85)


def _cell_boxes(pdf: Path, count: int) -> list[list[tuple[float, float, float, float]]]:
    """Each person's row of cells, as (x0, y0, x1, y1) pixels at DPI, from the printed PDF's ruling."""
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        table = page.find_tables()[0]
        scale = DPI / 72
        rows = [[tuple(v * scale for v in c) if c else None for c in row.cells] for row in table.rows]
    body = rows[1 : 1 + count]
    return [[c if c else body[i - 1][j] for j, c in enumerate(row)] for i, row in enumerate(body)]  # type: ignore[misc]  # a merged cell's box is the one above it


def _write_by_hand(
    draw: ImageDraw.ImageDraw,
    text: str,
    box: tuple[float, float, float, float],
    digits: bool,
    rng: random.Random,
) -> None:
    x0, y0, x1, y1 = box
    height = y1 - y0
    size = int(height * (0.40 if digits else 0.62))
    face = ImageFont.truetype(HAND_DIGITS if digits else KAI, size)
    advance = size * (0.50 if digits else 1.02)
    x = x0 + (x1 - x0 - advance * len(text)) / 2 + rng.uniform(-6, 6)
    baseline = y0 + height / 2 + rng.uniform(-4, 4)
    ink = (28, 38, 120)
    for ch in text:
        glyph_size = int(size * rng.uniform(0.9, 1.1))
        glyph = Image.new("L", (glyph_size * 2, glyph_size * 2), 0)
        ImageDraw.Draw(glyph).text(
            (glyph_size, glyph_size), ch, font=face.font_variant(size=glyph_size), fill=255, anchor="mm"
        )
        glyph = glyph.rotate(rng.uniform(-6, 6), resample=Image.Resampling.BICUBIC)
        top = int(baseline - glyph.height / 2 + rng.uniform(-3, 3))
        draw.bitmap((int(x + advance / 2 - glyph.width / 2), top), glyph, fill=ink)
        x += advance * rng.uniform(0.94, 1.06)


def make_sideways(page: Image.Image, rng: random.Random) -> bytes:
    image = paper_tone(page, rng).rotate(90, expand=True)  # the landscape sheet laid on the glass turned
    return _png(image.convert("L").rotate(-0.5, resample=Image.Resampling.BICUBIC, fillcolor=250))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False, dpi=(DPI, DPI))
    return out.getvalue()


def make_set(out: Path, seed: int = 2023) -> dict[str, Path]:
    """Every sample of SET written into out: {filename: path}."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="scan-set-") as tmp:
        work = Path(tmp)
        printed = {
            r.key: print_pdf(r, work) for r in (SICHUAN, HENAN, JIANGSU, SICHUAN_LONG, SICHUAN_HANDWRITTEN)
        }
        paper = {key: rasterise(pdf, DPI, work) for key, pdf in printed.items()}
        data = {
            "scan_seal.pdf": make_scan_seal(paper["sichuan"][0], rng),
            "phone_photo.jpg": make_phone_photo(paper["henan"][0], rng),
            "fax.tif": make_fax(paper["sichuan"][0], rng, work),
            "desk_photo.jpg": make_desk_photo(paper["henan"][0], rng),
            "two_pages.pdf": make_two_pages(paper["sichuan_long"], rng),
            "handwritten.jpg": make_handwritten(
                paper["sichuan_hand"][0], printed["sichuan_hand"], SICHUAN_HANDWRITTEN, rng
            ),
            "sideways.png": make_sideways(paper["jiangsu"][0], rng),
        }
    for name, content in data.items():
        path = out / name
        path.write_bytes(content)
        made[name] = path
    return made


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "scan-set")
    for name, path in make_set(target).items():
        sys.stderr.write(f"{name}: {path.stat().st_size} bytes\n")
