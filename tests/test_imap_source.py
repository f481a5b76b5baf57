"""ImapSource against a real Dovecot (no IMAP mocks)."""

from __future__ import annotations

import logging
import pickle
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from intake.config.choices import ProcessedAction, Security
from intake.errors import ConfigError, MailboxAuthError, MailboxError, MailboxRefused, MailboxTimeout
from intake.mailbox import imap
from intake.mailbox.imap import ImapSource
from intake.mailbox.source import FetchedMessage
from tests.daemon_env import wait_until
from tests.fixtures.dovecot import DovecotServer, make_message
from tests.guard import finishes

NAME = "报名邮箱 intake@example.org"


def never_seen(uidvalidity: int, uid: int) -> bool:
    return False


def validity(source: ImapSource) -> int:
    """The connected source's UIDVALIDITY."""
    assert source.uidvalidity is not None, "the source is not connected"
    return source.uidvalidity


@pytest.fixture
def make_source(dovecot: DovecotServer) -> Iterator[Callable[..., ImapSource]]:
    """make_source(**overrides) -> a connected ImapSource on the dovecot fixture; closed after."""
    made: list[ImapSource] = []

    def make(server: DovecotServer | None = None, connect: bool = True, **overrides: Any) -> ImapSource:
        server = server or dovecot
        options: dict[str, Any] = dict(
            host=server.host,
            port=server.port,
            security="none",
            user=server.user,
            password=server.password,
            folder="INBOX",
            name=NAME,
            timeout=5.0,
        )
        options.update(overrides)
        source = ImapSource(**options)
        made.append(source)
        if connect:
            source.connect()
        return source

    yield make
    for source in made:
        source.close()


class Later(threading.Thread):
    """A daemon thread that runs action after delay seconds and keeps what it raised."""

    def __init__(self, delay: float, action: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.delay = delay
        self.action = action
        self.errors: list[BaseException] = []

    def run(self) -> None:
        time.sleep(self.delay)
        try:
            self.action()
        except BaseException as exc:  # pragma: no cover - reported by the test
            self.errors.append(exc)


def later(delay: float, action: Callable[[], object]) -> Later:
    """Run action in a thread after delay seconds (errors are re-raised by join_ok)."""
    thread = Later(delay, action)
    thread.start()
    return thread


def when_idling(source: ImapSource, action: Callable[[], object]) -> Later:
    """Run action in a thread once the source has an IDLE command open (deadlock guard: 120 s)."""

    def act() -> None:
        assert wait_until(lambda: source._idling, 120), "the source never entered IDLE"
        action()

    return later(0, act)


def spy_idle(monkeypatch: pytest.MonkeyPatch, source: ImapSource) -> list[float]:
    """The seconds each IDLE command of the source was given, in order, as wait() issues them."""
    asked: list[float] = []
    idle_once = source._idle_once

    def counting(client: Any, seconds: float) -> bool:
        asked.append(seconds)
        return idle_once(client, seconds)

    monkeypatch.setattr(source, "_idle_once", counting)
    return asked


def join_ok(thread: Later) -> None:
    thread.join(30)
    assert not thread.is_alive()
    if thread.errors:
        raise thread.errors[0]


# -- configuration, no server ----------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, key",
    [
        (dict(security="ssl"), "security"),
        (dict(processed_action="delete"), "processed_action"),
        (dict(processed_action="move"), "processed_target"),
        (dict(processed_action="keyword", processed_target="two words"), "processed_target"),
        (dict(processed_action="keyword", processed_target="\\Seen"), "processed_target"),
        (dict(processed_action="move", processed_target="INBOX"), "processed_target"),
        (dict(host=""), "host"),
    ],
)
def test_bad_configuration_is_a_config_error(overrides: dict[str, object], key: str) -> None:
    options: dict[str, Any] = dict(
        host="imap.example.org", port=993, security="tls", user="u", password="p", folder="INBOX", name="n"
    )
    options.update(overrides)
    with pytest.raises(ConfigError) as info:
        ImapSource(**options)
    assert info.value.key == key


def test_default_ports_and_repr_without_password() -> None:
    tls = ImapSource("imap.163.com", None, "tls", "someone@163.com", "hunter2-secret", name="163")
    assert tls.port == 993
    assert ImapSource("h", None, "starttls", "u", "p").port == 143
    assert "hunter2-secret" not in repr(tls)
    assert tls.name == "163"
    assert ImapSource("h", 143, "none", "u@example.org", "p").name == "u@example.org"


def test_calls_before_connect_raise_mailbox_error() -> None:
    source = ImapSource(
        "127.0.0.1",
        1,
        "none",
        "u",
        "p",
        name="idle-box",
        processed_action="keyword",
        processed_target="$Done",
    )
    for call in (
        lambda: source.fetch_new(never_seen),
        lambda: source.wait(0.1),
        lambda: source.mark_processed(1),
    ):
        with pytest.raises(MailboxError, match="^idle-box: not connected"):
            call()
    source.close()  # harmless when not connected


def test_server_that_never_greets_is_a_timeout() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts into the backlog, never answers
        port = listener.getsockname()[1]
        source = ImapSource("127.0.0.1", port, "none", "u", "pw", name="mute", timeout=0.5)
        with pytest.raises(MailboxTimeout) as info:  # the source's own 0.5 s timeout ended it
            finishes(source.connect, "connecting to a server that never greets")
        assert isinstance(info.value, MailboxError) and isinstance(info.value, TimeoutError)
        assert info.value.mailbox == "mute"
        assert not source.connected


def test_refused_connection_is_a_mailbox_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = ImapSource("127.0.0.1", port, "none", "u", "pw", name="gone", timeout=2)
    with pytest.raises(MailboxError, match="^gone: ") as info:
        source.connect()
    assert not isinstance(info.value, MailboxTimeout)


def test_a_mailbox_error_carries_mailbox_operation_and_detail_across_pickling() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = ImapSource("127.0.0.1", port, "none", "u", "pw-secret", name="gone", timeout=2)
    with pytest.raises(MailboxError) as info:
        source.connect()
    error = info.value
    assert (error.mailbox, error.operation) == ("gone", "connect") and "Refused" in error.detail
    assert "pw-secret" not in repr(error)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and copy.args == error.args == (
        error.mailbox,
        error.operation,
        error.detail,
    )


def test_choices_are_taken_as_enums_or_their_strings() -> None:
    source = ImapSource(
        "h", None, Security.STARTTLS, "u", "p", processed_action="move", processed_target="Done"
    )
    assert source.security is Security.STARTTLS and source.port == 143
    assert source.processed_action is ProcessedAction.MOVE
    with pytest.raises(ConfigError) as info:
        ImapSource("h", None, "ssl", "u", "p")
    assert str(info.value) == 'security: "ssl" is not one of "tls", "starttls", "none"'


def test_missing_dovecot_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fixtures import dovecot as plugin

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="dovecot is not installed"):
        plugin._missing_binary()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        plugin._missing_binary()


# -- against Dovecot ------------------------------------------------------------------------


@pytest.mark.dovecot
def test_source_sees_idle_move_uidplus_condstore(make_source: Callable[..., ImapSource]) -> None:
    source = make_source()
    assert {"IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "ID"} <= source.capabilities
    assert source.connected and source.uidvalidity


@pytest.mark.dovecot
def test_id_is_sent_after_login(dovecot_factory: Callable[..., DovecotServer]) -> None:
    server = dovecot_factory(extra_conf="imap_id_log = *\n")
    source = ImapSource(server.host, server.port, "none", server.user, server.password, name="id")
    source.connect()
    source.close()
    assert "name=receipt-intake" in server.log_text()


@pytest.mark.dovecot
def test_wrong_password_is_an_auth_error_and_never_logged(
    dovecot: DovecotServer,
    dovecot_factory: Callable[..., DovecotServer],
    make_source: Callable[..., ImapSource],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-Pa55word-xyz"
    # Another server for the failure: Dovecot delays later logins from an IP that failed.
    source = make_source(dovecot_factory(), connect=False, password=secret)
    with pytest.raises(MailboxAuthError) as info:
        source.connect()
    assert str(info.value).startswith(NAME + ": ")
    assert secret not in str(info.value) and secret not in repr(info.value.__cause__)
    good = make_source()  # the right password, with full imapclient debug logging
    good.fetch_new(never_seen)
    assert secret not in caplog.text
    assert dovecot.password not in caplog.text
    assert "LOGIN" in caplog.text  # the command was logged, redacted


@pytest.mark.dovecot
def test_fetch_new_returns_messages_without_setting_seen(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource]
) -> None:
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    raws = [
        make_message(subject=f"回执 {i}", attachment=("回执.xlsx", b"PK\x03\x04" + bytes(50)))
        for i in range(3)
    ]
    uids = [dovecot.append("INBOX", raw, msg_time=when) for raw in raws]
    seen_uid = dovecot.append("INBOX", make_message(subject="already read"), flags=["\\Seen"])
    source = make_source()
    messages = source.fetch_new(never_seen)
    assert [m.uid for m in messages] == [*uids, seen_uid]
    first = messages[0]
    assert isinstance(first, FetchedMessage)
    assert first.mailbox == NAME and first.folder == "INBOX"
    assert first.uidvalidity == source.uidvalidity == dovecot.uidvalidity("INBOX")
    assert first.raw == raws[0] and first.size == len(raws[0]) and not first.truncated
    assert first.received == when and first.received.tzinfo is not None
    assert "\\Seen" not in first.flags
    assert "\\Seen" in messages[-1].flags
    for uid in uids:  # still unread on the server
        assert "\\Seen" not in dovecot.flags("INBOX", uid)


@pytest.mark.dovecot
def test_is_seen_filtering_and_limit(dovecot: DovecotServer, make_source: Callable[..., ImapSource]) -> None:
    uids = [dovecot.append("INBOX", make_message(subject=f"m{i}")) for i in range(6)]
    source = make_source(batch_size=2)
    seen: set[tuple[int, int]] = set()
    calls: list[int] = []

    def is_seen(uidvalidity: int, uid: int) -> bool:
        assert uidvalidity == source.uidvalidity
        calls.append(uid)
        return (uidvalidity, uid) in seen

    seen.add((validity(source), uids[0]))
    seen.add((validity(source), uids[2]))
    batch = source.fetch_new(is_seen, limit=2)
    assert [m.uid for m in batch] == [uids[1], uids[3]]
    # Not recorded as seen: offered again.
    assert [m.uid for m in source.fetch_new(is_seen, limit=2)] == [uids[1], uids[3]]
    for message in batch:
        seen.add((message.uidvalidity, message.uid))
    assert [m.uid for m in source.fetch_new(is_seen)] == [uids[4], uids[5]]
    for uid in uids[4:]:
        seen.add((validity(source), uid))
    assert source.fetch_new(is_seen) == []
    # Everything is seen now: the next search starts above the last uid.
    calls.clear()
    new_uid = dovecot.append("INBOX", make_message(subject="new"))
    assert [m.uid for m in source.fetch_new(is_seen)] == [new_uid]
    assert calls == [new_uid]


@pytest.mark.dovecot
def test_big_message_is_returned_with_its_header_only(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource]
) -> None:
    small = make_message(subject="small")
    big = make_message(subject="big", attachment=("big.xlsx", bytes(300_000)))
    dovecot.append("INBOX", small)
    dovecot.append("INBOX", big)
    source = make_source(max_message_bytes=100_000, batch_bytes=150_000)
    first, second = source.fetch_new(never_seen)
    assert first.raw == small and not first.truncated
    assert second.truncated and second.size == len(big)
    assert second.raw.endswith(b"\r\n\r\n") and b"Subject: big" in second.raw
    assert len(second.raw) < 2000


@pytest.mark.dovecot
def test_wait_returns_true_when_mail_arrives_during_idle(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source()
    assert source.fetch_new(never_seen) == []
    asked = spy_idle(monkeypatch, source)
    thread = when_idling(source, lambda: dovecot.append("INBOX", make_message(subject="while idling")))
    assert source.wait(120) is True  # True: mail was reported (the timeout gives False)
    assert len(asked) == 1  # by the IDLE command that was open when it came
    join_ok(thread)
    assert [m.raw.count(b"while idling") for m in source.fetch_new(never_seen)] == [1]


@pytest.mark.dovecot
def test_wait_times_out_and_reissues_idle(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source(idle_interval=0.3)
    asked = spy_idle(monkeypatch, source)
    assert source.wait(1.0) is False  # False only once its own clock has passed the deadline
    assert asked and max(asked) <= 0.3  # no IDLE command longer than idle_interval
    # Mail arriving after several IDLE re-issues is still noticed.
    asked.clear()

    def append_during_the_third_idle() -> None:
        assert wait_until(lambda: len(asked) >= 3 and source._idling, 120), "IDLE was not re-issued"
        dovecot.append("INBOX", make_message())

    appender = later(0, append_during_the_third_idle)
    assert source.wait(120) is True
    join_ok(appender)
    assert len(asked) >= 3 and max(asked) <= 0.3
    assert len(source.fetch_new(never_seen)) == 1


@pytest.mark.dovecot
def test_wait_notices_mail_that_came_before_idle(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source()
    source.fetch_new(never_seen)
    dovecot.append("INBOX", make_message())
    asked = spy_idle(monkeypatch, source)
    assert source.wait(120) is True
    assert asked == []  # noticed by the NOOP before IDLE, without waiting in an IDLE


@pytest.mark.dovecot
def test_mark_processed_move(dovecot: DovecotServer, make_source: Callable[..., ImapSource]) -> None:
    keep = dovecot.append("INBOX", make_message(subject="keep"))
    done = dovecot.append("INBOX", make_message(subject="done"))
    source = make_source(processed_action="move", processed_target="Processed.回执")
    message = [m for m in source.fetch_new(never_seen) if m.uid == done][0]
    source.mark_processed(message.uid)
    assert dovecot.uids("INBOX") == [keep]
    moved = dovecot.uids("Processed.回执")
    assert len(moved) == 1
    assert "\\Seen" not in dovecot.flags("Processed.回执", moved[0])
    assert [m.uid for m in source.fetch_new(never_seen)] == [keep]


@pytest.mark.dovecot
def test_mark_processed_move_without_move_capability(
    dovecot_factory: Callable[..., DovecotServer], make_source: Callable[..., ImapSource]
) -> None:
    server = dovecot_factory(extra_conf="imap_capability = IMAP4rev1 LITERAL+ IDLE UIDPLUS ID NAMESPACE\n")
    keep = server.append("INBOX", make_message(subject="keep"))
    done = server.append("INBOX", make_message(subject="done"))
    source = make_source(server, processed_action="move", processed_target="Done")
    assert "MOVE" not in source.capabilities and "UIDPLUS" in source.capabilities
    source.fetch_new(never_seen)
    source.mark_processed(done)
    assert server.uids("INBOX") == [keep]  # COPY + \Deleted + UID EXPUNGE
    assert len(server.uids("Done")) == 1


@pytest.mark.dovecot
def test_a_refused_command_keeps_the_connection(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource]
) -> None:
    uid = dovecot.append("INBOX", make_message())
    source = make_source(processed_action="move", processed_target="Done")
    source.fetch_new(never_seen)
    client = dovecot.client()
    client.delete_folder("Done")  # gone behind the source's back
    client.logout()
    with pytest.raises(MailboxError, match="MOVE to Done failed") as info:
        source.mark_processed(uid)
    assert isinstance(info.value, MailboxRefused) and info.value.operation == "MOVE to Done"
    assert source.connected
    assert [m.uid for m in source.fetch_new(never_seen)] == [uid]


@pytest.mark.dovecot
def test_mark_processed_keyword(dovecot: DovecotServer, make_source: Callable[..., ImapSource]) -> None:
    uid = dovecot.append("INBOX", make_message())
    source = make_source(processed_action="keyword", processed_target="$Receipt_Done")
    [message] = source.fetch_new(never_seen)
    source.mark_processed(message.uid)
    flags = dovecot.flags("INBOX", uid)
    assert "$Receipt_Done" in flags and "\\Seen" not in flags
    [again] = source.fetch_new(never_seen)
    assert "$Receipt_Done" in again.flags


@pytest.mark.dovecot
def test_mark_processed_none_changes_nothing(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource]
) -> None:
    uid = dovecot.append("INBOX", make_message())
    source = make_source()
    source.fetch_new(never_seen)
    source.mark_processed(uid)
    assert dovecot.uids("INBOX") == [uid]
    assert "\\Seen" not in dovecot.flags("INBOX", uid)


@pytest.mark.dovecot
def test_without_idle_wait_sleeps_the_poll_interval(
    dovecot_factory: Callable[..., DovecotServer],
    make_source: Callable[..., ImapSource],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = dovecot_factory(extra_conf="imap_capability = IMAP4rev1 LITERAL+ UIDPLUS MOVE ID\n")
    source = make_source(server, poll_interval=0.3)
    assert "IDLE" not in source.capabilities
    slept: list[float] = []
    owner = threading.get_ident()

    def sleep(seconds: float) -> None:  # other threads (an earlier test's daemon) sleep for real
        (slept.append if threading.get_ident() == owner else time.sleep)(seconds)

    monkeypatch.setattr(imap, "time", SimpleNamespace(monotonic=time.monotonic, sleep=sleep))
    assert source.wait(60) is True
    assert source.wait(0.1) is True
    assert slept == [0.3, 0.1]  # the poll interval, or the wait asked for when shorter


@pytest.mark.dovecot
def test_server_stop_raises_mailbox_error_and_reconnect_works(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource]
) -> None:
    first = dovecot.append("INBOX", make_message(subject="before"))
    source = make_source()
    uidvalidity = source.uidvalidity
    dovecot.stop()
    with pytest.raises(MailboxError, match=f"^{NAME}: "):
        source.fetch_new(never_seen)
    assert not source.connected
    with pytest.raises(MailboxError):
        source.connect()  # refused while the server is down
    dovecot.start()
    source.connect()
    assert source.uidvalidity == uidvalidity
    assert [m.uid for m in source.fetch_new(never_seen)] == [first]


@pytest.mark.dovecot
def test_server_stop_during_idle_raises_promptly(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource]
) -> None:
    source = make_source()
    thread = when_idling(source, dovecot.stop)
    with pytest.raises(MailboxError) as info:
        source.wait(120)  # had the stop gone unnoticed, this would end in False, not raise
    assert info.value.operation == "IDLE"
    join_ok(thread)
    assert not source.connected
    dovecot.start()
    source.connect()
    assert source.wait(0.2) is False


@pytest.mark.dovecot
def test_close_from_another_thread_ends_wait(make_source: Callable[..., ImapSource]) -> None:
    source = make_source()
    thread = when_idling(source, source.close)
    with pytest.raises(MailboxError):
        source.wait(120)  # had the close gone unnoticed, this would end in False, not raise
    join_ok(thread)
    assert not source.connected
    source.connect()  # usable again
    assert source.wait(0.1) is False


@pytest.mark.dovecot
def test_recreated_folder_gets_new_uidvalidity(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource]
) -> None:
    dovecot.append("INBOX", make_message(subject="one"))
    dovecot.append("INBOX", make_message(subject="two"))
    source = make_source()
    old = source.uidvalidity
    seen = {(m.uidvalidity, m.uid) for m in source.fetch_new(never_seen)}
    assert len(seen) == 2
    new = dovecot.recreate_folder("INBOX")
    assert new != old
    source.close()
    source.connect()
    assert source.uidvalidity == new
    again = source.fetch_new(lambda uv, uid: (uv, uid) in seen)
    assert len(again) == 2 and {m.uidvalidity for m in again} == {new}


@pytest.mark.dovecot
def test_recreated_folder_while_connected(
    dovecot: DovecotServer, make_source: Callable[..., ImapSource]
) -> None:
    dovecot.append("Receipts", make_message())
    source = make_source(folder="Receipts")
    old = source.uidvalidity
    source.fetch_new(never_seen)
    dovecot.recreate_folder("Receipts")
    # The server either ends the session or answers from the new folder; both are fine
    # as long as a reconnect sees the new UIDVALIDITY.
    try:
        source.fetch_new(never_seen)
        source.wait(0.2)
    except MailboxError:
        assert not source.connected
    source.connect()
    assert source.uidvalidity != old
    assert len(source.fetch_new(never_seen)) == 1


@pytest.mark.dovecot
def test_implicit_tls_and_starttls(
    dovecot_factory: Callable[..., DovecotServer], make_source: Callable[..., ImapSource]
) -> None:
    server = dovecot_factory(tls=True)
    server.append("INBOX", make_message())
    trusted = ssl.create_default_context(cafile=str(server.cafile))
    tls = make_source(server, port=server.tls_port, security="tls", ssl_context=trusted)
    assert len(tls.fetch_new(never_seen)) == 1
    thread = later(0.3, lambda: server.append("INBOX", make_message(subject="over TLS")))
    assert tls.wait(20) is True  # IDLE over TLS
    join_ok(thread)
    assert len(tls.fetch_new(never_seen)) == 2
    starttls = make_source(server, port=server.port, security="starttls", ssl_context=trusted)
    assert len(starttls.fetch_new(never_seen)) == 2
    untrusted = make_source(server, connect=False, port=server.tls_port, security="tls")
    with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        untrusted.connect()


@pytest.mark.dovecot
def test_starttls_is_required_when_configured(make_source: Callable[..., ImapSource]) -> None:
    source = make_source(connect=False, security="starttls")  # the plain fixture has ssl = no
    with pytest.raises(MailboxError, match="STARTTLS"):
        source.connect()
    assert not source.connected


@pytest.mark.dovecot
def test_missing_folder_is_a_mailbox_error(make_source: Callable[..., ImapSource]) -> None:
    source = make_source(connect=False, folder="No/Such/Folder")
    with pytest.raises(MailboxError, match="SELECT"):
        source.connect()
    assert not source.connected
