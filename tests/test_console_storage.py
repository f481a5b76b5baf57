"""The console's files beside the store: accounts (their own lock, any process), the audit log (a hash
chain, followed across processes), `intake purge` with its retention rules, and the [console] keys."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from intake.cli.main import main
from intake.config.settings import load_config
from intake.errors import ConfigError
from storage.audit import ANCHOR, AuditEntry, AuditLog
from storage.store import Store
from storage.users import Role, UserBook, UserError
from tests.console_env import ConsoleWorld, beijing, henan_over, question, write_config
from tests.helpers import CST, ROOT


def entry(at: str, action: str = "correct", new: object = None) -> AuditEntry:
    return AuditEntry(at=at, user="wang", action=action, object="x", new=new)


def test_the_audit_log_chains_its_entries_and_shows_tampering(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    first = log.append(entry("2023-06-01T10:00:00+08:00", new={"mobile": "13900001111"}))
    second = log.append(entry("2023-06-02T10:00:00+08:00"))
    assert (first.seq, second.seq, second.prev) == (1, 2, first.hash)
    assert log.verify() is None
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    doctored = json.loads(lines[0])
    doctored["new"] = {"mobile": "13900009999"}
    (tmp_path / "audit.jsonl").write_text(json.dumps(doctored, ensure_ascii=False) + "\n" + lines[1] + "\n")
    assert AuditLog(tmp_path / "audit.jsonl").verify() == 1


def test_another_process_appends_and_the_console_sees_it(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append(entry("2023-06-01T10:00:00+08:00"))
    code = (
        "import sys; from storage.audit import AuditLog, AuditEntry;"
        f"AuditLog({str(tmp_path / 'audit.jsonl')!r}).append(AuditEntry(at='2023-06-01T11:00:00+08:00', user='cli:root', action='user.add', object='user li'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert [e.action for e in log.entries()] == ["correct", "user.add"]
    assert log.verify() is None


def test_purging_the_audit_log_keeps_the_chain(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    for day in (1, 2, 3, 4):
        log.append(entry(f"2023-06-0{day}T10:00:00+08:00"))
    assert log.purge(datetime(2023, 6, 3, tzinfo=CST)) == 2
    entries = log.entries()
    assert [e.action for e in entries] == [ANCHOR, "correct", "correct"]
    assert entries[0].new == {"removed_before": "2023-06-03T00:00:00+08:00", "removed": 2}
    assert log.verify() is None
    log.append(entry("2023-06-05T10:00:00+08:00"))
    assert log.verify() is None and log.entries()[-1].seq == 5


def test_accounts_are_kept_with_their_own_lock_and_names_are_checked(tmp_path: Path) -> None:
    book = UserBook(tmp_path / "console" / "users.json")
    book.add("wang", Role.EDITOR, ("zz-student/1",), "$argon2id$x")
    with pytest.raises(UserError):
        book.add("wang", Role.ADMIN, (), "$argon2id$y")
    with pytest.raises(UserError):
        book.add("王", Role.ADMIN, (), "$argon2id$y")
    other = UserBook(tmp_path / "console" / "users.json")  # another process's view
    changed = other.disable("wang")
    found = book.get("wang")  # re-read: the file changed
    assert found is not None and found.disabled and found.changed == changed.changed
    assert (tmp_path / "console" / "users.json").stat().st_mode & 0o777 == 0o600
    assert not found.may_see("zz-student/2") and found.may_see("zz-student/1")


def test_user_commands_work_while_the_daemon_holds_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = load_config(write_config(tmp_path))
    with Store(config.storage_dir):  # as the daemon does
        assert main(["user", "add", "li", "--role", "viewer", "--config", str(config.path)]) == 0
        assert main(["user", "disable", "li", "--config", str(config.path)]) == 0
        assert main(["user", "list", "--config", str(config.path)]) == 0
    out = capsys.readouterr().out
    assert "one-time password:" in out and "disabled" in out
    actions = [e.action for e in AuditLog(Path(config.storage_dir) / "console" / "audit.jsonl").entries()]
    assert actions == ["user.add", "user.disable"]
    assert "password_hash" not in (Path(config.storage_dir) / "console" / "audit.jsonl").read_text()


def test_console_keys_are_checked_when_the_config_loads(tmp_path: Path) -> None:
    plain = load_config(write_config(tmp_path, console="enabled = false"))
    assert not plain.console.enabled
    on = load_config(write_config(tmp_path, console='port = 8800\nhost = "127.0.0.1"'))
    assert on.console.enabled and on.console.port == 8800
    assert on.console.users_file == str(Path(on.storage_dir) / "console" / "users.json")
    for bad, key in (
        ("port = 70000", "console.port"),
        ("idle_timeout = 100\nabsolute_timeout = 50", "console.absolute_timeout"),
        ("colour = 1", "console.colour"),
        ("https = 1", "console.https"),
    ):
        with pytest.raises(ConfigError) as err:
            load_config(write_config(tmp_path, console=bad))
        assert err.value.key == key


def test_purge_removes_what_is_older_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = ConsoleWorld(tmp_path)
    old = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
    bj, _ = world.receive(beijing(), received=old)
    ha, _ = world.receive(henan_over(), received=old + timedelta(days=60))  # kept: after the date
    q, _ = world.receive(question("bj@example.cn", world.reply_id(bj)), received=old + timedelta(days=1))
    world.desk.audit.append(
        AuditEntry(
            at=old.isoformat(), user="wang", action="correct", object="x", new={"mobile": "13900001111"}
        )
    )
    config_path = str(world.config.path)
    for key in (f"reply:{bj}", f"ack:{q}"):  # sent back then
        item = world.outbox.get(key)
        assert item is not None
        world.outbox.mark_sent(world.outbox.mark_sending(item, now=old.timestamp()), now=old.timestamp())
    world.close()
    for sha in (bj, q):  # archived when received
        stamp = (old + timedelta(days=1)).timestamp()
        __import__("os").utime(world.archive.path(sha), (stamp, stamp))
    with Store(world.config.storage_dir):
        assert (
            main(["purge", "--before", "2023-07-01", "--config", config_path]) == 2
        )  # the daemon runs: refused
    assert "stop the daemon first" in capsys.readouterr().err
    assert main(["purge", "--before", "2023-07-01", "--dry-run", "--config", config_path]) == 0
    assert bj in world.archive
    assert main(["purge", "--before", "2023-07-01", "--config", config_path]) == 0
    out = capsys.readouterr().out
    assert "submission groups removed: 1 (1 versions); kept: 1" in out
    with Store(world.config.storage_dir) as store:
        assert store.versions("zz-student", 1, "北京") == []
        assert store.current_roster("zz-student", 1, "河南") is None and store.versions(
            "zz-student", 1, "河南"
        )
        assert store.questions() == []
        assert store.message_by_sha(bj) is None and store.message_by_sha(ha) is not None
    assert bj not in world.archive and q not in world.archive and ha in world.archive
    assert world.outbox.get(f"reply:{bj}") is None and world.outbox.get(f"reply:{ha}") is not None
    log = AuditLog(Path(world.config.storage_dir) / "console" / "audit.jsonl")
    assert "13900001111" not in log.path.read_text()
    assert [e.action for e in log.entries()][-1] == "purge" and log.verify() is None
