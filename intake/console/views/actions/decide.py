"""Accept a receipt despite named problems (an exception naming the rule), or reject it with one's own words."""

from __future__ import annotations

from flask import Blueprint, flash, redirect
from werkzeug.wrappers import Response

from intake.console.access import requires, user
from intake.console.forms import AcceptForm, RejectForm
from intake.console.lookup import province_route
from intake.console.state import current
from intake.console.views.actions.flow import propose
from intake.console.views.actions.roster import RosterChange, base_version, roster_pending
from rules.verdict import Severity
from storage.desk import Waiver
from storage.users import Role

bp = Blueprint("decide", __name__)
ROUTE = "/p/<program>/<int:number>/<province>"


@bp.route(f"{ROUTE}/accept", methods=["POST"])
@requires(Role.EDITOR)
def accept(program: str, number: int, province: str) -> Response:
    route = province_route(program, number, province)
    period, province, back = route.period, route.province, route.page
    form = AcceptForm()
    if not form.validate_on_submit():
        flash("请写明同意例外的理由。")
        return redirect(back)
    base = base_version(period, province, form.version.data or 0)
    errors = {p.code for p in base.verdict.problems if p.severity is Severity.ERROR}
    codes = tuple(c for c in (form.codes.data or []) if c in errors)
    if not codes:
        flash("请勾选同意例外的规则（这一版的错误）。")
        return redirect(back)
    desk = current().desk
    reason = form.reason.data or ""
    waiver = Waiver(codes, reason, user().name, desk.now().isoformat(timespec="seconds"))
    return propose(
        roster_pending(
            RosterChange(
                kind="accept",
                title=f"同意 {province} 第 {base.version} 版例外登记（{len(codes)} 条规则）",
                period=period,
                province=province,
                people=[p.participant() for p in base.verdict.participants],
                received=base.received_at or desk.now(),
                reason=reason,
                base=base,
                notify=bool(form.notify.data),
                changes=tuple(f"例外：{p.message}" for p in base.verdict.problems if p.code in codes),
                old={"problems": sorted(errors)},
                new={"waived": list(codes)},
                waiver=waiver,
            )
        )
    )


@bp.route(f"{ROUTE}/reject", methods=["POST"])
@requires(Role.EDITOR)
def reject(program: str, number: int, province: str) -> Response:
    route = province_route(program, number, province)
    period, province = route.period, route.province
    form = RejectForm()
    if not form.validate_on_submit():
        flash("请写给报送单位的说明和理由。")
        return redirect(route.page)
    base = base_version(period, province, form.version.data or 0)
    note = (form.note.data or "").strip()
    return propose(
        roster_pending(
            RosterChange(
                kind="reject",
                title=f"退回 {province} 第 {base.version} 版",
                period=period,
                province=province,
                people=[p.participant() for p in base.verdict.participants],
                received=base.received_at or current().desk.now(),
                reason=form.reason.data or "",
                base=base,
                notify=bool(form.notify.data),
                changes=(f"退回，说明：{note}",),
                old={"status": str(base.status)},
                new={"note": note},
                note=note,
            )
        )
    )
