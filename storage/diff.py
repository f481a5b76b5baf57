"""Differences between two rosters (lists of participant dicts, as Participant.public() gives).

Rows are paired first by mobile (non-empty, exact), then the rows still unpaired by name
(non-empty, exact), then what is left by equality of the whole row, each time taking candidates
in roster order.  The name pass lets a corrected mobile show up as a change rather than as one
person removed and another added; the last pass keeps identical nameless rows out of the diff.
Paired rows that differ give one ``changed`` entry per differing field; unpaired rows are
added/removed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]  # one participant as stored (storage.records.StoredParticipant.to_json())
Change = tuple[str, str, Any, Any]  # (name, field, old value, new value)


@dataclass
class RosterDiff:
    added: list[Row] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def public(self) -> dict[str, Any]:
        return {
            "added": [dict(r) for r in self.added],
            "removed": [dict(r) for r in self.removed],
            "changed": [{"name": n, "field": f, "old": o, "new": v} for n, f, o, v in self.changed],
        }

    @classmethod
    def from_public(cls, d: Mapping[str, Any]) -> RosterDiff:
        return cls(
            added=[dict(r) for r in d.get("added", [])],
            removed=[dict(r) for r in d.get("removed", [])],
            changed=[(c["name"], c["field"], c["old"], c["new"]) for c in d.get("changed", [])],
        )


def _key(row: Row, name: str) -> str:
    if name == "*":
        return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""


def _pair(old: list[Row], new: list[Row], by: str, pairs: dict[int, int], old_used: set[int]) -> None:
    candidates: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(old):
        if i not in old_used and (k := _key(row, by)):
            candidates[k].append(i)
    for j, row in enumerate(new):
        if j in pairs or not (k := _key(row, by)) or not candidates.get(k):
            continue
        i = candidates[k].pop(0)
        pairs[j] = i
        old_used.add(i)


def _field_changes(old: Row, new: Row) -> list[Change]:
    name = _key(new, "name") or _key(old, "name")
    fields = list(old) + [f for f in new if f not in old]
    return [(name, f, old.get(f), new.get(f)) for f in fields if old.get(f) != new.get(f)]


def roster_diff(old: list[Row], new: list[Row]) -> RosterDiff:
    """What changed from roster ``old`` to roster ``new``."""
    pairs: dict[int, int] = {}  # new index -> old index
    old_used: set[int] = set()
    _pair(old, new, "mobile", pairs, old_used)
    _pair(old, new, "name", pairs, old_used)
    _pair(old, new, "*", pairs, old_used)
    diff = RosterDiff()
    for j, row in enumerate(new):
        if j in pairs:
            diff.changed.extend(_field_changes(old[pairs[j]], row))
        else:
            diff.added.append(dict(row))
    diff.removed = [dict(row) for i, row in enumerate(old) if i not in old_used]
    return diff
