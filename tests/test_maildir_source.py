"""MaildirSource: a local maildir read like an IMAP folder, without changing it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.errors import ConfigError, MailboxError
from intake.mailbox import maildir as maildir_module
from intake.mailbox.maildir import MaildirSource, maildir_uid, maildir_uidvalidity
from tests.fixtures.dovecot import DovecotServer, make_message


def never_seen(uidvalidity: int, uid: int) -> bool:
    return False


def deliver(
    maildir: Path, unique: str, raw: bytes, *, subdir: str = "new", info: str = "", mtime: float | None = None
) -> Path:
    """Deliver the way an MDA does: write in tmp/, rename into new/ (or cur/ with flags)."""
    staging = maildir / "tmp" / unique
    staging.write_bytes(raw)
    name = f"{unique}:{info}" if info else unique
    path = maildir / subdir / name
    os.rename(staging, path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def listing(maildir: Path) -> dict[str, tuple[int, int]]:
    """Every file under the maildir with its (mtime_ns, size)."""
    result = {}
    for root, _dirs, files in os.walk(maildir):
        for name in files:
            stat = os.stat(os.path.join(root, name))
            result[os.path.relpath(os.path.join(root, name), maildir)] = (stat.st_mtime_ns, stat.st_size)
    return result


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    path = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True)
    return path


@pytest.fixture
def source(maildir: Path) -> Iterator[MaildirSource]:
    source = MaildirSource(maildir, "local", poll_interval=0.05)
    source.connect()
    yield source
    source.close()


def test_lists_messages_stably_without_touching_them(maildir: Path, source: MaildirSource) -> None:
    base = 1_700_000_000
    a = make_message(subject="a")
    b = make_message(subject="b")
    c = make_message(subject="c")
    deliver(maildir, "1700000002.M1P1.host", b, mtime=base + 2)
    deliver(maildir, "1700000001.M1P1.host", a, subdir="cur", info="2,S", mtime=base + 1)
    deliver(maildir, "1700000003.M1P1.host,S=100", c, subdir="cur", info="2,FR", mtime=base + 3)
    (maildir / "new" / ".hidden").write_bytes(b"not a message")
    before = listing(maildir)

    first = source.fetch_new(never_seen)
    assert [m.raw for m in first] == [a, b, c]  # oldest first
    assert first[0].flags == ("\\Seen",)
    assert first[1].flags == ()
    assert set(first[2].flags) == {"\\Flagged", "\\Answered"}
    assert first[0].received == datetime.fromtimestamp(base + 1, UTC)
    assert all(m.mailbox == "local" and m.folder == str(maildir) for m in first)
    assert {m.uidvalidity for m in first} == {maildir_uidvalidity(maildir)}
    assert first[1].uid == maildir_uid("1700000002.M1P1.host")
    assert all(0 < m.uid < 2**53 for m in first)
    assert listing(maildir) == before  # nothing renamed, moved or re-flagged

    # Stable across listings, and across a mail reader moving new -> cur with flags.
    os.rename(maildir / "new" / "1700000002.M1P1.host", maildir / "cur" / "1700000002.M1P1.host:2,S")
    again = MaildirSource(maildir, "local")
    again.connect()
    second = again.fetch_new(never_seen)
    assert [(m.uid, m.uidvalidity) for m in second] == [(m.uid, m.uidvalidity) for m in first]
    assert second[1].flags == ("\\Seen",)


def test_is_seen_and_limit(maildir: Path, source: MaildirSource) -> None:
    for i in range(5):
        deliver(maildir, f"17000000{i}.M{i}.host", make_message(subject=f"m{i}"), mtime=1_700_000_000 + i)
    everything = source.fetch_new(never_seen)
    seen = {(everything[0].uidvalidity, everything[0].uid), (everything[2].uidvalidity, everything[2].uid)}
    calls = []

    def is_seen(uidvalidity: int, uid: int) -> bool:
        calls.append(uid)
        return (uidvalidity, uid) in seen

    batch = source.fetch_new(is_seen, limit=2)
    assert [m.uid for m in batch] == [everything[1].uid, everything[3].uid]
    rest = source.fetch_new(lambda uv, uid: (uv, uid) in seen | {(m.uidvalidity, m.uid) for m in batch})
    assert [m.uid for m in rest] == [everything[4].uid]


def test_uidvalidity_is_a_constant_of_the_path(tmp_path: Path, maildir: Path) -> None:
    assert maildir_uidvalidity(maildir) == maildir_uidvalidity(str(maildir))
    assert maildir_uidvalidity(maildir) != maildir_uidvalidity(tmp_path / "other")
    assert MaildirSource(maildir).uidvalidity == maildir_uidvalidity(maildir)
    assert maildir_uid("a") == maildir_uid("a") != maildir_uid("b")


def test_connect_creates_or_refuses(tmp_path: Path) -> None:
    created = MaildirSource(tmp_path / "fresh")
    created.connect()
    assert all((tmp_path / "fresh" / sub).is_dir() for sub in ("cur", "new", "tmp"))
    assert created.fetch_new(never_seen) == []
    strict = MaildirSource(tmp_path / "absent", "strict", create=False)
    with pytest.raises(MailboxError, match="^strict: .*not a maildir") as info:
        strict.connect()
    assert (info.value.mailbox, info.value.operation) == ("strict", "open")
    with pytest.raises(MailboxError, match="not connected"):
        strict.fetch_new(never_seen)


def test_mark_processed_move(maildir: Path) -> None:
    source = MaildirSource(maildir, "local", processed_action="move", processed_target="Processed")
    source.connect()
    deliver(maildir, "1.M1.host", make_message(subject="one"))
    deliver(maildir, "2.M2.host", make_message(subject="two"), subdir="cur", info="2,S")
    first, second = source.fetch_new(never_seen)
    source.mark_processed(first.uid)
    source.mark_processed(second.uid)
    assert source.fetch_new(never_seen) == []
    moved = sorted(os.listdir(maildir / ".Processed" / "cur"))
    assert moved == ["1.M1.host:2,", "2.M2.host:2,S"]
    assert (maildir / ".Processed" / "maildirfolder").exists()
    target = MaildirSource(maildir / ".Processed")
    target.connect()
    assert {m.uid for m in target.fetch_new(never_seen)} == {first.uid, second.uid}
    with pytest.raises(MailboxError, match="no message"):
        source.mark_processed(12345)


def test_mark_processed_keyword(maildir: Path) -> None:
    source = MaildirSource(maildir, "local", processed_action="keyword", processed_target="$Receipt_Done")
    source.connect()
    deliver(maildir, "1.M1.host", make_message())
    [message] = source.fetch_new(never_seen)
    source.mark_processed(message.uid)
    source.mark_processed(message.uid)  # idempotent
    assert os.listdir(maildir / "cur") == ["1.M1.host:2,a"]
    assert (maildir / "dovecot-keywords").read_text() == "0 $Receipt_Done\n"
    [again] = source.fetch_new(never_seen)
    assert again.uid == message.uid and again.flags == ("$Receipt_Done",)


def test_mark_processed_none_changes_nothing(maildir: Path, source: MaildirSource) -> None:
    deliver(maildir, "1.M1.host", make_message())
    before = listing(maildir)
    [message] = source.fetch_new(never_seen)
    source.mark_processed(message.uid)
    assert listing(maildir) == before


def test_big_message_header_only(maildir: Path) -> None:
    big = make_message(subject="big", attachment=("big.xlsx", bytes(200_000)))
    deliver(maildir, "1.M1.host", big)
    source = MaildirSource(maildir, max_message_bytes=50_000)
    source.connect()
    [message] = source.fetch_new(never_seen)
    assert message.truncated and message.size == len(big)
    assert b"Subject: big" in message.raw and message.raw.endswith(b"\r\n\r\n")


class FakeClock:
    """The maildir module's clock for the test's own thread: sleep() advances monotonic() at once
    and is recorded; on_sleep(n) runs before the n-th sleep returns (a delivery "while waiting").
    Any other thread that reaches the module's clock (a daemon of an earlier test still closing)
    gets the real one, so it neither spins nor writes into this test's record."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.on_sleep: dict[int, Callable[[], object]] = {}
        self.owner = threading.get_ident()

    def monotonic(self) -> float:
        if threading.get_ident() != self.owner:
            return time.monotonic()
        return self.now

    def sleep(self, seconds: float) -> None:
        if threading.get_ident() != self.owner:
            time.sleep(seconds)
            return
        self.slept.append(seconds)
        self.now += seconds
        action = self.on_sleep.get(len(self.slept))
        if action is not None:
            action()


def test_wait_sees_a_delivery(maildir: Path, source: MaildirSource, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(maildir_module, "time", clock)
    assert source.fetch_new(never_seen) == []
    assert source.wait(0.3) is False
    assert sum(clock.slept) == pytest.approx(0.3)  # it looked every poll_interval until its timeout
    assert max(clock.slept) == pytest.approx(0.05) and len(clock.slept) >= 6
    clock.slept.clear()
    clock.on_sleep = {3: lambda: deliver(maildir, "9.M9.host", make_message())}
    assert source.wait(10) is True
    assert len(clock.slept) == 3  # seen at the first look after the delivery
    assert len(source.fetch_new(never_seen)) == 1
    # Something delivered between fetch_new and wait is noticed at once.
    clock.slept.clear()
    deliver(maildir, "10.M10.host", make_message())
    assert source.wait(5) is True
    assert clock.slept == []


def test_close_from_another_thread_ends_a_wait(
    source: MaildirSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon's stop closes its sources; a watcher polling a maildir must then return at once
    rather than poll on for the rest of its idle timeout (as a closed IMAP connection ends IDLE)."""
    looking = threading.Event()
    names = source._names

    def looked() -> frozenset[tuple[str, str]]:
        looking.set()
        return names()

    monkeypatch.setattr(source, "_names", looked)
    waited: list[bool] = []
    watcher = threading.Thread(target=lambda: waited.append(source.wait(3600)))
    watcher.start()
    assert looking.wait(30)  # the watcher is inside its polling loop
    source.close()
    watcher.join(timeout=30)
    assert not watcher.is_alive() and waited == [False]


def test_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        MaildirSource(tmp_path, processed_action="delete")
    with pytest.raises(ConfigError):
        MaildirSource(tmp_path, processed_action="move")


@pytest.mark.dovecot
def test_reads_the_maildir_dovecot_writes(dovecot: DovecotServer) -> None:
    """The same messages, dates and flags as IMAP shows for them."""
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    raws = [make_message(subject="甲"), make_message(subject="乙")]
    dovecot.append("INBOX", raws[0], msg_time=when)
    dovecot.append("INBOX", raws[1], flags=["\\Seen", "\\Flagged"], msg_time=when.replace(hour=4))
    source = MaildirSource(dovecot.maildir, "dovecot-maildir", create=False)
    source.connect()
    first, second = source.fetch_new(never_seen)
    # Dovecot stores LF line ends (IMAP shows CRLF); the maildir source gives the file as stored.
    assert [first.raw.replace(b"\n", b"\r\n"), second.raw.replace(b"\n", b"\r\n")] == raws
    assert first.received == when and second.received == when.replace(hour=4)
    assert first.flags == () and set(second.flags) == {"\\Seen", "\\Flagged"}
    assert [m.uid for m in source.fetch_new(never_seen)] == [first.uid, second.uid]
