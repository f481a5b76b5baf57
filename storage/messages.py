"""The message log: one document per (mailbox, UIDVALIDITY, UID), also findable by content.

A message is *seen* once ``record()`` gave it a final outcome (processed / ignored / failed /
quarantined).  ``fail()`` only counts an attempt: the message stays unseen (outcome "", counted
as "pending") so the daemon retries it, and quarantines it after N failures by recording
outcome "quarantined".  ``seen_content`` answers by (Message-ID, sha256 of the raw bytes), so a
mailbox whose UIDVALIDITY changed does not get every message processed a second time.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

from .keyed import SegmentedTable

OUTCOMES = ("processed", "ignored", "failed", "quarantined")
PENDING = "pending"
MAX_ERRORS_KEPT = 20


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def uid_key(mailbox: str, uidvalidity: int, uid: int) -> str:
    return json.dumps([mailbox, int(uidvalidity), int(uid)], ensure_ascii=False)


def content_key(message_id: str, sha256: str) -> str:
    return json.dumps([message_id or "", sha256], ensure_ascii=False)


class MessageLog:
    def __init__(self, table: SegmentedTable) -> None:
        self.table = table
        self.reindex()

    # -- in-memory indexes -------------------------------------------------------------------
    def reindex(self) -> None:
        self._outcome: dict[str, str] = {}  # uid key -> outcome ("" = pending)
        self._content: dict[str, set[str]] = defaultdict(set)  # content key -> uid keys seen
        self._sha: dict[str, tuple[int, str]] = {}  # sha -> (seq, uid key) latest
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)
        self._seq = 0
        for key, doc in self.table.items():
            self._index(key, doc)

    def _index(self, key: str, doc: dict) -> None:
        outcome = doc.get("outcome") or ""
        self._outcome[key] = outcome
        if outcome:
            self._content[content_key(doc["message_id"], doc["sha256"])].add(key)
        seq = int(doc.get("seq", 0))
        self._seq = max(self._seq, seq)
        if doc["sha256"] and seq >= self._sha.get(doc["sha256"], (-1, ""))[0]:
            self._sha[doc["sha256"]] = (seq, key)
        self._counts[doc["mailbox"]][outcome or PENDING] += 1

    def _unindex(self, key: str, doc: dict) -> None:
        outcome = doc.get("outcome") or ""
        if outcome:
            self._content[content_key(doc["message_id"], doc["sha256"])].discard(key)
        self._counts[doc["mailbox"]][outcome or PENDING] -= 1
        del self._outcome[key]

    def _put(self, key: str, old: dict | None, new: dict) -> None:
        self._seq += 1
        new["seq"] = self._seq
        try:
            self.table.put(key, new)
        except BaseException:
            self.reindex()
            raise
        if old is not None:
            self._unindex(key, old)
        self._index(key, new)

    # -- queries -----------------------------------------------------------------------------
    def seen(self, mailbox: str, uidvalidity: int, uid: int) -> bool:
        return bool(self._outcome.get(uid_key(mailbox, uidvalidity, uid)))

    def seen_content(self, message_id: str, sha256: str) -> bool:
        return bool(self._content.get(content_key(message_id, sha256)))

    def get(self, mailbox: str, uidvalidity: int, uid: int) -> dict | None:
        return self.table.get(uid_key(mailbox, uidvalidity, uid))

    def by_sha(self, sha256: str) -> dict | None:
        hit = self._sha.get(sha256)
        doc = self.table.get(hit[1]) if hit else None
        return doc if doc is not None and doc["sha256"] == sha256 else None

    def failures(self, mailbox: str, uidvalidity: int, uid: int) -> int:
        doc = self.get(mailbox, uidvalidity, uid)
        return int(doc.get("failures", 0)) if doc else 0

    def counts(self, mailbox: str) -> dict[str, int]:
        c = self._counts.get(mailbox, Counter())
        return {k: c.get(k, 0) for k in (*OUTCOMES, PENDING)}

    def __len__(self) -> int:
        return len(self._outcome)

    # -- updates -----------------------------------------------------------------------------
    def record(
        self,
        mailbox: str,
        uidvalidity: int,
        uid: int,
        message_id: str,
        sha256: str,
        received: str,
        outcome: str,
        sender: str,
        verdict: dict | None,
        detail: str = "",
    ) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
        key = uid_key(mailbox, uidvalidity, uid)
        old = self.table.get(key)
        new = {
            "mailbox": mailbox,
            "uidvalidity": int(uidvalidity),
            "uid": int(uid),
            "message_id": message_id or "",
            "sha256": sha256,
            "received": received,
            "outcome": outcome,
            "sender": sender,
            "detail": detail,
            "verdict": verdict,
            "failures": old.get("failures", 0) if old else 0,
            "errors": old.get("errors", []) if old else [],
            "recorded": now_iso(),
        }
        self._put(key, old, new)

    def fail(
        self,
        mailbox: str,
        uidvalidity: int,
        uid: int,
        message_id: str,
        sha256: str,
        error: str,
        when: str | None = None,
    ) -> int:
        key = uid_key(mailbox, uidvalidity, uid)
        old = self.table.get(key)
        new: dict[str, Any] = (
            dict(old)
            if old
            else {
                "mailbox": mailbox,
                "uidvalidity": int(uidvalidity),
                "uid": int(uid),
                "message_id": message_id or "",
                "sha256": sha256,
                "received": "",
                "outcome": "",
                "sender": "",
                "detail": "",
                "verdict": None,
                "failures": 0,
                "errors": [],
            }
        )
        new["failures"] = int(new.get("failures", 0)) + 1
        new["errors"] = [*new.get("errors", []), {"at": when or now_iso(), "error": str(error)}][
            -MAX_ERRORS_KEPT:
        ]
        new["recorded"] = now_iso()
        self._put(key, old, new)
        return int(new["failures"])
