"""PP-OCR through RapidOCR and ONNX Runtime: the text boxes on a page, each with its text and confidence.

The three models (PP-OCRv6 small detection and recognition, the PP-OCR mobile 0/180 line
classifier; Apache-2.0, Baidu's PaddleOCR) ship inside the rapidocr wheel.  Their paths are given to
RapidOCR explicitly, so it never looks for them elsewhere and never downloads anything; the
recognition model carries its own character list.  Loaded once per worker process (about a second).

A box's confidence is its least confident character's probability, not the line's mean: one
doubtful digit in a mobile must show.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from intake.errors import UnreadableAttachment
from intake.readers.recogniser import CLASSIFIER, DETECTION, RECOGNITION, model_dir

from .ocr_text import tidy

log = logging.getLogger("intake.readers.ocr")
MAX_SIDE = 3000  # the detector works on the page at most this long (a 300 dpi A4 page, cropped to its ink)
BOX_THRESHOLD = 0.5  # a text box the detector is less sure of is a speck (or a seal's remains)
THREADS = 2  # ONNX Runtime threads per worker: one message is read at a time

Image = npt.NDArray[np.uint8]  # H x W x 3, RGB
Quad = npt.NDArray[np.float32]  # 4 x 2: top-left, top-right, bottom-right, bottom-left


@dataclass(frozen=True)
class TextBox:
    """One line of text the recogniser found: what it read, how sure it was, and where."""

    text: str
    conf: float  # the least confident character (0.0-1.0)
    x0: float
    y0: float
    x1: float
    y1: float
    chars: tuple[tuple[str, float, float], ...] = ()  # (character, x centre, probability), spaces left out

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@functools.lru_cache(maxsize=1)
def engine() -> Any:  # rapidocr.RapidOCR: the library has no type hints
    """The RapidOCR engine with its models named by path (nothing is looked up or downloaded)."""
    folder = model_dir()
    if folder is None:
        raise UnreadableAttachment("", "unsupported", "rapidocr and onnxruntime are not installed")
    threads = max(1, min(THREADS, os.cpu_count() or 1))
    params = {
        "Global.log_level": "error",
        "Global.max_side_len": MAX_SIDE,
        "Global.use_cls": False,
        "Det.model_path": str(folder / DETECTION),
        "Det.box_thresh": BOX_THRESHOLD,
        "Rec.model_path": str(folder / RECOGNITION),
        "Cls.model_path": str(folder / CLASSIFIER),
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    try:
        from rapidocr import RapidOCR  # noqa: PLC0415 - heavy (ONNX Runtime, OpenCV): only in the worker

        return RapidOCR(params=params)
    except Exception as exc:  # ONNX Runtime's own errors, a library that did not fit the worker's memory
        raise UnreadableAttachment("", "too_large", f"the OCR models could not be loaded: {exc}") from exc


def detect(image: Image) -> list[Quad]:
    """The text lines' quadrilaterals on the page, top to bottom."""
    found = engine()(image, use_cls=False, use_rec=False)
    boxes = getattr(found, "boxes", None)
    if boxes is None:
        return []
    quads = [np.asarray(b, dtype=np.float32) for b in boxes]
    return sorted(quads, key=lambda q: (float(q[:, 1].min()), float(q[:, 0].min())))


def crops(image: Image, quads: list[Quad]) -> list[Image]:
    """Each line cut out straight (a line taller than wide is turned, as RapidOCR does)."""
    from rapidocr.utils.process_img import get_rotate_crop_image  # noqa: PLC0415 - worker only

    return [get_rotate_crop_image(image, q.copy()) for q in quads]


def upside_down_share(pieces: list[Image]) -> float:
    """The share of lines the 0/180 classifier says are upside down (weighted by its confidence)."""
    if not pieces:
        return 0.0
    result = engine().cls_and_rotate(pieces)[1]
    labels = getattr(result, "cls_res", None) or []
    turned = sum(score for label, score in labels if str(label) == "180")
    return float(turned) / len(pieces)


def recognise(image: Image, quads: list[Quad]) -> list[TextBox]:
    """Each quad's text read, with its least confident character and its characters' positions."""
    if not quads:
        return []
    pieces = crops(image, quads)
    ocr = engine()
    ocr.return_word_box = True
    result = ocr.recognize_txt(pieces)
    out = []
    for quad, text, info in zip(quads, result.txts, result.word_results, strict=False):
        if text.strip():
            out.append(_box(quad, text, info))
    return out


def _box(quad: Quad, text: str, info: Any) -> TextBox:
    confs = [float(c) for c in (getattr(info, "confs", None) or [0.0])]
    xs, ys = quad[:, 0], quad[:, 1]
    chars = _chars(quad, text, info, confs)
    letters = [
        p for ch, p in zip(text, confs, strict=False) if not ch.isspace()
    ]  # a space's doubt is no doubt
    return TextBox(
        text=tidy(text.strip()),
        conf=min(letters or confs or [0.0]),
        x0=float(xs.min()),
        y0=float(ys.min()),
        x1=float(xs.max()),
        y1=float(ys.max()),
        chars=chars,
    )


def _chars(quad: Quad, text: str, info: Any, confs: list[float]) -> tuple[tuple[str, float, float], ...]:
    """(character, x on the page, probability) for each non-space character, from the CTC columns."""
    columns = [c for cols in (getattr(info, "word_cols", None) or []) for c in cols]
    span = float(getattr(info, "line_txt_len", 0.0) or 0.0)
    letters = [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    if span <= 0 or len(columns) != len(letters):
        return ()
    left = (quad[0] + quad[3]) / 2
    right = (quad[1] + quad[2]) / 2
    out = []
    for (i, ch), col in zip(letters, columns, strict=True):
        share = min(1.0, (col + 0.5) / span)
        x = float(left[0] + share * (right[0] - left[0]))
        out.append((ch, x, confs[i] if i < len(confs) else 0.0))
    return tuple(out)
