"""One message from the archive: what it said, what the daemon made of it, what we sent back; its
raw bytes and attachments to download (both written to the audit log)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template

from intake.console.access import requires, user
from intake.console.forms import ActionForm, ReplyForm
from intake.console.lookup import message_or_404
from intake.console.mailing import readable
from intake.console.record import audit
from intake.console.state import current
from intake.mime.quoting import own_words
from storage.questions import Question, QuestionNotFound
from storage.users import Role

bp = Blueprint("message", __name__)


def _safe_name(name: str, fallback: str) -> str:
    cleaned = "".join(c for c in name if c.isprintable() and c not in '\\/:*?"<>|').strip()
    return cleaned[:120] or fallback


def _attachment_header(name: str) -> str:
    return f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"


@bp.route("/m/<sha>")
@requires(Role.VIEWER)
def show(sha: str) -> str:
    message = message_or_404(sha)
    desk = current().desk
    replies = [(key, desk.outbox.get(f"{key}:{sha}")) for key in ("reply", "ack")]
    sent = [(key, item, readable(item.raw)[1]) for key, item in replies if item is not None]
    question: Question | None
    try:
        found = desk.store.question(sha)
        question = found if found.key == sha else None
    except QuestionNotFound:
        question = None
    actions = [e for e in desk.audit.find(limit=2000) if sha[:12] in e.object]
    return render_template(
        "message.html",
        message=message,
        words=own_words(message.decoded.text) if message.decoded.text else "",
        sent=sent,
        question=question,
        actions=actions,
        reply_form=ReplyForm(),
        plain_form=ActionForm(),
        editor=user().role.rank >= Role.EDITOR.rank,
    )


@bp.route("/m/<sha>/raw")
@requires(Role.VIEWER)
def raw(sha: str) -> Response:
    message = message_or_404(sha)
    audit(
        "download.message",
        f"邮件 {sha[:12]} 原件",
        period=message.periods[0] if len(message.periods) == 1 else "",
    )
    return Response(
        message.raw,
        mimetype="message/rfc822",
        headers={"Content-Disposition": _attachment_header(f"{sha[:12]}.eml")},
    )


@bp.route("/m/<sha>/a/<int:index>")
@requires(Role.VIEWER)
def attachment(sha: str, index: int) -> Response:
    message = message_or_404(sha)
    attachments = message.decoded.attachments
    if index >= len(attachments):
        abort(404)
    part = attachments[index]
    name = _safe_name(part.filename, f"附件{index + 1}")
    audit(
        "download.attachment",
        f"邮件 {sha[:12]} 附件“{name}”",
        period=message.periods[0] if len(message.periods) == 1 else "",
    )
    return Response(
        part.data,
        mimetype="application/octet-stream",  # never rendered by the browser: downloaded as it is
        headers={"Content-Disposition": _attachment_header(name)},
    )
