"""The realistic sample messages (copied from the shared corpus) give the expected verdicts."""

import json
from typing import Any

import pytest

from intake.cli.main import main
from tests.helpers import DATA

CASES = json.loads((DATA / "samples" / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["file"].split("_")[0] for c in CASES])
def test_sample_verdict(case: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "check",
        str(DATA / "samples" / case["file"]),
        "--json",
        "--mailbox",
        case["mailbox"],
        "--received",
        case["received"],
    ]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    expect = case["expect"]
    assert result["status"] == expect["status"]
    for key in ("program", "period", "province"):
        if key in expect:
            assert result[key] == expect[key], key
    people = result["participants"]
    assert len(people) == expect["participants"]
    if "names" in expect:
        assert {p["name"] for p in people} == set(expect["names"])
    if "mobiles" in expect:
        assert {p["mobile"] for p in people} == set(expect["mobiles"])
    present = {(p["code"], p["severity"]) for p in result["problems"]}
    for code, severity in expect.get("codes", {}).items():
        assert (code, severity) in present
    for code in expect.get("absent", []):
        assert code not in {c for c, _s in present}
    assert all(p["message"] for p in result["problems"])
