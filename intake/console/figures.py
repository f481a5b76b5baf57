"""A period's figures for the console, from the same DigestData the digest renders, kept fresh cheaply.

Reading a period's versions is what a digest costs (about 0.5 s for a period of a 10,000-version
store: every version is a document read from a segment file); building the figures from them costs
20 ms.  Versions never change once filed, so the console keeps each group's versions in memory
(``VersionCache``), re-read only when the group has a new one, and keeps each period's DigestData
until one of its groups, its questions or its provinces' 不参加 records change (``Figures``).  The organizers' desk
(intake.organizer.desk.Organizer) builds the snapshot as it does for the digest, over ``LiveView``:
the daemon's store with the cache in front of its versions.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from intake.config.settings import Config
from intake.organizer.desk import Organizer
from mailer.compose.digest_data import DigestData
from rules.notice import Period
from storage.notes import AbsenceNote, read_absences
from storage.readonly import ReadOnlyStore
from storage.store import Store
from storage.submissions import group_key, in_sent_order
from storage.versions import SubmissionSummary, SubmissionVersion

Group = tuple[str | None, int | None, str | None]


class VersionCache:
    """Each group's versions, in the order sent, re-read only when the group's count changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._groups: dict[str, tuple[int, list[SubmissionVersion]]] = {}
        self._lock = threading.Lock()

    def versions(
        self, program: str | None, period: int | None, province: str | None, count: int = -1
    ) -> list[SubmissionVersion]:
        """The group's versions; count: how many the store holds (-1: ask it)."""
        key = group_key(program, period, province)
        if count < 0:
            summary = next(
                (s for s in self.store.submissions(program, period) if s.province == province), None
            )
            count = summary.versions if summary else 0
        with self._lock:
            cached = self._groups.get(key)
        if cached is not None and cached[0] == count:
            return list(cached[1])
        known = {v.version: v for v in (cached[1] if cached else [])}
        fresh = [
            known.get(n) or self.store.version(program, period, province, n) for n in range(1, count + 1)
        ]
        versions = in_sent_order(v for v in fresh if v is not None)
        with self._lock:
            self._groups[key] = (count, versions)
        return list(versions)

    def version(
        self, program: str | None, period: int | None, province: str | None, number: int
    ) -> SubmissionVersion | None:
        with self._lock:
            cached = self._groups.get(group_key(program, period, province))
        found = next((v for v in cached[1] if v.version == number), None) if cached else None
        return found or self.store.version(program, period, province, number)


class LiveView(ReadOnlyStore):
    """The daemon's store seen through the cache, shaped as the read-only store the desk reads."""

    def __init__(self, store: Store, cache: VersionCache) -> None:
        self.directory = store.directory
        self.live = store
        self.cache = cache
        self._counts: dict[str, int] = {}

    def versions(
        self, program: str | None, period: int | None, province: str | None
    ) -> list[SubmissionVersion]:
        if not self._counts:
            self._counts = {
                group_key(s.program, s.period, s.province): s.versions for s in self.live.submissions()
            }
        count = self._counts.get(group_key(program, period, province), 0)
        return self.cache.versions(program, period, province, count) if count else []

    def current_roster(
        self, program: str | None, period: int | None, province: str | None
    ) -> SubmissionVersion | None:
        return self.live.current_roster(program, period, province)

    def submissions(self, program: str | None = None, period: int | None = None) -> list[SubmissionSummary]:
        return self.live.submissions(program, period)

    def meta_get(self, key: str, default: Any = None) -> Any:
        return self.live.meta_get(key, default)


def fingerprint(
    summaries: list[SubmissionSummary], questions: int, absent: dict[str, AbsenceNote] | None = None
) -> tuple[object, ...]:
    """What a period's figures are made of, in brief: its groups' version counts, the open questions,
    the provinces recorded as sending nobody (a record or its withdrawal changes the page at once)."""
    groups = tuple((s.program, s.period, s.province, s.versions) for s in summaries)
    return (questions, tuple((absent or {}).items()), *groups)


class Figures:
    """Each period's DigestData, rebuilt only when something of the period changed."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.cache = VersionCache(store)
        self._digests: dict[str, tuple[tuple[object, ...], DigestData]] = {}
        self._lock = threading.Lock()

    def digest(self, period: Period, now: Any) -> DigestData:
        summaries = [  # the period's groups, and the receipts nobody could place
            s
            for s in self.store.submissions()
            if s.province is None or (s.program == period.program and s.period == period.number)
        ]
        absent = read_absences(self.store.meta_get, period.key, period.provinces)
        mark = fingerprint(summaries, self.store.open_questions(), absent)
        with self._lock:
            cached = self._digests.get(period.key)
        if cached is not None and cached[0] == mark:
            data = cached[1]
        else:
            data = Organizer(self.config, LiveView(self.store, self.cache)).digest(period, now)
            with self._lock:
                self._digests[period.key] = (mark, data)
        days_left = (period.deadline.astimezone(now.tzinfo).date() - now.date()).days
        return dataclasses.replace(data, now=now, days_left=days_left, past_deadline=now > period.deadline)
