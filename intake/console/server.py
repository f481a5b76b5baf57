"""Serving the console from a thread of the daemon: waitress on [console] host:port.

``ConsoleServer.serve()`` binds, logs the address (the port taken when port = 0) and serves until
``close()``; the daemon runs it as one of its guarded threads (intake/daemon/runner.py), so a crash
is shown in `intake status` and the server starts again.
"""

from __future__ import annotations

import logging
import threading

from waitress import wasyncore
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from intake.console.app import create_app
from intake.console.desk import Desk

log = logging.getLogger(__name__)


class ConsoleServer:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.app = create_app(desk)
        self._server: BaseWSGIServer | MultiSocketServer | None = None
        self.ready = threading.Event()
        self.address = ""

    def serve(self) -> None:
        settings = self.desk.config.console
        options: dict[str, object] = {"threads": settings.threads, "ident": "intake"}
        if settings.trusted_proxy:
            options.update(trusted_proxy=settings.trusted_proxy, trusted_proxy_headers={"x-forwarded-for"})
        server = create_server(self.app, host=settings.host, port=settings.port, **options)
        self._server = server
        host, port = (
            getattr(server, "effective_host", settings.host),
            getattr(server, "effective_port", settings.port),
        )
        self.address = f"http://{host}:{port}/"
        log.info("console: serving on %s", self.address)
        self.ready.set()
        try:
            server.run()
        except OSError:
            if self._server is not None:
                raise  # not closed by us
            # close() from another thread took the sockets away under the loop: stopped
        finally:
            self.ready.clear()

    def close(self) -> None:
        server = self._server
        if server is None:
            return
        self._server = None
        server.close()  # the listening socket: the loop ends once every connection is closed too
        wasyncore.close_all(getattr(server, "_map", None))
        task_dispatcher = getattr(server, "task_dispatcher", None)
        if task_dispatcher is not None:
            task_dispatcher.shutdown(timeout=5)
