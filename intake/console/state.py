"""The console's parts that live as long as the app: the desk, sessions, the throttle, caches and the
emails waiting for their preview to be confirmed.  ``current()`` finds them from a view."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from intake.console.desk import Desk
from intake.console.figures import Figures
from intake.console.pending import PendingActions
from intake.console.sessions import SessionStore
from intake.console.throttle import LoginThrottle

KEY = "intake_console"


@dataclass
class Console:
    desk: Desk
    sessions: SessionStore
    throttle: LoginThrottle
    figures: Figures
    pending: PendingActions


def current() -> Console:
    console = current_app.extensions[KEY]
    assert isinstance(console, Console)
    return console
