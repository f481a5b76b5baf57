"""What the organizer's jobs (intake.organizer.schedule) use of the daemon, as a Protocol.

The runner starts those jobs and hands itself over; typing them against this Protocol rather
than the runner's Daemon keeps the import graph free of a runner <-> schedule cycle.
"""

from __future__ import annotations

import threading
from typing import Protocol

from intake.config.settings import Config
from mailer.outbox import Outbox
from storage.store import Store


class DaemonParts(Protocol):
    """The daemon's configuration, store and outbox, and the event that wakes its delivery."""

    @property
    def config(self) -> Config: ...

    @property
    def store(self) -> Store: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def wake(self) -> threading.Event: ...
