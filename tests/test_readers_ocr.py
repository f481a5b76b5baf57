"""Scans and photos read by OCR (PP-OCR through RapidOCR and ONNX Runtime, in the sandboxed worker): a
stamped, noisy, slightly turned scan of the LibreOffice PDF; bounds; no network; without the recogniser.

The scan set made the way scans and photos arise is read in tests/test_ocr_scans.py; the page and table
work without the models in tests/test_ocr_layout.py."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image
from pytest import MonkeyPatch

from intake.extract.receipt import extract
from intake.pipeline.process import Context, process, process_attachment
from intake.readers import ocr, read_attachment
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits
from mailer.compose.reply import OCR_NOTE, render_reply
from tests.data.legacy.make_fixtures import COLUMNS, HEADER_LINES, PEOPLE, TITLE
from tests.data.legacy.needs import require
from tests.data.readers.builders import TIME_LIMIT, unreadable
from tests.helpers import CST, notice
from tests.mailbuilder import MessageBuilder

DATA = Path(__file__).parent / "data" / "legacy"
LIMITS = Limits()
WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
FIELDS = ("name", "gender", "unit", "title", "mobile", "email", "arrival", "leader")
EXPECTED = [COLUMNS, *PEOPLE]


@pytest.fixture
def recogniser() -> None:
    require("ocr")


@pytest.fixture(scope="module")
def scan_grid() -> Grid | None:
    if not ocr.available():
        return None
    [grid] = read_attachment("盖章扫描件.pdf", (DATA / "receipt_scan.pdf").read_bytes(), LIMITS)
    return grid


@pytest.fixture(scope="module")
def photo() -> bytes:
    """The scan as a phone would send it: a JPEG of the page at 200 dpi."""
    import pypdfium2

    document = pypdfium2.PdfDocument((DATA / "receipt_scan.pdf").read_bytes())
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def cells(grid: Grid) -> list[list[str]]:
    return [["" if v is None else "".join(str(v).split()) for v in row] for row in grid.filled()]


def accuracy(grid: Grid) -> tuple[float, list[tuple[int, int]]]:
    """Share of the expected table's cells read exactly, and the (row, col) of the others."""
    got = cells(grid)
    wrong = []
    for r, row in enumerate(EXPECTED):
        for c, value in enumerate(row):
            seen = got[r][c] if r < len(got) and c < len(got[r]) else ""
            if seen != "".join(value.split()):
                wrong.append((r, c))
    total = sum(len(row) for row in EXPECTED)
    return (total - len(wrong)) / total, wrong


@pytest.mark.ocr
def test_scanned_pdf_is_read_into_the_table_with_90_percent_of_cells_exact(
    recogniser: None, scan_grid: Grid | None
) -> None:
    grid = scan_grid
    assert grid is not None
    assert (grid.kind, grid.ocr, grid.part) == ("ocr", True, "表格1")
    assert Merge(2, 2, 3, 2) in grid.merges  # the merged 单位 cell, from the missing rule
    share, wrong = accuracy(grid)
    assert share >= 0.90, (share, wrong, cells(grid))
    assert cells(grid)[0] == COLUMNS
    assert all(cells(grid)[r][4] == EXPECTED[r][4] for r in range(1, len(EXPECTED)))  # every mobile


@pytest.mark.ocr
def test_scanned_pdf_keeps_the_header_lines_above_the_table(recogniser: None, scan_grid: Grid | None) -> None:
    assert scan_grid is not None
    lines = ["".join(t.replace(":", "：").split()) for t in scan_grid.lines]
    assert TITLE in lines
    assert HEADER_LINES[0] in lines and HEADER_LINES[1] in lines


@pytest.mark.ocr
def test_every_cell_read_wrong_is_flagged_to_the_sender(recogniser: None, scan_grid: Grid | None) -> None:
    v = process_attachment(
        "盖章扫描件.pdf",
        (DATA / "receipt_scan.pdf").read_bytes(),
        Context(notice()),
        mailbox="yaoy@moe.edu.cn",
        received=WHEN,
    ).verdict
    assert (v.program, v.period, v.province, v.ocr) == ("zz-student", 1, "河南", True)
    flagged = {(p.row, p.field) for p in v.problems if p.row}
    assert scan_grid is not None
    _share, wrong = accuracy(scan_grid)
    for r, c in wrong:
        if r > 0:  # a participant's cell (row r of the grid is row r + 1 for the sender)
            assert (r + 1, FIELDS[c]) in flagged, (r, c, cells(scan_grid)[r][c], v.problems)
    uncertain = [p for p in v.problems if p.code == "ocr_uncertain"]
    assert uncertain and all(p.severity == "warning" for p in uncertain)
    assert len(uncertain) <= 8  # honest, not a warning on every cell


@pytest.mark.ocr
def test_the_reply_says_plainly_that_the_roster_was_read_by_ocr(recogniser: None) -> None:
    v = process_attachment(
        "盖章扫描件.pdf",
        (DATA / "receipt_scan.pdf").read_bytes(),
        Context(notice()),
        mailbox="yaoy@moe.edu.cn",
        received=WHEN,
    ).verdict
    text, html = render_reply(v, notice())
    assert OCR_NOTE in text and "请逐项核对" in text
    assert "报名名单" in text and "13838012345" in text  # the roster it read is shown
    assert "扫描件" in html


@pytest.mark.ocr
def test_a_photo_of_the_receipt_is_read_too(recogniser: None, photo: bytes) -> None:
    [grid] = read_attachment("IMG_2041.JPG", photo, LIMITS)
    assert grid.ocr and grid.kind == "ocr"
    share, _wrong = accuracy(grid)
    assert share >= 0.85


@pytest.mark.ocr
def test_png_is_read(recogniser: None, photo: bytes) -> None:
    out = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(out, "PNG")
    [grid] = read_attachment("回执.png", out.getvalue(), LIMITS)
    assert cells(grid)[1][4] == "13838012345"


def receipt_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([TITLE])
    for line in HEADER_LINES:
        ws.append([line])
    ws.append(COLUMNS)
    for person in PEOPLE:
        ws.append(person)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.ocr
def test_a_stamped_scan_beside_the_xlsx_the_xlsx_wins_and_the_scan_is_the_record(recogniser: None) -> None:
    raw = (
        MessageBuilder(
            sender="hn@haedu.gov.cn",
            sender_name="王喆",
            to="yaoy@moe.edu.cn",
            subject="河南省报名回执",
            client="qq",
        )
        .text("附件是报名回执和盖章扫描件。")
        .attach("河南省报名回执.xlsx", receipt_xlsx())
        .attach("回执盖章扫描件.pdf", (DATA / "receipt_scan.pdf").read_bytes())
        .build()
    )
    outcome = process(raw, Context(notice()), mailbox="yaoy@moe.edu.cn", received=WHEN)
    v = outcome.verdict
    assert v.source.startswith("河南省报名回执.xlsx") and v.ocr is False
    assert [p.name for p in v.participants] == [p[0] for p in PEOPLE]
    assert not [p for p in v.problems if p.code in ("ocr_uncertain", "unreadable_attachment")]


def test_extract_prefers_an_editable_grid_to_an_ocr_grid_of_the_same_table() -> None:
    people: list[list[CellValue]] = [list(p) for p in PEOPLE]
    rows: list[list[CellValue]] = [[TITLE], [HEADER_LINES[0]], [HEADER_LINES[1]], list(COLUMNS), *people]
    scan = Grid(
        source="扫描件.pdf",
        part="表格1",
        rows=[list(r) for r in rows] + [["多识别出的一行", "男"]],
        kind="ocr",
        ocr=True,
    )
    sheet = Grid(source="回执.xlsx", part="Sheet1", rows=[list(r) for r in rows], kind="xlsx")
    for grids in ([scan, sheet], [sheet, scan]):
        receipt = extract(grids, year=2023)
        assert receipt is not None and receipt.source == "回执.xlsx#Sheet1" and receipt.ocr is False


def test_an_ocr_grid_alone_marks_the_receipt_and_its_uncertain_cells() -> None:
    rows: list[list[CellValue]] = [[HEADER_LINES[0]], list(COLUMNS), list(PEOPLE[0]), list(PEOPLE[1])]
    confidence = {(r, c): 0.95 for r in range(4) for c in range(8)}
    confidence[(2, 0)] = 0.2  # a name OCR was unsure of
    confidence[(3, 4)] = 0.8  # a mobile: 0.8 is not sure enough for digits
    grid = Grid(source="扫描件.pdf", part="表格1", rows=rows, kind="ocr", ocr=True, confidence=confidence)
    receipt = extract([grid], year=2023)
    assert receipt is not None
    assert receipt.ocr is True
    assert [r.uncertain for r in receipt.rows] == [["name"], ["mobile"]]


# --- bounds, no network, and without the recogniser ------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


@pytest.mark.ocr
def test_an_image_over_the_pixel_limit_is_too_large_before_it_is_decoded(recogniser: None) -> None:
    error = unreadable(lambda: read_attachment("回执.png", png_header(100_000, 100_000), LIMITS), "too_large")
    assert "pixels" in error.detail  # refused from the header's size, before any pixel is decoded


@pytest.mark.ocr
def test_ocr_over_its_time_is_too_large(recogniser: None) -> None:
    error = unreadable(
        lambda: read_attachment(
            "扫描件.pdf",
            (DATA / "receipt_scan.pdf").read_bytes(),
            Limits(conversion_timeout_s=1, ocr_timeout_s=1),
        ),
        "too_large",
    )
    assert TIME_LIMIT.search(error.detail), error.detail  # stopped by its time limit, not by memory


@pytest.mark.parametrize("name", ["回执.jpg", "回执.png"])
def test_without_the_recogniser_images_are_refused_as_before(
    monkeypatch: MonkeyPatch, photo: bytes, name: str
) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    unreadable(lambda: read_attachment(name, photo, LIMITS), "unsupported")


NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network use during OCR")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import numpy as np
from intake.readers.workers.ocr_engine import detect, engine, recognise
page = np.full((120, 480, 3), 255, dtype=np.uint8)
import cv2
cv2.putText(page, "13808012345", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
boxes = recognise(page, detect(page))
print(engine().cfg.Rec.model_path)
print("|".join(b.text for b in boxes))
"""


@pytest.mark.ocr
def test_the_models_load_from_the_wheel_by_path_and_nothing_touches_the_network(recogniser: None) -> None:
    """A worker with every socket refused still loads the three models and reads a line of digits."""
    import subprocess
    import sys

    from intake.readers.recogniser import RECOGNITION, model_dir

    proc = subprocess.run(
        [sys.executable, "-c", NO_NETWORK],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    path, text = proc.stdout.strip().splitlines()[-2:]
    assert Path(path) == model_dir() / RECOGNITION  # type: ignore[operator]  # model_dir() is a Path when OCR is on
    assert text == "13808012345"


@pytest.mark.ocr
def test_a_page_is_read_inside_the_worker_memory_limit(recogniser: None, photo: bytes) -> None:
    """The models and one page fit the sandbox's default address-space limit; a much smaller one is refused."""
    [grid] = read_attachment("IMG_2041.JPG", photo, LIMITS)
    assert grid.ocr and LIMITS.max_worker_memory_bytes == 3 * 1024**3
    unreadable(
        lambda: read_attachment("IMG_2041.JPG", photo, Limits(max_worker_memory_bytes=300 * 1024**2)),
        "too_large",
    )


@pytest.mark.ocr
def test_a_blank_page_is_empty_not_broken(recogniser: None) -> None:
    """The back of a sheet scanned too: no text line anywhere, so it is not turned and read again."""
    page = io.BytesIO()
    Image.new("RGB", (2480, 3508), "white").save(page, "JPEG", quality=90)
    error = unreadable(lambda: read_attachment("扫描件背面.jpg", page.getvalue(), LIMITS), "empty")
    assert "ocr" in error.detail


@pytest.mark.ocr
def test_a_page_over_the_worker_memory_limit_is_too_large_not_corrupt(recogniser: None, photo: bytes) -> None:
    """ONNX Runtime's std::bad_alloc under the worker's address-space limit is the limit, not a broken file."""
    tight = Limits(max_worker_memory_bytes=int(1.5 * 1024**3))
    error = unreadable(lambda: read_attachment("IMG_2041.JPG", photo, tight), "too_large")
    assert "memory" in error.detail
