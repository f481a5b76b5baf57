"""Property tests: extraction and the whole pipeline never raise, they only return problems."""

import copy
from datetime import date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.extract.receipt import extract
from intake.pipeline.process import Context, process
from intake.readers.grid import CellValue, Grid, Merge
from rules.judge import Circumstances, judge
from rules.policy import Policy
from tests.helpers import HEADER, notice

WORDS = st.sampled_from(
    HEADER
    + [
        "省级教育行政部门名称：河南省教育厅",
        "会议名称和期数：第一期",
        "例",
        "联系人：",
        "新疆生产建设兵团",
        "13800001111",
        "是",
        "√",
        "男",
        "女",
        "",
        " ",
        "=1+1",
    ]
)
CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    WORDS,
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.dates(),
    st.times(),
)
ROWS = st.lists(st.lists(CELLS, max_size=12), max_size=25)
MERGES = st.lists(
    st.builds(Merge, st.integers(-2, 30), st.integers(-2, 12), st.integers(-2, 30), st.integers(-2, 12)),
    max_size=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, merges=MERGES, lines=st.lists(st.text(max_size=40), max_size=4))
def test_extraction_and_rules_never_raise_on_arbitrary_grids(
    rows: list[list[CellValue]], merges: list[Merge], lines: list[str]
) -> None:
    grid = Grid("x.xlsx", "S", rows, merges=merges, lines=lines)
    receipt = extract([grid], year=2023, subject="回执", body="")
    if receipt is not None:
        before = copy.deepcopy(receipt)
        verdict = judge(receipt, notice(), Policy(), Circumstances("yaoy@moe.edu.cn", None, "a@b.c"))
        assert verdict.status in ("accepted", "rejected")
        assert all(p.severity in ("error", "warning") for p in verdict.problems)
        assert receipt == before  # judge changes nothing it is given


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=3000))
def test_pipeline_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    outcome = process(raw, Context(notice()))
    assert outcome.verdict.status in ("accepted", "rejected", "ignored")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk=st.binary(min_size=1, max_size=400), cut=st.integers(0, 4000))
def test_pipeline_never_raises_on_a_real_message_with_bytes_spliced_in(junk: bytes, cut: int) -> None:
    from tests.helpers import DATA

    raw = (DATA / "samples" / "s04_shanghai_zz2_messy_layout.eml").read_bytes()
    cut = min(cut, len(raw))
    outcome = process(raw[:cut] + junk + raw[cut:], Context(notice()))
    assert outcome.verdict.status in ("accepted", "rejected", "ignored")


def test_grid_values_of_every_type_survive_extraction() -> None:
    rows: list[list[CellValue]] = [
        list(HEADER),
        [1, "王喆", "男", "河南省教育厅", date(2023, 1, 1), 13900001111.0, None, time(9, 30), True],
    ]
    r = extract([Grid("a.xlsx", "", rows)], year=2023)
    assert r is not None
    assert r.rows[0].participant.mobile == "13900001111" and r.rows[0].participant.leader is True
