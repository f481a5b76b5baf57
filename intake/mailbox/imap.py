"""One IMAP mailbox as a source of messages (see intake.mailbox.source for the daemon's loop).

Reading never changes what the owner sees: messages are fetched with BODY.PEEK[] so the
\\Seen flag stays as it was (a person's everyday inbox keeps its unread marks).  Only
mark_processed() changes anything, and only as configured (move to a folder, or add a
keyword).

Which messages are new is decided by the caller's is_seen(uidvalidity, uid).  To keep
that cheap on a big inbox the source remembers a floor: the highest UID up to which every
(undeleted) message was seen.  SEARCH asks only for ``UID floor+1:*``; a message returned
by fetch_new but not recorded as seen by the caller stays above the floor and is offered
again next time.  A new UIDVALIDITY resets the floor.  Messages flagged \\Deleted are
not offered.

A source is used by one thread; the one exception is close(), which another thread may
call to end a wait() (the daemon's shutdown).

Every failure is raised as MailboxError (MailboxTimeout for timeouts, MailboxAuthError
when the login is refused, MailboxRefused for a NO or BAD answer), with the mailbox name in
``.mailbox`` and first in the text, the command in ``.operation``.
After a connection-level failure the source is disconnected; call connect() again
(with a Backoff between attempts).  The password is never put in a message or a log.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
import time
from collections.abc import Iterator, Sequence

import imapclient
from imapclient import exceptions as imap_exceptions

from intake.config.choices import ProcessedAction, Security, parse_choice
from intake.errors import ConfigError, MailboxAuthError, MailboxError, MailboxRefused
from intake.mailbox import imap_session, imap_wire
from intake.mailbox.imap_wire import (
    _aware,
    _close_client,
    _drain_untagged,
    _is_bye,
    _reports_new,
    _text,
    _texts,
)
from intake.mailbox.source import ContextManaged, FetchedMessage, IsSeen, processed_choice

log = logging.getLogger(__name__)

CLIENT_ID = {"name": "receipt-intake", "version": "0.1"}
# RFC 2177: the server may drop an IDLE client after 30 minutes; re-issue well before.
MAX_IDLE_SECONDS = 25 * 60
_ATOM_SPECIALS = re.compile(r'[\s(){%*"\\\]\x00-\x1f\x7f]')


class ImapSource(ContextManaged):
    """One configured IMAP mailbox (one folder of one account)."""

    def __init__(
        self,
        host: str,
        port: int | None = None,
        security: Security | str = Security.TLS,
        user: str = "",
        password: str = "",
        folder: str = "INBOX",
        name: str = "",
        timeout: float = 60.0,
        *,
        processed_action: ProcessedAction | str = ProcessedAction.NONE,
        processed_target: str = "",
        poll_interval: float = 60.0,
        idle_interval: float = 600.0,
        batch_size: int = 20,
        batch_bytes: int = 32 * 1024 * 1024,
        max_message_bytes: int | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """
        security: "tls" (implicit TLS, port 993 by default), "starttls" (port 143, STARTTLS
        required) or "none" (plain text, for loopback test servers only).
        processed_action: "none"; "move" (processed_target = folder, created at connect when
        missing); "keyword" (processed_target = an IMAP keyword such as "$Processed").
        poll_interval: how long wait() sleeps when the server has no IDLE.
        idle_interval: longest single IDLE before it is re-issued (at most 25 minutes).
        batch_size / batch_bytes: at most this many messages / bytes per FETCH.
        max_message_bytes: bigger messages are returned with only their header
        (FetchedMessage.truncated is then True); None for no limit.
        A bad option is a ConfigError naming it.
        """
        self.security = parse_choice(Security, security, "security")
        self.processed_action = _checked_processed(processed_action, processed_target, folder)
        if not host:
            raise ConfigError("host", "is empty")
        if timeout <= 0 or poll_interval <= 0 or idle_interval <= 0:
            raise ConfigError("timeout", "timeouts and intervals must be positive")
        self.host = host
        self.port = int(port) if port else (993 if self.security is Security.TLS else 143)
        self.user = user
        self._password = password
        self.folder = folder
        self.name = name or user or host
        self.timeout = float(timeout)
        self.processed_target = processed_target
        self.poll_interval = float(poll_interval)
        self.idle_interval = min(float(idle_interval), MAX_IDLE_SECONDS)
        self.batch_size = max(1, int(batch_size))
        self.batch_bytes = max(1, int(batch_bytes))
        self.max_message_bytes = max_message_bytes
        self._ssl_context = ssl_context
        self._client: imapclient.IMAPClient | None = None
        self._caps: frozenset[str] = frozenset()
        self._idling = False
        self.uidvalidity: int | None = None
        self.warning = ""  # a problem that does not stop polling (processed_target refused)
        self._move_target: str | None = processed_target or None  # in the server's namespace
        self._floor = 0  # every undeleted UID <= _floor was seen (for this uidvalidity)

    def __repr__(self) -> str:  # no password
        state = "connected" if self._client is not None else "disconnected"
        return (
            f"<ImapSource {self.name!r} {self.user}@{self.host}:{self.port} "
            f"{self.security} {self.folder!r} {state}>"
        )

    # -- connection --------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._client is not None

    @property
    def capabilities(self) -> frozenset[str]:
        """The server's capabilities after login (upper case), empty when disconnected."""
        return self._caps

    def connect(self) -> None:
        """Connect, log in, send ID, select the folder read-write.  Raises MailboxError."""
        self.close()
        context = None
        if self.security is not Security.NONE:
            context = self._ssl_context or ssl.create_default_context()
        with self._errors("connect"):
            client = imapclient.IMAPClient(
                self.host,
                self.port,
                ssl=self.security is Security.TLS,
                ssl_context=context,
                timeout=self.timeout,
            )
            imap_session.keepalive(client)
        try:
            self._login(client, context)
        except BaseException:
            _close_client(client)
            raise

    def _login(self, client: imapclient.IMAPClient, context: ssl.SSLContext | None) -> None:
        client.normalise_times = False  # keep INTERNALDATE timezone-aware
        if self.security is Security.STARTTLS:
            self._starttls(client, context)
        self._authenticate(client)
        with self._errors("CAPABILITY"):
            self._caps = frozenset(_text(cap).upper() for cap in client.capabilities())
        if "ID" in self._caps:
            self._send_id(client)
        with self._errors(f"SELECT {self.folder}"):
            selected = client.select_folder(self.folder, readonly=False)
        uidvalidity = self._note_uidvalidity(int(selected.get(b"UIDVALIDITY", 0)))
        self._prepare_processed(client, _texts(selected.get(b"PERMANENTFLAGS", ())))
        self._client = client
        self._idling = False
        log.info(
            "%s: connected to %s:%s (%s), %s selected, UIDVALIDITY %s",
            self.name,
            self.host,
            self.port,
            self.security,
            self.folder,
            uidvalidity,
        )

    def _starttls(self, client: imapclient.IMAPClient, context: ssl.SSLContext | None) -> None:
        with self._errors("STARTTLS"):
            if not client.has_capability("STARTTLS"):
                raise MailboxError(self.name, "STARTTLS", f"{self.host}:{self.port} does not offer STARTTLS")
            client.starttls(context)

    def _authenticate(self, client: imapclient.IMAPClient) -> None:
        """LOGIN, or AUTHENTICATE PLAIN where LOGIN cannot carry the user or password (non-ASCII)."""
        with self._errors("LOGIN"):
            try:
                method = imap_session.login(client, self.user, self._password)
            except imap_exceptions.LoginError as exc:
                raise MailboxAuthError(
                    self.name, "LOGIN", f"login as {self.user} refused: {self._scrub(exc)}"
                ) from None
        log.debug("%s: logged in with %s", self.name, method)

    def _send_id(self, client: imapclient.IMAPClient) -> None:
        # 163.com and 126.com refuse SELECT ("Unsafe Login") from clients that sent no ID.
        with self._errors("ID"):
            try:
                client.id_(CLIENT_ID)
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:  # a NO or BAD: the server can live without it
                log.info("%s: ID command failed, going on: %s", self.name, self._scrub(exc))

    def _note_uidvalidity(self, uidvalidity: int) -> int:
        """Remember the folder's UIDVALIDITY; a new one starts the floor again."""
        if self.uidvalidity is not None and uidvalidity != self.uidvalidity:
            log.warning(
                "%s: UIDVALIDITY of %s changed from %s to %s; every message will be checked again",
                self.name,
                self.folder,
                self.uidvalidity,
                uidvalidity,
            )
            self._floor = 0
        self.uidvalidity = uidvalidity
        return uidvalidity

    def _prepare_processed(self, client: imapclient.IMAPClient, permanent_flags: tuple[str, ...]) -> None:
        """Create the folder processed messages move to; warn when a keyword will not stick."""
        if self.processed_action is ProcessedAction.MOVE:
            self._prepare_move_target(client)
        elif self.processed_action is ProcessedAction.KEYWORD:
            permanent = set(permanent_flags)
            if "\\*" not in permanent and self.processed_target not in permanent:
                log.warning(
                    "%s: server does not keep keyword %s in %s (PERMANENTFLAGS %s)",
                    self.name,
                    self.processed_target,
                    self.folder,
                    " ".join(sorted(permanent)),
                )

    def _prepare_move_target(self, client: imapclient.IMAPClient) -> None:
        """processed_target in the personal namespace, created when missing.

        A refused CREATE (no right to create there, a name the server does not take) is logged
        and kept in ``warning``; the mailbox is polled all the same and processed messages stay
        where they are (the store knows them: they are not answered twice).
        """
        with self._errors("NAMESPACE"):
            target = imap_session.personal_folder(client, self._caps, self.processed_target)
        try:
            with self._errors(f"CREATE {target}"):
                if not client.folder_exists(target):
                    client.create_folder(target)
        except MailboxRefused as exc:
            self.warning = (
                f"processed_target {target!r} cannot be created ({exc.detail}); "
                f"processed messages stay in {self.folder}"
            )
            log.error("%s: %s", self.name, self.warning)
            self._move_target = None
            return
        self._move_target = target
        self.warning = ""

    def close(self) -> None:
        """Log out and close the connection; never raises.

        May be called from another thread to end a wait() in progress: the socket is then
        shut down without a LOGOUT, and wait() raises MailboxError in its own thread.
        """
        client, self._client = self._client, None
        self._caps = frozenset()
        if client is None:
            return
        if self._idling:
            # Another thread is inside IDLE (or IDLE broke): talking on the connection would
            # race with it, so just close; the server ends the IDLE session itself.
            self._idling = False
            with contextlib.suppress(Exception):
                client.shutdown()
            return
        _close_client(client)

    # -- reading -----------------------------------------------------------------------------

    def fetch_new(self, is_seen: IsSeen, limit: int = 100) -> list[FetchedMessage]:
        """Up to `limit` messages not seen yet, oldest UID first, without setting \\Seen."""
        client = self._require()
        uidvalidity = self.uidvalidity or 0
        start = self._floor + 1
        with self._errors("NOOP"):
            # A server updates a session's view of the folder only between commands: without
            # this, SEARCH would not see what was delivered since the last command.
            client.noop()
        with self._errors("SEARCH"):
            # No CHARSET (imapclient adds one only when asked): some servers reject it.
            found = client.search(["UID", f"{start}:*", "UNDELETED"])
        # "UID n:*" matches the highest UID even when it is below n.
        uids = sorted(uid for uid in found if uid >= start)
        wanted: list[int] = []
        floor = self._floor
        for uid in uids:
            if is_seen(uidvalidity, uid):
                if not wanted:
                    floor = uid
                continue
            wanted.append(uid)
            if len(wanted) >= limit:
                break
        self._floor = floor
        if not wanted:
            _drain_untagged(client)
            return []
        with self._errors("FETCH RFC822.SIZE"):
            sizes = {
                uid: int(data.get(b"RFC822.SIZE", 0))
                for uid, data in client.fetch(wanted, [b"RFC822.SIZE"]).items()
            }
        messages: list[FetchedMessage] = []
        for batch in self._batches([uid for uid in wanted if uid in sizes], sizes):
            messages.extend(self._fetch_batch(client, batch, sizes, uidvalidity))
        _drain_untagged(client)
        return messages

    def _batches(self, uids: Sequence[int], sizes: dict[int, int]) -> Iterator[list[int]]:
        batch: list[int] = []
        total = 0
        for uid in uids:
            size = 0 if self._too_big(sizes[uid]) else sizes[uid]  # a header is small
            if batch and (len(batch) >= self.batch_size or total + size > self.batch_bytes):
                yield batch
                batch, total = [], 0
            batch.append(uid)
            total += size
        if batch:
            yield batch

    def _too_big(self, size: int) -> bool:
        return self.max_message_bytes is not None and size > self.max_message_bytes

    def _fetch_batch(
        self, client: imapclient.IMAPClient, batch: list[int], sizes: dict[int, int], uidvalidity: int
    ) -> list[FetchedMessage]:
        whole = [uid for uid in batch if not self._too_big(sizes[uid])]
        header_only = [uid for uid in batch if self._too_big(sizes[uid])]
        data: dict[int, dict[bytes, object]] = {}
        with self._errors("FETCH"):
            if whole:
                data.update(client.fetch(whole, [b"BODY.PEEK[]", b"INTERNALDATE", b"FLAGS"]))
            if header_only:
                data.update(client.fetch(header_only, [b"BODY.PEEK[HEADER]", b"INTERNALDATE", b"FLAGS"]))
        messages = []
        for uid in batch:
            item = data.get(uid)
            if item is None:
                continue  # expunged in the meantime
            raw = item.get(b"BODY[]")
            if raw is None:
                raw = item.get(b"BODY[HEADER]")
            if not isinstance(raw, bytes):
                continue
            messages.append(
                FetchedMessage(
                    mailbox=self.name,
                    folder=self.folder,
                    uid=uid,
                    uidvalidity=uidvalidity,
                    received=_aware(item.get(b"INTERNALDATE")),
                    raw=raw,
                    flags=_texts(item.get(b"FLAGS", ())),
                    size=sizes[uid],
                )
            )
        return messages

    # -- after processing --------------------------------------------------------------------

    def mark_processed(self, uid: int) -> None:
        """Move the message or add the keyword, as configured; nothing for "none"."""
        if self.processed_action is ProcessedAction.NONE:
            return
        client = self._require()
        if self.processed_action is ProcessedAction.KEYWORD:
            with self._errors(f"STORE +FLAGS {self.processed_target}"):
                client.add_flags([uid], [self.processed_target], silent=True)
            return
        target = self._move_target
        if target is None:
            return  # the target could not be created: see warning
        if "MOVE" in self._caps:
            with self._errors(f"MOVE to {target}"):
                client.move([uid], target)
        else:
            with self._errors(f"COPY to {target}"):
                client.copy([uid], target)
                client.add_flags([uid], [imapclient.DELETED], silent=True)
                if "UIDPLUS" in self._caps:
                    client.uid_expunge([uid])
                # Without UIDPLUS a plain EXPUNGE would also purge whatever else the owner
                # flagged \Deleted; the message stays flagged and fetch_new skips it.
        _drain_untagged(client)

    # -- waiting -----------------------------------------------------------------------------

    def wait(self, timeout_s: float) -> bool:
        """Wait up to timeout_s for new mail.

        With IDLE: True as soon as the server reports EXISTS or RECENT, False when the time
        ran out.  Without IDLE: sleeps min(timeout_s, poll_interval) and returns True (the
        caller should look).
        """
        client = self._require()
        if "IDLE" not in self._caps:
            time.sleep(max(0.0, min(timeout_s, self.poll_interval)))
            return True
        deadline = time.monotonic() + max(0.0, timeout_s)
        with self._errors("NOOP"):
            # Anything that arrived since the last command is reported now (not every server
            # reports it when IDLE starts).
            _, responses = client.noop()
        _drain_untagged(client)
        if _reports_new(responses):
            return True
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._idle_once(client, min(remaining, self.idle_interval)):
                return True
            if self._folder_replaced(client):
                return True

    def _folder_replaced(self, client: imapclient.IMAPClient) -> bool:
        """After an IDLE cycle: was the folder deleted and made anew (another UIDVALIDITY)?

        Cyrus tells a session nothing when its selected folder is deleted and recreated by
        another; STATUS asks the server for the folder's UIDVALIDITY now.  A changed one is
        selected again (the floor starts over) and True returned: look for mail.
        """
        with self._errors(f"STATUS {self.folder}"):
            current = imap_session.uidvalidity(client, self.folder)
        if current == self.uidvalidity:
            return False
        with self._errors(f"SELECT {self.folder}"):
            selected = client.select_folder(self.folder, readonly=False)
        self._note_uidvalidity(int(selected.get(b"UIDVALIDITY", current)))
        return True

    def _idle_once(self, client: imapclient.IMAPClient, seconds: float) -> bool:
        """One IDLE command of at most `seconds`; True when new mail was reported."""
        new = False
        with self._errors("IDLE"):
            client.idle()
            self._idling = True
            started = time.monotonic()
            while not new:
                left = seconds - (time.monotonic() - started)
                if left <= 0:
                    break
                asked = time.monotonic()
                responses = client.idle_check(timeout=left)
                if any(_is_bye(r) for r in responses):
                    raise MailboxError(self.name, "IDLE", "server closed the connection (BYE)")
                if not responses and time.monotonic() - asked < 0.9 * left:
                    # idle_check() returns early with nothing only when the socket hit EOF.
                    raise MailboxError(self.name, "IDLE", "connection closed")
                new = _reports_new(responses)
            self._idling = False
            _, responses = client.idle_done()
        _drain_untagged(client)
        return new or _reports_new(responses)

    # -- errors ------------------------------------------------------------------------------

    def _require(self) -> imapclient.IMAPClient:
        if self._client is None:
            raise MailboxError(self.name, "", "not connected")
        return self._client

    def _scrub(self, exc: BaseException) -> str:
        return imap_wire._scrub(exc, self._password)

    def _drop(self) -> None:
        """Forget a connection that is no longer usable (closing its socket)."""
        client, self._client = self._client, None
        self._caps = frozenset()
        self._idling = False
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()

    def _errors(self, operation: str) -> contextlib.AbstractContextManager[None]:
        """Turn socket / TLS / imaplib / imapclient errors into MailboxError (see imap_wire._errors)."""
        return imap_wire._errors(
            self.name, operation, self.host, self.port, self.timeout, self._password, self._drop
        )


def _checked_processed(action: ProcessedAction | str, target: str, folder: str) -> ProcessedAction:
    """processed_action as its enum, with a target that is a valid keyword / another folder."""
    choice = processed_choice(action, target)
    if choice is ProcessedAction.KEYWORD and (target.startswith("\\") or _ATOM_SPECIALS.search(target)):
        raise ConfigError("processed_target", f"{target!r} is not a valid IMAP keyword")
    if choice is ProcessedAction.MOVE and target == folder:
        raise ConfigError("processed_target", "cannot move processed messages to the folder read")
    return choice
