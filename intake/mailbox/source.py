"""Types shared by the mailbox sources (IMAP and maildir).

A source is one configured mailbox.  The daemon drives it through this surface::

    source.connect()
    while running:
        for message in source.fetch_new(store.is_seen, limit=100):
            process(message)                                 # records (uidvalidity, uid) as seen
            source.mark_processed(message.uid)
        source.wait(timeout_s)
    source.close()

Every failure of the mailbox itself is a MailboxError (MailboxTimeout when the server did
not answer in time), carrying the mailbox name, the operation and the detail; the daemon
then closes the source, waits ``Backoff.next_delay()`` seconds and connects again.
Sources are made from the configuration by intake.mailbox.factory.make_source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Self

from intake.config.choices import ProcessedAction, parse_choice
from intake.errors import ConfigError

# is_seen(uidvalidity, uid) -> True when the message was already processed.
IsSeen = Callable[[int, int], bool]


@dataclass(frozen=True)
class FetchedMessage:
    mailbox: str  # the configured mailbox name (or its address)
    folder: str  # IMAP folder, or the maildir path for a maildir source
    uid: int  # IMAP UID; for a maildir a stable 53-bit id of the file's unique name
    uidvalidity: int  # IMAP UIDVALIDITY; for a maildir a constant of its path
    received: datetime  # INTERNALDATE (maildir: file mtime), timezone-aware
    raw: bytes  # the whole RFC 5322 message as stored
    flags: tuple[str, ...]  # IMAP flags and keywords, e.g. ("\\Seen", "$Forwarded")
    size: int = -1  # size on the server (RFC822.SIZE / file size); -1 when unknown

    @property
    def truncated(self) -> bool:
        """True when raw holds only the header because the message exceeded the size limit."""
        return 0 <= len(self.raw) < self.size


class MailSource(Protocol):
    """What the daemon needs from a mailbox; ImapSource and MaildirSource implement it."""

    name: str

    def connect(self) -> None: ...

    def fetch_new(self, is_seen: IsSeen, limit: int = 100) -> list[FetchedMessage]: ...

    def mark_processed(self, uid: int) -> None: ...

    def wait(self, timeout_s: float) -> bool: ...

    def close(self) -> None: ...


class ContextManaged:
    """`with source:` connects on entry and closes on exit; for ImapSource and MaildirSource."""

    def connect(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def processed_choice(action: ProcessedAction | str, target: str) -> ProcessedAction:
    """processed_action as its enum, checked, and with the target it needs (ConfigError if not)."""
    choice = parse_choice(ProcessedAction, action, "processed_action")
    if choice is not ProcessedAction.NONE and not target:
        raise ConfigError("processed_target", f"processed_action={choice} needs a target")
    return choice
