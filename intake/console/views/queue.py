"""The queue "needs a person" (intake/console/queue_items.py), each item with what to do."""

from __future__ import annotations

from flask import Blueprint, render_template

from intake.console.access import requires, user
from intake.console.forms import HandledForm
from intake.console.queue_items import KINDS, open_items
from storage.users import Role

bp = Blueprint("queue", __name__)


@bp.route("/queue")
@requires(Role.VIEWER)
def show() -> str:
    items = open_items()
    groups = [(kind, label, [i for i in items if i.kind == kind]) for kind, label in KINDS.items()]
    return render_template(
        "queue.html",
        groups=groups,
        total=len(items),
        form=HandledForm(),
        editor=user().role.rank >= Role.EDITOR.rank,
    )
