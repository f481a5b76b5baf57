"""Logging in and staying connected: a non-ASCII app password (AUTHENTICATE PLAIN), TCP keepalive
on the IDLE connection, host and port in connection errors, and a clean stop without warnings."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from intake.errors import MailboxError
from intake.mailbox.imap import ImapSource
from tests.daemon_env import RunningDaemon, wait_until, write_config
from tests.fixtures.dovecot import DovecotServer, free_port
from tests.fixtures.smtpd import SmtpServer

pytestmark = pytest.mark.dovecot


def source(server: DovecotServer, password: str) -> ImapSource:
    return ImapSource(
        server.host, server.port, "none", server.user, password, "INBOX", "login-test", timeout=5.0
    )


def test_a_non_ascii_password_logs_in_with_authenticate_plain(
    dovecot_factory: Callable[..., DovecotServer],
) -> None:
    server = dovecot_factory(password="授权码-Grüße")
    with source(server, "授权码-Grüße") as src:  # LOGIN cannot carry it: imaplib sends ASCII only
        assert src.connected and src.uidvalidity
    with pytest.raises(MailboxError) as refused:
        source(server, "授权码-wrong").connect()
    assert "refused" in str(refused.value) and "授权码-wrong" not in str(refused.value)


def test_the_connection_has_tcp_keepalive(dovecot: DovecotServer) -> None:
    with source(dovecot, dovecot.password) as src:
        client = src._client
        assert client is not None
        sock = client.socket()
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        if hasattr(socket, "TCP_KEEPIDLE"):
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 60


def test_a_connection_error_names_host_and_port() -> None:
    port = free_port()
    with pytest.raises(MailboxError) as error:
        ImapSource("127.0.0.1", port, "none", "u", "p", name="nowhere", timeout=2.0).connect()
    assert f"127.0.0.1:{port}" in str(error.value)


def test_a_clean_stop_logs_no_warning(
    dovecot: DovecotServer, smtpd: SmtpServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(tmp_path, dovecot, smtpd)
    with caplog.at_level(logging.INFO), RunningDaemon(config) as daemon:
        assert wait_until(lambda: daemon.store.last_poll("zz") is not None, 10)
        assert wait_until(lambda: "zz" in daemon.sources, 10)
    noisy = [
        r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith(("intake", "mailer"))
    ]
    assert noisy == [], [r.getMessage() for r in noisy]
