"""Delivery against an SMTP server that behaves as QQ's and 163's do (tests.fixtures.provider_smtpd):
TLS from a private CA, AUTH required, MAIL FROM must be the logged-in user, rate limits as 5xx."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from mailer.accounts import Account, Accounts
from mailer.delivery import deliver_pending
from mailer.errors import SendAccountRefused, SendThrottled
from mailer.outbox import FAILED, PENDING, SENT, Outbox
from mailer.smtp_sender import SmtpSender
from tests.fixtures.provider_smtpd import ProviderSmtpServer

pytestmark = pytest.mark.smtp

QQ3, QQ4, WY2 = "287455270@qq.com", "353070234@qq.com", "gzqysgmsc@163.com"
T0 = 1_000_000.0
BACKOFF = (60.0, 2.0, 3600.0)


def raw(n: int, sender: str = QQ3) -> bytes:
    return (
        f"From: {sender}\r\nTo: a{n}@example.org\r\nMessage-ID: <r{n}@intake.test>\r\n"
        f"Subject: =?utf-8?b?5Zue5omn?= {n}\r\n\r\nok {n}\r\n"
    ).encode()


def sender(server: ProviderSmtpServer, user: str, password: str, *, trusted: bool = True) -> SmtpSender:
    """trusted: with the private CA; else with the system's CAs only (which do not know it)."""
    return SmtpSender(
        server.host,
        server.port,
        security="tls" if server.implicit else "starttls",
        user=user,
        password=password,
        timeout=5,
        tls_context=server.client_context() if trusted else None,
    )


def accounts(server: ProviderSmtpServer, passwords: dict[str, str]) -> Accounts:
    return Accounts(
        Account(f"mailbox {user}", sender(server, user, pw), senders=frozenset({user}))
        for user, pw in passwords.items()
    )


def queue(box: Outbox, n: int, mail_from: str = QQ3) -> list[str]:
    keys = []
    for i in range(n):
        key = f"reply:{mail_from}:{i}"
        box.enqueue(key, raw(i, mail_from), mail_from, [f"a{i}@example.org"], now=T0)
        keys.append(key)
    return keys


def test_each_from_goes_through_its_own_account_one_login_each(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path
) -> None:
    provider_smtpd.handler.credentials = {QQ3: "qq3-code", QQ4: "qq4-code", WY2: "163-code"}
    box = Outbox(tmp_path / "outbox")
    keys = queue(box, 3, QQ3) + queue(box, 2, QQ4) + queue(box, 1, WY2)
    report = asyncio.run(
        deliver_pending(box, accounts(provider_smtpd, provider_smtpd.handler.credentials), T0)
    )
    assert sorted(report.sent) == sorted(keys) and report.failed == []
    got = provider_smtpd.wait_for(6)
    assert sorted(m.mail_from for m in got) == sorted([QQ3] * 3 + [QQ4] * 2 + [WY2])
    assert all(m.login == m.mail_from for m in got) and provider_smtpd.handler.refused_senders == []
    assert sorted(provider_smtpd.handler.logins) == sorted([QQ3, QQ4, WY2])  # one login per account


def test_one_shared_login_for_every_from_is_refused_as_qq_does_and_no_reply_is_failed(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path
) -> None:
    """What the single [outbox] login did: QQ refuses every other From; now the replies wait."""
    provider_smtpd.handler.credentials = {QQ3: "qq3-code"}
    box = Outbox(tmp_path / "outbox")
    keys = queue(box, 2, QQ4)
    shared = Accounts.single(sender(provider_smtpd, QQ3, "qq3-code"))
    report = asyncio.run(deliver_pending(box, shared, T0, backoff=BACKOFF))
    assert report.failed == [] and report.deferred == keys
    assert provider_smtpd.handler.refused_senders == [(QQ3, QQ4)]  # refused once, then the account rests
    for key in keys:
        item = box.get(key)
        assert item is not None and (item.state, item.attempts) == (PENDING, 0)
    account = shared.accounts[0]
    assert "must be same as authorization user" in account.last_error and account.blocked(T0 + 1)
    with pytest.raises(SendAccountRefused):
        asyncio.run(sender(provider_smtpd, QQ3, "qq3-code").send(raw(9, QQ4), QQ4, ["x@example.org"]))


def test_a_wrong_password_costs_one_login_per_round_and_no_reply_until_fixed(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    provider_smtpd.handler.credentials = {QQ3: "right-code"}
    box = Outbox(tmp_path / "outbox")
    keys = queue(box, 4, QQ3)
    wrong = accounts(provider_smtpd, {QQ3: "expired-code-123"})
    with caplog.at_level(logging.INFO):
        first = asyncio.run(deliver_pending(box, wrong, T0, backoff=BACKOFF, max_attempts=2))
        # the account rests (60 s after the first failure): the next round does not log in at all
        resting = asyncio.run(deliver_pending(box, wrong, T0 + 30, backoff=BACKOFF, max_attempts=2))
        later = asyncio.run(deliver_pending(box, wrong, T0 + 61, backoff=BACKOFF, max_attempts=2))
    assert first.deferred == resting.deferred == later.deferred == keys
    assert provider_smtpd.handler.auth_attempts == [(QQ3, False), (QQ3, False)]  # one per round it tried
    account = wrong.accounts[0]
    assert account.failures == 2 and account.next_login == T0 + 61 + 120  # backoff grows
    assert "535" in account.last_error and "expired-code-123" not in caplog.text
    for key in keys:  # never counted, never failed, whatever max_attempts says
        item = box.get(key)
        assert item is not None and (item.state, item.attempts) == (PENDING, 0)
    fixed = accounts(provider_smtpd, {QQ3: "right-code"})  # the operator fixed the secret, restarted
    assert sorted(asyncio.run(deliver_pending(box, fixed, T0 + 62)).sent) == sorted(keys)
    assert len(provider_smtpd.wait_for(4)) == 4 and box.stats()[SENT] == 4


def test_163_rate_limit_554_is_retried_slowly_not_flagged(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path
) -> None:
    provider_smtpd.handler.credentials = {WY2: "163-code"}
    provider_smtpd.handler.mail_script = [
        "554 DT:SPM 163 smtp14,EsCowAD3 测试 http://mail.163.com/help/help_spam_16.htm"
    ]
    box = Outbox(tmp_path / "outbox")
    first, second = queue(box, 2, WY2)
    acc = accounts(provider_smtpd, {WY2: "163-code"})
    report = asyncio.run(deliver_pending(box, acc, T0, throttle_delay=1800))
    assert report.retried == [first] and report.deferred == [second] and report.failed == []
    item = box.get(first)
    assert item is not None and item.state == PENDING and item.next_at >= T0 + 1800 and item.last_code == 554
    assert acc.accounts[0].blocked(T0 + 1799) and not acc.accounts[0].blocked(T0 + 1800)
    assert asyncio.run(deliver_pending(box, acc, T0 + 600)).sent == []  # resting: not even a login
    assert sorted(asyncio.run(deliver_pending(box, acc, T0 + 1800)).sent) == sorted([first, second])
    with pytest.raises(SendThrottled):
        provider_smtpd.handler.mail_script = ["550 Ip frequency limited"]
        asyncio.run(sender(provider_smtpd, WY2, "163-code").send(raw(5, WY2), WY2, ["x@example.org"]))


def test_a_reply_is_recorded_sent_at_250_before_quit(
    provider_smtpd: ProviderSmtpServer, tmp_path: Path
) -> None:
    provider_smtpd.handler.credentials = {QQ3: "qq3-code"}
    box = Outbox(tmp_path / "outbox")
    keys = queue(box, 3, QQ3)
    states_at_quit: list[list[str]] = []
    provider_smtpd.handler.on_quit = lambda: states_at_quit.append(
        [str(item.state) for item in Outbox(tmp_path / "outbox").items()]
    )
    assert (
        sorted(asyncio.run(deliver_pending(box, accounts(provider_smtpd, {QQ3: "qq3-code"}), T0)).sent)
        == keys
    )
    assert states_at_quit == [["sent", "sent", "sent"]]  # on disk before the client said QUIT
    assert provider_smtpd.handler.quits == 1


def test_starttls_with_the_private_ca_and_without_it(
    provider_smtpd_starttls: ProviderSmtpServer, tmp_path: Path
) -> None:
    server = provider_smtpd_starttls
    server.handler.credentials = {QQ3: "qq3-code"}
    box = Outbox(tmp_path / "outbox")
    [key] = queue(box, 1, QQ3)
    untrusted = Accounts([Account("qq3", sender(server, QQ3, "qq3-code", trusted=False))])
    report = asyncio.run(deliver_pending(box, untrusted, T0))
    assert report.deferred == [key] and "CERTIFICATE_VERIFY_FAILED" in untrusted.accounts[0].last_error
    assert server.handler.auth_attempts == []  # the password never left over an unverified connection
    assert asyncio.run(deliver_pending(box, accounts(server, {QQ3: "qq3-code"}), T0)).sent == [key]
    item = box.get(key)
    assert item is not None and item.state == SENT and item.attempts == 1
    assert box.stats()[FAILED] == 0
