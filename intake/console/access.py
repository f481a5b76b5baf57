"""Who may do what, checked on the server for every request: deny by default.

Every view declares the least role it needs (``@requires(Role.VIEWER)``) or that it is public
(``@public``: the login page, the stylesheet).  ``load_user`` runs before each request: it finds the
session's user in the accounts file (re-read when it changed), ends the session when the account
was disabled or its password changed since the login, sends a user with a one-time password to
change it, and refuses any endpoint that declares nothing.  Periods are checked where a page or an
action names one (``check_period``); an admin sees every period, another user those of the account.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from intake.console.sessions import ServerSession
from intake.console.state import current
from storage.users import Role, User

F = TypeVar("F", bound=Callable[..., Any])
ROLE = "_console_role"
PUBLIC = "_console_public"
ALWAYS = ("auth.password", "auth.logout")  # reachable while the password must still be changed


def requires(role: Role) -> Callable[[F], F]:
    def mark(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            user = g.get("user")
            if user is None:
                return redirect(url_for("auth.login", next=request.path))
            if user.role.rank < role.rank:
                abort(403)
            return view(*args, **kwargs)

        setattr(checked, ROLE, role)
        return cast(F, checked)

    return mark


def public(view: F) -> F:
    setattr(view, PUBLIC, True)
    return view


def user() -> User:
    found = g.get("user")
    if not isinstance(found, User):
        abort(403)
    return found


def check_period(period: str) -> None:
    """403 unless the user may see this period ("gz-status/1")."""
    if not user().may_see(period):
        abort(403)


def may_see_any(periods: tuple[str, ...] | list[str]) -> bool:
    who = user()
    return who.role is Role.ADMIN or who.all_periods or any(who.may_see(p) for p in periods)


def client_ip() -> str:
    return request.remote_addr or ""


def load_user() -> Response | None:
    """Before each request: the session's user, or none; deny by default."""
    g.user = None
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None  # 404 or 405 follows
    name = session.get("user")
    if name:
        g.user = _live_user(str(name))
    if request.endpoint == "static" or getattr(view, PUBLIC, False):
        return None
    if getattr(view, ROLE, None) is None:
        abort(403)
    if g.user is not None and g.user.must_change and request.endpoint not in ALWAYS:
        return redirect(url_for("auth.password"))
    return None


def _live_user(name: str) -> User | None:
    """The account if the session may go on; otherwise the session ends (disabled, changed, gone)."""
    console = current()
    found = console.desk.users.get(name)
    if found is None or found.disabled or found.changed != session.get("changed"):
        if found is None or found.disabled:
            console.sessions.end_user(name)
        assert isinstance(session, ServerSession)
        session.end()
        return None
    return found
