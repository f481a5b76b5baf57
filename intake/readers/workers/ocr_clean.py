"""OCR image cleaning: grey (the red channel, where a red seal nearly vanishes), despeckled, deskewed.

Also the ink mask and the contrast stretch the table finder and the cell reader work from.
"""

from __future__ import annotations

from PIL import Image, ImageFilter, ImageStat

CUT = 0.4  # contrast(): levels this close to the paper (as a share of the paper-ink span) become white
_COLOUR_MODES = ("RGB", "RGBA", "P", "CMYK", "YCbCr", "LAB", "HSV")


def clean(image: Image.Image) -> tuple[Image.Image, float]:
    """Grey, seal-free, despeckled, deskewed: (image, angle undone)."""
    if image.mode in _COLOUR_MODES:
        image = image.convert("RGB").getchannel("R")  # red seals are light in the red channel
    elif image.mode != "L":
        image = image.convert("L")
    image = image.filter(ImageFilter.MedianFilter(3))
    angle = skew(image)
    if abs(angle) >= 0.05:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return image, angle


def _ink_threshold(gray: Image.Image) -> tuple[int, int, float]:
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


def ink_mask(gray: Image.Image) -> Image.Image:
    """255 where there is ink, 0 for paper."""
    _paper, _ink, threshold = _ink_threshold(gray)
    return gray.point(lambda v: 255 if v < threshold else 0)


def contrast(gray: Image.Image) -> Image.Image:
    """Paper white, and everything nearly as light as it (faint seals, stains, grain) white too."""
    paper, ink, _threshold = _ink_threshold(gray)
    cut = paper - CUT * (paper - ink)
    return gray.point(lambda v: 255 if v >= cut else v)


def skew(gray: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines and rules horizontal, within +-5."""
    mask = ink_mask(gray)
    scale = max(1, mask.width // 800)
    small = mask.resize((mask.width // scale, mask.height // scale), Image.Resampling.BOX)

    def score(angle: float) -> float:
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        return float(ImageStat.Stat(turned.resize((1, turned.height), Image.Resampling.BOX)).var[0])

    best = max((score(a / 2), a / 2) for a in range(-10, 11))[1]
    best = max((score(best + a / 20), best + a / 20) for a in range(-10, 11))[1]
    return best
