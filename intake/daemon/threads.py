"""Which of our threads a message belongs to, and what we send in it is recorded (storage/sent.py);
who counts as a known sender beside those we answered.

A thread is named by the first Message-ID of ours in it: the first reply to a province's
receipt.  A message replying to our acknowledgement is found through the acknowledgement's
record; a reply whose client dropped References but kept our subject tag is named by its
sender and subject.
"""

from __future__ import annotations

from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32

from intake.config.settings import Config
from intake.mime.message import DecodedMessage
from rules.marks import REPLY_TAGS, is_our_message_id, original_subject
from rules.verdict import Verdict
from storage.sent import SentKind, SentNote
from storage.store import Store


def referenced(msg: DecodedMessage) -> list[str]:
    """The Message-IDs a message refers to, oldest first (References, then In-Reply-To)."""
    ids = [m for m in (*msg.references, msg.in_reply_to) if m]
    return list(dict.fromkeys(m.strip("<>") for m in ids))


def thread_of(store: Store, msg: DecodedMessage) -> str:
    """The thread the message replies in ("" when it replies to nothing of ours)."""
    ids = referenced(msg)
    note = store.sent(ids)
    if note is not None:
        return note.thread
    ours = [m for m in ids if is_our_message_id(m)]
    if ours:
        return ours[0]
    if any(tag in msg.subject for tag in REPLY_TAGS):
        return f"subject:{msg.sender.lower()}:{subject_key(msg.subject)}"
    return ""


def subject_key(subject: str) -> str:
    """The subject without Re:/回复: prefixes and our tags: the same for every message of a thread."""
    text = original_subject(subject)
    return " ".join(text.split())[:200]


def message_id_of(raw: bytes) -> str:
    """The Message-ID of a message we composed, without <>."""
    value = BytesHeaderParser(policy=compat32).parsebytes(raw).get("Message-ID", "")
    return str(value).strip().strip("<>")


def note_reply(
    store: Store, raw: bytes, key: str, msg: DecodedMessage, verdict: Verdict, now: datetime
) -> None:
    """Record a reply under its Message-ID: its thread (its own, or the one it answers in), its receipt."""
    message_id = message_id_of(raw)
    store.note_sent(
        SentNote(
            message_id=message_id,
            outbox_key=key,
            kind=SentKind.REPLY,
            thread=thread_of(store, msg) or message_id,
            to=msg.sender.lower(),
            at=now.isoformat(timespec="seconds"),
            program=verdict.program,
            period=verdict.period,
            province=verdict.province,
        )
    )


def allowed_sender(config: Config, address: str) -> bool:
    """Is the address (or its domain) on a province's [senders] list?"""
    allowed = (a.lower() for addresses in config.policy.senders.values() for a in addresses)
    return any(address == a or (a.startswith("@") and address.endswith(a)) for a in allowed)
