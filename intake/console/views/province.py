"""A province in a period: the roster that stands, every version with its diff, every message with its
verdict and the reply sent, its questions; the actions an editor may take on it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from intake.console.access import requires, user
from intake.console.forms import (
    AbsenceForm,
    AcceptForm,
    ActionForm,
    AddForm,
    CorrectForm,
    EnterForm,
    RejectForm,
    RemoveForm,
)
from intake.console.lookup import period_or_404, province_or_404, version_or_404
from intake.console.record import audit
from intake.console.state import current
from intake.console.text import when
from intake.console.views.actions.absence import province_questions, recorded
from intake.console.views.actions.roster import group_versions
from mailer.compose.digest_data import ABSENT
from mailer.outbox_item import OutboxItem
from rules.notice import Period
from rules.verdict import Severity
from storage.desk import ActionRecord
from storage.notes import AbsenceNote
from storage.questions import Question
from storage.records import MessageRecord
from storage.submissions import newest, standing
from storage.users import Role
from storage.versions import SubmissionVersion

bp = Blueprint("province", __name__)
SHOWN = 20  # versions listed before "show all"


@dataclass(frozen=True)
class VersionLine:
    version: SubmissionVersion
    record: MessageRecord | None  # the message it came in (None: entered in the console)
    reply: OutboxItem | None  # our automatic reply to it
    action: ActionRecord | None  # who entered or changed it in the console
    archived: bool


def _line(version: SubmissionVersion) -> VersionLine:
    desk = current().desk
    action = desk.state.action_for(version.message_sha)
    record = None if action else desk.store.message_by_sha(version.message_sha)
    reply = None if action else desk.outbox.get(f"reply:{version.message_sha}")
    return VersionLine(version, record, reply, action, version.message_sha in desk.archive)


def _questions(period_key: str, province: str) -> list[Question]:
    return [q for q in current().desk.store.questions() if q.province == province and period_key in q.periods]


@dataclass(frozen=True)
class Absence:
    """The province's 不参加 record as the page shows it."""

    note: AbsenceNote | None  # the record, if one was made and not withdrawn
    holds: bool  # it decides the province's status (nothing accepted, nothing sent since)
    form: AbsenceForm  # to record it (offered while nothing stands accepted and no record holds)


def _absence(period: Period, province: str) -> Absence:
    console = current()
    note = recorded(period, province)
    holds = False
    if note is not None and province in period.provinces:
        figures = console.figures.digest(period, console.desk.now())
        holds = any(p.province == province and p.status == ABSENT for p in figures.provinces)
    form = AbsenceForm()
    zone = console.desk.config.notice.timezone
    form.message.choices = [SelectChoice("", "（不关联来信，如电话告知）")] + [
        SelectChoice(q.key, f"{when(q.received, zone)} {q.sender}：{q.text[:30]}")
        for q in province_questions(period, province)
    ]
    return Absence(note, holds, form)


def _forms(base: SubmissionVersion | None) -> dict[str, FlaskForm]:
    """The action forms for the version actions start from (the one sent last)."""
    number = base.version if base else 0
    errors = [p for p in (base.verdict.problems if base else ()) if p.severity is Severity.ERROR]
    accept = AcceptForm(version=number)
    accept.codes.choices = [SelectChoice(p.code, p.message) for p in {p.code: p for p in errors}.values()]
    return {
        "correct": CorrectForm(version=number),
        "add": AddForm(version=number),
        "remove": RemoveForm(version=number),
        "accept": accept,
        "reject": RejectForm(version=number),
        "enter": EnterForm(),
        "plain": ActionForm(),
    }


@bp.route("/p/<program>/<int:number>/<province>")
@requires(Role.VIEWER)
def show(program: str, number: int, province: str) -> str:
    period = period_or_404(program, number)
    province = province_or_404(period, province)
    versions = group_versions(period, province)
    stands, latest = standing(versions), newest(versions)
    listed = list(reversed(versions))
    everything = request.args.get("all") == "1"
    base = latest
    return render_template(
        "province.html",
        period=period,
        province=province,
        stands=stands,
        latest=latest,
        base=base,
        lines=[_line(v) for v in (listed if everything else listed[:SHOWN])],
        more=len(listed) - SHOWN if not everything and len(listed) > SHOWN else 0,
        questions=_questions(period.key, province),
        forms=_forms(base),
        editor=user().role.rank >= Role.EDITOR.rank,
        absence=_absence(period, province),
        admitted=province in period.provinces,
    )


@bp.route("/p/<program>/<int:number>/<province>/v<int:version>/mobile/<int:index>")
@requires(Role.VIEWER)
def mobile(program: str, number: int, province: str, version: int, index: int) -> str:
    """One mobile in full; written to the audit log."""
    period = period_or_404(program, number)
    province = province_or_404(period, province)
    found = version_or_404(period, province, version)
    if index >= len(found.verdict.participants):
        abort(404)
    person = found.verdict.participants[index]
    audit(
        "show.mobile",
        f"{period.key}/{province} 第 {version} 版 {person.name} 的手机",
        period=period.key,
        province=province,
    )
    return render_template("mobile.html", period=period, province=province, version=found, person=person)
