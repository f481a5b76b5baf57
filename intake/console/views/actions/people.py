"""Correct a participant's field, add a participant, remove one: a new roster, judged again."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort, flash, redirect
from werkzeug.wrappers import Response

from intake.console.access import requires
from intake.console.forms import AddForm, CorrectForm, RemoveForm
from intake.console.lookup import province_route
from intake.console.state import current
from intake.console.text import mask_mobile
from intake.console.typed import LABELS, shown, with_value
from intake.console.views.actions.flow import propose
from intake.console.views.actions.roster import RosterChange, base_version, roster_pending
from rules.notice import Period
from rules.verdict import Participant
from storage.users import Role
from storage.versions import SubmissionVersion

bp = Blueprint("people", __name__)
ROUTE = "/p/<program>/<int:number>/<province>"


def _back(page: str, problem: str) -> Response:
    flash(problem)
    return redirect(page)


def _people(base: SubmissionVersion) -> list[Participant]:
    return [p.participant() for p in base.verdict.participants]


def _private(field: str, value: str) -> str:
    """What the preview and the audit log show of a value (a mobile in full only where it is needed)."""
    return mask_mobile(value) if field == "mobile" and value else value


def _edit(
    form: CorrectForm | AddForm | RemoveForm,
    where: tuple[Period, str, SubmissionVersion],
    *,
    kind: str,
    title: str,
    people: Sequence[Participant],
    changes: tuple[str, ...],
    old: dict[str, str] | None = None,
    new: dict[str, str] | None = None,
) -> Response:
    """Propose the roster of `where` (period, province, the version edited) changed to `people`."""
    period, province, base = where
    return propose(
        roster_pending(
            RosterChange(
                kind=kind,
                title=title,
                period=period,
                province=province,
                people=people,
                received=base.received_at or current().desk.now(),
                reason=form.reason.data or "",
                base=base,
                notify=bool(form.notify.data),
                changes=changes,
                old=old,
                new=new,
            )
        )
    )


@bp.route(f"{ROUTE}/correct", methods=["POST"])
@requires(Role.EDITOR)
def correct(program: str, number: int, province: str) -> Response:
    route = province_route(program, number, province)
    period, province = route.period, route.province
    form = CorrectForm()
    if not form.validate_on_submit():
        return _back(route.page, "请选择人员和字段，并写明理由。")
    base = base_version(period, province, form.version.data or 0)
    people = _people(base)
    index = form.index.data or 0
    if index >= len(people):
        abort(400)
    field, before = form.field.data or "", people[index]
    year = current().desk.config.notice.year
    after = with_value(before, field, form.value.data or "", year)
    people[index] = after
    label = LABELS.get(field, field)
    change = f"{before.name or f'第 {index + 1} 人'} 的{label}：“{_private(field, shown(before, field))}” → “{_private(field, shown(after, field))}”"
    return _edit(
        form,
        (period, province, base),
        kind="correct",
        title=f"更正 {province} 第 {base.version} 版：{before.name} 的{label}",
        people=people,
        changes=(change,),
        old={"person": before.name, "field": field, "value": shown(before, field)},
        new={"person": after.name, "field": field, "value": shown(after, field)},
    )


@bp.route(f"{ROUTE}/add", methods=["POST"])
@requires(Role.EDITOR)
def add(program: str, number: int, province: str) -> Response:
    route = province_route(program, number, province)
    period, province = route.period, route.province
    form = AddForm()
    if not form.validate_on_submit():
        return _back(route.page, "请填写姓名、单位、手机，并写明理由。")
    base = base_version(period, province, form.version.data or 0)
    year = current().desk.config.notice.year
    person = Participant(leader=bool(form.leader.data))
    for field in ("name", "gender", "unit", "title", "mobile", "email", "arrival", "remark"):
        person = with_value(person, field, str(getattr(form, field).data or ""), year)
    return _edit(
        form,
        (period, province, base),
        kind="add",
        title=f"在 {province} 第 {base.version} 版名单中增加 {person.name}",
        people=[*_people(base), person],
        changes=(f"增加：{person.name}（{person.unit}，{_private('mobile', person.mobile)}）",),
        new={"person": person.name, "unit": person.unit, "mobile": person.mobile},
    )


@bp.route(f"{ROUTE}/remove", methods=["POST"])
@requires(Role.EDITOR)
def remove(program: str, number: int, province: str) -> Response:
    route = province_route(program, number, province)
    period, province = route.period, route.province
    form = RemoveForm()
    if not form.validate_on_submit():
        return _back(route.page, "请选择要删除的人员，并写明理由。")
    base = base_version(period, province, form.version.data or 0)
    people = _people(base)
    index = form.index.data or 0
    if index >= len(people):
        abort(400)
    gone = people.pop(index)
    return _edit(
        form,
        (period, province, base),
        kind="remove",
        title=f"从 {province} 第 {base.version} 版名单中删除 {gone.name}",
        people=people,
        changes=(f"删除：{gone.name}（{gone.unit}）",),
        old={"person": gone.name, "unit": gone.unit, "mobile": gone.mobile},
    )
