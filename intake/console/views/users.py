"""The accounts (admins only): who may log in, their roles and periods; disabling one ends their sessions.
New accounts and one-time passwords come from the command line (`intake user add`), never a page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from intake.console.access import requires, user
from intake.console.forms import ActionForm
from intake.console.record import audit
from intake.console.state import current
from storage.users import Role

bp = Blueprint("users", __name__)


@bp.route("/users")
@requires(Role.ADMIN)
def show() -> str:
    console = current()
    return render_template(
        "users.html", users=console.desk.users.all(), sessions=console.sessions.users(), form=ActionForm()
    )


@bp.route("/users/<name>/disable", methods=["POST"])
@requires(Role.ADMIN)
def disable(name: str) -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        flash("请写明停用的理由。")
        return redirect(url_for("users.show"))
    console = current()
    before = console.desk.users.get(name)
    if before is None:
        abort(404)
    if name == user().name:
        flash("不能停用自己的账号。")
        return redirect(url_for("users.show"))
    console.desk.users.disable(name)
    ended = console.sessions.end_user(name)
    audit(
        "user.disable",
        f"user {name}",
        reason=form.reason.data or "",
        old={"disabled": before.disabled},
        new={"disabled": True, "sessions_ended": ended},
    )
    flash(f"已停用 {name}，结束了 {ended} 个会话。")
    return redirect(url_for("users.show"))
