"""Scans and photos as people really send them, read end to end (sandboxed worker, extraction, rules).

The set is made at test time the way such files arise (tests/data/scans/make_scans.py): receipts
filled in a workbook, printed by LibreOffice, rasterised by pdftoppm, then scanned with a seal and a
turn, photographed by a phone (keystone, shadow, blur, JPEG q70, EXIF orientation 6), faxed (1-bit,
200 dpi, a rule lost), photographed lying on a desk, scanned over two pages, filled in by hand, and
scanned sideways.  Each file goes through the same path as an attachment (process_attachment), and
the verdict is scored against what was printed (tests/data/scans/score.py).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from intake.pipeline.process import Context, process, process_attachment
from mailer.compose.reply import OCR_NOTE, render_reply
from rules.verdict import Severity, Status, Verdict
from tests.data.legacy.needs import require
from tests.data.scans.make_scans import SET, Sample, make_set, missing_tools
from tests.data.scans.score import SampleScore, score
from tests.helpers import CST, notice
from tests.mailbuilder import MessageBuilder

WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
pytestmark = [pytest.mark.ocr, pytest.mark.slow]


@pytest.fixture(scope="module")
def scan_set(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require("ocr")
    missing = missing_tools()
    if missing:
        message = f"the scan set needs Debian packages {' '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI is set: .ci/run must install them")
        pytest.skip(message)
    return make_set(tmp_path_factory.mktemp("scans"))


@pytest.fixture(scope="module")
def verdicts(scan_set: dict[str, Path]) -> dict[str, Verdict]:
    """Each sample's verdict, as the daemon would give it for the file alone in a message."""
    return {
        s.filename: process_attachment(
            s.filename,
            scan_set[s.filename].read_bytes(),
            Context(notice()),
            mailbox=s.roster.mailbox,
            received=WHEN,
        ).verdict
        for s in SET
    }


@pytest.fixture(scope="module")
def scores(verdicts: dict[str, Verdict]) -> dict[str, SampleScore]:
    return {s.filename: score(s, verdicts[s.filename]) for s in SET}


def report(scored: SampleScore) -> str:
    return "\n".join(
        f"{m.sample} row {m.row} {m.field}: printed {m.printed!r}, read {m.read!r}, {'flagged' if m.flagged else 'SILENT'}"
        for m in scored.misses
    )


@pytest.mark.parametrize("sample", SET, ids=[s.filename for s in SET])
def test_each_scan_reaches_its_program_period_and_province(
    sample: Sample, verdicts: dict[str, Verdict]
) -> None:
    v = verdicts[sample.filename]
    assert (v.program, v.period, v.province) == (
        sample.roster.program,
        sample.roster.period,
        sample.roster.province,
    )
    assert v.ocr is True
    assert len(v.participants) == len(sample.roster.people), report(score(sample, v))


@pytest.mark.parametrize("sample", SET, ids=[s.filename for s in SET])
def test_no_scan_is_rejected_for_an_ocr_slip(sample: Sample, verdicts: dict[str, Verdict]) -> None:
    v = verdicts[sample.filename]
    errors = [p for p in v.problems if p.severity == Severity.ERROR]
    assert v.status == Status.ACCEPTED and errors == [], errors


def test_at_least_95_percent_of_cells_are_exact_over_the_set(scores: dict[str, SampleScore]) -> None:
    cells = sum(s.cells for s in scores.values())
    exact = sum(s.exact for s in scores.values())
    assert exact >= 0.95 * cells, "\n".join(report(s) for s in scores.values())


def test_no_wrong_mobile_goes_without_an_ocr_uncertain_warning(scores: dict[str, SampleScore]) -> None:
    silent = [m for s in scores.values() for m in s.silent if m.field == "mobile"]
    assert silent == [], silent


def test_a_wrong_cell_is_nearly_always_flagged(scores: dict[str, SampleScore]) -> None:
    misses = [m for s in scores.values() for m in s.misses]
    silent = [m for m in misses if not m.flagged]
    assert len(silent) <= 3, silent  # a traditional form of a character, a 1 for an l: rare and harmless


def test_the_rare_names_are_read_or_flagged(
    scores: dict[str, SampleScore], verdicts: dict[str, Verdict]
) -> None:
    names = {p.name for v in verdicts.values() for p in v.participants}
    assert {
        "钱喆",
        "黄珺",
        "梁堃",
        "邹堃",
        "于珺",
        "何喆",
        "蒲玥",
        "浦静",
    } <= names  # the seal scan, the two pages
    wrong_names = [m for s in scores.values() for m in s.misses if m.field == "name"]
    assert all(m.flagged for m in wrong_names), wrong_names


def test_pu_and_pu_are_told_apart(verdicts: dict[str, Verdict]) -> None:
    names = [p.name for p in verdicts["scan_seal.pdf"].participants]
    assert "蒲玥" in names and "浦静" in names


def test_the_two_page_scan_is_one_roster_without_its_repeated_header(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["two_pages.pdf"]
    people = next(s.roster.people for s in SET if s.filename == "two_pages.pdf")
    assert [p.name for p in v.participants][-3:] == [p[0] for p in people][-3:]
    assert "姓名" not in [p.name for p in v.participants]


def test_the_fax_that_lost_a_column_rule_keeps_its_columns(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["fax.tif"]
    assert [p.gender for p in v.participants] == ["男", "女", "男", "女", "女", "男", "女", "男"]
    assert sum(p.unit.startswith("四川") or p.unit.startswith("成都") for p in v.participants) >= 7


def test_a_faxed_receipt_mailed_as_an_octet_stream_tiff_is_read_like_the_file_alone(
    scan_set: dict[str, Path], verdicts: dict[str, Verdict]
) -> None:
    """A fax machine's e-mail: a TIFF labelled application/octet-stream; the subject says 回执.  Once it
    was not counted as a file that may be a receipt, so OCR was never allowed to start (skipped)."""
    sample = next(s for s in SET if s.filename == "fax.tif")
    raw = (
        MessageBuilder(
            sender="fax@hebei.gov.cn", to=sample.roster.mailbox, subject="报名回执（传真）", client="qq"
        )
        .attach("fax.tif", scan_set["fax.tif"].read_bytes(), "application/octet-stream")
        .build()
    )
    got = process(raw, Context(notice()), mailbox=sample.roster.mailbox, received=WHEN).verdict
    alone = verdicts["fax.tif"]
    assert (got.status, got.program, got.period, got.province) == (
        alone.status,
        alone.program,
        alone.period,
        alone.province,
    )
    assert [p.name for p in got.participants] == [p.name for p in alone.participants]


def test_the_photos_and_the_sideways_scan_are_found_and_turned(scores: dict[str, SampleScore]) -> None:
    for name in ("phone_photo.jpg", "desk_photo.jpg", "sideways.png"):
        assert scores[name].placed and scores[name].exact >= 0.85 * scores[name].cells, report(scores[name])


def test_the_confirmation_says_the_roster_came_from_a_scan_shows_it_and_asks_for_a_check(
    verdicts: dict[str, Verdict],
) -> None:
    v = verdicts["phone_photo.jpg"]
    text, html = render_reply(v, notice())
    assert OCR_NOTE in text and "请逐项核对" in text
    assert "报名名单" in text and "13838012345" in text
    assert any(p.code == "ocr_uncertain" and "识别为" in p.message for p in v.problems)
    assert "扫描件" in html
