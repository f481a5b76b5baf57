"""A local maildir as a source of messages: the embedded default, no server needed.

It has the same surface as ImapSource (connect, fetch_new, mark_processed, wait, close),
so the daemon treats both alike.  Maildir has no UIDs, so:

* uid = the first 53 bits of SHA-256 over the file's unique name (the part of the file
  name before ":2,"; it never changes when a mail reader adds flags or moves the file
  from new/ to cur/).  53 bits so that it is exact as a JSON/JavaScript number too; a
  collision needs about 10^8 messages in one maildir.
* uidvalidity = CRC-32 of the maildir's real path (never 0).  Moving the maildir
  elsewhere therefore makes every message new again, as a new UIDVALIDITY does in IMAP.
* raw = the file's bytes as stored (maildirs usually hold LF line ends; IMAP sends CRLF).
* received = the date our own MX stamped on the topmost Received: header (what a
  copied or restored maildir keeps), else the file's mtime, UTC (Dovecot and most
  delivery agents set it to the delivery time; Dovecot's INTERNALDATE is this mtime).

Reading never renames, moves or re-flags a file (new/ stays new/).  mark_processed()
does, as configured: "move" renames the file into the cur/ of another maildir
(processed_target: a Maildir++ subfolder name such as "Processed" -> PATH/.Processed, or
an absolute path), "keyword" adds a keyword letter the way Dovecot does (the
dovecot-keywords file maps letters a-z to names), "none" does nothing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import shutil
import stat as stat_module
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from intake.config.choices import ProcessedAction
from intake.errors import ConfigError, MailboxError
from intake.mailbox.source import ContextManaged, FetchedMessage, IsSeen, processed_choice

log = logging.getLogger(__name__)

_SYSTEM_FLAGS = {
    "D": "\\Draft",
    "F": "\\Flagged",
    "P": "$Forwarded",
    "R": "\\Answered",
    "S": "\\Seen",
    "T": "\\Deleted",
}
_KEYWORDS_FILE = "dovecot-keywords"
_MAX_KEYWORDS = 26


def maildir_uid(unique_name: str) -> int:
    """The stable 53-bit uid of a maildir message (never 0)."""
    digest = hashlib.sha256(unique_name.encode("utf-8", "surrogateescape")).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) or 1


def maildir_uidvalidity(path: str | os.PathLike[str]) -> int:
    """The constant uidvalidity of the maildir at path (CRC-32 of its real path, never 0)."""
    return zlib.crc32(os.fsencode(os.path.realpath(path))) or 1


@dataclass(frozen=True)
class _Entry:
    uid: int
    unique: str
    path: Path  # where the file was when listed
    subdir: str  # "new" or "cur"
    info: str  # the part after ":" ("2,FS"), "" in new/
    mtime: float
    size: int


class MaildirSource(ContextManaged):
    """One local maildir (its cur/ and new/), read without changing it."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        name: str = "",
        *,
        processed_action: ProcessedAction | str = ProcessedAction.NONE,
        processed_target: str = "",
        poll_interval: float = 1.0,
        create: bool = True,
        max_message_bytes: int | None = None,
    ) -> None:
        action = processed_choice(processed_action, processed_target)
        if action is ProcessedAction.KEYWORD and (
            not processed_target.isprintable() or " " in processed_target
        ):
            raise ConfigError("processed_target", f"{processed_target!r} is not a valid keyword")
        if poll_interval <= 0:
            raise ConfigError("poll_interval", "must be positive")
        self.path = Path(path)
        self.name = name or str(self.path)
        self.folder = str(self.path)
        self.processed_action = action
        self.processed_target = processed_target
        self.poll_interval = float(poll_interval)
        self.create = create
        self.max_message_bytes = max_message_bytes
        self.uidvalidity = maildir_uidvalidity(self.path)
        self._connected = False
        self._entries: dict[int, _Entry] = {}
        self._snapshot: frozenset[tuple[str, str]] | None = None

    def __repr__(self) -> str:
        return f"<MaildirSource {self.name!r} {self.path}>"

    # -- connection --------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    def connect(self) -> None:
        """Check (or, with create=True, make) the maildir's cur/, new/ and tmp/."""
        with self._errors("open"):
            missing = [sub for sub in ("cur", "new", "tmp") if not (self.path / sub).is_dir()]
            if missing and not self.create:
                raise MailboxError(
                    self.name, "open", f"{self.path} is not a maildir (no {', '.join(missing)}/)"
                )
            for sub in missing:
                (self.path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
            self.uidvalidity = maildir_uidvalidity(self.path)
        self._connected = True

    def close(self) -> None:
        self._connected = False
        self._entries = {}
        self._snapshot = None

    # -- reading -----------------------------------------------------------------------------

    def fetch_new(self, is_seen: IsSeen, limit: int = 100) -> list[FetchedMessage]:
        """Up to `limit` messages not seen yet, oldest (mtime) first."""
        self._require()
        with self._errors("list"):
            entries = self._list()
        messages: list[FetchedMessage] = []
        keywords: list[str] | None = None
        for entry in sorted(entries, key=lambda e: (e.mtime, e.unique)):
            if len(messages) >= limit:
                break
            if is_seen(self.uidvalidity, entry.uid):
                continue
            with self._errors(f"read {entry.unique}"):
                found = self._read(entry)
            if found is None:
                continue  # gone (expunged by a mail reader); a rename was followed in _read
            entry, raw = found
            if keywords is None and any(c.islower() for c in _flag_letters(entry.info)):
                keywords = self._keywords()
            messages.append(
                FetchedMessage(
                    mailbox=self.name,
                    folder=self.folder,
                    uid=entry.uid,
                    uidvalidity=self.uidvalidity,
                    received=_delivered_at(raw) or datetime.fromtimestamp(entry.mtime, UTC),
                    raw=raw,
                    flags=_flags(entry.info, keywords or []),
                    size=entry.size,
                )
            )
        return messages

    def _list(self) -> list[_Entry]:
        entries: dict[int, _Entry] = {}
        for entry in self._scan():
            other = entries.get(entry.uid)
            if other is not None and other.unique != entry.unique:
                log.warning(
                    "%s: uid collision between %s and %s; the second is ignored",
                    self.name,
                    other.unique,
                    entry.unique,
                )
                continue
            entries[entry.uid] = entry
        self._entries = entries
        self._snapshot = frozenset((e.subdir, e.unique) for e in entries.values())
        return list(entries.values())

    def _scan(self, only: str | None = None) -> Iterator[_Entry]:
        for subdir in ("new", "cur"):
            with os.scandir(self.path / subdir) as listing:
                for item in listing:
                    if item.name.startswith("."):
                        continue
                    unique, _, info = item.name.partition(":")
                    if only is not None and unique != only:
                        continue
                    try:
                        stat = item.stat()
                    except FileNotFoundError:
                        continue
                    if not stat_module.S_ISREG(stat.st_mode):
                        continue
                    yield _Entry(
                        maildir_uid(unique),
                        unique,
                        Path(item.path),
                        subdir,
                        info,
                        stat.st_mtime,
                        stat.st_size,
                    )

    def _locate(self, entry: _Entry) -> _Entry | None:
        """Where the message is now (a mail reader may have renamed it), or None."""
        return next(self._scan(only=entry.unique), None)

    def _read(self, entry: _Entry) -> tuple[_Entry, bytes] | None:
        current: _Entry | None = entry
        for _ in range(3):
            if current is None:
                return None
            try:
                with open(current.path, "rb") as handle:
                    if self.max_message_bytes is not None and current.size > self.max_message_bytes:
                        raw = _read_header(handle)
                    else:
                        raw = handle.read()
                return current, raw
            except FileNotFoundError:
                current = self._locate(entry)
        return None

    # -- after processing --------------------------------------------------------------------

    def mark_processed(self, uid: int) -> None:
        """Move the file or add the keyword, as configured; nothing for "none"."""
        if self.processed_action is ProcessedAction.NONE:
            return
        self._require()
        with self._errors("mark processed"):
            entry = self._entries.get(uid)
            entry = self._locate(entry) if entry is not None else None
            if entry is None:
                self._list()
                entry = self._entries.get(uid)
            if entry is None:
                raise MailboxError(self.name, "mark processed", f"no message with uid {uid} in {self.path}")
            if self.processed_action is ProcessedAction.MOVE:
                self._move(entry)
            else:
                self._add_keyword(entry, self.processed_target)
            self._list()

    def _target_maildir(self) -> Path:
        target = Path(self.processed_target)
        if target.is_absolute():
            return target
        return self.path / ("." + self.processed_target.lstrip("."))

    def _move(self, entry: _Entry) -> None:
        target = self._target_maildir()
        subfolder = not Path(self.processed_target).is_absolute()
        for sub in ("cur", "new", "tmp"):
            (target / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        if subfolder and not (target / "maildirfolder").exists():
            (target / "maildirfolder").touch(mode=0o600)
        info = entry.info if entry.info else "2,"
        destination = target / "cur" / f"{entry.unique}:{info}"
        try:
            os.rename(entry.path, destination)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            staging = target / "tmp" / entry.unique
            shutil.copy2(entry.path, staging)
            os.rename(staging, destination)
            os.unlink(entry.path)

    def _keywords(self) -> list[str]:
        try:
            text = (self.path / _KEYWORDS_FILE).read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return []
        names: list[str] = [""] * _MAX_KEYWORDS
        for line in text.splitlines():
            index, _, name = line.partition(" ")
            if index.isdigit() and int(index) < _MAX_KEYWORDS and name:
                names[int(index)] = name
        while names and not names[-1]:
            names.pop()
        return names

    def _add_keyword(self, entry: _Entry, keyword: str) -> None:
        names = self._keywords()
        if keyword in names:
            index = names.index(keyword)
        else:
            free = [i for i in range(_MAX_KEYWORDS) if i >= len(names) or not names[i]]
            if not free:
                raise MailboxError(
                    self.name, "mark processed", f"no room for keyword {keyword} in {_KEYWORDS_FILE}"
                )
            index = free[0]
            names.extend([""] * (index + 1 - len(names)))
            names[index] = keyword
            text = "".join(f"{i} {name}\n" for i, name in enumerate(names) if name)
            staging = self.path / "tmp" / f"{_KEYWORDS_FILE}.{os.getpid()}"
            staging.write_text(text, "utf-8")
            os.replace(staging, self.path / _KEYWORDS_FILE)
        letter = chr(ord("a") + index)
        letters = _flag_letters(entry.info)
        if letter in letters:
            return
        info = "2," + "".join(sorted(letters + letter))
        os.rename(entry.path, self.path / "cur" / f"{entry.unique}:{info}")

    # -- waiting -----------------------------------------------------------------------------

    def wait(self, timeout_s: float) -> bool:
        """Poll every poll_interval until a message appears or goes (True) or time runs out.

        close() from another thread (the daemon's stop) ends the wait at the next look, False,
        as closing an IMAP connection ends its IDLE."""
        self._require()
        deadline = time.monotonic() + max(0.0, timeout_s)
        with self._errors("poll"):
            before = self._snapshot if self._snapshot is not None else self._names()
            while self._connected:
                if self._names() != before:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                time.sleep(min(self.poll_interval, remaining))
            return False

    def _names(self) -> frozenset[tuple[str, str]]:
        names = set()
        for subdir in ("new", "cur"):
            for name in os.listdir(self.path / subdir):
                if not name.startswith("."):
                    names.add((subdir, name.partition(":")[0]))
        return frozenset(names)

    # -- errors ------------------------------------------------------------------------------

    def _require(self) -> None:
        if not self._connected:
            raise MailboxError(self.name, "", "not connected")

    @contextlib.contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        try:
            yield
        except MailboxError:
            raise
        except OSError as exc:
            raise MailboxError(self.name, operation, f"{type(exc).__name__}: {exc}") from exc


def _flag_letters(info: str) -> str:
    return info[2:] if info.startswith("2,") else ""


def _flags(info: str, keywords: list[str]) -> tuple[str, ...]:
    flags = []
    for letter in _flag_letters(info):
        if letter in _SYSTEM_FLAGS:
            flags.append(_SYSTEM_FLAGS[letter])
        elif "a" <= letter <= "z":
            index = ord(letter) - ord("a")
            if index < len(keywords) and keywords[index]:
                flags.append(keywords[index])
    return tuple(flags)


def _read_header(handle: BinaryIO) -> bytes:
    """The header block of an open message file (up to and including the blank line)."""
    lines = []
    total = 0
    for line in handle:
        lines.append(line)
        total += len(line)
        if line in (b"\r\n", b"\n") or total > 1024 * 1024:
            break
    return b"".join(lines)


def _delivered_at(raw: bytes) -> datetime | None:
    """The date of the topmost Received: header (after its last ';'), aware, or None."""
    head = raw[: raw.find(b"\n\n") if b"\n\n" in raw[:65536] else 65536]
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    for i, line in enumerate(lines):
        if line[:9].lower() == b"received:":
            value = line[9:]
            for cont in lines[i + 1 :]:
                if cont[:1] not in (b" ", b"\t"):
                    break
                value += b" " + cont.strip()
            stamp = value.decode("ascii", "replace").rpartition(";")[2].strip()
            try:
                when = parsedate_to_datetime(stamp)
            except (TypeError, ValueError, IndexError):
                return None
            return when if when.tzinfo else None
    return None
