"""Filing a roster an organizer changed or entered: planned first (nothing stored), then filed once.

The plan holds the rules' new verdict (intake.console.judging), the version it will be (the next
number of the group, kind ORGANIZER, sent at the time of the receipt it corrects or when the roster
came in), its diff against the roster that stands, and whether it will stand.  Filing stores it
with ``Store.add_submission`` under the sha256 of ``console:<action id>`` (idempotent: confirming
twice files it once), records who did it (storage/desk.py), and refuses when the group got a new
version since the plan (a receipt came in meanwhile: the organizer looks again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from intake.console.desk import Desk
from intake.console.judging import Judged, judge_roster
from rules.notice import Period
from rules.verdict import Participant, Status
from storage.desk import ActionRecord, action_sha, group_name
from storage.diff import roster_diff
from storage.records import StoredVerdict
from storage.submissions import superseding
from storage.versions import NewVersion, SubmissionVersion, VersionKind


class Stale(RuntimeError):
    """The province's versions changed since the action was planned."""


@dataclass(frozen=True)
class RosterPlan:
    period: Period
    province: str
    judged: Judged
    planned: SubmissionVersion
    stands: SubmissionVersion | None  # what stands once it is filed
    count: int  # the group's versions when planned

    @property
    def group(self) -> tuple[str, int, str]:
        return (self.period.program, self.period.number, self.province)


def plan_roster(
    desk: Desk,
    versions: Sequence[SubmissionVersion],
    period: Period,
    province: str,
    people: Sequence[Participant],
    *,
    received: datetime,
    action_id: str,
    judged: Judged | None = None,
) -> RosterPlan:
    """The version the roster will be; versions: the group's, as stored now."""
    if judged is None:
        waivers = desk.state.waivers(group_name(period.program, period.number, province))
        judged = judge_roster(
            people,
            desk.config.notice,
            desk.config.policy,
            period,
            province,
            received=received,
            waivers=waivers,
        )
    stored = StoredVerdict.from_json(judged.verdict.public())
    current = max(
        (v for v in versions if v.accepted and not v.superseded),
        key=lambda v: (v.received_at, v.version),
        default=None,
    )
    planned = SubmissionVersion(
        program=period.program,
        period=period.number,
        province=province,
        version=len(versions) + 1,
        status=stored.status,
        message_sha=action_sha(action_id),
        sender="",
        received=received.isoformat(timespec="seconds"),
        recorded="",
        previous_accepted=current.version if current else None,
        diff=roster_diff(current.verdict.roster() if current else [], stored.roster()),
        verdict=stored,
        kind=VersionKind.ORGANIZER,
        superseded_by=superseding(current, received.isoformat(timespec="seconds")),
    )
    stands = planned if planned.status is Status.ACCEPTED and not planned.superseded else current
    return RosterPlan(period, province, judged, planned, stands, len(versions))


def file_roster(desk: Desk, plan: RosterPlan, record: ActionRecord) -> SubmissionVersion:
    """Store the planned version (once), and who filed it and why."""
    program, number, province = plan.group
    summary = next((s for s in desk.store.submissions(program, number) if s.province == province), None)
    count = summary.versions if summary else 0
    existing = desk.store.version(program, number, province, plan.planned.version)
    if count != plan.count and not (existing and existing.message_sha == plan.planned.message_sha):
        raise Stale(f"{province} 的名单在预览之后有了新版本")
    version = desk.store.add_submission(
        NewVersion(
            program=program,
            period=number,
            province=province,
            verdict=plan.planned.verdict,
            message_sha=plan.planned.message_sha,
            sender=record.by and f"会务组（{record.by}）",
            received=plan.planned.received,
            status=plan.planned.status,
            kind=VersionKind.ORGANIZER,
            mailbox="console",
            subject=record.reason[:200],
        )
    )
    desk.state.record_action(
        ActionRecord(
            record.id,
            record.kind,
            record.by,
            record.at,
            record.reason,
            record.group,
            version.version,
            record.source,
        )
    )
    return version
