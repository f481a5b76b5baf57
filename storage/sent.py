"""What we sent, by its Message-ID: which outbox item, which thread, to whom, about which receipt.

Every reply and acknowledgement the daemon queues is noted here (Store.note_sent).  It answers:

* which thread a message belongs to: a province's reply to our acknowledgement names the
  acknowledgement, whose thread is the first reply's (Store.thread_of);
* whether a thread was acknowledged already (one acknowledgement per thread);
* which outbox item a bounce returns (the bounce names our Message-ID; Outbox.mark_bounced);
* whether an address is a known sender: one we answered about a receipt of a province.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .keyed import SegmentedTable


class SentKind(StrEnum):
    REPLY = "reply"  # a verdict on a receipt (or its absence)
    ACK = "ack"  # the acknowledgement of a question


@dataclass(frozen=True)
class SentNote:
    message_id: str  # ours, without <>
    outbox_key: str
    kind: SentKind
    thread: str  # the thread's first Message-ID of ours (this one for a new thread)
    to: str  # the address it went to
    at: str  # ISO 8601
    program: str | None = None  # the receipt it answered, when one was placed
    period: int | None = None
    province: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "outbox_key": self.outbox_key,
            "kind": self.kind,
            "thread": self.thread,
            "to": self.to,
            "at": self.at,
            "program": self.program,
            "period": self.period,
            "province": self.province,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SentNote:
        period = data.get("period")
        return cls(
            message_id=str(data.get("message_id") or ""),
            outbox_key=str(data.get("outbox_key") or ""),
            kind=SentKind(data.get("kind") or SentKind.REPLY),
            thread=str(data.get("thread") or ""),
            to=str(data.get("to") or ""),
            at=str(data.get("at") or ""),
            program=data.get("program") or None,
            period=period if isinstance(period, int) and not isinstance(period, bool) else None,
            province=data.get("province") or None,
        )


class SentLog:
    def __init__(self, table: SegmentedTable) -> None:
        self.table = table
        self._acknowledged: set[str] = set()  # threads with an acknowledgement
        self._known: set[str] = set()  # addresses answered about a province's receipt
        for _key, doc in table.items():
            self._index(SentNote.from_json(doc))

    def _index(self, note: SentNote) -> None:
        if note.kind is SentKind.ACK:
            self._acknowledged.add(note.thread)
        if note.kind is SentKind.REPLY and note.province and note.to:
            self._known.add(note.to.strip().lower())

    def note(self, sent: SentNote) -> SentNote:
        """Record what was sent; the same Message-ID again keeps the first record."""
        stored = self.table.get(sent.message_id)
        if stored is not None:
            return SentNote.from_json(stored)
        self.table.put(sent.message_id, sent.to_json())
        self._index(sent)
        return sent

    def get(self, message_id: str) -> SentNote | None:
        doc = self.table.get(message_id.strip().strip("<>"))
        return SentNote.from_json(doc) if doc is not None else None

    def first(self, message_ids: Iterable[str]) -> SentNote | None:
        """The first of these Message-IDs that is one of ours on record."""
        for message_id in message_ids:
            note = self.get(message_id)
            if note is not None:
                return note
        return None

    def acknowledged(self, thread: str) -> bool:
        return thread in self._acknowledged

    def known(self, address: str) -> bool:
        return address.strip().lower() in self._known
