"""Preview, confirm, cancel: how every action that changes a roster or sends an email is carried out.

The action's own view plans it (intake/console/pending.py) and sends the user to its preview: the
change (old -> new), the verdict the rules give the new roster, and the email exactly as it will be
queued.  Confirming carries it out once; cancelling forgets it.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from intake.console.access import requires, user
from intake.console.filing import Stale
from intake.console.judging import Misplaced
from intake.console.mailing import readable
from intake.console.pending import Pending
from intake.console.state import current
from storage.users import Role

log = logging.getLogger(__name__)
bp = Blueprint("flow", __name__)


class ConfirmForm(FlaskForm):
    """Only its CSRF token."""


def propose(pending: Pending) -> Response:
    current().pending.add(pending)
    return redirect(url_for("flow.preview", action_id=pending.id))


@bp.route("/actions/<action_id>")
@requires(Role.EDITOR)
def preview(action_id: str) -> str:
    pending = current().pending.get(action_id, user().name)
    if pending is None:
        abort(404)
    headers, text = readable(pending.email.raw) if pending.email else ([], "")
    return render_template("preview.html", pending=pending, headers=headers, text=text, form=ConfirmForm())


@bp.route("/actions/<action_id>/confirm", methods=["POST"])
@requires(Role.EDITOR)
def confirm(action_id: str) -> Response:
    ConfirmForm()  # the CSRF check is CSRFProtect's, before this runs
    actions = current().pending
    pending = actions.take(action_id, user().name)
    if pending is None:
        done = actions.get(action_id, user().name)
        if done is None:
            abort(404)
        flash(f"这项操作已经完成：{done.done}")
        return redirect(done.back)
    try:
        result = pending.run()
    except (Stale, Misplaced) as exc:
        actions.finish(pending, f"未执行：{exc}")
        flash(f"未执行：{exc}。请刷新页面后重新操作。")
        return redirect(pending.back)
    except Exception:
        actions.release(pending)
        log.exception("console: action %s (%s) failed", pending.id, pending.kind)
        raise
    actions.finish(pending, result)
    flash(result)
    return redirect(pending.back)


@bp.route("/actions/<action_id>/cancel", methods=["POST"])
@requires(Role.EDITOR)
def cancel(action_id: str) -> Response:
    ConfirmForm()
    actions = current().pending
    pending = actions.get(action_id, user().name)
    back = pending.back if pending else url_for("periods.overview")
    actions.cancel(action_id, user().name)
    flash("已取消，没有做任何改动。")
    return redirect(back)
