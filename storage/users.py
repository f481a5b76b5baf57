"""The console's accounts: one small JSON file beside the store, with its own lock.

The daemon holds the store's lock for as long as it runs, and TinyDB has one writer, so the
accounts cannot live in the store: `intake user add` and `intake user disable` must work whether
the daemon runs or not.  They live in ``users.json`` (mode 0600, in a 0700 directory), replaced
whole by storage.atomic on every change, under ``users.json.lock`` (storage.lock) for the
read-modify-write.  The console re-reads the file when it changes (its size, inode or mtime), so a
user disabled from the command line is refused at their next request.

Only Argon2id hashes are kept (intake.console.passwords makes and checks them); a one-time
password is never written, only its hash, with ``must_change`` set.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .atomic import make_private_dir, write_file_atomically
from .errors import StorageError
from .lock import FileLock

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
LOCK_WAIT = 10.0  # seconds a writer waits for another writer of the file


class Role(StrEnum):
    """What a console user may do: look (viewer), act on rosters and mail (editor), and everything (admin)."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return (Role.VIEWER, Role.EDITOR, Role.ADMIN).index(self)


class UserError(StorageError):
    """A user that cannot be added or changed (a bad name, a name taken, no such user)."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    periods: tuple[str, ...] = ()  # the periods ("gz-status/1") the user may see; () with all_periods
    all_periods: bool = True
    password_hash: str = ""
    must_change: bool = True  # a one-time password: changed at first login
    disabled: bool = False
    created: str = ""
    changed: str = ""  # when the password or the account last changed: a session older than it ends

    def may_see(self, period: str) -> bool:
        return self.role is Role.ADMIN or self.all_periods or period in self.periods

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "periods": list(self.periods),
            "all_periods": self.all_periods,
            "password_hash": self.password_hash,
            "must_change": self.must_change,
            "disabled": self.disabled,
            "created": self.created,
            "changed": self.changed,
        }

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> User:
        return cls(
            name=name,
            role=Role(data.get("role") or Role.VIEWER),
            periods=tuple(str(p) for p in data.get("periods") or ()),
            all_periods=bool(data.get("all_periods", not data.get("periods"))),
            password_hash=str(data.get("password_hash") or ""),
            must_change=bool(data.get("must_change", True)),
            disabled=bool(data.get("disabled")),
            created=str(data.get("created") or ""),
            changed=str(data.get("changed") or ""),
        )


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class UserBook:
    """The accounts in ``path``; reads are cheap and follow the file when another process changes it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int, int] | None = None
        self._users: dict[str, User] = {}

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _read(self) -> dict[str, User]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StorageError(f"{self.path}: cannot read the users file: {exc}") from exc
        users = data.get("users") if isinstance(data, dict) else None
        if not isinstance(users, dict):
            raise StorageError(f"{self.path}: not a users file")
        return {name: User.from_json(name, doc) for name, doc in users.items() if isinstance(doc, dict)}

    def refresh(self) -> None:
        """Re-read the file if it changed since it was last read."""
        stamp = self._file_stamp()
        if stamp != self._stamp:
            self._users = self._read() if stamp is not None else {}
            self._stamp = stamp

    def get(self, name: str) -> User | None:
        self.refresh()
        return self._users.get(name)

    def all(self) -> list[User]:
        self.refresh()
        return sorted(self._users.values(), key=lambda u: u.name)

    # -- changes (any process) ---------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[dict[str, User]]:
        make_private_dir(self.path.parent)
        lock = FileLock(f"{self.path}.lock").acquire_waiting(LOCK_WAIT)
        try:
            users = self._read()
            yield users
            document = {"version": 1, "users": {n: u.to_json() for n, u in sorted(users.items())}}
            write_file_atomically(self.path, json.dumps(document, ensure_ascii=False, indent=1).encode())
        finally:
            lock.release()
        self._stamp = None  # read again next time

    def add(self, name: str, role: Role, periods: tuple[str, ...], password_hash: str) -> User:
        """A new account with a one-time password (its hash); UserError if the name is bad or taken."""
        if not NAME.fullmatch(name):
            raise UserError(f"{name!r}: a user name is 1-32 letters, digits, '.', '_' or '-'")
        at = now_iso()
        user = User(name, Role(role), tuple(periods), not periods, password_hash, True, False, at, at)
        with self._locked() as users:
            if name in users:
                raise UserError(f"{name!r} exists already")
            users[name] = user
        return user

    def update(self, name: str, **changes: Any) -> User:
        """Change fields of an account (a new hash, disabled ...); its sessions end (changed moves on)."""
        with self._locked() as users:
            if name not in users:
                raise UserError(f"no user {name!r}")
            users[name] = replace(users[name], changed=now_iso(), **changes)
            return users[name]

    def disable(self, name: str) -> User:
        return self.update(name, disabled=True)

    def set_password(self, name: str, password_hash: str, *, must_change: bool) -> User:
        return self.update(name, password_hash=password_hash, must_change=must_change)
