"""Sessions kept on the server, in the daemon's memory: the cookie holds only a random id.

Flask keeps its session in a signed cookie; here the session's data stays in memory and the cookie
carries a 256-bit random id (``secrets.token_urlsafe(32)``).  A new id is given at login
(``regenerate``), the session is deleted at logout (``end``), after ``idle`` seconds unused and
``absolute`` seconds after it began, and every session of a user is ended when the account is
disabled or its password changes (checked on each request by intake.console.auth).  The cookie is
HttpOnly and SameSite=Lax; over TLS it is Secure and named with the ``__Host-`` prefix (no Domain,
Path=/).  A restart of the daemon ends every session.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

MAX_SESSIONS = 5000  # beyond this the least recently used sessions go first (anonymous ones first)


class ServerSession(CallbackDict[str, Any], SessionMixin):
    def __init__(self, initial: dict[str, Any] | None = None, sid: str = "") -> None:
        def changed(_self: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(initial or {}, changed)
        self.sid = sid
        self.modified = False
        self.renew = False  # a new id at the next save (login)
        self.ended = False  # deleted at the next save (logout)

    def regenerate(self) -> None:
        self.renew = True
        self.modified = True

    def end(self) -> None:
        self.clear()
        self.ended = True


@dataclass
class _Record:
    data: dict[str, Any]
    created: float
    seen: float
    user: str = field(default="")


class SessionStore:
    """The sessions, by id; safe to use from waitress's threads."""

    def __init__(self, idle: float, absolute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle = idle
        self.absolute = absolute
        self.clock = clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._records)

    def load(self, sid: str) -> dict[str, Any] | None:
        """The data of a live session (and it is touched), or None when unknown or timed out."""
        now = self.clock()
        with self._lock:
            record = self._records.get(sid)
            if record is None:
                return None
            if now - record.seen > self.idle or now - record.created > self.absolute:
                del self._records[sid]
                return None
            record.seen = now
            return dict(record.data)

    def save(self, sid: str, data: dict[str, Any], *, renew_from: str = "") -> str:
        """Keep the data under sid (a new id when sid is ""); renew_from: the id it replaces (deleted)."""
        now = self.clock()
        with self._lock:
            if renew_from:
                self._records.pop(renew_from, None)
            if sid and sid not in self._records:  # ended meanwhile (logout elsewhere, account disabled)
                sid, data = "", {k: v for k, v in data.items() if k != "user"}
            if sid:
                record = self._records[sid]
            else:  # a new session; at login the absolute timeout counts from the login
                sid = secrets.token_urlsafe(32)
                record = _Record({}, now, now)
            record.data, record.seen, record.user = dict(data), now, str(data.get("user") or "")
            self._records[sid] = record
            self._trim()
            return sid

    def delete(self, sid: str) -> None:
        with self._lock:
            self._records.pop(sid, None)

    def end_user(self, name: str) -> int:
        """End every session of this user; returns how many."""
        with self._lock:
            gone = [sid for sid, r in self._records.items() if r.user == name]
            for sid in gone:
                del self._records[sid]
            return len(gone)

    def users(self) -> dict[str, int]:
        with self._lock:
            counts: dict[str, int] = {}
            for r in self._records.values():
                if r.user:
                    counts[r.user] = counts.get(r.user, 0) + 1
            return counts

    def _trim(self) -> None:
        if len(self._records) <= MAX_SESSIONS:
            return
        order = sorted(self._records.items(), key=lambda kv: (bool(kv[1].user), kv[1].seen))
        for sid, _record in order[: len(self._records) - MAX_SESSIONS]:
            del self._records[sid]


class ServerSessionInterface(SessionInterface):
    def __init__(self, store: SessionStore, *, secure: bool) -> None:
        self.store = store
        self.secure = secure
        self.cookie = "__Host-intake" if secure else "intake_session"

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.cookie, "")
        data = self.store.load(sid) if sid else None
        return ServerSession(data, sid if data is not None else "")

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        if session.ended:
            if session.sid:
                self.store.delete(session.sid)
            response.delete_cookie(self.cookie, path="/", secure=self.secure, httponly=True, samesite="Lax")
            return
        if not session.sid and not session:
            return  # nothing to keep: no cookie for a page that stored nothing
        if session.renew:
            sid = self.store.save("", dict(session), renew_from=session.sid)
        elif session.modified or not session.sid:
            sid = self.store.save(session.sid, dict(session))
        else:
            return
        response.set_cookie(self.cookie, sid, path="/", secure=self.secure, httponly=True, samesite="Lax")
        response.vary.add("Cookie")
