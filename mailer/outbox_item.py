"""One outbox item: the OutboxItem record, its states and its JSON state file (de)serialisation.

The Outbox (mailer.outbox) moves items through the states and owns the files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from mailer.errors import OutboxError

__all__ = [
    "OutboxItem",
    "OutboxState",
    "item_id",
    "STATES",
    "PENDING",
    "SENDING",
    "SENT",
    "FAILED",
    "BOUNCED",
    "FORMAT_VERSION",
]


class OutboxState(StrEnum):
    """Where an item is: pending -> sending -> sent | pending (retry) | failed; sent -> bounced."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"  # accepted by the server, then returned undeliverable (a bounce came back)


PENDING, SENDING, SENT, FAILED, BOUNCED = OutboxState
STATES = tuple(OutboxState)
FORMAT_VERSION = 1

_STATE_FIELDS = (
    "state",
    "attempts",
    "uncertain",
    "next_at",
    "updated_at",
    "last_attempt_at",
    "sent_at",
    "failed_at",
    "last_error",
    "last_code",
)


def item_id(key: str) -> str:
    """The file stem of the item with idempotency key ``key``."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]


@dataclass
class OutboxItem:
    """One stored reply.  A snapshot: the Outbox methods update it in place."""

    key: str
    id: str
    mail_from: str
    rcpt_to: list[str]
    eml: str
    sha256: str
    size: int
    created_at: float
    state: OutboxState = PENDING
    attempts: int = 0
    uncertain: int = 0
    next_at: float = 0.0
    updated_at: float = 0.0
    last_attempt_at: float | None = None
    sent_at: float | None = None
    failed_at: float | None = None
    last_error: str | None = None
    last_code: int | None = None
    directory: Path = field(default=Path("."), repr=False, compare=False)

    @property
    def flagged(self) -> bool:
        """Failed and bounced items need the operator: they are never retried automatically."""
        return self.state in (FAILED, BOUNCED)

    @property
    def eml_path(self) -> Path:
        return self.directory / self.eml

    @property
    def raw(self) -> bytes:
        """The stored message bytes, checked against the recorded SHA-256."""
        try:
            data = self.eml_path.read_bytes()
        except OSError as exc:
            raise OutboxError(f"cannot read message: {exc.strerror or exc}", self.eml_path) from exc
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise OutboxError("message file does not match its recorded SHA-256", self.eml_path)
        return data

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "key": self.key,
            "id": self.id,
            "mail_from": self.mail_from,
            "rcpt_to": list(self.rcpt_to),
            "eml": self.eml,
            "sha256": self.sha256,
            "size": self.size,
            "created_at": self.created_at,
            **{name: getattr(self, name) for name in _STATE_FIELDS},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], directory: Path) -> OutboxItem:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unknown format version {data.get('version')!r}")
        if data.get("state") not in STATES:
            raise ValueError(f"unknown state {data.get('state')!r}")
        fields = {
            k: data[k]
            for k in (
                "key",
                "id",
                "mail_from",
                "rcpt_to",
                "eml",
                "sha256",
                "size",
                "created_at",
                *_STATE_FIELDS,
            )
        }
        if (
            fields["id"] != item_id(fields["key"])
            or os.sep in fields["eml"]
            or not fields["eml"].endswith(".eml")
        ):
            raise ValueError("id, key and eml do not match")
        fields["state"] = OutboxState(fields["state"])
        return cls(**fields, directory=directory)
