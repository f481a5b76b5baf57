"""The console's Flask application: one per daemon, sharing the daemon's store.

create_app() wires the server-side sessions, CSRF protection on every POST (Flask-WTF), the
deny-by-default check before each request, the security headers and error pages, and the pages and
actions (intake/console/views/).  It is served by waitress in a thread of `intake run`
(intake/console/server.py); tests use Flask's test client on the same app.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from intake.console import access, security, text
from intake.console.desk import Desk
from intake.console.figures import Figures
from intake.console.pending import PendingActions
from intake.console.sessions import ServerSessionInterface, SessionStore
from intake.console.state import KEY, Console
from intake.console.throttle import LoginThrottle
from intake.console.views import audit_log, auth, message, periods, province, queue, users
from intake.console.views.actions import absence, decide, enter, flow, handled, people, replies

MAX_UPLOAD = 20 * 1024 * 1024  # as a message's attachment ([limits] max_attachment_bytes is the reader's)


def create_app(desk: Desk, *, throttle: LoginThrottle | None = None, testing: bool = False) -> Flask:
    app = Flask(__name__)
    settings = desk.config.console
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # signs CSRF tokens; sessions are on the server
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its session
        WTF_CSRF_SSL_STRICT=settings.https,
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        TESTING=testing,
        PROPAGATE_EXCEPTIONS=False,
        TRAP_HTTP_EXCEPTIONS=False,
        JSON_AS_ASCII=False,
    )
    sessions = SessionStore(settings.idle_timeout, settings.absolute_timeout)
    app.session_interface = ServerSessionInterface(sessions, secure=settings.https)
    app.extensions[KEY] = Console(
        desk=desk,
        sessions=sessions,
        throttle=throttle or LoginThrottle(),
        figures=Figures(desk.config, desk.store),
        pending=PendingActions(),
    )
    CSRFProtect(app)
    app.before_request(access.load_user)
    security.install(app)
    _filters(app, desk)
    for module in (
        auth,
        periods,
        province,
        message,
        queue,
        audit_log,
        users,
        flow,
        people,
        decide,
        enter,
        replies,
        handled,
        absence,
    ):
        app.register_blueprint(module.bp)
    return app


def _filters(app: Flask, desk: Desk) -> None:
    zone = desk.config.notice.timezone

    def when(value: Any) -> str:
        return text.when(value, zone)

    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["masked"] = text.mask_mobile
    app.jinja_env.filters["masked_text"] = text.mask_mobiles_in
    app.jinja_env.globals.update(
        STATUS=text.STATUS,
        PROVINCE_STATUS=text.PROVINCE_STATUS,
        KIND=text.KIND,
        OUTBOX_STATE=text.OUTBOX_STATE,
    )
