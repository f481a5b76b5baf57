"""Mark a queue item handled (with a reason), and reprocess a message through the daemon's service."""

from __future__ import annotations

import time
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from intake.config.settings import MailboxConfig
from intake.console.access import requires, user
from intake.console.forms import ActionForm, HandledForm
from intake.console.lookup import message_or_404
from intake.console.pending import Email, Pending
from intake.console.queue_items import KINDS, open_items
from intake.console.record import audit
from intake.console.state import current
from intake.console.text import STATUS
from intake.console.views.actions.flow import propose
from intake.mailbox.source import FetchedMessage
from intake.pipeline.process import process
from mailer.compose.reply import Original, compose_reply
from rules.verdict import Status, Verdict
from storage.desk import Mark
from storage.records import MessageOutcome, MessageRecord
from storage.users import Role

bp = Blueprint("handled", __name__)
CONSOLE_UIDVALIDITY = 0  # a message reprocessed from the console: its own UID namespace in the store


@bp.route("/queue/handled", methods=["POST"])
@requires(Role.EDITOR)
def handled() -> Response:
    form = HandledForm()
    if not form.validate_on_submit():
        flash("请写明理由。")
        return redirect(url_for("queue.show"))
    item = next((i for i in open_items() if i.id == form.item.data), None)
    if item is None:
        abort(404)  # not open, or not one of the user's periods
    desk = current().desk
    at = desk.now().isoformat(timespec="seconds")
    reason = form.reason.data or ""
    if item.kind == "question":
        desk.store.mark_question_handled(item.id.split(":", 1)[1], by=user().name, note=reason, at=at)
    else:
        desk.state.mark(Mark(item.id, user().name, at, reason))
    period = item.periods[0] if len(item.periods) == 1 else ""
    audit(
        "handled",
        f"{KINDS[item.kind]}：{item.title}",
        reason=reason,
        period=period,
        province=item.province,
        old={"open": True},
        new={"open": False, "item": item.id},
    )
    flash(f"已标记为已处理：{item.title}")
    return redirect(url_for("queue.show"))


def _fetched(raw: bytes, record: MessageRecord | None) -> tuple[MailboxConfig, FetchedMessage]:
    """The archived message as a watcher would hand it over, in the console's own UID namespace."""
    desk = current().desk
    mailbox = next(
        (mb for mb in desk.config.mailboxes if record and mb.name == record.mailbox), desk.config.mailboxes[0]
    )
    received = datetime.fromisoformat(record.received) if record and record.received else desk.now()
    return mailbox, FetchedMessage(
        mailbox=mailbox.name,
        folder="console",
        uid=int(time.time() * 1000) % 2**31,
        uidvalidity=CONSOLE_UIDVALIDITY,
        received=received if received.tzinfo else received.replace(tzinfo=desk.config.notice.timezone),
        raw=raw,
        flags=(),
    )


def _preview(
    raw: bytes, sha: str, mailbox: MailboxConfig, fetched: FetchedMessage
) -> tuple[Verdict, Email | None]:
    """What the pipeline makes of the message now, and the automatic reply the service would queue."""
    desk = current().desk
    service = desk.service
    outcome = process(
        raw,
        service.ctx,
        mailbox=mailbox.address or None,
        received=fetched.received,
        served=mailbox.periods,
        known_sender=service.known_sender,
    )
    msg, verdict = outcome.message, outcome.verdict
    if verdict.status is Status.IGNORED or msg is None or "@" not in msg.sender:
        return verdict, None
    from_addr = mailbox.reply_from or mailbox.address or outcome.mailbox
    original = Original(msg.sender, msg.subject, msg.message_id, msg.references, sha)
    reply = compose_reply(verdict, desk.config.notice, original, from_addr=from_addr, now=desk.now())
    return verdict, Email(reply, from_addr, (msg.sender,))


@bp.route("/m/<sha>/reprocess", methods=["POST"])
@requires(Role.EDITOR)
def reprocess(sha: str) -> Response:
    message = message_or_404(sha)
    form = ActionForm()
    back = url_for("message.show", sha=sha)
    if not form.validate_on_submit():
        flash("请写明理由。")
        return redirect(back)
    desk = current().desk
    record = message.record
    if record is not None and record.outcome in (MessageOutcome.PROCESSED, MessageOutcome.IGNORED):
        flash("这封邮件已经处理过，重新处理也不会再次回复。要改变登记结果，请在省份页更正、同意例外或录入。")
        return redirect(back)
    mailbox, fetched = _fetched(message.raw, record)
    verdict, email = _preview(message.raw, sha, mailbox, fetched)
    period = message.periods[0] if len(message.periods) == 1 else ""
    before = str(record.outcome) if record and record.outcome else "pending"
    reason = form.reason.data or ""

    def run() -> str:
        result = desk.service.handle(fetched, mailbox)  # the daemon's own path: archive, judge, store, reply
        if result.replied:
            desk.wake()
        new = {"outcome": str(result.outcome), "replied": result.replied, "detail": result.detail[:200]}
        audit("reprocess", f"邮件 {sha[:12]}", reason=reason, period=period, old={"outcome": before}, new=new)
        return (
            f"已重新处理：{result.outcome}"
            + ("，已自动回复" if result.replied else "")
            + (f"（{result.detail[:120]}）" if result.detail else "")
        )

    pending = Pending(
        kind="reprocess",
        user=user().name,
        title=f"重新处理邮件 {sha[:12]}",
        back=back,
        run=run,
        changes=[
            "按当前规则重新读取和判定这封邮件，并按判定结果登记；系统会像收到新邮件一样自动回复（版本号以实际登记为准）。"
        ],
        problems=[p.message for p in verdict.problems],
        status=STATUS.get(verdict.status, ""),
        email=email,
    )
    return propose(pending)
