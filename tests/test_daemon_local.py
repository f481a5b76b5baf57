"""The daemon on its embedded default: a local maildir in, .eml files out, no servers."""

import email
import shutil
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import NoReturn

import pytest

import intake.daemon.service
from intake.cli.main import main
from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from tests.helpers import ROOT, body_text
from tests.receipts import receipt_message

HN = [("王喆", "男", "河南省教育厅", "13900001111"), ("李堃", "女", "开封市教育局", "13900002222")]
SD = [("孙强", "男", "山东省教育厅", "13900003333")]


def local_config(tmp_path: Path, extra: str = "") -> tuple[Path, Path]:
    maildir = tmp_path / "maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.toml"
    path.write_text(
        f'''notice = "{ROOT / "notice-2023.toml"}"
[storage]
directory = "state"
[daemon]
max_failures = 2
{extra}
[[mailboxes]]
name = "local"
kind = "maildir"
path = "maildir"
address = "yaoy@moe.edu.cn"
periods = ["zz-student/1"]
[outbox]
kind = "file"
directory = "outbox"
deliver_to = "sent"
''',
        encoding="utf-8",
    )
    return path, maildir


def deliver(maildir: Path, name: str, raw: bytes) -> None:
    (maildir / "new" / name).write_bytes(raw)


def sent(tmp_path: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((tmp_path / "sent").glob("*.eml"))
    ]


def test_main_command_runs_the_whole_job_on_the_bundled_sample_mailbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copy(ROOT / "config.example.toml", tmp_path / "config.toml")
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        text.replace('"notice-2023.toml"', f'"{ROOT / "notice-2023.toml"}"'), encoding="utf-8"
    )
    assert main(["run", "--once", "--config", str(tmp_path / "config.toml")]) == 0
    out = capsys.readouterr().out
    assert "processed=9 ignored=1" in out and "sent=9" in out
    replies = sent(tmp_path / "var")
    assert len(replies) == 9
    assert sum(r["Subject"].startswith("【已确认】") for r in replies) == 7
    assert main(["run", "--once", "--config", str(tmp_path / "config.toml")]) == 0  # nothing twice
    assert len(sent(tmp_path / "var")) == 9


def test_each_reply_carries_only_its_own_provinces_roster(tmp_path: Path) -> None:
    path, maildir = local_config(tmp_path)
    deliver(maildir, "1.eml", receipt_message("hn@haedu.gov.cn", "河南省教育厅", HN))
    deliver(maildir, "2.eml", receipt_message("sd@sdedu.gov.cn", "山东省教育厅", SD))
    with Daemon(load_config(path)) as daemon:
        daemon.run_once()
    bodies = {r["To"]: body_text(r) for r in sent(tmp_path)}
    assert "王喆" in bodies["hn@haedu.gov.cn"] and "孙强" not in bodies["hn@haedu.gov.cn"]
    assert "孙强" in bodies["sd@sdedu.gov.cn"] and "王喆" not in bodies["sd@sdedu.gov.cn"]


def test_replies_per_sender_per_day_are_capped_across_restarts(tmp_path: Path) -> None:
    path, maildir = local_config(tmp_path, "replies_per_sender_per_day = 2")
    for i in range(2):
        deliver(
            maildir,
            f"{i}.eml",
            receipt_message("hn@haedu.gov.cn", "河南省教育厅", HN, message_id=f"<m{i}@x>"),
        )
    with Daemon(load_config(path)) as daemon:
        daemon.run_once()
    deliver(maildir, "3.eml", receipt_message("hn@haedu.gov.cn", "河南省教育厅", HN, message_id="<m3@x>"))
    with Daemon(load_config(path)) as daemon:  # a restart keeps the count
        daemon.run_once()
        assert daemon.store.counts("local")["processed"] == 3
    assert len(sent(tmp_path)) == 2


def test_a_message_that_keeps_failing_is_quarantined_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, maildir = local_config(tmp_path)
    deliver(maildir, "bad.eml", receipt_message("hn@haedu.gov.cn", "河南省教育厅", HN))

    def broken(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("reader bug")

    monkeypatch.setattr(intake.daemon.service, "process", broken)
    config = load_config(path)
    with Daemon(config) as daemon:
        daemon.run_once()
        assert daemon.store.counts("local").get("quarantined", 0) == 0
        daemon.run_once()
        assert daemon.store.counts("local")["quarantined"] == 1
        daemon.run_once()  # not fetched forever
    assert main(["status", "--config", str(path)]) == 0
    assert "quarantined=1" in capsys.readouterr().out
    archived = list((tmp_path / "state" / "archive").rglob("*.eml"))
    assert len(archived) == 1  # the raw message is kept


@pytest.mark.parametrize("mode", [0o700])
def test_state_directories_and_files_are_private(tmp_path: Path, mode: int) -> None:
    path, maildir = local_config(tmp_path)
    deliver(maildir, "1.eml", receipt_message("hn@haedu.gov.cn", "河南省教育厅", HN))
    with Daemon(load_config(path)) as daemon:
        daemon.run_once()
    state = tmp_path / "state"
    assert state.stat().st_mode & 0o777 == mode
    for p in state.rglob("*"):
        expected = mode if p.is_dir() else 0o600
        assert p.stat().st_mode & 0o777 == expected, p


def test_log_has_one_line_per_message_with_its_id_and_no_phone_numbers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import re

    path, maildir = local_config(tmp_path)
    deliver(maildir, "1.eml", receipt_message("hn@haedu.gov.cn", "河南省教育厅", HN, message_id="<one@x>"))
    with caplog.at_level(logging.DEBUG), Daemon(load_config(path)) as daemon:
        daemon.run_once()
    lines = [r.getMessage() for r in caplog.records]
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert [line for line in info if line.startswith("one@x ")] == [
        "one@x accepted program=zz-student period=1 province=河南 rows=2 replied=True"
    ]
    for mobile in (p[3] for p in HN):
        assert not any(mobile in line for line in lines)
    # no other mobile-shaped number either (hashes in keys and paths are hex, hence the boundaries)
    assert not any(re.search(r"(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])", line) for line in lines)


def test_a_failing_mailbox_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    path, maildir = local_config(tmp_path, "")
    text = path.read_text(encoding="utf-8").replace(
        "[outbox]",
        f"""[[mailboxes]]
name = "dead"
kind = "imap"
host = "127.0.0.1"
port = {dead_port}
security = "none"
user = "nobody"
password_env = "INTAKE_DEAD_PASSWORD"
address = "287455270@qq.com"
periods = ["gz-status/3"]
[outbox]""",
    )
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("INTAKE_DEAD_PASSWORD", "x")
    deliver(maildir, "1.eml", receipt_message("hn@haedu.gov.cn", "河南省教育厅", HN))
    config = load_config(path)
    config = type(config)(
        **{**config.__dict__, "mailboxes": tuple(reversed(config.mailboxes))}
    )  # dead one first
    with Daemon(config) as daemon:
        result = daemon.run_once()
        assert str(result["dead"]).startswith("error") and result["local"] == 1
        assert daemon.status()["mailboxes"]["dead"]["error"]
    assert len(sent(tmp_path)) == 1
