"""Outbox on disk, delivery rounds with in-process senders, FileSender.  No network."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import stat
import time
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from mailer.delivery import deliver_pending, retry_delay
from mailer.errors import (
    MailerError,
    OutboxError,
    OutboxLocked,
    OutboxStateError,
    SendConnectionError,
    SendPermanentError,
    SendTemporaryError,
    SendTimeout,
)
from mailer.outbox import BOUNCED, FAILED, PENDING, SENDING, SENT, Outbox
from mailer.outbox_item import item_id
from mailer.smtp_sender import FileSender
from storage.atomic import is_temp_name

RAW = b"Message-ID: <r1@intake.test>\r\nSubject: =?utf-8?b?5oql5ZCN?=\r\n\r\nok\r\n"
T0 = 1_000_000.0
T = TypeVar("T")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name != ".lock")


class ListSender:
    """Records what it is given; raises the queued errors first (per key if given)."""

    def __init__(self, errors: Sequence[BaseException] = (), fail_keys: Sequence[str] = ()) -> None:
        self.sent: list[tuple[str | None, bytes]] = []
        self.errors = list(errors)
        self.fail_keys = set(fail_keys)

    async def send(
        self, raw: bytes, mail_from: str, rcpt_to: Sequence[str], *, key: str | None = None
    ) -> None:
        if key in self.fail_keys:
            raise SendTemporaryError(421, "this one is down", phase="connect")
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((key, raw))


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


# -- storage -------------------------------------------------------------------


def test_enqueue_stores_private_files_atomically(tmp_path: Path) -> None:
    box_dir = tmp_path / "outbox"
    box = Outbox(box_dir)
    item = box.enqueue("reply:abc", RAW, "intake@example.org", ["a@example.org"], now=T0)

    assert mode(box_dir) == 0o700
    names = files(box_dir)
    assert names == sorted([f"{item.id}.json", item.eml])
    assert all(mode(box_dir / n) == 0o600 for n in names)
    assert not any(is_temp_name(n) for n in os.listdir(box_dir))
    state = json.loads((box_dir / f"{item.id}.json").read_text())
    assert state["key"] == "reply:abc" and state["state"] == PENDING and state["rcpt_to"] == ["a@example.org"]
    assert item.raw == RAW
    assert (item.state, item.attempts, item.flagged) == (PENDING, 0, False)


def test_existing_loose_directory_is_tightened(tmp_path: Path) -> None:
    d = tmp_path / "outbox"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    Outbox(d)
    assert mode(d) == 0o700


def test_enqueue_same_key_twice_keeps_one_unchanged_item(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    first = box.enqueue("reply:abc", RAW, "intake@example.org", ["a@example.org"], now=T0)
    box.mark_sending(first, now=T0)
    box.mark_sent(first, now=T0)
    again = box.enqueue("reply:abc", b"Message-ID: <other@x>\r\n\r\nchanged\r\n", "x@y", ["z@y"], now=T0 + 5)

    assert again.raw == RAW and again.state == SENT and again.created_at == T0
    assert len(box.items()) == 1
    assert box.stats() == {PENDING: 0, SENDING: 0, SENT: 1, FAILED: 0, BOUNCED: 0}
    assert box.pending(T0 + 10) == []


def test_enqueue_rejects_bad_input(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    with pytest.raises(ValueError):
        box.enqueue("", RAW, "a@b", ["c@d"])
    with pytest.raises(ValueError):
        box.enqueue("k", b"", "a@b", ["c@d"])
    with pytest.raises(ValueError):
        box.enqueue("k", RAW, "a@b", "c@d")  # one address as a str, not a list of them
    with pytest.raises(ValueError):
        box.enqueue("k", RAW, "a@b", [])
    assert box.items() == []


def test_state_machine_and_pending(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    item = box.enqueue("k1", RAW, "a@b", ["c@d"], now=T0)
    assert [i.key for i in box.pending(T0)] == ["k1"]
    with pytest.raises(OutboxStateError) as err:
        box.mark_sent(item, now=T0)
    assert isinstance(err.value, ValueError) and err.value.state == PENDING

    box.mark_sending(item, now=T0 + 1)
    assert (item.state, item.attempts, item.last_attempt_at) == (SENDING, 1, T0 + 1)
    assert box.pending(T0 + 1) == []
    box.mark_retry(item, SendTemporaryError(451, "later"), next_at=T0 + 61, now=T0 + 1)
    assert (item.state, item.last_code, item.next_at) == (PENDING, 451, T0 + 61)
    assert box.pending(T0 + 60) == []
    assert [i.key for i in box.pending(T0 + 61)] == ["k1"]

    box.mark_sending(item, now=T0 + 61)
    box.mark_failed(item, SendPermanentError(550, "no such user"), now=T0 + 61)
    assert item.flagged and item.last_code == 550 and item.failed_at == T0 + 61
    assert box.pending(T0 + 10**6) == []
    assert [i.key for i in box.items(FAILED)] == ["k1"]
    fresh = Outbox(tmp_path).get("k1")
    assert fresh is not None and (fresh.state, fresh.attempts, fresh.last_code) == (FAILED, 2, 550)

    box.requeue(item, now=T0 + 100)
    assert (item.state, item.attempts) == (PENDING, 0)


def test_stale_snapshot_cannot_skip_a_state(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    item = box.enqueue("k1", RAW, "a@b", ["c@d"], now=T0)
    other = Outbox(tmp_path).get("k1")
    assert other is not None
    box.mark_sending(item, now=T0)
    with pytest.raises(OutboxStateError):
        Outbox(tmp_path).mark_sending(other, now=T0)  # the disk says 'sending' already


def test_recover_requeues_once_then_fails(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    item = box.enqueue("k1", RAW, "a@b", ["c@d"], now=T0)
    box.mark_sending(item, now=T0)
    assert [i.key for i in Outbox(tmp_path).recover(T0 + 5)] == ["k1"]
    requeued = box.get("k1")
    assert requeued is not None
    assert (requeued.state, requeued.uncertain, requeued.next_at) == (PENDING, 1, T0 + 5)
    box.mark_sending(requeued, now=T0 + 5)
    Outbox(tmp_path).recover(T0 + 9)
    failed = box.get("k1")
    assert failed is not None and failed.state == FAILED and failed.flagged and failed.uncertain == 2
    assert "interrupted" in (failed.last_error or "")


def test_corrupt_state_file_is_skipped_and_its_message_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    box = Outbox(tmp_path)
    bad = box.enqueue("bad", RAW, "a@b", ["c@d"], now=T0)
    box.enqueue("good", RAW, "a@b", ["c@d"], now=T0)
    (tmp_path / f"{bad.id}.json").write_text("{not json")
    old = time.time() - 7200
    os.utime(tmp_path / bad.eml, (old, old))
    with caplog.at_level(logging.ERROR, logger="mailer.outbox"):
        assert [i.key for i in box.items()] == ["good"]
        box.recover(T0)
    assert "corrupt state file" in caplog.text
    assert (tmp_path / bad.eml).exists()


def test_recover_sweeps_stale_temp_and_orphan_files(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    item = box.enqueue("k1", RAW, "a@b", ["c@d"], now=T0)
    orphan = tmp_path / f"{item_id('ghost')}.0000.eml"
    tmp = tmp_path / ".tmp-deadbeef"  # as the outbox named its temp files before storage.atomic did
    stale_tmp = tmp_path / f".{item.id}.json.123.cafe.tmp"
    fresh_tmp = tmp_path / ".tmp-inprogress"
    for p in (orphan, tmp, stale_tmp, fresh_tmp):
        p.write_bytes(b"x")
    old = time.time() - 7200
    for p in (orphan, tmp, stale_tmp, tmp_path / item.eml):
        os.utime(p, (old, old))
    box.recover(T0)
    assert not orphan.exists() and not tmp.exists() and not stale_tmp.exists()
    assert fresh_tmp.exists() and (tmp_path / item.eml).exists()


def test_tampered_message_is_failed_not_sent(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    item = box.enqueue("k1", RAW, "a@b", ["c@d"], now=T0)
    (tmp_path / item.eml).write_bytes(b"something else")
    with pytest.raises(OutboxError):
        _ = item.raw
    sender = ListSender()
    report = run(deliver_pending(box, sender, T0))
    assert report.failed == ["k1"] and sender.sent == []
    assert box.stats()[FAILED] == 1


def test_purge_removes_old_sent_items_only(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    old = box.enqueue("old", RAW, "a@b", ["c@d"], now=T0)
    box.mark_sending(old, now=T0)
    box.mark_sent(old, now=T0)
    box.enqueue("new", RAW, "a@b", ["c@d"], now=T0)
    assert box.purge(sent_before=T0 + 1) == 1
    assert [i.key for i in box.items()] == ["new"]
    assert not (tmp_path / old.eml).exists()


def test_lock_is_exclusive(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    box.enqueue("k1", RAW, "a@b", ["c@d"], now=T0)
    sender = ListSender()
    with box.lock():
        with pytest.raises(OutboxLocked), Outbox(tmp_path).lock():
            pass
        report = run(deliver_pending(Outbox(tmp_path), sender, T0))
    assert report.locked and sender.sent == []
    assert run(deliver_pending(box, sender, T0)).sent == ["k1"]


# -- errors ----------------------------------------------------------------------


def test_error_hierarchy_carries_data() -> None:
    err = SendTimeout(None, "timed out", phase="data", uncertain=True)
    assert (
        isinstance(err, SendTemporaryError) and isinstance(err, TimeoutError) and isinstance(err, MailerError)
    )
    assert (err.code, err.message, err.phase, err.uncertain) == (None, "timed out", "data", True)
    assert str(err) == "timed out" and err.errno is None
    conn = SendConnectionError(None, "refused", phase="connect")
    assert isinstance(conn, ConnectionError) and not conn.uncertain
    perm = SendPermanentError(550, "5.1.1 no such user", phase="rcpt")
    assert str(perm) == "550 5.1.1 no such user" and not isinstance(perm, SendTemporaryError)
    assert issubclass(OutboxLocked, OutboxError) and issubclass(OutboxError, MailerError)


@pytest.mark.parametrize(
    "err",
    [
        SendTimeout(None, "timed out", phase="data", uncertain=True),
        SendConnectionError(None, "ConnectionRefusedError: refused", phase="connect"),
        SendTemporaryError(451, "4.3.0 try later", phase="mail"),
        SendPermanentError(550, "5.1.1 no such user", phase="rcpt"),
        OutboxError("cannot write state: No space left on device", "/var/outbox/x.json"),
        OutboxError("no path"),
        OutboxStateError("reply:1", state="sent", wanted="sending", path="/var/outbox/x.json"),
        OutboxLocked("outbox is locked by another delivery run", "/var/outbox/.lock"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_survive_pickling_with_their_fields_and_args(err: MailerError) -> None:
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err)
    assert again.args == err.args == tuple(getattr(err, f) for f in err.fields)
    assert vars(again) == vars(err) and str(again) == str(err)


# -- delivery rounds -------------------------------------------------------------------


def test_retry_delay_is_capped_exponential() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 7, 8, 100, 10**6)] == [60, 120, 240, 3600, 3600, 3600, 3600]
    assert retry_delay(3, (10, 3.0, 1000)) == 90


def test_temporary_errors_back_off_then_fail_at_max_attempts(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    box.enqueue("k1", RAW, "a@b", ["c@d"], now=T0)
    sender = ListSender(fail_keys=["k1"])
    now = T0
    for attempt in range(1, 4):
        report = run(deliver_pending(box, sender, now, backoff=(10, 2.0, 25), max_attempts=3))
        item = box.get("k1")
        assert item is not None and item.attempts == attempt
        if attempt < 3:
            assert report.retried == ["k1"] and item.next_at == now + min(25, 10 * 2 ** (attempt - 1))
            assert run(deliver_pending(box, sender, item.next_at - 1)).retried == []  # not due yet
            now = item.next_at
        else:
            assert report.failed == ["k1"] and item.flagged
    assert run(deliver_pending(box, sender, now + 10**6)).failed == []


def test_one_failing_item_does_not_stop_the_others(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    for n, key in enumerate(["a", "b", "c", "d"]):
        box.enqueue(key, RAW + key.encode(), "x@y", ["z@y"], now=T0 + n)
    sender = ListSender(
        errors=[SendPermanentError(550, "rejected"), RuntimeError("sender bug")], fail_keys=["d"]
    )
    report = run(deliver_pending(box, sender, T0 + 10))
    assert report.failed == ["a"] and report.retried == ["b", "d"] and report.sent == ["c"]
    assert [k for k, _ in sender.sent] == ["c"]
    b = box.get("b")
    assert b is not None and b.uncertain == 1  # an unexpected error might have sent it


def test_uncertain_failure_is_retried_once_then_flagged(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    box.enqueue("k1", RAW, "a@b", ["c@d"], now=T0)
    lost = SendConnectionError(None, "connection lost", phase="data", uncertain=True)
    sender = ListSender(errors=[lost, lost])
    assert run(deliver_pending(box, sender, T0)).retried == ["k1"]
    assert run(deliver_pending(box, sender, T0 + 60)).failed == ["k1"]
    item = box.get("k1")
    assert item is not None and item.flagged and item.uncertain == 2


# -- FileSender ---------------------------------------------------------------------


def test_file_sender_writes_private_eml_named_after_key(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox")
    out = tmp_path / "sent"
    sender = FileSender(out)
    box.enqueue("reply:0123abcd", RAW, "a@b", ["c@d"], now=T0)
    box.enqueue("plain-key_1", RAW + b"2", "a@b", ["c@d"], now=T0)
    report = run(deliver_pending(box, sender, T0))
    assert sorted(report.sent) == ["plain-key_1", "reply:0123abcd"]

    names = sorted(os.listdir(out))
    assert len(names) == 2 and "plain-key_1.eml" in names
    assert any(n.startswith("reply_0123abcd-") and n.endswith(".eml") for n in names)
    assert mode(out) == 0o700 and all(mode(out / n) == 0o600 for n in names)
    assert (out / sender.path_for(RAW, "reply:0123abcd").name).read_bytes() == RAW

    # sending a key again (a resend after a crash) replaces the same file: no duplicate
    run(sender.send(RAW, "a@b", ["c@d"], key="reply:0123abcd"))
    assert sorted(os.listdir(out)) == names


def test_file_sender_names_cannot_escape_the_directory(tmp_path: Path) -> None:
    sender = FileSender(tmp_path / "sent")
    for key in ["../../etc/passwd", "..", "/abs", "a/b", ".hidden"]:
        path = sender.path_for(RAW, key)
        assert path.parent == tmp_path / "sent" and not path.name.startswith(".")
    assert sender.path_for(RAW).name.endswith(".eml")


def test_file_sender_write_error_is_temporary(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SendTemporaryError) as err:
        run(FileSender(blocker / "sent").send(RAW, "a@b", ["c@d"], key="k"))
    assert err.value.phase == "write"


def test_a_bounced_reply_is_flagged_and_never_sent_again(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox")
    item = box.enqueue("reply:abc", RAW, "baoming@example.cn", ["a@hlj.edu.cn"], now=T0)
    box.mark_sending(item, now=T0)
    box.mark_sent(item, now=T0 + 1)
    bounced = box.mark_bounced(item, "550 5.1.1 user unknown", now=T0 + 60)
    assert bounced.state == BOUNCED and bounced.flagged
    assert bounced.last_error == "bounced: 550 5.1.1 user unknown"
    assert box.pending(now=T0 + 10_000) == []
    assert box.stats()[BOUNCED] == 1
    again = box.get("reply:abc")
    assert again is not None and again.state == BOUNCED
