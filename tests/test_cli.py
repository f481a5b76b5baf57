"""The command line: `intake check` on an .eml or a bare attachment, text or one JSON object."""

import json
from pathlib import Path

import pytest

from intake.cli.main import main
from tests.helpers import DATA


def test_check_bare_attachment_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "check",
                str(DATA / "readers" / "receipt.xlsx"),
                "--json",
                "--mailbox",
                "yaoy@moe.edu.cn",
                "--received",
                "2023-06-01T10:00",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.strip()
    result = json.loads(out)
    assert set(result) == {"status", "program", "period", "province", "participants", "problems"}
    assert (result["program"], result["period"], result["province"]) == ("zz-student", 1, "河南")
    assert all(
        set(p)
        == {"name", "gender", "unit", "title", "mobile", "email", "arrival", "arrival_at", "leader", "remark"}
        for p in result["participants"]
    )


def test_check_without_json_prints_a_chinese_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "check",
                str(DATA / "samples" / "s08_guizhou_gz2_department_over_quota.eml"),
                "--received",
                "2023-06-26T16:08:00+08:00",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("结论：需修改") and "贵州" in out and "quota_exceeded" in out


def test_mailbox_defaults_to_delivered_to_and_received_to_the_date_header(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # s10 has Delivered-To: yaoy@moe.edu.cn and a Date after the period-2 deadline.
    assert main(["check", str(DATA / "samples" / "s10_guangdong_zz2_late.eml"), "--json"]) == 0
    codes = {p["code"] for p in json.loads(capsys.readouterr().out)["problems"]}
    assert "late" in codes and "wrong_mailbox" not in codes


def test_a_broken_config_exits_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('notice = "missing.toml"\n', encoding="utf-8")
    assert main(["check", str(DATA / "samples" / "s16_autoreply_outlook.eml"), "--config", str(bad)]) == 2
    assert "configuration error" in capsys.readouterr().err


def test_ignored_message_reports_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(DATA / "samples" / "s16_autoreply_outlook.eml"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "ignored" and result["problems"] == [] and result["participants"] == []
