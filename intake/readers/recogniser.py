"""Is the OCR recogniser installed here?  PP-OCR's models inside the rapidocr wheel, run by ONNX Runtime.

The OCR reader asks before it takes an image (ocr.available), the PDF reader before it reads a scanned
page; the worker (workers/ocr_engine.py) loads the models by the paths found here.  Looked up without
importing rapidocr or onnxruntime, which load only in the sandbox's worker process.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from pathlib import Path

log = logging.getLogger("intake.readers.ocr")
DETECTION = "PP-OCRv6_det_small.onnx"
RECOGNITION = "PP-OCRv6_rec_small.onnx"
CLASSIFIER = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
MODELS = (DETECTION, RECOGNITION, CLASSIFIER)


def model_dir() -> Path | None:
    """Where the rapidocr wheel keeps its models (None: rapidocr or onnxruntime is not installed)."""
    try:
        spec = importlib.util.find_spec("rapidocr")
        runtime = importlib.util.find_spec("onnxruntime")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or runtime is None:
        return None
    return Path(spec.origin).parent / "models"


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Are rapidocr, onnxruntime and the three models installed (checked once)?"""
    folder = model_dir()
    if folder is None:
        log.warning("rapidocr or onnxruntime is not installed: OCR is off")
        return False
    missing = [name for name in MODELS if not (folder / name).is_file()]
    if missing:
        log.warning("rapidocr is installed without its models %s: OCR is off", ", ".join(missing))
        return False
    return True
