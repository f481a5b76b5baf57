"""The console as one of the daemon's threads: the Desk over the daemon's own parts, served until stop."""

from __future__ import annotations

import logging
from collections.abc import Callable

from intake.config.settings import Config
from intake.console.desk import Desk
from intake.console.server import ConsoleServer
from intake.daemon.service import Service
from mailer.outbox import Outbox
from storage.archive import Archive
from storage.store import Store

log = logging.getLogger(__name__)


def serve_console(
    config: Config,
    store: Store,
    archive: Archive,
    service: Service,
    wake: Callable[[], None],
    on_stop: list[Callable[[], None]],
    owner: object,
) -> None:
    """Serve until the daemon stops (the daemon restarts this thread if it fails).

    owner (the daemon) gets the server as its ``console`` attribute while it runs."""
    # The console's own Outbox object on the same directory: an Outbox is not thread-safe, and
    # enqueueing is safe from several at once (each key is created atomically).
    desk = Desk.open(config, store, archive, Outbox(config.outbox.directory), service, wake)
    server = ConsoleServer(desk)
    on_stop.append(server.close)
    setattr(owner, "console", server)  # noqa: B010 - Daemon.console, typed object there
    try:
        server.serve()
    finally:
        setattr(owner, "console", None)  # noqa: B010 - as above
        on_stop.remove(server.close)
        server.close()
        desk.close()
