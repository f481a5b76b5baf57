"""Skip a test whose system tool is missing, except in CI (CI set), where a missing tool fails it.

CI installs LibreOffice (.ci/run) and the OCR recogniser (pyproject.toml); a CI run that silently skipped the
legacy-format and OCR tests would prove nothing.
"""

from __future__ import annotations

import os

import pytest

from intake.readers import convert, ocr

PACKAGES = {
    "libreoffice": "libreoffice-writer libreoffice-calc",
    "ocr": "rapidocr onnxruntime (PyPI, in pyproject.toml)",
}


def require(what: str) -> None:
    present = {
        "libreoffice": lambda: convert.available("doc") and convert.available("ods"),
        "ocr": ocr.available,
    }[what]()
    if present:
        return
    message = f"{what} is not installed ({PACKAGES[what]})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI is set: .ci/run must install it")
    pytest.skip(message)
