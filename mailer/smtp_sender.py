"""Senders: hand stored replies to the world.

Every sender implements one tiny interface (``Sender``)::

    async def send(raw: bytes, mail_from: str, rcpt_to: list[str], *, key: str | None = None) -> None

It returns once the message is accepted, or raises SendTemporaryError (try
again later) or SendPermanentError (never retry).  ``key`` is the outbox
idempotency key; senders may use it (FileSender names its file after it).
``raw`` is sent as is (only line endings are normalised to CRLF on the wire),
so every retry carries the same Message-ID.

Both senders here also open a *session* (``SessionSender``): one connection and one login
for several messages, as a delivery round uses it::

    async with sender.session() as session:      # connect, TLS, AUTH: SendError if any fails
        await session.send(raw, mail_from, rcpt_to, key=key)   # MAIL, RCPT, DATA; returns at 250
        ...                                      # QUIT when the block ends

or, for a session kept open between rounds (mailer.sessions), ``session = await
sender.connect()`` ... ``await session.alive()`` (NOOP, before each reuse) ... ``await
session.close()`` (QUIT).

An error raised while opening the session is about the account (server, TLS, password), not
about any message; mailer.delivery then leaves the replies alone and pauses the account.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from aiosmtplib import (
    SMTP,
    SMTPException,
    SMTPHeloError,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from mailer.errors import (
    SendAccountRefused,
    SendConnectionError,
    SendError,
    SendPermanentError,
    SendTemporaryError,
    SendThrottled,
    SendTimeout,
)
from storage.atomic import make_private_dir, write_file_atomically

__all__ = ["Sender", "SessionSender", "Session", "SmtpSender", "SmtpSession", "FileSender"]

log = logging.getLogger(__name__)

Security = Literal["none", "tls", "starttls"]
DEFAULT_PORTS = {"none": 25, "tls": 465, "starttls": 587}
# Phases in which a 5xx reply is about this message, hence permanent.  A 5xx
# while connecting or authenticating is about our configuration (a wrong
# password must not fail every queued reply for good): temporary.
MESSAGE_PHASES = ("mail", "rcpt", "data")
# Providers' rate-limit and anti-spam throttling answers, often given as 5xx: retried slowly.
# 163: DT:SPM / DT:SUM (content judged bulk), MI:DMC / MI:SFQ / MI:STC / MI:CEL, RP:RCL / RP:TRC /
# RP:QRC (counts over limit), HL:* (the IP or account suspended for a while).  QQ: "Ip frequency
# limited", "Connection frequency limited", "Frequency limited", "Mail content denied".
THROTTLE_MARKERS = (
    "dt:spm",
    "dt:sum",
    "mi:dmc",
    "mi:sfq",
    "mi:stc",
    "mi:cel",
    "rp:rcl",
    "rp:trc",
    "rp:qrc",
    "hl:",
    "frequency limited",
    "mail content denied",
    "rate limit",
    "ratelimit",
    "too many messages",
    "too many mails",
    "sending limit",
    "发送频率",
    "过于频繁",
)
# The server will not let this login send as this From address.
SENDER_MISMATCH_MARKERS = (
    "must be same as authorization user",
    "must equal authorized user",
    "not owned by user",
    "sender address rejected: not owned",
    "not authorized to send",
)
_LINE_ENDINGS = re.compile(rb"\r\n|\r|\n")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Sender(Protocol):
    async def send(
        self, raw: bytes, mail_from: str, rcpt_to: Sequence[str], *, key: str | None = None
    ) -> None: ...


class Session(Protocol):
    """One open connection (SMTP: logged in): one send() per message."""

    @property
    def usable(self) -> bool: ...

    async def alive(self) -> bool:
        """Whether a session kept open between rounds may still be used (SMTP: it answers NOOP)."""
        ...

    async def close(self, *, polite: bool = True) -> None:
        """End the session (SMTP: QUIT when polite, else only close the socket); never raises."""
        ...

    async def send(
        self, raw: bytes, mail_from: str, rcpt_to: Sequence[str], *, key: str | None = None
    ) -> None: ...


class SessionSender(Sender, Protocol):
    async def connect(self) -> Session: ...

    def session(self) -> contextlib.AbstractAsyncContextManager[Session]: ...


def _is_ascii(text: str | bytes) -> bool:
    return text.isascii()


def _wire_size(raw: bytes) -> int:
    """Octets of ``raw`` as sent in DATA (CRLF line endings, final CRLF) for the SIZE option."""
    wire = _LINE_ENDINGS.sub(b"\r\n", raw)
    return len(wire) + (0 if wire.endswith(b"\r\n") else 2)


class SmtpSender:
    """Send through an SMTP server with aiosmtplib.

    security: "none" (plain), "tls" (implicit TLS, port 465) or "starttls"
    (STARTTLS required, port 587).  user/password: AUTH after connecting.
    timeout: seconds for connecting and for each server reply.  from_addr:
    the envelope sender used when send() gets an empty ``mail_from``.
    tls_context: the certificates trusted (default: the system's).

    Error mapping: 4xx replies, connection errors and timeouts ->
    SendTemporaryError (SendTimeout / SendConnectionError); 5xx to MAIL, RCPT
    or DATA -> SendPermanentError, except a provider's rate limit (SendThrottled) and a
    refusal of this From for this login (SendAccountRefused); any failure while connecting,
    in TLS or in AUTH (even 5xx) -> SendTemporaryError, since it is not about the message,
    with host:port in its text.  A refused recipient aborts the whole message before DATA.
    A timeout or a lost connection during DATA sets ``uncertain`` on the error.
    """

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        security: Security = "none",
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        from_addr: str | None = None,
        local_hostname: str | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in DEFAULT_PORTS:
            raise ValueError(f"security must be one of {sorted(DEFAULT_PORTS)}, not {security!r}")
        if password is not None and user is None:
            raise ValueError("password given without user")
        self.host = host
        self.port = port if port is not None else DEFAULT_PORTS[security]
        self.security = security
        self.user = user
        self._password = password
        self.timeout = timeout
        self.from_addr = from_addr
        self.local_hostname = local_hostname
        self.tls_context = tls_context

    def __repr__(self) -> str:  # never shows the password
        return (
            f"SmtpSender(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"user={self.user!r}, timeout={self.timeout})"
        )

    def _client(self) -> SMTP:
        return SMTP(
            hostname=self.host,
            port=self.port,
            timeout=self.timeout,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            tls_context=self.tls_context,
            local_hostname=self.local_hostname,
        )

    async def send(
        self, raw: bytes, mail_from: str, rcpt_to: Sequence[str], *, key: str | None = None
    ) -> None:
        """One message on a connection of its own."""
        if isinstance(rcpt_to, str) or not rcpt_to:
            raise SendPermanentError(None, "no recipients", phase="rcpt")
        async with self.session() as session:
            await session.send(raw, mail_from, rcpt_to, key=key)

    async def connect(self) -> SmtpSession:
        """Connect, TLS, log in: an open session, for the caller to close().  SendError if any step fails."""
        client = self._client()
        progress = _Progress()
        try:
            await self._open(client, progress)
        except asyncio.CancelledError:
            client.close()
            raise
        except (SMTPException, OSError) as exc:
            client.close()
            raise _send_error(exc, progress.phase, where=f"{self.host}:{self.port}") from exc
        return SmtpSession(client, self.from_addr or "", self.timeout)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[SmtpSession]:
        """Connect, TLS, log in; yield the session; QUIT (or close, when cancelled) at the end."""
        session = await self.connect()
        polite = True
        try:
            yield session
        except asyncio.CancelledError:
            polite = False
            raise
        finally:
            await session.close(polite=polite)

    async def _open(self, client: SMTP, progress: _Progress) -> None:
        await client.connect()
        await _greet(client)
        if self.user is not None:
            progress.phase = "auth"
            await _login(client, self.user, self._password or "")


class SmtpSession:
    """A connected (and logged-in) SMTP client; send() runs one MAIL/RCPT/DATA transaction.

    After a refusal (a 4xx or 5xx reply) the transaction is reset with RSET and the session
    stays usable; after a lost connection or a timeout it is not (``usable`` is False).
    """

    def __init__(self, client: SMTP, from_addr: str, timeout: float) -> None:
        self._client = client
        self._from_addr = from_addr
        self._timeout = timeout
        self._usable = True

    @property
    def usable(self) -> bool:
        return self._usable and self._client.is_connected

    async def alive(self) -> bool:
        """NOOP answered 250: the server still holds the session (checked before a kept one is reused).

        A session the server closed while it was idle (its idle timeout, a restart) is found here,
        before any MAIL: False, and it is not used again.  NOOP changes no state (RFC 5321
        4.1.1.9), where RSET's effect on the AUTH state is left open.
        """
        if not self.usable:
            return False
        try:
            await self._client.noop(timeout=min(self._timeout, 5.0))
        except (SMTPException, OSError):
            self._usable = False
        return self.usable

    async def send(
        self, raw: bytes, mail_from: str, rcpt_to: Sequence[str], *, key: str | None = None
    ) -> None:
        if isinstance(rcpt_to, str) or not rcpt_to:
            raise SendPermanentError(None, "no recipients", phase="rcpt")
        if not self.usable:
            raise SendConnectionError(None, "the connection is closed", phase="mail")
        progress = _Progress("mail")
        try:
            await self._transaction(progress, raw, mail_from or self._from_addr, rcpt_to)
        except SendError:
            await self._reset()
            raise
        except (SMTPException, OSError) as exc:
            error = _send_error(exc, progress.phase)
            if isinstance(exc, SMTPResponseException) and exc.code != 421:
                await self._reset()
            else:
                self._usable = False
            raise error from exc

    async def _transaction(
        self, progress: _Progress, raw: bytes, sender: str, rcpt_to: Sequence[str]
    ) -> None:
        """MAIL, RCPT each recipient, DATA; ``progress.phase`` says how far it got."""
        client = self._client
        options, encoding = _mail_options(client, raw, sender, rcpt_to)
        await client.mail(sender, options=options, encoding=encoding)
        progress.phase = "rcpt"
        for rcpt in rcpt_to:
            await client.rcpt(rcpt, encoding=encoding)
        progress.phase = "data"
        await client.data(raw)

    async def close(self, *, polite: bool = True) -> None:
        """QUIT when polite and the connection is still usable, else only close the socket; never raises."""
        if polite and self.usable:
            await _quit(self._client, min(self._timeout, 5.0))
        else:
            self._client.close()
        self._usable = False

    async def _reset(self) -> None:
        """RSET after a refused transaction; a session that cannot reset is not used again."""
        try:
            await self._client.rset(timeout=min(self._timeout, 5.0))
        except (SMTPException, OSError):
            self._usable = False


@dataclass
class _Progress:
    """The phase of an SMTP transaction in progress: where a failure happened."""

    phase: str = "connect"


async def _greet(client: SMTP) -> None:
    """EHLO (HELO if the server refuses it), unless login() already did."""
    if client.is_ehlo_or_helo_needed:
        try:
            await client.ehlo()
        except SMTPHeloError:
            await client.helo()


async def _login(client: SMTP, user: str, password: str) -> None:
    """One AUTH attempt, with the first mechanism the server offers (PLAIN, else LOGIN, else CRAM-MD5).

    aiosmtplib's login() tries every mechanism in turn, so a wrong password cost two or three
    failed logins per connection: providers lock accounts over fewer.
    """
    methods = client.supported_auth_methods
    if not methods:
        raise SMTPException("the server offers no AUTH mechanism we use (PLAIN, LOGIN, CRAM-MD5)")
    method = "plain" if "plain" in methods else methods[0]
    authenticate = {"plain": client.auth_plain, "login": client.auth_login, "cram-md5": client.auth_crammd5}
    await authenticate[method](user, password)


def _mail_options(client: SMTP, raw: bytes, sender: str, rcpt_to: Sequence[str]) -> tuple[list[str], str]:
    """(MAIL FROM options, address encoding): SIZE, BODY=8BITMIME and SMTPUTF8 as needed and offered."""
    options = []
    encoding = "ascii"
    if not (_is_ascii(sender) and all(_is_ascii(r) for r in rcpt_to)):
        if not client.supports_extension("smtputf8"):
            raise SendPermanentError(None, "non-ASCII address but the server lacks SMTPUTF8", phase="mail")
        options.append("SMTPUTF8")
        encoding = "utf-8"
    if not _is_ascii(raw) and client.supports_extension("8bitmime"):
        options.append("BODY=8BITMIME")
    if client.supports_extension("size"):
        options.insert(0, f"SIZE={_wire_size(raw)}")
    return options, encoding


def _send_error(exc: SMTPException | OSError, phase: str, where: str = "") -> SendError:
    """The mailer error for an aiosmtplib or socket error raised in ``phase`` (see SmtpSender).

    where: "host:port", put first in the text of errors that are not a server's reply.
    """
    uncertain = phase == "data"
    prefix = f"{where}: " if where else ""
    if isinstance(exc, SMTPResponseException):
        return _reply_error(exc.code, exc.message, phase)
    if isinstance(exc, SMTPTimeoutError):
        return SendTimeout(None, f"{prefix}timed out ({exc.message})", phase=phase, uncertain=uncertain)
    if isinstance(exc, TimeoutError) and not isinstance(exc, SMTPServerDisconnected | ConnectionError):
        return SendTimeout(None, f"{prefix}timed out ({exc})", phase=phase, uncertain=uncertain)
    # lost or refused connections, TLS, an unsupported extension, other socket errors
    return SendConnectionError(None, f"{prefix}{type(exc).__name__}: {exc}", phase=phase, uncertain=uncertain)


def _reply_error(code: int, message: str, phase: str) -> SendError:
    """A server's refusal: throttled, this From refused for this login, permanent or temporary."""
    text = message.lower()
    if phase in MESSAGE_PHASES and any(marker in text for marker in THROTTLE_MARKERS):
        return SendThrottled(code, message, phase=phase)
    if phase == "mail" and any(marker in text for marker in SENDER_MISMATCH_MARKERS):
        return SendAccountRefused(code, message, phase=phase)
    if phase in MESSAGE_PHASES and 500 <= code < 600:
        return SendPermanentError(code, message, phase=phase)
    return SendTemporaryError(code, message, phase=phase)


async def _quit(client: SMTP, timeout: float) -> None:
    """Say goodbye if still connected; never raise (the messages' fate is already decided)."""
    try:
        if client.is_connected:
            await client.quit(timeout=timeout)
    except (SMTPException, OSError):
        pass
    finally:
        client.close()


class FileSender:
    """The embedded default: "send" by writing each reply as an .eml file into a directory.

    The file name comes from the outbox key (or the message hash), the write is
    atomic (temp file, fsync, rename, dir fsync), files are 0600 in a 0700
    directory.  Sending the same key again replaces the same file: no duplicates.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"FileSender({str(self.directory)!r})"

    def path_for(self, raw: bytes, key: str | None = None) -> Path:
        name = safe_file_name(key) if key else hashlib.sha256(raw).hexdigest()
        return self.directory / f"{name}.eml"

    async def send(
        self, raw: bytes, mail_from: str, rcpt_to: Sequence[str], *, key: str | None = None
    ) -> None:
        path = self.path_for(raw, key)
        try:
            make_private_dir(self.directory)
            write_file_atomically(path, bytes(raw))
        except OSError as exc:
            raise SendTemporaryError(
                None, f"cannot write {path}: {exc.strerror or exc}", phase="write"
            ) from exc
        log.debug("%s: written to %s", key or path.stem, path)


def safe_file_name(key: str, max_len: int = 100) -> str:
    """A file name derived from ``key``: readable, unique per key, no path tricks."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    readable = _UNSAFE.sub("_", key).strip("._")[:max_len]
    if readable and readable == key:
        return readable
    return f"{readable}-{digest[:16]}" if readable else digest
