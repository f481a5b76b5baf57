""".doc, .wps, .odt and .ods through LibreOffice: files LibreOffice itself wrote (tests/data/legacy)."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from pytest import FixtureRequest, MonkeyPatch

from intake.cli.daemon_commands import print_status
from intake.pipeline.process import Context, process_attachment
from intake.readers import convert, read_attachment
from intake.readers.grid import Grid, Merge
from intake.readers.limits import Limits
from intake.readers.registry import capabilities
from tests.data.legacy.make_fixtures import COLUMNS, HEADER_LINES, PEOPLE, TITLE
from tests.data.legacy.needs import require
from tests.data.readers.builders import TIME_LIMIT, unreadable
from tests.helpers import CST, notice

DATA = Path(__file__).parent / "data" / "legacy"
LIMITS = Limits()
WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)

pytestmark = pytest.mark.converter


@pytest.fixture(autouse=True)
def _libreoffice(request: FixtureRequest) -> None:
    if "no_libreoffice" not in request.fixturenames:
        require("libreoffice")


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def table(grid: Grid) -> list[list[str]]:
    return [[str(v) if v is not None else "" for v in row] for row in grid.filled()]


def people_rows(rows: Sequence[Sequence[object]]) -> list[list[str]]:
    return [[str(v) for v in person] for person in rows]


@pytest.mark.parametrize("name", ["回执.doc", "回执.wps", "回执.xls", "回执"])
def test_word_97_document_is_converted_and_read_whatever_its_name(name: str) -> None:
    [grid] = read_attachment(name, fixture("receipt.doc"), LIMITS)
    assert (grid.source, grid.part, grid.kind, grid.ocr) == (name, "表格1", "doc", False)
    assert grid.lines[:4] == ["附件2", TITLE, *HEADER_LINES]
    assert grid.rows[0] == COLUMNS
    assert table(grid)[1:] == people_rows(PEOPLE)
    assert Merge(2, 2, 3, 2) in grid.merges  # 李堃 and 张婷婷 share one 单位 cell


def gbk_rtf(rows: Sequence[Sequence[str]], lines: Sequence[str] = ()) -> bytes:
    """An RTF as Word and WordPad write Chinese: \\ansicpg936, each character as GBK \\'xx escapes,
    the paragraphs, then a table of \\trowd rows with \\cellx borders."""

    def escaped(text: str) -> str:
        return "".join(
            ch if ch.isascii() else "".join(f"\\'{b:02x}" for b in ch.encode("gbk")) for ch in text
        )

    body = [f"\\pard\\f0 {escaped(line)}\\par" for line in lines]
    for row in rows:
        borders = "".join(f"\\clbrdrt\\brdrs\\clbrdrb\\brdrs\\cellx{1400 * (i + 1)}" for i in range(len(row)))
        cells = "".join(f"\\pard\\intbl {escaped(cell)}\\cell" for cell in row)
        body.append(f"\\trowd\\trgaph108{borders}{cells}\\row")
    head = "{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 \\'cb\\'ce\\'cc\\'e5;}}"
    return ("\r\n".join([head, *body, "\\pard\\par}"])).encode("ascii")


def test_rtf_saved_by_libreoffice_is_converted_and_read() -> None:
    [grid] = read_attachment("回执.rtf", fixture("receipt.rtf"), LIMITS)
    assert (grid.kind, grid.rows[0]) == ("rtf", COLUMNS)
    assert HEADER_LINES[0] in grid.lines
    assert table(grid)[1:] == people_rows(PEOPLE)


def test_rtf_with_gbk_escapes_as_word_writes_it_is_read_by_content_whatever_its_name() -> None:
    people = [[str(v) for v in person] for person in PEOPLE[:2]]
    data = gbk_rtf([COLUMNS, *people], lines=[TITLE, *HEADER_LINES])
    for name in ("回执.rtf", "回执.doc", "附件"):
        [grid] = read_attachment(name, data, LIMITS)
        assert grid.kind == "rtf" and grid.lines[:3] == [TITLE, *HEADER_LINES]
        assert table(grid) == [COLUMNS, *people]


def test_rtf_without_a_table_gives_its_text_and_no_receipt() -> None:
    data = gbk_rtf([], lines=["姓名 张三"])
    [grid] = read_attachment("说明.rtf", data, LIMITS)
    assert (grid.rows, grid.lines) == ([], ["姓名 张三"])
    v = process_attachment("说明.rtf", data, Context(notice())).verdict
    assert v.status == "rejected" and [p.code for p in v.problems] == ["no_form"]


def test_opendocument_text_is_read_like_the_docx_it_becomes() -> None:
    [grid] = read_attachment("回执.odt", fixture("receipt.odt"), LIMITS)
    assert (grid.kind, grid.rows[0]) == ("odt", COLUMNS)
    assert HEADER_LINES[0] in grid.lines
    assert table(grid)[1:] == people_rows(PEOPLE)


def test_opendocument_spreadsheet_keeps_numbers_dates_and_merged_header_lines() -> None:
    [grid] = read_attachment("回执.ods", fixture("receipt.ods"), LIMITS)
    assert (grid.kind, grid.part) == ("ods", "回执表")
    assert [row[0] for row in grid.rows[:3]] == [TITLE, *HEADER_LINES]
    assert Merge(1, 0, 1, 7) in grid.merges
    assert grid.rows[3] == COLUMNS
    first = grid.rows[4]
    assert first[4] == 13838012345 and first[6] == datetime(2023, 6, 19, 15, 30)


def test_opendocument_is_recognised_by_its_mimetype_member_not_the_name() -> None:
    [grid] = read_attachment("附件.zip", fixture("receipt.odt"), LIMITS)
    assert grid.kind == "odt"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("receipt.doc", "doc"), ("receipt.rtf", "rtf"), ("receipt.odt", "odt"), ("receipt.ods", "ods")],
)
def test_sniffing_tells_the_kinds_apart(name: str, kind: str) -> None:
    assert convert.sniff(fixture(name)) == kind


def test_other_ole_and_zip_files_are_not_claimed() -> None:
    readers = Path(__file__).parent / "data" / "readers"
    for other in ("receipt.xls", "receipt_encrypted.xlsx", "receipt.xlsx", "receipt_paragraphs.docx"):
        assert convert.sniff((readers / other).read_bytes()) is None


@pytest.mark.parametrize("name", ["receipt.doc", "receipt.rtf", "receipt.odt", "receipt.ods"])
def test_the_whole_pipeline_reads_the_roster(name: str) -> None:
    v = process_attachment(
        name, fixture(name), Context(notice()), mailbox="yaoy@moe.edu.cn", received=WHEN
    ).verdict
    assert (v.program, v.period, v.province, v.ocr) == ("zz-student", 1, "河南", False)
    assert [(p.name, p.mobile, p.email) for p in v.participants] == [(p[0], p[4], p[5]) for p in PEOPLE]
    assert {p.code for p in v.problems} == {
        "quota_exceeded"
    }  # two from 洛阳职业技术学院: the fixture's merged cell


def _conversions_running() -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"intake-convert-" in cmdline:
            found.append(proc.name)
    return found


def test_conversion_over_its_time_is_too_large_and_leaves_no_process() -> None:
    error = unreadable(
        lambda: read_attachment("回执.doc", fixture("receipt.doc"), Limits(conversion_timeout_s=0.2)),
        "too_large",
    )
    assert TIME_LIMIT.search(error.detail), error.detail  # LibreOffice was stopped by the conversion's limit
    assert _conversions_running() == []  # the whole process group was killed
    [grid] = read_attachment("回执.doc", fixture("receipt.doc"), LIMITS)  # a new profile, and it works again
    assert grid.rows[0] == COLUMNS


def test_a_document_libreoffice_cannot_load_is_refused_as_before() -> None:
    bogus = io.BytesIO()
    with zipfile.ZipFile(bogus, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<x/>")
    unreadable(lambda: read_attachment("回执.odt", bogus.getvalue(), LIMITS), "unsupported")


def test_conversions_run_one_at_a_time_and_all_succeed() -> None:
    results: list[str] = []

    def work(name: str) -> None:
        [grid] = read_attachment(name, fixture(name), LIMITS)
        results.append(grid.kind)

    threads = [
        threading.Thread(target=work, args=(n,)) for n in ("receipt.doc", "receipt.odt", "receipt.ods")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == ["doc", "ods", "odt"]


def test_without_network_namespace_the_conversion_still_works(monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setattr(convert, "_no_network", lambda: ())
    [grid] = read_attachment("回执.doc", fixture("receipt.doc"), LIMITS)
    assert grid.kind == "doc"


def test_the_private_profile_disables_macros() -> None:
    profile = convert._profile()
    settings = (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert "DisableMacrosExecution" in settings and "MacroSecurityLevel" in settings
    assert oct(profile.stat().st_mode & 0o777) == "0o700"  # mkdtemp: private to this user


# --- without LibreOffice -------------------------------------------------------------------------


@pytest.fixture
def no_libreoffice(monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setattr(convert, "available", lambda kind="doc": False)


@pytest.mark.parametrize("name", ["回执.doc", "回执.wps"])
def test_without_libreoffice_a_doc_is_legacy_format_with_the_clear_explanation(
    no_libreoffice: None, name: str
) -> None:
    unreadable(lambda: read_attachment(name, fixture("receipt.doc"), LIMITS), "legacy_format")
    v = process_attachment(name, fixture("receipt.doc"), Context(notice())).verdict
    assert v.status == "rejected"
    [p] = v.problems
    assert p.code == "unreadable_attachment" and name in p.message
    assert ".docx" in p.message and ".xlsx" in p.message


def test_without_libreoffice_rtf_is_legacy_format(no_libreoffice: None) -> None:
    data = b"{\\rtf1\\ansi\\ansicpg936 \\b \\'d0\\'d5\\'c3\\'fb}"
    unreadable(lambda: read_attachment("回执.rtf", data, LIMITS), "legacy_format")


def test_without_libreoffice_opendocument_is_unsupported(no_libreoffice: None) -> None:
    unreadable(lambda: read_attachment("回执.ods", fixture("receipt.ods"), LIMITS), "unsupported")


def test_status_says_legacy_conversion_is_off(no_libreoffice: None) -> None:
    formats = capabilities()
    assert formats["doc_wps_odt"] is False and formats["ods"] is False
    out = io.StringIO()
    print_status(
        {"written": "", "mailboxes": {}, "flagged": [], "periods": {}, "outbox": {}, "formats": formats}, out
    )
    assert "legacy conversion is off" in out.getvalue()
    assert "doc/wps/rtf/odt=OFF" in out.getvalue()


def test_daemon_status_shows_legacy_conversion_off(no_libreoffice: None, tmp_path: Path) -> None:
    from intake.config.settings import load_config
    from intake.daemon.runner import Daemon
    from tests.test_daemon_local import local_config

    path, _maildir = local_config(tmp_path)
    with Daemon(load_config(path)) as daemon:
        formats = daemon.status()["formats"]
    assert formats["doc_wps_odt"] is False and formats["pdf_text"] is True
