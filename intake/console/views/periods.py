"""The periods: an overview of every period the user sees, and one period's provinces and figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from flask import Blueprint, Response, render_template

from intake.console.access import requires, user
from intake.console.lookup import period_or_404
from intake.console.queue_items import open_by_province
from intake.console.record import audit
from intake.console.state import current
from intake.console.text import time_left
from mailer.compose.digest_data import DigestData, Person
from mailer.compose.workbook import roster_workbook
from rules.notice import Period, Quotas
from rules.units import UnitKind
from storage.notes import read_absences
from storage.users import Role
from storage.versions import SubmissionSummary

bp = Blueprint("periods", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class PeriodLine:
    period: Period
    name: str
    accepted: int
    rejected: int
    missing: int
    people: int
    left: str
    absent: int = 0  # recorded as sending nobody (不参加), nothing accepted or sent since


def _line(period: Period) -> PeriodLine:
    """One period in the overview, from the light summaries (no roster is read)."""
    desk = current().desk
    program = desk.config.notice.program(period.program)
    summaries = {s.province: s for s in desk.store.submissions(period.program, period.number) if s.province}
    absent = _absent(period, summaries)
    admitted = [summaries.get(p) for p in period.provinces if p not in absent]
    accepted = sum(1 for s in admitted if s is not None and s.current is not None)
    rejected = sum(1 for s in admitted if s is not None and s.current is None)
    people = sum(s.current.participants for s in admitted if s is not None and s.current is not None)
    return PeriodLine(
        period=period,
        name=f"{program.name if program else period.program}第{period.number}期",
        accepted=accepted,
        rejected=rejected,
        missing=len(period.provinces) - len(absent) - accepted - rejected,
        people=people,
        left=time_left(period.deadline, desk.now()),
        absent=len(absent),
    )


def _absent(period: Period, summaries: dict[str, SubmissionSummary]) -> set[str]:
    """The provinces whose 不参加 record holds: nothing stands accepted, nothing sent since (as the digest)."""
    notes = read_absences(current().desk.store.meta_get, period.key, period.provinces)
    held = set()
    for province, note in notes.items():
        summary = summaries.get(province)
        if summary is not None and summary.current is not None:
            continue
        if note.holds([summary.latest.received_at] if summary is not None else []):
            held.add(province)
    return held


@bp.route("/")
@requires(Role.VIEWER)
def overview() -> str:
    who = user()
    periods = [p for p in current().desk.config.notice.periods if who.may_see(p.key)]
    return render_template("overview.html", lines=[_line(p) for p in periods])


def quota_use(people: list[Person], quotas: Quotas) -> list[tuple[str, bool]]:
    """What a province's roster uses of its quotas: ("省厅 2/2", over?) per kind of unit present."""
    by_unit: dict[UnitKind, Counter[str]] = defaultdict(Counter)
    for p in people:
        by_unit[p.unit_kind][p.unit] += 1
    out = []
    department = sum(by_unit[UnitKind.DEPARTMENT].values())
    if department or quotas.department:
        out.append((f"省厅 {department}/{quotas.department}", department > quotas.department))
    for kind, label, limit in (
        (UnitKind.BUREAU, "地市", quotas.bureau),
        (UnitKind.SCHOOL, "学校", quotas.school),
    ):
        units = by_unit[kind]
        if units:
            most = max(units.values())
            out.append((f"{label} {len(units)} 个单位，每单位最多 {most}/{limit} 人", most > limit))
    return out


@bp.route("/p/<program>/<int:number>")
@requires(Role.VIEWER)
def period_page(program: str, number: int) -> str:
    period = period_or_404(program, number)
    console = current()
    now = console.desk.now()
    data = console.figures.digest(period, now)
    notice_program = console.desk.config.notice.program(period.program)
    quotas = notice_program.quotas if notice_program else Quotas()
    roster: dict[str, list[Person]] = defaultdict(list)
    for person in data.people:
        roster[person.province].append(person)
    return render_template(
        "period.html",
        period=period,
        data=data,
        left=time_left(period.deadline, now),
        quotas={p.province: quota_use(roster[p.province], quotas) for p in data.provinces},
        waiting=open_by_province(period),
    )


@bp.route("/p/<program>/<int:number>/roster.xlsx")
@requires(Role.VIEWER)
def roster(program: str, number: int) -> Response:
    period = period_or_404(program, number)
    console = current()
    data: DigestData = console.figures.digest(period, console.desk.now())
    audit("download.roster", f"{period.key} 名单", period=period.key, new={"people": len(data.people)})
    return Response(
        roster_workbook(data),
        mimetype=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{period.program}-{period.number}.xlsx"
        },
    )
