"""What the console works with: the daemon's own store, archive, outbox and service, the accounts,
the audit log and the console's state.  One Desk per daemon; every page and action gets it.

The console never opens the store itself: it is handed the Store object the daemon holds (TinyDB
has one writer), whose methods are serialised by its mutex.  Reprocessing a message goes through the
daemon's Service, as the watchers do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from intake.config.settings import Config
from intake.daemon.service import Service
from mailer.outbox import Outbox
from rules.notice import Period
from storage.archive import Archive
from storage.audit import AuditLog
from storage.desk import DeskState
from storage.store import Store
from storage.users import UserBook


def console_dir(config: Config) -> Path:
    return Path(config.storage_dir) / "console"


@dataclass
class Desk:
    config: Config
    store: Store
    archive: Archive
    outbox: Outbox
    service: Service
    users: UserBook
    audit: AuditLog
    state: DeskState
    wake: Callable[[], None] = field(default=lambda: None)  # the delivery thread: send what was queued now
    clock: Callable[[], datetime] | None = None  # tests freeze time; None: the real clock

    @classmethod
    def open(
        cls,
        config: Config,
        store: Store,
        archive: Archive,
        outbox: Outbox,
        service: Service,
        wake: Callable[[], None] = lambda: None,
    ) -> Desk:
        directory = console_dir(config)
        return cls(
            config=config,
            store=store,
            archive=archive,
            outbox=outbox,
            service=service,
            users=UserBook(config.console.users_file),
            audit=AuditLog(directory / "audit.jsonl"),
            state=DeskState(directory),
            wake=wake,
        )

    def close(self) -> None:
        self.state.close()

    def now(self) -> datetime:
        zone = self.config.notice.timezone
        return self.clock().astimezone(zone) if self.clock else datetime.now(zone)

    def period(self, program: str, number: int) -> Period | None:
        found = self.config.notice.program(program)
        return found.period(number) if found else None
