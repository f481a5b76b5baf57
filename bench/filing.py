"""Prefill a store as the daemon leaves it after a processed receipt: its version and its message."""

from __future__ import annotations

from storage.records import MessageOutcome, MessageRecord, StoredVerdict
from storage.store import Store
from storage.versions import NewVersion


def file_processed(
    store: Store, stored: StoredVerdict, *, sha: str, sender: str, received: str, where: tuple[str, int, int]
) -> None:
    """The verdict filed as a new version and its message recorded as processed at where (mailbox,
    UIDVALIDITY, UID); the group is the verdict's own program, period and province."""
    mailbox, uidvalidity, uid = where
    store.add_submission(
        NewVersion(
            program=stored.program,
            period=stored.period,
            province=stored.province,
            verdict=stored,
            message_sha=sha,
            sender=sender,
            received=received,
            status=stored.status,
        )
    )
    store.record_message(
        MessageRecord(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            message_id=f"<{mailbox}-{uid}@bench>",
            sha256=sha,
            received=received,
            outcome=MessageOutcome.PROCESSED,
            sender=sender,
            verdict=stored,
        )
    )
