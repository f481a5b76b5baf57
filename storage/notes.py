"""The organizers' desk's notes in the store's meta, as typed records: digests and reminders sent,
provinces that send nobody to a period."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .fields import Json, optional_text, parse_received, text_of

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


ABSENCE_PREFIX = "absent:"


def absence_key(period: str, province: str) -> str:
    """The meta key of a province's word that it sends nobody to a period: "absent:gz-status/1:河南"."""
    return f"{ABSENCE_PREFIX}{period}:{province}"


@dataclass(frozen=True)
class AbsenceNote:
    """meta "absent:<period>:<province>": an organizer recorded that the province sends nobody.

    by: the organizer; at: when it was recorded (ISO 8601, aware); reason: their words; message: the
    sha of the province's message that said so, "" when it came another way (a call).  The note holds
    while nothing the province sent arrived after ``at`` (``holds``): a later receipt overrides it.
    Withdrawn by writing None under the key (meta values are never removed).
    """

    by: str
    at: str
    reason: str
    message: str = ""

    def to_json(self) -> Json:
        data: Json = {"by": self.by, "at": self.at, "reason": self.reason}
        if self.message:
            data["message"] = self.message
        return data

    @classmethod
    def from_json(cls, data: Any) -> AbsenceNote | None:
        if not isinstance(data, Mapping) or not data.get("at"):
            return None  # withdrawn (None) or unreadable
        return cls(
            by=text_of(data.get("by")),
            at=text_of(data.get("at")),
            reason=text_of(data.get("reason")),
            message=text_of(data.get("message")),
        )

    @property
    def at_time(self) -> datetime | None:
        return parse_received(self.at)

    def holds(self, arrivals: Iterable[datetime | None]) -> bool:
        """Whether nothing arrived after the note was recorded (arrivals: when the province's receipts
        came; one whose time is unknown counts as later: what was sent is shown rather than hidden)."""
        recorded = self.at_time
        return recorded is not None and all(a is not None and a <= recorded for a in arrivals)


def read_absences(
    meta_get: Callable[[str], Any], period: str, provinces: Iterable[str]
) -> dict[str, AbsenceNote]:
    """The absence notes recorded for a period's provinces (meta_get: the store's, or a read-only view's)."""
    notes = {p: AbsenceNote.from_json(meta_get(absence_key(period, p))) for p in provinces}
    return {p: note for p, note in notes.items() if note is not None}
