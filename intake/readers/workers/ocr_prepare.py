"""The page before the text: the document found in a photo and flattened, the light evened, the seal's
red taken out, the skew undone, the page cut to its ink.

- Document: in a photo the sheet is the largest bright quadrilateral (Otsu's threshold on a small
  grey copy, the largest outer contour, its four extreme corners).  When it covers between a fifth
  and nearly all of the picture, it is warped to a flat rectangle (OpenCV's perspective transform),
  as wide as its longer top or bottom edge.  A flatbed scan or a fax fills the picture: nothing to do.
- Light and seal: the red channel (a red seal is nearly as light as the paper in it; black print and
  blue handwriting stay dark), divided by the paper's own brightness around each point (a wide
  median of the page), so that a shadow or light falling off towards a corner becomes white paper.
  Levels close to the paper become white (the rest of the seal, grain).
- Skew: the angle within +-5 degrees whose row sums are most uneven (skew), when the page has no ruled table.
- Size: a page is brought to about 300 dpi (the detector's and recogniser's best), never above
  limits.max_image_pixels, and cut to the box around its ink with a margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageStat

Gray = npt.NDArray[np.uint8]
Points = npt.NDArray[Any]  # an OpenCV contour or hull: N x 1 x 2 points
Rgb = npt.NDArray[np.uint8]
TARGET_DPI = 300
SMALL = 800  # the long side of the copy the document and skew are looked for on
MIN_DOCUMENT = 0.20  # a sheet smaller than this share of the photo is not taken for the document
MAX_DOCUMENT = 0.93  # a sheet larger than this fills the picture: a scan
LINE_LEVEL = 215  # a prepared page's paper is white (255): a thin grey rule is darker than this
INSET = 0.012  # the found sheet is cut this much inside its edges
WHITE = 0.90  # levels above this share of the paper's brightness become white; the darkest print black


@dataclass(frozen=True)
class Prepared:
    """The page as the recogniser gets it."""

    image: Rgb  # flattened grey in three channels, upright-skewed as found (orientation is tried later)
    gray: Gray  # the same, one channel (ruling lines are found on it)
    dpi: float  # about what resolution the page now has
    flattened: bool  # a document was found in a photo and its perspective corrected
    angle: float  # the skew undone, degrees


def prepare(image: Image.Image, dpi: float | None, max_pixels: int) -> Prepared:
    """The page ready for detection: document found and flattened, light evened, seal out, deskewed, cut."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    quad = find_document(rgb)
    flattened = quad is not None
    if quad is not None:
        rgb = unwarp(rgb, quad)
    dpi = dpi if dpi and not flattened else guess_dpi(rgb.shape[1], rgb.shape[0])
    rgb, dpi = _resize(rgb, dpi, max_pixels)
    gray = even_light(rgb)
    squared = square_table(gray, dpi)
    angle = 0.0
    if squared is None:
        angle = skew(Image.fromarray(_small(gray)))
        if abs(angle) >= 0.05:
            gray = _rotate(gray, angle)
    else:
        gray = squared
    gray = crop_to_ink(gray, dpi)
    return Prepared(np.dstack([gray] * 3), gray, dpi, flattened, angle)


def guess_dpi(width: int, height: int) -> float:
    """A page is about A4 (8.27 x 11.7 in) whichever way up; a photo's dpi is a guess anyway."""
    return max(72.0, min(600.0, min(width, height) / 8.27, max(width, height) / 11.7))


def _resize(rgb: Rgb, dpi: float, max_pixels: int) -> tuple[Rgb, float]:
    h, w = rgb.shape[:2]
    scale = min(TARGET_DPI / dpi, math.sqrt(max_pixels / max(1, w * h)))
    if 0.87 <= scale <= 1.15:
        return rgb, dpi
    size = (max(1, int(w * scale)), max(1, int(h * scale)))
    method = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(rgb, size, interpolation=method), dtype=np.uint8), dpi * scale


def _small(gray: Gray) -> Gray:
    h, w = gray.shape[:2]
    scale = SMALL / max(h, w)
    if scale >= 1:
        return gray
    return np.asarray(cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA))


def find_document(rgb: Rgb) -> npt.NDArray[np.float32] | None:
    """The sheet's four corners in a photo (top-left, top-right, bottom-right, bottom-left), or None.

    The sheet's edge is where the picture changes from paper to what it lies on, in light or in a
    shadow alike: the largest closed outline of Canny's edges, its convex hull brought down to four
    corners.
    """
    h, w = rgb.shape[:2]
    scale = SMALL / max(h, w)
    small = cv2.resize(rgb, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    gray = np.asarray(cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0), dtype=np.uint8)
    edges = cv2.dilate(cv2.Canny(gray, 20, 60), np.ones((3, 3), np.uint8))
    contours, _hierarchy = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull: Points = np.asarray(cv2.convexHull(max(contours, key=lambda c: cv2.contourArea(cv2.convexHull(c)))))
    share = cv2.contourArea(hull) / float(small.shape[0] * small.shape[1])
    if not MIN_DOCUMENT <= share <= MAX_DOCUMENT or _touches_border(hull, small.shape[1], small.shape[0]):
        return None
    if not _lies_on_something(gray, hull):
        return None  # the outline of a table on white paper: a scan, not a photo
    corners = _four_corners(hull)
    return None if corners is None else corners / scale


def _lies_on_something(gray: Gray, hull: Points) -> bool:
    """Is what is around the outline darker than the paper inside it (a desk, a table), not more paper?"""
    inside = np.zeros_like(gray)
    cv2.drawContours(inside, [hull], -1, 255, thickness=cv2.FILLED)
    ring = np.asarray(cv2.dilate(inside, np.ones((15, 15), np.uint8)), dtype=np.uint8) & ~inside
    if not ring.any():
        return False
    paper = float(np.percentile(gray[inside > 0], 90))
    around = float(np.median(gray[ring > 0]))
    return around < 0.8 * paper


def _four_corners(hull: Points) -> npt.NDArray[np.float32] | None:
    """The hull simplified to four corners, in order (None when it will not come down to four)."""
    perimeter = cv2.arcLength(hull, True)
    for share in (0.02, 0.03, 0.05, 0.08):
        poly = cv2.approxPolyDP(hull, share * perimeter, True).reshape(-1, 2).astype(np.float32)
        if len(poly) == 4:
            total, diff = poly.sum(axis=1), poly[:, 0] - poly[:, 1]
            return np.array(
                [poly[total.argmin()], poly[diff.argmax()], poly[total.argmax()], poly[diff.argmin()]],
                dtype=np.float32,
            )
    return None


def _touches_border(contour: Points, width: int, height: int, edges: int = 2) -> bool:
    """Does the outline run along `edges` or more edges of the picture (then it is no sheet, no table)?"""
    x, y, w, h = cv2.boundingRect(contour)
    touching = (x <= 2) + (y <= 2) + (x + w >= width - 2) + (y + h >= height - 2)
    return bool(touching >= edges)


def unwarp(rgb: Rgb, corners: npt.NDArray[np.float32]) -> Rgb:
    """The sheet inside corners as a flat rectangle (its longer edges kept)."""
    centre = corners.mean(axis=0)
    corners = centre + (corners - centre) * (1 - INSET)  # the sheet's edge and what it lies on left out
    tl, tr, br, bl = corners
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    flat = cv2.warpPerspective(
        rgb, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(flat, dtype=np.uint8)


def even_light(rgb: Rgb) -> Gray:
    """The red channel over the paper's brightness around each point: shadows and a seal's red become white."""
    red = rgb[:, :, 0]
    h, w = red.shape
    k = max(3, (min(h, w) // 40) | 1)
    small = cv2.resize(red, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    paper = cv2.medianBlur(cv2.dilate(small, np.ones((5, 5), np.uint8)), max(3, (k // 4) | 1))
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    ratio = red.astype(np.float32) / np.maximum(paper, 1.0)
    out = ratio / WHITE
    return np.asarray(np.clip(out * 255.0, 0, 255), dtype=np.uint8)


def square_table(gray: Gray, dpi: float) -> Gray | None:
    """The page warped so that the table's outer border is a rectangle (turn, keystone and skew undone
    together), or None when there is no ruled table as large as a third of the page's width."""
    corners = table_corners(gray, dpi)
    if corners is None:
        return None
    tl, tr, br, bl = corners
    width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([tl, tl + (width, 0), tl + (width, height), tl + (0, height)], dtype=np.float32)
    if float(np.abs(target - corners).max()) < 1.5:
        return gray  # square already
    matrix = cv2.getPerspectiveTransform(corners, target)
    h, w = gray.shape
    flat = cv2.warpPerspective(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255,))
    return np.asarray(flat, dtype=np.uint8)


def table_corners(gray: Gray, dpi: float) -> npt.NDArray[np.float32] | None:
    """The corners of the largest connected grid of ruling lines (top-left, top-right, bottom-right,
    bottom-left), or None."""
    ink = cv2.dilate(line_mask(gray), np.ones((3, 3), np.uint8))
    k = max(12, int(dpi / 8))
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    lines = np.asarray(cv2.bitwise_or(across, down), dtype=np.uint8)
    contours, _hierarchy = cv2.findContours(lines, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    height, width = gray.shape
    inner = [c for c in contours if not _touches_border(c, width, height, edges=1)]
    if not inner:
        return None
    grid = max(inner, key=lambda c: cv2.boundingRect(c)[2] * cv2.boundingRect(c)[3])
    _x, _y, w, h = cv2.boundingRect(grid)
    if w < gray.shape[1] / 3 or h < dpi / 2:
        return None
    points = grid.reshape(-1, 2).astype(np.float32)
    total, diff = points.sum(axis=1), points[:, 0] - points[:, 1]
    return np.array(
        [points[total.argmin()], points[diff.argmax()], points[total.argmax()], points[diff.argmin()]],
        dtype=np.float32,
    )


def ink_mask(gray: Gray) -> Gray:
    """255 where there is ink: darker than Otsu's threshold between the paper and the print."""
    level, _mask = cv2.threshold(gray[::2, ::2], 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    level = 128 if level < 64 else min(level, 235)  # a page of pure black and white: Otsu says 0
    return np.asarray((gray < level).astype(np.uint8) * 255, dtype=np.uint8)


def line_mask(gray: Gray) -> Gray:
    """255 where a ruling line may be: anything a little darker than the paper (thin grey rules too)."""
    return np.asarray((gray < LINE_LEVEL).astype(np.uint8) * 255, dtype=np.uint8)


def _rotate(gray: Gray, angle: float) -> Gray:
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255,))
    return np.asarray(turned, dtype=np.uint8)


def crop_to_ink(gray: Gray, dpi: float) -> Gray:
    """The page cut to the box around its ink, with a margin of a fifth of an inch (all of it when blank)."""
    ink = cv2.morphologyEx(ink_mask(gray), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)) > 0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return gray
    margin = int(dpi / 5)
    top, bottom = max(0, rows[0] - margin), min(gray.shape[0], rows[-1] + margin)
    left, right = max(0, cols[0] - margin), min(gray.shape[1], cols[-1] + margin)
    return np.ascontiguousarray(gray[top:bottom, left:right])


def turn(prepared: Prepared, quarter_turns: int) -> Prepared:
    """The page turned by quarter_turns x 90 degrees counter-clockwise."""
    if quarter_turns % 4 == 0:
        return prepared
    gray = np.ascontiguousarray(np.rot90(prepared.gray, quarter_turns % 4))
    return Prepared(np.dstack([gray] * 3), gray, prepared.dpi, prepared.flattened, prepared.angle)


def skew(page: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines horizontal, within +-5: the
    angle whose row sums of ink are most uneven (projection profiles), to a twentieth of a degree."""
    mask = Image.fromarray(ink_mask(np.asarray(page.convert("L"), dtype=np.uint8)))

    def score(angle: float) -> float:
        turned = mask.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        return float(ImageStat.Stat(turned.resize((1, turned.height), Image.Resampling.BOX)).var[0])

    best = max((score(a / 2), a / 2) for a in range(-10, 11))[1]
    return max((score(best + a / 20), best + a / 20) for a in range(-10, 11))[1]
