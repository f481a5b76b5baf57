"""One reading budget per message, across all its attachments (intake/readers/budget.py)."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime
from pathlib import Path

import pypdfium2
import pytest

from intake.errors import UnreadableAttachment
from intake.pipeline.process import Context, process
from intake.readers.budget import Budget, allowance, spending
from intake.readers.limits import Limits
from rules.ours import Disposition
from rules.verdict import Status
from tests.data.legacy.needs import require
from tests.helpers import CST, notice
from tests.mailbuilder import MessageBuilder

LEGACY = Path(__file__).parent / "data" / "legacy"
WHEN = datetime(2023, 6, 5, 10, 0, tzinfo=CST)


def test_outside_a_message_a_costly_reader_gets_what_it_asks_for() -> None:
    assert allowance("a.jpg", "ocr", 120.0) == 120.0


def test_a_costly_reader_gets_at_most_what_is_left() -> None:
    with spending(Budget(wall_s=30.0, cpu_s=600.0)):
        assert 0 < allowance("a.jpg", "ocr", 120.0) <= 30.0
        assert allowance("a.jpg", "ocr", 5.0) == 5.0


def test_a_spent_budget_starts_no_costly_reader() -> None:
    with spending(Budget(wall_s=0.0, cpu_s=600.0)), pytest.raises(UnreadableAttachment) as raised:
        allowance("a.jpg", "ocr", 120.0)
    assert raised.value.reason == "out_of_time"


def test_a_message_not_shown_to_be_ours_starts_no_costly_reader() -> None:
    with (
        spending(Budget(wall_s=60.0, cpu_s=60.0, costly=False)),
        pytest.raises(UnreadableAttachment) as raised,
    ):
        allowance("a.doc", "LibreOffice", 60.0)
    assert raised.value.reason == "skipped"


def scans(count: int) -> bytes:
    """A message with `count` photos of a receipt: each needs OCR."""
    document = pypdfium2.PdfDocument((LEGACY / "receipt_scan.pdf").read_bytes())
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    builder = MessageBuilder(sender="a@hlj.edu.cn", subject="黑龙江省报名回执", client="qq").text(
        "回执扫描件请查收"
    )
    for i in range(count):
        builder.attach(f"扫描件{i + 1}.jpg", out.getvalue(), "image/jpeg")
    return builder.build()


def test_a_message_whose_attachments_exceed_the_budget_is_answered_with_what_was_not_read() -> None:
    require("ocr")
    limits = dataclasses.replace(Limits(), message_budget_s=2.0, message_cpu_budget_s=2.0)
    outcome = process(scans(6), Context(notice(), limits=limits), mailbox="yaoy@moe.edu.cn", received=WHEN)
    assert outcome.disposition is Disposition.READ
    assert outcome.verdict.status is not Status.IGNORED  # answered, not left unanswered
    not_read = [p for p in outcome.verdict.problems if "未能在处理时限内" in p.message]
    assert not_read, outcome.verdict.problems  # reading stopped when the budget ran out
