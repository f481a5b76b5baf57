"""The worker for a scan or photo (JPEG, PNG, TIFF, BMP, WEBP): each page read by OCR (ocr_read), a
roster over several pages of a TIFF joined (ocr_join)."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from intake.errors import UnreadableAttachment
from intake.readers.grid import Grid
from intake.readers.limits import Limits

from . import Job, ReadInWorker
from .ocr_join import join_pages
from .ocr_load import page_reader


def read_in_worker(data: bytes, job: Job, deadline: float) -> list[Grid]:
    """A grid per page with text (a multi-page TIFF has a part per page: 第2页)."""
    frames = load_images(data, job.name, job.limits)
    pages: list[Grid | None] = []
    read_page = page_reader(job.name)
    for index, frame in enumerate(frames):
        part = "" if len(frames) == 1 else f"第{index + 1}页"
        pages.append(read_page(frame, job.name, part, job.limits, deadline, _dpi(frame)))
    return join_pages(pages)


def _dpi(image: Image.Image) -> float | None:
    """The resolution the file says it has, when it says one a scanner would (a camera says 72)."""
    found = image.info.get("dpi")
    try:
        dpi = float(found[0]) if found else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return dpi if 100 <= dpi <= 1200 else None


def load_images(data: bytes, name: str, limits: Limits) -> list[Image.Image]:
    """The image (each page of a multi-page TIFF, up to limits.max_pdf_pages) upright, within
    limits.max_image_pixels (a JPEG up to 4x larger is decoded at half or quarter scale)."""
    image = _open(data, name, limits)
    try:
        return _frames(image, name, limits)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UnreadableAttachment(name, "corrupt", f"image: {exc}") from exc


def _open(data: bytes, name: str, limits: Limits) -> Image.Image:
    """The image opened (not yet decoded), refused when it has more than limits.max_image_pixels."""
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
    return image


def _frames(image: Image.Image, name: str, limits: Limits) -> list[Image.Image]:
    """Each page of the image decoded and turned upright by its EXIF orientation."""
    frames = []
    for index in range(min(getattr(image, "n_frames", 1), limits.max_pdf_pages)):
        image.seek(index)
        if image.size[0] * image.size[1] > limits.max_image_pixels:
            raise UnreadableAttachment(name, "too_large", f"page {index + 1}: {image.size} pixels")
        image.load()
        frames.append(ImageOps.exif_transpose(image.copy()))
    return frames


_READ: ReadInWorker = read_in_worker  # the signature the sandbox calls, checked by mypy
