"""OLE2 files: .xls and WPS .et workbooks, encrypted Office files, Word 97 documents."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from pytest import MonkeyPatch

from intake.readers import read_attachment
from intake.readers.grid import Merge
from intake.readers.limits import Limits
from tests.data.readers.builders import unreadable
from tests.data.readers.make_fixtures import COLUMNS, HEADER_LINES, TITLE

DATA = Path(__file__).parent / "data" / "readers"
LIMITS = Limits()


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.mark.parametrize("name", ["receipt.xls", "receipt.et"])
def test_xls_and_wps_et_give_the_receipt_rows(name: str) -> None:
    [grid] = read_attachment(name, fixture(name), LIMITS)
    assert (grid.source, grid.part, grid.kind) == (name, "回执表", "xls")
    assert grid.rows[0] == [TITLE]
    assert [row[0] for row in grid.rows[1:3]] == HEADER_LINES
    assert grid.rows[3] == COLUMNS
    assert grid.rows[4][:4] == ["王喆", "男", "郑州市教育局", "科长"]
    assert grid.rows[5][0] == "李堃"


def test_xls_merged_title_and_header_rows_are_reported_as_merges() -> None:
    [grid] = read_attachment("receipt.xls", fixture("receipt.xls"), LIMITS)
    assert {Merge(0, 0, 0, 7), Merge(1, 0, 1, 7), Merge(2, 0, 2, 7)} <= set(grid.merges)


def test_xls_dates_become_datetime_and_phones_stay_numbers() -> None:
    [grid] = read_attachment("receipt.xls", fixture("receipt.xls"), LIMITS)
    assert grid.rows[4][6] == datetime(2023, 6, 19, 15, 30)
    assert grid.rows[6][6] == datetime(2023, 6, 20, 9, 15)
    assert grid.rows[4][4] == 13838012345.0 and isinstance(grid.rows[4][4], float)


def test_xls_hidden_sheet_is_skipped() -> None:
    grids = read_attachment("receipt.xls", fixture("receipt.xls"), LIMITS)
    assert [g.part for g in grids] == ["回执表"]  # 填表说明 is hidden, Sheet3 is empty


def test_xls_is_recognised_by_content_when_named_xlsx() -> None:
    [grid] = read_attachment("回执.xlsx", fixture("receipt.xls"), LIMITS)
    assert grid.kind == "xls"


def test_xls_too_many_rows_is_refused() -> None:
    unreadable(lambda: read_attachment("r.xls", fixture("receipt.xls"), Limits(max_rows=5)), "too_many_rows")


def test_xls_with_a_password_is_encrypted() -> None:
    error = unreadable(
        lambda: read_attachment("r.xls", fixture("receipt_encrypted.xls"), LIMITS), "encrypted"
    )
    assert error.filename == "r.xls"


@pytest.mark.parametrize("name", ["回执.xlsx", "回执.xls", "回执"])
def test_password_protected_xlsx_is_encrypted_whatever_the_name(name: str) -> None:
    # LibreOffice wrote it as Excel does: an OLE file with EncryptionInfo and EncryptedPackage streams.
    unreadable(lambda: read_attachment(name, fixture("receipt_encrypted.xlsx"), LIMITS), "encrypted")


@pytest.mark.parametrize("name", ["回执.doc", "回执.wps", "回执.xls"])
def test_word_97_document_is_a_legacy_format(name: str, monkeypatch: MonkeyPatch) -> None:
    # Without LibreOffice; with it, tests/test_readers_legacy.py reads the document.
    monkeypatch.setattr("intake.readers.convert.available", lambda kind="doc": False)
    unreadable(lambda: read_attachment(name, fixture("receipt_word97.doc"), LIMITS), "legacy_format")


def test_truncated_ole_file_is_corrupt() -> None:
    data = fixture("receipt.xls")
    unreadable(lambda: read_attachment("cut.xls", data[:2048], LIMITS), "corrupt")


def test_ole_header_with_garbage_is_corrupt() -> None:
    data = fixture("receipt.xls")[:512] + bytes(range(256)) * 40
    unreadable(lambda: read_attachment("junk.xls", data, LIMITS), "corrupt")
