"""Zip archives: member names in every encoding, junk, nesting, encryption and bombs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from intake.readers import read_attachment
from intake.readers.limits import Limits
from tests.data.readers.builders import member, raw_zip, unreadable, zeros_member, zip_bytes

DATA = Path(__file__).parent / "data" / "readers"
LIMITS = Limits()
XLSX = (DATA / "receipt.xlsx").read_bytes()
DOCX = (DATA / "receipt_paragraphs.docx").read_bytes()
CSV = "姓名,手机\n王喆,13838012345\n".encode("gb18030")


def test_zip_members_are_read_by_content_with_outer_slash_inner_sources() -> None:
    data = zip_bytes({"回执/河南省.xlsx": XLSX, "回执/河南省.docx": DOCX})
    grids = read_attachment("报名回执.zip", data, LIMITS)
    assert [(g.source, g.kind) for g in grids] == [
        ("报名回执.zip/回执/河南省.xlsx", "xlsx"),
        ("报名回执.zip/回执/河南省.docx", "docx"),
    ]
    assert grids[0].rows[4][0] == "王喆"


def test_zip_member_names_from_chinese_windows_are_gb18030() -> None:
    name = "报名回执表（河南）.csv".encode("gbk")
    [grid] = read_attachment("a.zip", raw_zip([member(name, CSV)]), LIMITS)
    assert grid.source == "a.zip/报名回执表（河南）.csv"
    assert grid.rows[1] == ["王喆", "13838012345"]


def test_zip_member_names_in_utf8_without_the_flag_are_utf8() -> None:
    [grid] = read_attachment("a.zip", raw_zip([member("李堃的回执.csv".encode(), CSV)]), LIMITS)
    assert grid.source == "a.zip/李堃的回执.csv"


def test_zip_member_names_with_the_utf8_flag_are_kept() -> None:
    [grid] = read_attachment("a.zip", raw_zip([member("王喆.csv".encode(), CSV, flags=0x800)]), LIMITS)
    assert grid.source == "a.zip/王喆.csv"


def test_zip_gbk_names_with_backslashes_become_paths() -> None:
    [grid] = read_attachment("a.zip", raw_zip([member("回执\\王喆.csv".encode("gbk"), CSV)]), LIMITS)
    assert grid.source == "a.zip/回执/王喆.csv"


def test_zip_macos_and_windows_junk_is_skipped() -> None:
    data = zip_bytes(
        {
            "回执/": b"",
            "回执/报名表.xlsx": XLSX,
            "__MACOSX/回执/._报名表.xlsx": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        junk",
            "回执/.DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(100),
            "回执/Thumbs.db": (DATA / "receipt_word97.doc").read_bytes()[:1024],
            "回执/~$报名表.xlsx": b"\x06wangzhe" + bytes(150),
        }
    )
    grids = read_attachment("a.zip", data, LIMITS)
    assert [g.source for g in grids] == ["a.zip/回执/报名表.xlsx"]


def test_zip_with_only_junk_is_empty() -> None:
    data = zip_bytes({"__MACOSX/._a.xlsx": b"junk", ".DS_Store": b"junk"})
    unreadable(lambda: read_attachment("a.zip", data, LIMITS), "empty")


def test_zip_inside_a_zip_is_ignored() -> None:
    inner = zip_bytes({"inner.xlsx": XLSX})
    grids = read_attachment("a.zip", zip_bytes({"inner.zip": inner, "河南.csv": CSV}), LIMITS)
    assert [g.source for g in grids] == ["a.zip/河南.csv"]


def test_zip_holding_only_a_zip_is_unsupported() -> None:
    data = zip_bytes({"inner.zip": zip_bytes({"inner.xlsx": XLSX})})
    error = unreadable(lambda: read_attachment("a.zip", data, LIMITS), "unsupported")
    assert error.filename == "a.zip/inner.zip"


def test_zip_unreadable_member_does_not_hide_readable_ones() -> None:
    data = zip_bytes(
        {"scan.jpg": b"\xff\xd8\xff\xe0" + bytes(100), "回执.xls": (DATA / "receipt.xls").read_bytes()}
    )
    [grid] = read_attachment("a.zip", data, LIMITS)
    assert grid.source == "a.zip/回执.xls"


def test_zip_reports_the_most_telling_member_error() -> None:
    data = zip_bytes(
        {
            "scan.jpg": b"\xff\xd8\xff\xe0" + bytes(100),
            "回执.xlsx": (DATA / "receipt_encrypted.xlsx").read_bytes(),
        }
    )
    error = unreadable(lambda: read_attachment("a.zip", data, LIMITS), "encrypted")
    assert error.filename == "a.zip/回执.xlsx"


def test_zip_encrypted_member_is_encrypted() -> None:
    locked = member("回执.xlsx", b"\x00" * 64, flags=0x1)
    unreadable(lambda: read_attachment("a.zip", raw_zip([locked]), LIMITS), "encrypted")


def test_zip_bomb_of_a_gigabyte_is_refused_without_inflating() -> None:
    data = raw_zip([zeros_member("回执.xlsx", 1024)])
    assert len(data) < 2 * 2**20
    error = unreadable(lambda: read_attachment("bomb.zip", data, LIMITS), "zip_bomb", megabytes=20)
    assert error.filename == "bomb.zip"


def test_zip_member_over_the_ratio_limit_is_a_bomb_even_under_the_total() -> None:
    data = raw_zip([zeros_member("回执.csv", 40)])  # 40 MiB, about 1000:1
    error = unreadable(lambda: read_attachment("r.zip", data, LIMITS), "zip_bomb", megabytes=20)
    assert "bytes from" in error.detail


def test_zip_total_over_the_limit_is_a_bomb() -> None:
    data = zip_bytes({f"{i}.csv": CSV * 200 for i in range(5)}, level=0)
    limits = Limits(max_zip_total_bytes=len(CSV) * 600)
    unreadable(lambda: read_attachment("r.zip", data, limits), "zip_bomb")


def test_zip_with_too_many_members_is_refused() -> None:
    data = zip_bytes({f"{i}.csv": CSV for i in range(60)})
    error = unreadable(lambda: read_attachment("r.zip", data, LIMITS), "zip_bomb")
    assert "60 entries" in error.detail


def test_zip_member_that_lies_about_its_size_is_cut_at_the_declared_size() -> None:
    honest = member("回执.csv", CSV * 1000)
    liar = member("回执.csv", CSV * 1000)
    liar.size = len(CSV)  # says 20-odd bytes, inflates to 20 KB
    unreadable(lambda: read_attachment("r.zip", raw_zip([liar]), LIMITS), "corrupt")
    assert read_attachment("r.zip", raw_zip([honest]), LIMITS)[0].rows[1] == ["王喆", "13838012345"]


def test_zip_member_larger_than_an_attachment_may_be_is_too_large() -> None:
    data = zip_bytes({"big.csv": b"a,b\n" * 300_000}, level=0)
    unreadable(lambda: read_attachment("r.zip", data, Limits(max_attachment_bytes=1_000_000)), "too_large")


def test_empty_zip_is_empty() -> None:
    data = zip_bytes({})
    assert zipfile.is_zipfile(io.BytesIO(data))
    unreadable(lambda: read_attachment("r.zip", data, LIMITS), "empty")
