"""Whatever arrives, read_attachment returns grids or raises UnreadableAttachment, quickly."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.errors import UnreadableAttachment
from intake.readers import ocr, read_attachment, read_html_body, read_text_body
from intake.readers.grid import Grid
from intake.readers.limits import Limits
from tests.data.readers.builders import docx_bytes, sheet_xml, unreadable, xlsx_bytes, zip_bytes

DATA = Path(__file__).parent / "data" / "readers"
LIMITS = Limits()
OLE = bytes.fromhex("d0cf11e0a1b11ae1")
# A damaged PDF or image is read (pdf.py, ocr.py) and found corrupt; without the OCR recogniser an image is refused.
IMAGE = "corrupt" if ocr.available() else "unsupported"
SAMPLES = [(DATA / name).read_bytes() for name in ("receipt.xlsx", "receipt.xls", "receipt_paragraphs.docx")]


def test_attachment_over_the_size_limit_is_refused_before_parsing() -> None:
    data = zip_bytes({"a.csv": b"x"}) + os.urandom(30 * 2**20)  # 30 MB
    error = unreadable(lambda: read_attachment("大附件.xlsx", data, LIMITS), "too_large")
    assert f"{len(data)} bytes" in error.detail


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n\t ", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "corrupt"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", IMAGE),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", IMAGE),
        (b"Rar!\x1a\x07\x01\x00" + bytes(50), "unsupported"),
        (bytes(range(256)) * 8, "unsupported"),
    ],
)
def test_files_that_are_not_receipts_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    unreadable(lambda: read_attachment("回执.xlsx", data, LIMITS), reason)


def test_opendocument_spreadsheet_is_unsupported() -> None:
    data = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
    unreadable(lambda: read_attachment("回执.ods", data, LIMITS), "unsupported")


def check(data: bytes, name: str = "回执.xlsx") -> None:
    try:
        grids = read_attachment(name, data, LIMITS)
    except UnreadableAttachment as exc:
        assert exc.reason in UnreadableAttachment.REASONS
        return
    assert isinstance(grids, list) and grids and all(isinstance(g, Grid) for g in grids)


FUZZ = settings(
    max_examples=int(os.environ.get("READERS_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(
    st.binary(max_size=4096), st.sampled_from(["回执.xlsx", "回执.xls", "回执.csv", "回执", "a.zip", "a.txt"])
)
def test_any_bytes_give_grids_or_unreadable(data: bytes, name: str) -> None:
    check(data, name)


@FUZZ
@given(
    st.sampled_from(
        [
            b"PK\x03\x04",
            b"PK\x05\x06",
            OLE,
            b"<html><table><tr><td>",
            b"\xef\xbb\xbf",
            b"<?xml version='1.0'?><Workbook xmlns='urn:schemas-microsoft-com:office:spreadsheet'>",
            b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n--b\r\n",
        ]
    ),
    st.binary(max_size=4096),
)
def test_bytes_behind_a_known_header_give_grids_or_unreadable(header: bytes, tail: bytes) -> None:
    check(header + tail)


@FUZZ
@given(
    st.sampled_from(range(len(SAMPLES))),
    st.integers(min_value=0, max_value=20_000),
    st.binary(min_size=1, max_size=64),
)
def test_real_files_with_damaged_bytes_give_grids_or_unreadable(
    sample: int, offset: int, patch: bytes
) -> None:
    data = SAMPLES[sample]
    offset %= len(data)
    check(data[:offset] + patch + data[offset + len(patch) :])


@FUZZ
@given(st.sampled_from(range(len(SAMPLES))), st.integers(min_value=0, max_value=20_000))
def test_real_files_cut_short_give_grids_or_unreadable(sample: int, length: int) -> None:
    check(SAMPLES[sample][:length])


@FUZZ
@given(st.text(max_size=2000))
def test_any_mail_body_gives_a_list_or_too_many_rows(text: str) -> None:
    for reader in (read_html_body, read_text_body):
        result = reader(text, LIMITS)
        assert isinstance(result, list) and all(g.source == "正文" for g in result)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "<table>",
                "</table>",
                "<tr>",
                "</tr>",
                "<td>",
                "</td>",
                "<th colspan=3>",
                "<td rowspan=9999999>",
                "<td colspan=0>",
                "<br>",
                "<p>",
                "x",
                "王喆",
                "&nbsp;",
                "<caption>",
                "</caption>",
                "<script>",
                "</script>",
                "<![if x]>",
                "<!--",
            ]
        ),
        max_size=60,
    )
)
def test_any_tag_soup_gives_tables_whose_merges_fit(parts: list[str]) -> None:
    for grid in read_html_body("".join(parts), LIMITS):
        for merge in grid.merges:
            assert 0 <= merge.top <= merge.bottom < len(grid.rows)
            assert 0 <= merge.left <= merge.right < LIMITS.max_cols


SHEET_PARTS = [
    '<row r="1">',
    '<row r="0">',
    '<row r="x">',
    "<row>",
    "</row>",
    '<c r="A1">',
    '<c r="ZZZZ9">',
    '<c t="s">',
    '<c t="b">',
    '<c t="e">',
    '<c t="d">',
    '<c s="2">',
    '<c s="99">',
    "</c>",
    "<v>1</v>",
    "<v>-1e308</v>",
    "<v>x</v>",
    "<v>2958466</v>",
    "<is><t>王喆</t></is>",
    '<mergeCell ref="A1:B2"/>',
    '<mergeCell ref="B2:A1"/>',
    '<mergeCell ref="XFD1048576"/>',
    "<mergeCells>",
    "</mergeCells>",
]
DOCX_PARTS = [
    "<w:tbl>",
    "</w:tbl>",
    "<w:tr>",
    "</w:tr>",
    "<w:tc>",
    "</w:tc>",
    "<w:p>",
    "</w:p>",
    "<w:r>",
    "</w:r>",
    "<w:t>王喆</w:t>",
    "<w:tab/>",
    "<w:br/>",
    '<w:tcPr><w:gridSpan w:val="99999999"/></w:tcPr>',
    '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>',
    "<w:tcPr><w:vMerge/></w:tcPr>",
    '<w:tcPr><w:gridSpan w:val="x"/></w:tcPr>',
    '<w:trPr><w:gridBefore w:val="-3"/></w:trPr>',
    "<w:sdt><w:sdtContent>",
    "</w:sdtContent></w:sdt>",
]


@FUZZ
@given(st.lists(st.sampled_from(SHEET_PARTS), max_size=40))
def test_xlsx_with_any_sheet_content_gives_grids_or_unreadable(parts: list[str]) -> None:
    check(xlsx_bytes([("S", sheet_xml("".join(parts)))]))


@FUZZ
@given(st.lists(st.sampled_from(DOCX_PARTS), max_size=40))
def test_docx_with_any_body_gives_grids_or_unreadable(parts: list[str]) -> None:
    check(docx_bytes("".join(parts)), "回执.docx")


def test_zip_fixture_for_the_fuzzers_is_a_real_zip() -> None:
    assert zipfile.is_zipfile(io.BytesIO(SAMPLES[0]))
