"""The organizers' desk's notes in the store's meta, as typed records: digests and reminders sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .fields import Json, optional_text, text_of

# -- the organizers' desk's notes in the store's meta -----------------------------------------


@dataclass(frozen=True)
class DigestNote:
    """meta "digest:<period>": the last digest queued for a period.

    due: the cron fire time it answered (None for a digest sent by hand, which leaves the
    schedule alone); reported: {province: versions} it reported, so the next one lists changes.
    """

    sent_at: str = ""
    key: str = ""
    reported: Mapping[str, int] = field(default_factory=dict)
    due: str | None = None

    def to_json(self) -> Json:
        data: Json = {"sent_at": self.sent_at, "key": self.key, "reported": dict(self.reported)}
        if self.due is not None:
            data["due"] = self.due
        return data

    @classmethod
    def from_json(cls, data: Any) -> DigestNote | None:
        if not isinstance(data, Mapping):
            return None
        reported = data.get("reported") or {}
        return cls(
            sent_at=text_of(data.get("sent_at")),
            key=text_of(data.get("key")),
            reported={str(k): int(v) for k, v in reported.items()},
            due=optional_text(data.get("due")),
        )


@dataclass(frozen=True)
class ReminderNote:
    """One entry of meta "reminder:<period>:<province>": a reminder queued to a province."""

    date: str
    stage: int
    to: tuple[str, ...]
    key: str

    def to_json(self) -> Json:
        return {"date": self.date, "stage": self.stage, "to": list(self.to), "key": self.key}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReminderNote:
        return cls(
            date=text_of(data.get("date")),
            stage=int(data.get("stage", -1)),
            to=tuple(str(a) for a in data.get("to") or ()),
            key=text_of(data.get("key")),
        )

    @classmethod
    def list_from_json(cls, data: Any) -> tuple[ReminderNote, ...]:
        return tuple(cls.from_json(d) for d in data) if isinstance(data, list) else ()
