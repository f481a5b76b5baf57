"""A province that sends nobody to a period: an editor records it (记为本期不参加) with a reason, or
withdraws the record (撤销), each written to the audit log.

The record is an AbsenceNote in the store's meta (``absent:<period>:<province>``, storage/notes.py),
written through the daemon's own Store (one writer).  It changes no roster and sends no email, so it
is carried out at once, as marking an item handled is; the province's message is answered by hand
from the queue.  The digest, the console's figures and the reminders read it: the province is 不参加
while nothing of it stands accepted and nothing it sent arrived after the record.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect
from werkzeug.wrappers import Response

from intake.console.access import requires, user
from intake.console.forms import AbsenceForm, ActionForm
from intake.console.lookup import province_route
from intake.console.record import audit
from intake.console.state import current
from intake.console.views.actions.roster import group_versions
from rules.notice import Period
from storage.notes import AbsenceNote, absence_key
from storage.questions import Question
from storage.submissions import standing
from storage.users import Role

log = logging.getLogger(__name__)
bp = Blueprint("absence", __name__)
ROUTE = "/p/<program>/<int:number>/<province>"


def province_questions(period: Period, province: str) -> list[Question]:
    """The province's messages kept for a person in this period: the ones a record may name."""
    store = current().desk.store
    return [q for q in store.questions() if q.province == province and period.key in q.periods]


def recorded(period: Period, province: str) -> AbsenceNote | None:
    """The province's 不参加 record for the period, if one stands (withdrawn: None)."""
    return AbsenceNote.from_json(current().desk.store.meta_get(absence_key(period.key, province)))


def _refusal(period: Period, province: str, message: str) -> str | None:
    """Why the record cannot be made, in a sentence; None when it can."""
    if province not in period.provinces:
        return f"{province}不在本期参训范围内，无需记录。"
    stands = standing(group_versions(period, province))
    if stands is not None:
        return f"{province}已有确认的名单（第 {stands.version} 版），不能记为本期不参加。"
    if message and message not in {q.key for q in province_questions(period, province)}:
        return "所选来信不是该省本期的来信。"
    return None


@bp.route(f"{ROUTE}/absent", methods=["POST"])
@requires(Role.EDITOR)
def record(program: str, number: int, province: str) -> Response:
    route = province_route(program, number, province)
    period, province, back = route.period, route.province, route.page
    form = AbsenceForm()
    if not form.validate_on_submit():
        flash("请写明理由。")
        return redirect(back)
    message = form.message.data or ""
    refusal = _refusal(period, province, message)
    if refusal is not None:
        flash(refusal)
        return redirect(back)
    desk = current().desk
    key = absence_key(period.key, province)
    before = recorded(period, province)
    note = AbsenceNote(
        by=user().name,
        at=desk.now().isoformat(timespec="seconds"),
        reason=form.reason.data or "",
        message=message,
    )
    desk.store.meta_set(key, note.to_json())
    audit(
        "absent",
        f"{period.key}/{province} 本期不参加",
        reason=note.reason,
        period=period.key,
        province=province,
        old=before.to_json() if before else None,
        new=note.to_json(),
    )
    log.info("%s: recorded as sending nobody by %s", key, note.by)
    flash(f"已记为本期不参加：{province}。不会再向该省发送催报邮件；如需答复该省来信，请在待人工处理中回复。")
    return redirect(back)


@bp.route(f"{ROUTE}/absent/withdraw", methods=["POST"])
@requires(Role.EDITOR)
def withdraw(program: str, number: int, province: str) -> Response:
    route = province_route(program, number, province)
    period, province, back = route.period, route.province, route.page
    form = ActionForm()
    if not form.validate_on_submit():
        flash("请写明撤销的理由。")
        return redirect(back)
    before = recorded(period, province)
    if before is None:
        flash(f"{province}没有本期不参加的记录。")
        return redirect(back)
    key = absence_key(period.key, province)
    current().desk.store.meta_set(key, None)  # meta values are never removed: None reads as no record
    audit(
        "absent.withdraw",
        f"{period.key}/{province} 本期不参加",
        reason=form.reason.data or "",
        period=period.key,
        province=province,
        old=before.to_json(),
        new=None,
    )
    log.info("%s: record withdrawn by %s", key, user().name)
    flash(f"已撤销{province}本期不参加的记录。")
    return redirect(back)
