"""Logging in and out, and changing one's password (a one-time password must be changed first)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from intake.console import passwords
from intake.console.access import client_ip, public, requires, user
from intake.console.forms import LoginForm, PasswordForm
from intake.console.record import audit
from intake.console.sessions import ServerSession
from intake.console.state import current
from storage.users import Role

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
GENERIC = "用户名或密码不正确，或尝试次数过多，请稍后再试。"


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never another host) to go to after login."""
    if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("periods.overview")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form, error=GENERIC if request.method == "POST" else "")
    console = current()
    name, address = form.name.data or "", client_ip()
    if console.throttle.wait(name, address) > 0:
        log.warning("console: login throttled for an account from %s", address)
        return render_template("login.html", form=form, error=GENERIC), 429
    found = console.desk.users.get(name)
    if found is None or found.disabled:
        passwords.dummy_verify(form.password.data or "")
        ok = False
    else:
        ok = passwords.verify_password(found.password_hash, form.password.data or "")
    if found is None or not ok:
        console.throttle.failed(name, address)
        log.info("console: failed login from %s", address)
        return render_template("login.html", form=form, error=GENERIC)
    console.throttle.succeeded(name)
    if passwords.needs_rehash(found.password_hash):
        found = console.desk.users.set_password(
            found.name, passwords.hash_password(form.password.data or ""), must_change=found.must_change
        )
    assert isinstance(session, ServerSession)
    session.clear()
    session["user"] = found.name
    session["changed"] = found.changed
    session.regenerate()
    log.info("console: %s logged in from %s", found.name, address)
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
@requires(Role.VIEWER)
def logout() -> Response:
    assert isinstance(session, ServerSession)
    log.info("console: %s logged out", user().name)
    session.end()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@requires(Role.VIEWER)
def password() -> str | Response:
    form = PasswordForm()
    who = user()
    if form.validate_on_submit():
        new = form.new.data or ""
        problem = passwords.password_problem(new, who.name)
        if not passwords.verify_password(who.password_hash, form.current.data or ""):
            problem = "当前密码不正确。"
        elif new != form.again.data:
            problem = "两次输入的新密码不一致。"
        elif new == form.current.data:
            problem = "新密码不能与当前密码相同。"
        if not problem:
            console = current()
            changed = console.desk.users.set_password(
                who.name, passwords.hash_password(new), must_change=False
            )
            console.sessions.end_user(who.name)
            assert isinstance(session, ServerSession)
            session.clear()
            session["user"] = changed.name
            session["changed"] = changed.changed
            session.regenerate()
            audit("user.password", f"user {who.name}", reason="修改密码")
            flash("密码已修改。")
            return redirect(url_for("periods.overview"))
        flash(problem)
    return render_template("password.html", form=form, must_change=who.must_change)
