"""A bounce of one of our own replies: the reply is marked undeliverable in the outbox.

The bounce names our Message-ID (in the returned message or its headers; intake/mime/bounces.py
finds it); storage/sent.py says which outbox item that was.  The item goes from sent to bounced
(mailer/outbox.py), `intake status` lists it for the operator, and nothing is sent again: the
province did not get our reply and a person must reach it another way.
"""

from __future__ import annotations

import logging

from intake.pipeline.process import Outcome
from mailer.outbox import Outbox, OutboxState
from storage.store import Store

log = logging.getLogger(__name__)


def tie_bounce(store: Store, outbox: Outbox, outcome: Outcome, log_id: str) -> str:
    """Mark the replies a bounce returns as bounced; the outbox keys marked, for the message's record."""
    marked: list[str] = []
    reason = outcome.classification.reason if outcome.classification else "bounce"
    subject = outcome.message.subject if outcome.message else ""
    for message_id in outcome.returned:
        note = store.sent([message_id])
        item = outbox.get(note.outbox_key) if note else None
        if note is None or item is None:
            continue
        if item.state in (OutboxState.SENT, OutboxState.FAILED):
            outbox.mark_bounced(item, f"{subject[:120]} ({reason})")
        marked.append(item.key)
        log.warning(
            "%s bounce of our %s to %s: marked undeliverable (%s)", log_id, note.kind, note.to, item.key
        )
    return ", ".join(marked)
