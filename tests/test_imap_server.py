"""The Dovecot fixture itself: it starts fast, offers what the IMAP source relies on,
restarts on the same port with the same mail, and can change a folder's UIDVALIDITY."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.fixtures.dovecot import DovecotServer, make_message

pytestmark = pytest.mark.dovecot


def test_offers_idle_move_uidplus_condstore(dovecot: DovecotServer) -> None:
    client = dovecot.client()
    capabilities = set(client.capabilities())
    assert {b"IDLE", b"MOVE", b"UIDPLUS", b"CONDSTORE", b"ID"} <= capabilities
    client.logout()


def test_starts_and_answers_on_loopback(dovecot: DovecotServer) -> None:
    assert dovecot.running
    assert dovecot.host == "127.0.0.1" and dovecot.port > 0
    client = dovecot.client()  # greets and logs in: the fixture waited until it was ready
    assert "INBOX" in [name for _flags, _delimiter, name in client.list_folders()]
    client.logout()


def test_append_and_flags(dovecot: DovecotServer) -> None:
    when = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    uid = dovecot.append("INBOX", make_message(), flags=["\\Flagged"], msg_time=when)
    assert "\\Flagged" in dovecot.flags("INBOX", uid)
    assert "\\Seen" not in dovecot.flags("INBOX", uid)
    assert dovecot.uids("INBOX") == [uid]
    # the mail is in the maildir the fixture names
    assert len(list((dovecot.maildir / "new").iterdir()) + list((dovecot.maildir / "cur").iterdir())) == 1


def test_stop_and_start_keep_port_and_mail(dovecot: DovecotServer) -> None:
    uid = dovecot.append("INBOX", make_message())
    port = dovecot.port
    dovecot.stop()
    assert not dovecot.running
    with pytest.raises(OSError):
        dovecot.client()
    dovecot.start()
    assert dovecot.port == port
    assert dovecot.uids("INBOX") == [uid]


@pytest.mark.parametrize("folder", ["INBOX", "Receipts"])
def test_recreate_folder_changes_uidvalidity(dovecot: DovecotServer, folder: str) -> None:
    raw = make_message(subject="kept")
    dovecot.append(folder, raw, flags=["\\Seen"])
    dovecot.append(folder, make_message(subject="second"))
    old = dovecot.uidvalidity(folder)
    new = dovecot.recreate_folder(folder)
    assert new != old
    assert dovecot.uidvalidity(folder) == new
    uids = dovecot.uids(folder)
    assert len(uids) == 2
    client = dovecot.client()
    client.select_folder(folder, readonly=True)
    data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
    client.logout()
    bodies = {data[uid][b"BODY[]"]: data[uid][b"FLAGS"] for uid in uids}
    assert b"\\Seen" in bodies[raw]


def test_tls_server(dovecot_factory: Callable[..., DovecotServer]) -> None:
    server = dovecot_factory(tls=True)
    assert server.tls_port and server.cafile is not None
    client = server.client(ssl=True)
    assert b"IDLE" in client.capabilities()
    client.logout()


def test_failed_test_gets_the_log(dovecot: DovecotServer) -> None:
    assert "starting up" in dovecot.log_text()
