"""What every roster action shares: the base version it starts from, the plan, the email, the run."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import abort, url_for

from intake.console.access import user
from intake.console.filing import RosterPlan, file_roster, plan_roster
from intake.console.judging import Judged, judge_roster, with_note
from intake.console.mailing import confirmation, from_address, original_of, seed_of, send, thread_for
from intake.console.pending import Email, Pending
from intake.console.record import audit
from intake.console.state import current
from intake.console.text import STATUS
from mailer.compose.reply import Original
from rules.notice import Period
from rules.verdict import Participant
from storage.desk import ActionRecord, Waiver, group_name
from storage.submissions import newest, standing
from storage.versions import SubmissionVersion


def group_versions(period: Period, province: str) -> list[SubmissionVersion]:
    return current().figures.cache.versions(period.program, period.number, province)


def base_version(period: Period, province: str, number: int) -> SubmissionVersion:
    """The version an action starts from: the one sent last, or the roster that stands (400 otherwise)."""
    versions = group_versions(period, province)
    allowed = {v.version for v in (newest(versions), standing(versions)) if v is not None}
    if number not in allowed:
        abort(400)
    return next(v for v in versions if v.version == number)


@dataclass(frozen=True)
class RosterChange:
    """What a roster action asks for, before it is planned."""

    kind: str  # correct, add, remove, accept, reject, enter
    title: str
    period: Period
    province: str
    people: Sequence[Participant]
    received: datetime
    reason: str
    base: SubmissionVersion | None = None
    notify: bool = False
    to: str = ""  # for a roster with no message: where the confirmation goes
    changes: tuple[str, ...] = ()
    old: Any = None
    new: Any = None
    waiver: Waiver | None = None
    note: str = ""  # a rejection's words to the province


def _judged(change: RosterChange) -> Judged:
    desk = current().desk
    group = group_name(change.period.program, change.period.number, change.province)
    waivers = [*desk.state.waivers(group), *([change.waiver] if change.waiver else [])]
    judged = judge_roster(
        change.people,
        desk.config.notice,
        desk.config.policy,
        change.period,
        change.province,
        received=change.received,
        waivers=waivers,
    )
    return Judged(with_note(judged.verdict, change.note), judged.waived) if change.note else judged


def _email(change: RosterChange, plan: RosterPlan, seed: str, source: str) -> Email | None:
    desk = current().desk
    if not change.notify:
        return None
    original = original_of(desk, source, seed) if source else None
    if original is None and change.to:
        program = desk.config.notice.program(change.period.program)
        subject = f"{change.province}{program.name if program else ''}第{change.period.number}期报名回执"
        original = Original(change.to.strip(), subject, "", (), seed)
    if original is None:
        return None
    mailbox = change.base.mailbox if change.base else ""
    return confirmation(
        desk,
        plan.judged.verdict,
        plan.planned,
        plan.stands,
        original,
        from_address(desk, change.period, mailbox),
    )


def roster_pending(change: RosterChange) -> Pending:
    """Plan the change (nothing stored yet) and what confirming it will do."""
    console = current()
    desk = console.desk
    action_id = secrets.token_hex(8)
    versions = group_versions(change.period, change.province)
    plan = plan_roster(
        desk,
        versions,
        change.period,
        change.province,
        change.people,
        received=change.received,
        action_id=action_id,
        judged=_judged(change),
    )
    source = desk.state.source_of(change.base.message_sha) if change.base else ""
    email = _email(change, plan, seed_of(action_id), source)
    who = user().name
    group = group_name(change.period.program, change.period.number, change.province)
    back = url_for(
        "province.show", program=change.period.program, number=change.period.number, province=change.province
    )

    def run() -> str:
        record = ActionRecord(
            action_id,
            change.kind,
            who,
            desk.now().isoformat(timespec="seconds"),
            change.reason,
            group,
            source=source,
        )
        version = file_roster(desk, plan, record)
        if change.waiver is not None:
            desk.state.add_waiver(group, replace(change.waiver, action=action_id))
        key = send(desk, pending, thread=thread_for(desk, source), group=plan.group) if email else ""
        audit(
            change.kind,
            f"{change.period.key}/{change.province} 第 {version.version} 版",
            reason=change.reason,
            period=change.period.key,
            province=change.province,
            old={"version": change.base.version, "status": str(change.base.status), **_dict(change.old)}
            if change.base
            else change.old,
            new={"version": version.version, "status": str(version.status), "mail": key, **_dict(change.new)},
        )
        return f"已保存为第 {version.version} 版（{STATUS.get(version.status, version.status)}）" + (
            "，邮件已放入发送队列。" if key else "。"
        )

    pending = Pending(
        kind=change.kind,
        user=who,
        title=change.title,
        back=back,
        run=run,
        changes=list(change.changes),
        problems=[p.message for p in plan.judged.verdict.problems],
        status=STATUS.get(plan.planned.status, ""),
        email=email,
        id=action_id,
    )
    return pending


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else ({} if value is None else {"value": value})
