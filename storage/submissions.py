"""Every version of every submission, per (program, period, province).

Versions are numbered 1, 2, ... per (program, period, province) whatever their status; the
current roster is the latest *accepted* version.  Each version stores the roster diff against
the accepted version before it.  Adding the same message (same sha256) to the same group twice
returns the stored version instead of making a new one, so a daemon that crashed after storing
the submission but before marking the message seen can safely process the message again.
"""

from __future__ import annotations

import json
from typing import Any

from .diff import roster_diff
from .keyed import SegmentedTable
from .messages import now_iso

ACCEPTED = "accepted"


def group_key(program: str | None, period: int | None, province: str | None) -> str:
    return json.dumps([program, period, province], ensure_ascii=False)


def version_key(program: str | None, period: int | None, province: str | None, version: int) -> str:
    return json.dumps([program, period, province, version], ensure_ascii=False)


def _light(doc: dict) -> dict:
    participants = (doc.get("verdict") or {}).get("participants") or []
    return {
        "version": doc["version"],
        "status": doc["status"],
        "received": doc["received"],
        "sender": doc["sender"],
        "message_sha": doc["message_sha"],
        "participants": len(participants),
    }


def _sort_key(meta: dict) -> tuple[str, int, str]:
    period = meta["period"]
    return (meta["program"] or "", period if isinstance(period, int) else -1, meta["province"] or "")


class SubmissionLog:
    def __init__(self, table: SegmentedTable) -> None:
        self.table = table
        self.reindex()

    def reindex(self) -> None:
        self._groups: dict[str, dict[str, Any]] = {}  # group key -> {program, period, province, versions}
        self._light: dict[str, dict] = {}  # version key -> summary fields
        self._by_sha: dict[tuple[str, str], str] = {}  # (group key, message sha) -> version key
        for key, doc in self.table.items():
            self._index(key, doc)
        for g in self._groups.values():
            g["versions"].sort(key=lambda k: self._light[k]["version"])

    def _index(self, key: str, doc: dict) -> None:
        g = group_key(doc["program"], doc["period"], doc["province"])
        group = self._groups.setdefault(
            g,
            {"program": doc["program"], "period": doc["period"], "province": doc["province"], "versions": []},
        )
        group["versions"].append(key)
        self._light[key] = _light(doc)
        self._by_sha.setdefault((g, doc["message_sha"]), key)

    def _current_key(self, g: str) -> str | None:
        group = self._groups.get(g)
        for key in reversed(group["versions"] if group else []):
            if self._light[key]["status"] == ACCEPTED:
                return key
        return None

    def add(
        self,
        program: str | None,
        period: int | None,
        province: str | None,
        verdict_public: dict,
        message_sha: str,
        sender: str,
        received: str,
        status: str,
    ) -> dict:
        if not isinstance(status, str) or not status:
            raise ValueError("status must be a non-empty string")
        g = group_key(program, period, province)
        existing = self._by_sha.get((g, message_sha))
        if existing is not None:
            stored = self.table.get(existing)
            assert stored is not None
            return stored
        group = self._groups.get(g)
        version = len(group["versions"]) + 1 if group else 1
        prev_key = self._current_key(g)
        prev = self.table.get(prev_key) if prev_key else None
        old_rows = (prev["verdict"].get("participants") or []) if prev else []
        diff = roster_diff(old_rows, list(verdict_public.get("participants") or []))
        doc = {
            "program": program,
            "period": period,
            "province": province,
            "version": version,
            "status": status,
            "message_sha": message_sha,
            "sender": sender,
            "received": received,
            "recorded": now_iso(),
            "previous_accepted": prev["version"] if prev else None,
            "diff": diff.public(),
            "verdict": verdict_public,
        }
        key = version_key(program, period, province, version)
        try:
            self.table.put(key, doc)
        except BaseException:
            self.reindex()
            raise
        stored = self.table.get(key)
        assert stored is not None
        self._index(key, stored)
        return stored

    def versions(self, program: str | None, period: int | None, province: str | None) -> list[dict]:
        group = self._groups.get(group_key(program, period, province))
        return [d for k in (group["versions"] if group else []) if (d := self.table.get(k)) is not None]

    def current(self, program: str | None, period: int | None, province: str | None) -> dict | None:
        key = self._current_key(group_key(program, period, province))
        return self.table.get(key) if key else None

    def summary(self, program: str | None = None, period: int | None = None) -> list[dict]:
        out = []
        for g, group in self._groups.items():
            if (program is not None and group["program"] != program) or (
                period is not None and group["period"] != period
            ):
                continue
            current = self._current_key(g)
            out.append(
                {
                    "program": group["program"],
                    "period": group["period"],
                    "province": group["province"],
                    "versions": len(group["versions"]),
                    "latest": dict(self._light[group["versions"][-1]]),
                    "current": dict(self._light[current]) if current else None,
                }
            )
        return sorted(out, key=_sort_key)
