"""SmtpSender and delivery rounds against a real aiosmtpd server on loopback (no SMTP mocks)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from mailer.delivery import deliver_pending
from mailer.errors import SendConnectionError, SendPermanentError, SendTemporaryError, SendTimeout
from mailer.outbox import FAILED, PENDING, SENT, Outbox
from mailer.smtp_sender import SmtpSender
from tests.fixtures.smtpd import CLOSE, DROP, HANG, SmtpServer

pytestmark = pytest.mark.smtp

RAW = (
    "From: 报名处 <intake@example.org>\r\n"
    "To: a@example.org\r\n"
    "Message-ID: <reply-1@intake.example.org>\r\n"
    "Subject: =?utf-8?b?5Zue5omn?=\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "收到您的报名回执表。\r\n"
    ".a line starting with a dot\r\n"
).encode()
KEY = "reply:" + "ab" * 32
T0 = 1_000_000.0


def sender_for(smtpd: SmtpServer, **kw: Any) -> SmtpSender:
    kw.setdefault("timeout", 5)
    return SmtpSender(smtpd.host, smtpd.port, **kw)


def outbox(tmp_path: Path) -> Outbox:
    box = Outbox(tmp_path / "outbox")
    box.enqueue(KEY, RAW, "intake@example.org", ["a@example.org"], now=T0)
    return box


def state(box: Outbox) -> str:
    item = box.get(KEY)
    assert item is not None
    return item.state


def test_reply_is_delivered_once_unchanged(smtpd: SmtpServer, tmp_path: Path) -> None:
    box = outbox(tmp_path)
    sender = sender_for(smtpd)
    assert asyncio.run(deliver_pending(box, sender, T0)).sent == [KEY]
    assert asyncio.run(deliver_pending(box, sender, T0 + 10**6)).sent == []
    [msg] = smtpd.wait_for(1)
    assert msg.content == RAW  # 8-bit body and dot-stuffing round-trip, bytes unchanged
    assert (msg.mail_from, msg.rcpt_tos) == ("intake@example.org", ["a@example.org"])
    assert box.stats() == {"pending": 0, "sending": 0, "sent": 1, "failed": 0, "bounced": 0}
    assert len(smtpd.messages) == 1


def test_451_then_250_delivers_exactly_once_after_backoff(smtpd: SmtpServer, tmp_path: Path) -> None:
    smtpd.handler.script = ["451 4.3.0 try later", "250 OK"]
    box = outbox(tmp_path)
    sender = sender_for(smtpd)

    report = asyncio.run(deliver_pending(box, sender, T0, backoff=(60, 2.0, 3600)))
    item = box.get(KEY)
    assert report.retried == [KEY] and item is not None
    assert (item.state, item.attempts, item.last_code, item.next_at) == (PENDING, 1, 451, T0 + 60)
    assert smtpd.messages == []

    assert asyncio.run(deliver_pending(box, sender, T0 + 59)).sent == []  # not due yet
    assert smtpd.handler.data_commands == 1
    assert asyncio.run(deliver_pending(box, sender, T0 + 60)).sent == [KEY]
    assert len(smtpd.wait_for(1)) == 1 and state(box) == SENT
    assert smtpd.handler.data_commands == 2


def test_550_fails_flags_and_is_never_retried(smtpd: SmtpServer, tmp_path: Path) -> None:
    smtpd.handler.script = ["550 5.7.1 message rejected"]
    box = outbox(tmp_path)
    sender = sender_for(smtpd)
    assert asyncio.run(deliver_pending(box, sender, T0)).failed == [KEY]
    for later in (T0 + 60, T0 + 3600, T0 + 10**7):
        assert asyncio.run(deliver_pending(box, sender, later)).sent == []
    item = box.get(KEY)
    assert item is not None and item.flagged and item.state == FAILED and item.last_code == 550
    assert smtpd.handler.data_commands == 1 and smtpd.messages == []


def test_recipient_refusal_permanent_and_temporary(smtpd: SmtpServer) -> None:
    sender = sender_for(smtpd)
    smtpd.handler.rcpt_script = ["550 5.1.1 no such user"]
    with pytest.raises(SendPermanentError) as perm:
        asyncio.run(sender.send(RAW, "intake@example.org", ["nobody@example.org"]))
    assert (perm.value.code, perm.value.phase) == (550, "rcpt")
    smtpd.handler.rcpt_script = ["250 OK", "450 4.2.0 mailbox busy"]
    with pytest.raises(SendTemporaryError) as temp:
        asyncio.run(sender.send(RAW, "intake@example.org", ["a@example.org", "b@example.org"]))
    assert (temp.value.code, temp.value.phase, temp.value.uncertain) == (450, "rcpt", False)
    assert smtpd.handler.data_commands == 0 and smtpd.messages == []


def test_connection_refused_is_retried_until_server_is_back(smtpd: SmtpServer, tmp_path: Path) -> None:
    box = outbox(tmp_path)
    sender = sender_for(smtpd)
    smtpd.stop()
    with pytest.raises(SendConnectionError) as err:
        asyncio.run(sender.send(RAW, "intake@example.org", ["a@example.org"]))
    assert err.value.phase == "connect" and not err.value.uncertain and isinstance(err.value, ConnectionError)

    report = asyncio.run(deliver_pending(box, sender, T0))
    item = box.get(KEY)
    # The account, not the reply, failed: nothing counted against the reply.
    assert report.deferred == [KEY] and report.retried == [] and item is not None
    assert (item.state, item.attempts, item.last_error) == (PENDING, 0, None)
    smtpd.start()
    assert asyncio.run(deliver_pending(box, sender, T0 + 60)).sent == [KEY]
    assert len(smtpd.wait_for(1)) == 1


def test_server_accepts_then_drops_connection_gives_at_most_one_duplicate(
    smtpd: SmtpServer, tmp_path: Path
) -> None:
    """The reply to DATA is lost: the server has the message, the client cannot know."""
    smtpd.handler.script = [CLOSE]
    box = outbox(tmp_path)
    sender = sender_for(smtpd)
    report = asyncio.run(deliver_pending(box, sender, T0))
    item = box.get(KEY)
    assert report.retried == [KEY] and item is not None and item.uncertain == 1
    assert asyncio.run(deliver_pending(box, sender, T0 + 60)).sent == [KEY]
    msgs = smtpd.wait_for(2)
    assert len(msgs) == 2 and msgs[0].content == msgs[1].content  # same bytes, same Message-ID


def test_repeated_uncertain_outcome_is_flagged_not_resent(smtpd: SmtpServer, tmp_path: Path) -> None:
    smtpd.handler.script = [CLOSE, CLOSE]
    box = outbox(tmp_path)
    sender = sender_for(smtpd)
    asyncio.run(deliver_pending(box, sender, T0))
    assert asyncio.run(deliver_pending(box, sender, T0 + 60)).failed == [KEY]
    assert asyncio.run(deliver_pending(box, sender, T0 + 10**6)).sent == []
    assert len(smtpd.wait_for(2)) == 2 and smtpd.handler.data_commands == 2
    item = box.get(KEY)
    assert item is not None and item.flagged and item.uncertain == 2


def test_connection_dropped_without_accepting_is_resent(smtpd: SmtpServer, tmp_path: Path) -> None:
    smtpd.handler.script = [DROP]
    box = outbox(tmp_path)
    sender = sender_for(smtpd)
    assert asyncio.run(deliver_pending(box, sender, T0)).retried == [KEY]
    assert asyncio.run(deliver_pending(box, sender, T0 + 60)).sent == [KEY]
    assert len(smtpd.wait_for(1)) == 1


def test_timeout_after_data_is_temporary_and_uncertain(smtpd: SmtpServer) -> None:
    smtpd.handler.script = [HANG]
    with pytest.raises(SendTimeout) as err:
        asyncio.run(sender_for(smtpd, timeout=0.5).send(RAW, "intake@example.org", ["a@example.org"]))
    assert err.value.phase == "data" and err.value.uncertain and isinstance(err.value, TimeoutError)


def test_max_attempts_with_real_server(smtpd: SmtpServer, tmp_path: Path) -> None:
    smtpd.handler.script = ["421 4.3.2 shutting down"] * 3
    box = outbox(tmp_path)
    sender = sender_for(smtpd)
    now = T0
    for _ in range(3):
        asyncio.run(deliver_pending(box, sender, now, backoff=(1, 1.0, 1), max_attempts=3))
        now += 1
    item = box.get(KEY)
    assert item is not None and item.state == FAILED and item.attempts == 3 and item.last_code == 421
    assert smtpd.messages == []


def test_auth_login_and_wrong_password_is_temporary_and_not_logged(
    smtpd: SmtpServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    smtpd.handler.credentials = {"intake": "s3cret-pw"}
    asyncio.run(
        sender_for(smtpd, user="intake", password="s3cret-pw").send(
            RAW, "intake@example.org", ["a@example.org"]
        )
    )
    assert smtpd.wait_for(1)[0].login == "intake"

    box = outbox(tmp_path)
    bad = sender_for(smtpd, user="intake", password="wrong-pw-123")
    assert "wrong-pw-123" not in repr(bad)
    with caplog.at_level(logging.DEBUG):
        report = asyncio.run(deliver_pending(box, bad, T0))
    item = box.get(KEY)
    # A bad password must not fail replies for good, nor count against them.
    assert report.deferred == [KEY] and item is not None and (item.state, item.attempts) == (PENDING, 0)
    assert "wrong-pw-123" not in caplog.text and "535" in caplog.text
    assert "account outbox" in caplog.text and "1 replies wait" in caplog.text
    assert len(smtpd.messages) == 1


def test_security_settings() -> None:
    assert SmtpSender("mx.example.org").port == 25
    assert SmtpSender("mx.example.org", security="tls").port == 465
    assert SmtpSender("mx.example.org", security="starttls").port == 587
    with pytest.raises(ValueError):
        SmtpSender("mx.example.org", security="ssl")  # type: ignore[arg-type]  # not a Security, on purpose: refused
    with pytest.raises(ValueError):
        SmtpSender("mx.example.org", password="x")


def test_starttls_required_but_not_offered_is_temporary(smtpd: SmtpServer) -> None:
    with pytest.raises(SendTemporaryError) as err:
        asyncio.run(sender_for(smtpd, security="starttls").send(RAW, "a@example.org", ["b@example.org"]))
    assert err.value.phase == "connect" and smtpd.messages == []


def test_empty_mail_from_uses_from_addr(smtpd: SmtpServer) -> None:
    asyncio.run(sender_for(smtpd, from_addr="bounces@example.org").send(RAW, "", ["a@example.org"]))
    assert smtpd.wait_for(1)[0].mail_from == "bounces@example.org"
