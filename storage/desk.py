"""What the organizers' console decides, kept beside the store: exceptions, handled marks, its actions.

``<storage>/console/desk.json`` (a TinyDB written by storage.atomic, like the store's files), written
only by the process that holds the store's lock (the daemon that serves the console, or `intake
purge`), so it has one writer as the store has.  Three tables:

    waivers   per (program, period, province): the rules an organizer agreed to waive (一个名额的例外,
              a late receipt allowed), with the reason, who and when; every later judgement of that
              province's roster in the console applies them
    marks     queue items a person handled ("question:<key>", "ocr:<group> v3", "outbox:<key>" ...)
    actions   each action that filed a roster version: its id, kind, who, when and why; the version's
              message_sha is the sha256 of "console:<id>", so the province page names who entered it
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import make_private_dir
from .keyed import KeyedTable, open_db


def group_name(program: str | None, period: int | None, province: str | None) -> str:
    return f"{program}/{period}/{province}"


def action_sha(action_id: str) -> str:
    """The message_sha of a version an action filed (no message was received: no archive file)."""
    return hashlib.sha256(f"console:{action_id}".encode()).hexdigest()


@dataclass(frozen=True)
class Waiver:
    codes: tuple[str, ...]  # problem codes accepted despite the rules ("quota_exceeded", "late")
    reason: str
    by: str
    at: str
    action: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "codes": list(self.codes),
            "reason": self.reason,
            "by": self.by,
            "at": self.at,
            "action": self.action,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Waiver:
        return cls(
            codes=tuple(str(c) for c in data.get("codes") or ()),
            reason=str(data.get("reason") or ""),
            by=str(data.get("by") or ""),
            at=str(data.get("at") or ""),
            action=str(data.get("action") or ""),
        )


@dataclass(frozen=True)
class Mark:
    item: str
    by: str
    at: str
    note: str = ""


@dataclass(frozen=True)
class ActionRecord:
    id: str
    kind: str  # correct, add, remove, accept, reject, enter
    by: str
    at: str
    reason: str
    group: str
    version: int = 0
    source: str = ""  # the sha256 of the received message the roster came from ("" when entered)


class DeskState:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = make_private_dir(directory)
        self._db = open_db(Path(self.directory) / "desk.json")
        self._waivers = KeyedTable(self._db.table("waivers"))
        self._marks = KeyedTable(self._db.table("marks"))
        self._actions = KeyedTable(self._db.table("actions"))
        self._mutex = threading.RLock()

    def close(self) -> None:
        with self._mutex:
            self._db.close()

    # -- waivers -------------------------------------------------------------------------------
    def waivers(self, group: str) -> list[Waiver]:
        with self._mutex:
            doc = self._waivers.get(group)
        return [Waiver.from_json(w) for w in (doc or {}).get("waivers", [])]

    def add_waiver(self, group: str, waiver: Waiver) -> None:
        with self._mutex:
            kept = [w.to_json() for w in self.waivers(group) if w.action != waiver.action or not w.action]
            self._waivers.put(group, {"waivers": [*kept, waiver.to_json()]})

    # -- queue marks ---------------------------------------------------------------------------
    def marked(self, item: str) -> Mark | None:
        with self._mutex:
            doc = self._marks.get(item)
        return (
            Mark(item, str(doc.get("by", "")), str(doc.get("at", "")), str(doc.get("note", "")))
            if doc
            else None
        )

    def marked_items(self) -> set[str]:
        with self._mutex:
            return set(self._marks.keys())

    def mark(self, mark: Mark) -> None:
        with self._mutex:
            if mark.item not in self._marks:
                self._marks.put(mark.item, {"by": mark.by, "at": mark.at, "note": mark.note})

    # -- actions that filed versions -------------------------------------------------------------
    def record_action(self, record: ActionRecord) -> None:
        with self._mutex:
            self._actions.put(
                action_sha(record.id),
                {
                    "id": record.id,
                    "kind": record.kind,
                    "by": record.by,
                    "at": record.at,
                    "reason": record.reason,
                    "group": record.group,
                    "version": record.version,
                    "source": record.source,
                },
            )

    def action_for(self, message_sha: str) -> ActionRecord | None:
        """The action that filed the version with this message_sha, if an action did."""
        with self._mutex:
            doc = self._actions.get(message_sha)
        if doc is None:
            return None
        return ActionRecord(
            id=str(doc["id"]),
            kind=str(doc["kind"]),
            by=str(doc["by"]),
            at=str(doc["at"]),
            reason=str(doc.get("reason") or ""),
            group=str(doc.get("group") or ""),
            version=int(doc.get("version") or 0),
            source=str(doc.get("source") or ""),
        )

    def source_of(self, message_sha: str) -> str:
        """The received message a version's roster comes from: itself, or what an action started from."""
        for _ in range(100):  # a chain of corrections, each naming the one before
            record = self.action_for(message_sha)
            if record is None:
                return message_sha
            if not record.source:
                return ""
            message_sha = record.source
        return ""

    # -- purge ---------------------------------------------------------------------------------
    def remove_groups(self, groups: set[str]) -> int:
        """Forget the waivers and actions of purged groups; returns how many records went."""
        with self._mutex:
            removed = self._waivers.remove([g for g in self._waivers.keys() if g in groups])
            gone = [k for k in self._actions.keys() if (self._actions.get(k) or {}).get("group") in groups]
            return removed + self._actions.remove(gone)

    def remove_marks(self, before: str) -> int:
        with self._mutex:
            old = [k for k in self._marks.keys() if str((self._marks.get(k) or {}).get("at", "")) < before]
            return self._marks.remove(old)
