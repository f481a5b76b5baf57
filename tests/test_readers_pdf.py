"""PDF with a text layer (exported by LibreOffice, as Word and WPS export it), and hostile PDFs."""

from __future__ import annotations

import io
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from pytest import MonkeyPatch

from intake.errors import UnreadableAttachment
from intake.pipeline.process import Context, process_attachment
from intake.readers import ocr, read_attachment
from intake.readers.grid import Grid, Merge
from intake.readers.limits import Limits
from intake.readers.workers import pdf_text
from intake.readers.workers.pdf_tables import join_wrapped
from tests.data.legacy.make_fixtures import COLUMNS, HEADER_LINES, PEOPLE, TITLE, long_people
from tests.data.readers.builders import TIME_LIMIT, unreadable
from tests.guard import finishes
from tests.helpers import CST, notice

DATA = Path(__file__).parent / "data" / "legacy"
LIMITS = Limits()
WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def table(grid: Grid) -> list[list[str]]:
    return [[str(v) if v is not None else "" for v in row] for row in grid.filled()]


def test_exported_pdf_gives_the_table_its_merges_and_the_lines_above_it() -> None:
    [grid] = read_attachment("回执.pdf", fixture("receipt.pdf"), LIMITS)
    assert (grid.source, grid.part, grid.kind, grid.ocr, grid.confidence) == (
        "回执.pdf",
        "表格1",
        "pdf",
        False,
        {},
    )
    assert grid.lines[:4] == ["附件2", TITLE, *HEADER_LINES]
    assert grid.lines[-1].startswith("联系人：王喆")
    assert grid.rows[0] == COLUMNS
    assert table(grid)[1:] == PEOPLE  # wrapped cells joined: 开封市中等职业学校, 2023-06-19 15:30
    assert Merge(2, 2, 3, 2) in grid.merges and grid.rows[3][2] is None


def test_pdf_is_recognised_by_content_whatever_the_name() -> None:
    [grid] = read_attachment("回执.xlsx", fixture("receipt.pdf"), LIMITS)
    assert grid.kind == "pdf"


def test_the_whole_pipeline_reads_the_roster_from_the_pdf() -> None:
    v = process_attachment(
        "回执.pdf", fixture("receipt.pdf"), Context(notice()), mailbox="yaoy@moe.edu.cn", received=WHEN
    ).verdict
    assert (v.program, v.period, v.province, v.ocr) == ("zz-student", 1, "河南", False)
    assert [(p.name, p.unit, p.mobile, p.email, p.arrival) for p in v.participants] == [
        (p[0], p[2], p[4], p[5], p[6]) for p in PEOPLE
    ]  # the arrival as written, and read as a time
    assert [p.arrival_at for p in v.participants] == [datetime.fromisoformat(p[6]) for p in PEOPLE]
    assert {p.code for p in v.problems} == {"quota_exceeded"}


def test_a_table_running_over_three_pages_is_one_grid() -> None:
    [grid] = read_attachment("回执.pdf", fixture("receipt_long.pdf"), LIMITS)
    assert grid.rows[0] == COLUMNS
    assert table(grid)[1:] == long_people()


def test_a_table_without_borders_is_rebuilt_from_word_positions() -> None:
    [grid] = read_attachment("回执.pdf", fixture("receipt_unruled.pdf"), LIMITS)
    assert grid.rows[0] == COLUMNS
    assert HEADER_LINES[0] in grid.lines
    rows = table(grid)
    assert rows[1] == PEOPLE[0]
    assert rows[-1] == PEOPLE[-1]


def test_password_protected_pdf_is_encrypted() -> None:
    unreadable(lambda: read_attachment("回执.pdf", fixture("receipt_encrypted.pdf"), LIMITS), "encrypted")


def test_truncated_pdf_is_corrupt_or_still_read() -> None:
    data = fixture("receipt.pdf")
    for cut in (200, len(data) // 2):
        try:
            grids = read_attachment("回执.pdf", data[:cut], LIMITS)
        except Exception as exc:  # noqa: BLE001 - any refusal must be UnreadableAttachment
            assert type(exc) is UnreadableAttachment and exc.reason in ("corrupt", "empty")
        else:
            assert grids


def blank_pdf(pages: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    first, *rest = [Image.new("L", (20, 20), 255) for _ in range(pages)]
    first.save(out, "PDF", save_all=True, append_images=rest)
    return out.getvalue()


def test_more_pages_than_allowed_is_refused_before_any_is_read() -> None:
    error = unreadable(
        lambda: read_attachment("回执.pdf", blank_pdf(12), Limits(max_pdf_pages=10)), "too_large"
    )
    assert "12 pages" in error.detail


def pdf_with_page_tree(count: int) -> bytes:
    """A PDF whose page tree claims count pages (one real Kid): a page-count bomb."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [3 0 R] >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    return _assemble(objects)


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_page_tree_claiming_ten_million_pages_costs_nothing() -> None:
    # pdfium counts the pages it can reach (one), not the /Count the file claims: the worker
    # reads one page (and does not refuse the file as too many pages).
    data = pdf_with_page_tree(10_000_000)
    assert pdf_text._page_count(pdf_text._open(data, "回执.pdf"), "回执.pdf", LIMITS) == 1
    try:
        finishes(lambda: read_attachment("回执.pdf", data, LIMITS), "reading the ten-million-page PDF")
    except Exception as exc:  # noqa: BLE001 - a blank page: no table
        assert type(exc).__name__ == "UnreadableAttachment"


def content_bomb(inflated_mb: int) -> bytes:
    """One page whose content stream is a few hundred KB of flate that inflates to inflated_mb MB."""
    packer = zlib.compressobj(9)
    chunk = b"0 0 m 1 1 l S\n" * (2**20 // 14)
    stream = b"".join(packer.compress(chunk) for _ in range(inflated_mb)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return _assemble(objects)


@pytest.mark.slow
def test_a_content_stream_bomb_is_stopped_by_the_time_limit() -> None:
    data = content_bomb(400)
    assert len(data) < 3 * 2**20
    limits = Limits(conversion_timeout_s=4, ocr_timeout_s=4)
    error = unreadable(lambda: read_attachment("回执.pdf", data, limits), "too_large")
    assert TIME_LIMIT.search(error.detail), (
        error.detail
    )  # the sandbox's time limit or the worker's own deadline


def test_a_scanned_pdf_without_ocr_is_unsupported(monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    error = unreadable(
        lambda: read_attachment("扫描件.pdf", fixture("receipt_scan.pdf"), LIMITS), "unsupported"
    )
    assert "OCR" in error.detail


def test_a_pdf_without_text_or_table_gives_no_receipt(monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    unreadable(lambda: read_attachment("空白.pdf", blank_pdf(1), LIMITS), "unsupported")


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("开封市中等职业学\n校", "开封市中等职业学校"),
        ("2023-06-19\n15:30", "2023-06-19 15:30"),
        ("学生处副处\n长", "学生处副处长"),
        ("zhangtt@lyvtc.\nedu.cn", "zhangtt@lyvtc. edu.cn"),
    ],
)
def test_wrapped_cell_text_is_joined_without_spaces_between_chinese(text: str, joined: str) -> None:
    assert join_wrapped(text) == joined
