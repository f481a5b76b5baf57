"""The emails the console's actions send: composed when the action is planned (so the preview is
exactly what goes out), queued in the daemon's outbox under ``console:<action id>`` when it is
confirmed (idempotent: at most one item per action), from the period's mailbox, threaded.

Every message sent is recorded under its Message-ID (Store.note_sent) in the thread of the message
it answers, as the daemon records its own replies, so the province's answer to it is recognised.
"""

from __future__ import annotations

import hashlib
from email.parser import BytesParser
from email.policy import default

from intake.config.sending import period_from
from intake.console.desk import Desk
from intake.console.pending import Email, Pending
from intake.daemon.threads import message_id_of
from intake.mime.message import decode_message
from mailer.compose.hand_reply import compose_hand_reply
from mailer.compose.reply import Original, compose_reply
from mailer.compose.reply_filing import Filing
from rules.notice import Period
from rules.verdict import Verdict
from storage.questions import QuestionNotFound
from storage.sent import SentKind, SentNote
from storage.versions import SubmissionVersion


def seed_of(action_id: str) -> str:
    """What names an action's email (its Message-ID): never the same as the daemon's own replies."""
    return hashlib.sha256(f"console-mail:{action_id}".encode()).hexdigest()


def original_of(desk: Desk, sha: str, seed: str) -> Original | None:
    """The archived message as a reply needs it (None when it is not in the archive)."""
    if sha not in desk.archive:
        return None
    msg = decode_message(desk.archive.get(sha), desk.config.limits.max_attachment_bytes)
    if not msg.sender or "@" not in msg.sender:
        return None
    return Original(msg.sender, msg.subject, msg.message_id, msg.references, seed)


def from_address(desk: Desk, period: Period | None, mailbox: str = "") -> str:
    """The period's mailbox (the one the message came to when known), as the daemon replies from."""
    mb = next((m for m in desk.config.mailboxes if m.name == mailbox), None)
    if mb is not None and (mb.reply_from or mb.address):
        return mb.reply_from or mb.address
    if period is not None:
        return period_from(desk.config, period)
    return (
        desk.config.outbox.from_addr
        or desk.config.mailboxes[0].reply_from
        or desk.config.mailboxes[0].address
    )


def confirmation(
    desk: Desk,
    verdict: Verdict,
    planned: SubmissionVersion,
    stands: SubmissionVersion | None,
    original: Original,
    from_addr: str,
) -> Email:
    """The reply on a roster as the console filed it: 【已确认】 or 【需修改】, the roster, the notes."""
    raw = compose_reply(
        verdict,
        desk.config.notice,
        original,
        from_addr=from_addr,
        now=desk.now(),
        filing=Filing(planned, stands),
    )
    return Email(raw, from_addr, (original.sender,))


def hand_reply(desk: Desk, original: Original, words: str, from_addr: str) -> Email:
    raw = compose_hand_reply(original, words, from_addr=from_addr, now=desk.now(), seed=original.sha256)
    return Email(raw, from_addr, (original.sender,))


def thread_for(desk: Desk, sha: str) -> str:
    """The thread of our messages a reply about this message joins: our automatic reply's, else its question's."""
    for key in (f"reply:{sha}", f"ack:{sha}"):
        item = desk.outbox.get(key)
        if item is not None:
            note = desk.store.sent([message_id_of(item.raw)])
            if note is not None:
                return note.thread
    try:
        question = desk.store.question(sha)
    except QuestionNotFound:
        return ""
    return question.thread if question.key == sha else ""


def send(
    desk: Desk,
    pending: Pending,
    *,
    thread: str = "",
    group: tuple[str | None, int | None, str | None] = (None, None, None),
) -> str:
    """Queue the action's email once (outbox key console:<id>) and record it; returns its outbox key."""
    email = pending.email
    assert email is not None
    item = desk.outbox.enqueue(pending.outbox_key, email.raw, email.from_addr, list(email.to))
    message_id = message_id_of(email.raw)
    desk.store.note_sent(
        SentNote(
            message_id=message_id,
            outbox_key=item.key,
            kind=SentKind.REPLY,
            thread=thread or message_id,
            to=email.to[0].lower(),
            at=desk.now().isoformat(timespec="seconds"),
            program=group[0],
            period=group[1],
            province=group[2],
        )
    )
    desk.wake()
    return item.key


def readable(raw: bytes) -> tuple[list[tuple[str, str]], str]:
    """An email as the preview shows it: its main headers and its plain text."""
    msg = BytesParser(policy=default).parsebytes(raw)
    headers = [(name, str(msg[name])) for name in ("From", "To", "Subject", "In-Reply-To") if msg[name]]
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return headers, str(text)
