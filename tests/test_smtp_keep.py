"""Sessions kept open between delivery rounds (mailer.sessions) against a provider-like aiosmtpd.

The server (tests.fixtures.provider_smtpd) speaks TLS from a private CA and wants AUTH, as QQ and
163 do; its handler counts client connections, AUTHs and QUITs.  Each test runs its rounds in one
event loop (asyncio.Runner), as the daemon's delivery thread does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailer.accounts import Account, Accounts
from mailer.delivery import DeliveryReport, deliver_pending
from mailer.outbox import PENDING, SENT, Outbox
from mailer.sessions import KeptSessions
from mailer.smtp_sender import SmtpSender
from tests.daemon_env import wait_until
from tests.fixtures.provider_smtpd import ProviderSmtpServer

pytestmark = pytest.mark.smtp

QQ3 = "287455270@qq.com"
PASSWORD = "qq3-code"


def make_accounts(server: ProviderSmtpServer, login_interval: float = 0.0) -> Accounts:
    sender = SmtpSender(
        server.host,
        server.port,
        security="tls",
        user=QQ3,
        password=PASSWORD,
        timeout=5,
        tls_context=server.client_context(),
    )
    return Accounts([Account("mailbox qq3", sender, frozenset({QQ3}), login_interval=login_interval)])


def enqueue(box: Outbox, n: int) -> str:
    key = f"reply:{n}"
    raw = (
        f"From: {QQ3}\r\nTo: a{n}@example.org\r\nMessage-ID: <r{n}@intake.test>\r\nSubject: {n}\r\n\r\nok\r\n"
    )
    box.enqueue(key, raw.encode(), QQ3, [f"a{n}@example.org"])
    return key


@pytest.fixture
def server(provider_smtpd: ProviderSmtpServer) -> ProviderSmtpServer:
    provider_smtpd.handler.credentials = {QQ3: PASSWORD}
    return provider_smtpd


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as r:
        yield r


@pytest.fixture
def kept(runner: asyncio.Runner) -> Iterator[KeptSessions]:
    """Sessions kept 30 s; closed before the loop is, as the daemon's delivery loop does."""
    sessions = KeptSessions(30)
    yield sessions
    runner.run(sessions.close_all())


def deliver(runner: asyncio.Runner, box: Outbox, accounts: Accounts, kept: KeptSessions) -> DeliveryReport:
    return runner.run(deliver_pending(box, accounts, sessions=kept))


def test_a_trickle_of_rounds_uses_one_login_and_close_all_says_quit(
    server: ProviderSmtpServer, runner: asyncio.Runner, kept: KeptSessions, tmp_path: Path
) -> None:
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server)
    for n in range(5):
        key = enqueue(box, n)
        assert deliver(runner, box, accounts, kept).sent == [key]  # each in its own round
    assert len(server.wait_for(5)) == 5
    assert server.handler.auth_attempts == [(QQ3, True)] and server.handler.connections == 1
    assert server.handler.open_connections == 1 and server.handler.quits == 0
    assert kept.holds(accounts.accounts[0])
    runner.run(kept.close_all())
    assert wait_until(lambda: server.handler.open_connections == 0, 60)
    assert server.handler.quits == 1 and len(kept) == 0


def test_a_session_idle_past_the_limit_is_closed_with_quit_then_a_new_login(
    server: ProviderSmtpServer, runner: asyncio.Runner, kept: KeptSessions, tmp_path: Path
) -> None:
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server)
    kept.keep_s = 0.3
    assert deliver(runner, box, accounts, kept).sent == []  # nothing due: no login at all
    assert server.handler.connections == 0
    first = enqueue(box, 1)
    assert deliver(runner, box, accounts, kept).sent == [first]
    assert runner.run(kept.close_idle()) == 0  # still recent
    assert wait_until(lambda: kept.expires_in() == 0.0, 5)
    assert deliver(runner, box, accounts, kept).sent == []  # a round with nothing due closes it
    assert wait_until(lambda: server.handler.open_connections == 0, 60)
    assert server.handler.quits == 1 and len(kept) == 0
    second = enqueue(box, 2)
    assert deliver(runner, box, accounts, kept).sent == [second]
    assert server.handler.auth_attempts == [(QQ3, True), (QQ3, True)] and server.handler.connections == 2


def test_a_session_the_server_dropped_while_idle_is_replaced_in_the_same_round_without_a_retry(
    server: ProviderSmtpServer, runner: asyncio.Runner, kept: KeptSessions, tmp_path: Path
) -> None:
    server.stop()
    server.idle_timeout = 0.5  # the server closes a connection idle that long, silently (aiosmtpd)
    server.start()
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server)
    first = enqueue(box, 1)
    assert deliver(runner, box, accounts, kept).sent == [first]
    assert wait_until(lambda: server.handler.idle_closed == 1, 60)  # dropped by the server
    assert kept.holds(accounts.accounts[0])  # the client has not noticed yet: its loop was not running
    key = enqueue(box, 2)
    report = deliver(runner, box, accounts, kept)
    assert report.sent == [key] and report.retried == report.deferred == report.failed == []
    item = box.get(key)
    assert item is not None and item.state == SENT and item.attempts == 1 and item.last_error is None
    account = accounts.accounts[0]
    assert account.failures == 0 and account.last_error == "" and not account.blocked(time.time())
    assert server.handler.auth_attempts == [(QQ3, True), (QQ3, True)] and server.handler.data_commands == 2


def test_a_session_answering_421_to_the_check_is_replaced_in_the_same_round(
    server: ProviderSmtpServer, runner: asyncio.Runner, kept: KeptSessions, tmp_path: Path
) -> None:
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server)
    first = enqueue(box, 1)
    assert deliver(runner, box, accounts, kept).sent == [first]
    server.handler.noop_script = ["421 4.4.2 smtp.provider.test Error: timeout exceeded"]  # as Postfix
    key = enqueue(box, 2)
    report = deliver(runner, box, accounts, kept)
    assert report.sent == [key] and report.retried == report.deferred == []
    item = box.get(key)
    assert item is not None and item.attempts == 1 and accounts.accounts[0].failures == 0
    assert server.handler.connections == 2 and len(server.handler.auth_attempts) == 2
    assert wait_until(lambda: server.handler.open_connections == 1, 60)  # only the new one is open


def test_a_round_without_kept_sessions_closes_its_own(server: ProviderSmtpServer, tmp_path: Path) -> None:
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server)
    keys = [enqueue(box, n) for n in range(3)]
    assert sorted(asyncio.run(deliver_pending(box, accounts)).sent) == keys
    assert wait_until(lambda: server.handler.open_connections == 0, 60)
    assert server.handler.quits == 1 and server.handler.connections == 1


def test_a_session_with_an_error_on_it_is_not_kept(
    server: ProviderSmtpServer, runner: asyncio.Runner, kept: KeptSessions, tmp_path: Path
) -> None:
    """A provider's rate limit: the account rests and its session is closed, not kept for later."""
    server.handler.mail_script = ["554 DT:SPM 163 smtp14,EsCowAD3 http://mail.163.com/help/help_spam_16.htm"]
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server)
    key = enqueue(box, 1)
    assert deliver(runner, box, accounts, kept).retried == [key]
    assert len(kept) == 0
    assert wait_until(lambda: server.handler.open_connections == 0, 60) and server.handler.quits == 1


def test_a_refused_recipient_keeps_the_session(
    server: ProviderSmtpServer, runner: asyncio.Runner, kept: KeptSessions, tmp_path: Path
) -> None:
    """A 5xx about one message (RSET done) is the message's: the session goes on, and is kept."""
    server.handler.rcpt_script = ["550 5.1.1 no such user"]
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server)
    refused = enqueue(box, 1)
    assert deliver(runner, box, accounts, kept).failed == [refused]
    assert len(kept) == 1
    key = enqueue(box, 2)
    assert deliver(runner, box, accounts, kept).sent == [key]
    assert server.handler.auth_attempts == [(QQ3, True)]


def test_pacing_applies_to_new_logins_and_the_round_takes_what_came_while_it_waited(
    server: ProviderSmtpServer, runner: asyncio.Runner, kept: KeptSessions, tmp_path: Path
) -> None:
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server, login_interval=1.5)
    first = enqueue(box, 1)
    assert deliver(runner, box, accounts, kept).sent == [first]  # the first login: nothing to wait for
    runner.run(kept.close_all())  # (as if the session had gone idle): the next round logs in again

    async def round_with_a_late_reply() -> DeliveryReport:
        # The round runs until it waits for the account's pacing (its first suspension);
        # then this reply is queued, due at once.
        delivery = asyncio.ensure_future(deliver_pending(box, accounts, sessions=kept))
        await asyncio.sleep(0)
        assert not delivery.done()
        late.append(enqueue(box, 3))
        return await delivery

    late: list[str] = []
    second = enqueue(box, 2)
    report = runner.run(round_with_a_late_reply())
    assert sorted(report.sent) == sorted([second, *late])  # listed after the wait, not before
    assert server.handler.auth_attempts == [(QQ3, True), (QQ3, True)]
    third = enqueue(box, 4)
    assert deliver(runner, box, accounts, kept).sent == [third]  # the kept session: no new login
    assert len(server.handler.auth_attempts) == 2
    item = box.get(third)
    assert item is not None and item.state == SENT
    assert box.stats()[PENDING] == 0


def test_kept_sessions_belong_to_one_event_loop(
    server: ProviderSmtpServer, runner: asyncio.Runner, kept: KeptSessions, tmp_path: Path
) -> None:
    box, accounts = Outbox(tmp_path / "outbox"), make_accounts(server)
    deliver(runner, box, accounts, kept)
    with pytest.raises(RuntimeError, match="another event loop"):
        asyncio.run(deliver_pending(box, accounts, sessions=kept))
