"""Reply by hand to a message, from its period's mailbox, threaded; resend the last automatic reply."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from intake.console.access import requires, user
from intake.console.forms import ActionForm, ReplyForm
from intake.console.lookup import Message, message_or_404
from intake.console.mailing import from_address, hand_reply, original_of, seed_of, send, thread_for
from intake.console.pending import Email, Pending
from intake.console.record import audit
from intake.console.state import current
from intake.console.views.actions.flow import propose
from storage.questions import QuestionNotFound
from storage.users import Role

bp = Blueprint("replies", __name__)


def _where(message: Message) -> tuple[str, str, tuple[str | None, int | None, str | None]]:
    """(period, province, group) of the message, for the audit log and the record of what was sent."""
    verdict = message.record.verdict if message.record else None
    period = message.periods[0] if len(message.periods) == 1 else ""
    province = (verdict.province if verdict else None) or ""
    group = (verdict.program, verdict.period, verdict.province) if verdict else (None, None, None)
    return period, province, group


def _question_key(sha: str) -> str:
    try:
        question = current().desk.store.question(sha)
    except QuestionNotFound:
        return ""
    return question.key if question.key == sha and question.open else ""


@bp.route("/m/<sha>/reply", methods=["POST"])
@requires(Role.EDITOR)
def reply(sha: str) -> Response:
    message = message_or_404(sha)
    form = ReplyForm()
    back = url_for("message.show", sha=sha)
    if not form.validate_on_submit():
        flash("请写回复内容和理由。")
        return redirect(back)
    desk = current().desk
    pending = Pending(kind="reply", user=user().name, title="", back=back, run=lambda: "")
    original = original_of(desk, sha, seed_of(pending.id))
    if original is None:
        flash("这封邮件没有可回复的发件地址。")
        return redirect(back)
    period_key, province, group = _where(message)
    period = desk.config.notice.period(period_key) if period_key else None
    email = hand_reply(
        desk,
        original,
        form.text.data or "",
        from_address(desk, period, message.record.mailbox if message.record else ""),
    )
    question = _question_key(sha) if form.handled.data else ""
    reason, who = form.reason.data or "", user().name

    def run() -> str:
        key = send(desk, pending, thread=thread_for(desk, sha), group=group)
        if question:
            desk.store.mark_question_handled(
                question, by=who, note=f"人工回复：{reason}", at=desk.now().isoformat(timespec="seconds")
            )
        audit(
            "reply",
            f"邮件 {sha[:12]}（{original.sender}）",
            reason=reason,
            period=period_key,
            province=province,
            new={
                "to": original.sender,
                "subject": original.subject,
                "mail": key,
                "question_handled": bool(question),
            },
        )
        return f"回复已放入发送队列，发往 {original.sender}" + (
            "，问题已标记为已处理。" if question else "。"
        )

    pending.title, pending.email, pending.run = f"人工回复 {original.sender}", email, run
    pending.changes = [f"问题 {sha[:12]} 将标记为已处理"] if question else []
    return propose(pending)


@bp.route("/m/<sha>/resend", methods=["POST"])
@requires(Role.EDITOR)
def resend(sha: str) -> Response:
    message = message_or_404(sha)
    form = ActionForm()
    back = url_for("message.show", sha=sha)
    if not form.validate_on_submit():
        flash("请写明重发的理由。")
        return redirect(back)
    desk = current().desk
    last = desk.outbox.get(f"reply:{sha}") or desk.outbox.get(f"ack:{sha}")
    if last is None:
        abort(404)
    reason, period_key, province = form.reason.data or "", *_where(message)[:2]
    pending = Pending(
        kind="resend",
        user=user().name,
        title=f"重发自动回复给 {', '.join(last.rcpt_to)}",
        back=back,
        run=lambda: "",
    )
    pending.email = Email(last.raw, last.mail_from, tuple(last.rcpt_to))

    def run() -> str:
        item = desk.outbox.enqueue(pending.outbox_key, last.raw, last.mail_from, list(last.rcpt_to))
        desk.wake()
        audit(
            "resend",
            f"邮件 {sha[:12]} 的自动回复",
            reason=reason,
            period=period_key,
            province=province,
            old={"mail": last.key, "state": str(last.state)},
            new={"mail": item.key},
        )
        return f"已重新放入发送队列，发往 {', '.join(last.rcpt_to)}。"

    pending.run = run
    return propose(pending)
