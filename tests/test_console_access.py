"""The console's doors: every route against every role, CSRF, throttled logins, sessions that end,
accounts from the command line, the headers and error pages (Flask's test client, a real store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from intake.cli.main import main
from intake.console.app import create_app
from intake.console.passwords import password_problem, verify_password
from intake.console.sessions import SessionStore
from intake.console.throttle import LoginThrottle
from storage.users import Role, UserBook
from tests.console_env import PASSWORD, ConsoleWorld, add_user, beijing, csrf_of, henan_over, question

ROLES = ("anonymous", "viewer", "editor", "admin", "other")  # other: an editor of zz-student/2 only


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleWorld]:
    w = ConsoleWorld(tmp_path_factory.mktemp("console"))
    w.bj, _ = w.receive(beijing())
    w.ha, _ = w.receive(henan_over())
    w.q, _ = w.receive(question("bj@example.cn", w.reply_id(w.bj)))
    add_user(w.config, "viewer", Role.VIEWER, ("zz-student/1",))
    add_user(w.config, "editor", Role.EDITOR, ("zz-student/1",))
    add_user(w.config, "admin", Role.ADMIN)
    add_user(w.config, "other", Role.EDITOR, ("zz-student/2",))
    yield w
    w.close()


def routes(w: ConsoleWorld) -> list[tuple[str, str, dict[str, object], str, bool]]:
    """(method, path, form, least role, names a zz-student/1 object)."""
    p = "/p/zz-student/1/河南"
    return [
        ("GET", "/", {}, "viewer", False),
        ("GET", "/queue", {}, "viewer", False),
        ("GET", "/audit", {}, "viewer", False),
        ("GET", "/password", {}, "viewer", False),
        ("GET", "/p/zz-student/1", {}, "viewer", True),
        ("GET", "/p/zz-student/1/roster.xlsx", {}, "viewer", True),
        ("GET", p, {}, "viewer", True),
        ("GET", f"{p}/v1/mobile/0", {}, "viewer", True),
        ("GET", f"/m/{w.bj}", {}, "viewer", True),
        ("GET", f"/m/{w.bj}/raw", {}, "viewer", True),
        ("GET", f"/m/{w.bj}/a/0", {}, "viewer", True),
        ("GET", "/users", {}, "admin", False),
        (
            "POST",
            f"{p}/correct",
            {"version": 1, "index": 0, "field": "title", "value": "处长", "reason": "r"},
            "editor",
            True,
        ),
        (
            "POST",
            f"{p}/add",
            {
                "version": 1,
                "name": "周六",
                "gender": "男",
                "unit": "河南省教育厅",
                "mobile": "13900002229",
                "reason": "r",
            },
            "editor",
            True,
        ),
        ("POST", f"{p}/remove", {"version": 1, "index": 2, "reason": "r"}, "editor", True),
        ("POST", f"{p}/accept", {"version": 1, "codes": ["quota_exceeded"], "reason": "r"}, "editor", True),
        ("POST", f"{p}/reject", {"version": 1, "note": "请补充单位全称", "reason": "r"}, "editor", True),
        (
            "POST",
            f"{p}/enter",
            {"rows": "周七，男，河南省教育厅，处长，13900002228", "how": "电话", "reason": "r"},
            "editor",
            True,
        ),
        ("POST", f"/m/{w.q}/reply", {"text": "可以。", "reason": "r"}, "editor", True),
        ("POST", f"/m/{w.bj}/resend", {"reason": "r"}, "editor", True),
        ("POST", f"/m/{w.bj}/reprocess", {"reason": "r"}, "editor", True),
        ("POST", "/users/viewer/disable", {"reason": "r"}, "admin", False),
        # a preview is its planner's only: anyone else finds nothing (404), whatever the role
        ("GET", "/actions/0123456789abcdef", {}, "editor", False),
        ("POST", "/actions/0123456789abcdef/confirm", {}, "editor", False),
        ("POST", "/actions/0123456789abcdef/cancel", {}, "editor", False),
    ]


RANK = {"viewer": 0, "editor": 1, "admin": 2}


def expected(role: str, least: str, scoped: bool) -> int:
    if role == "anonymous":
        return 302  # to the login page
    effective = "editor" if role == "other" else role
    if RANK[effective] < RANK[least]:
        return 403
    if role == "other" and scoped:
        return 403
    return -1  # allowed: 200 for a page, 302 for an action (to its preview or back)


def session_for(w: ConsoleWorld, role: str) -> FlaskClient:
    client = w.client()
    if role != "anonymous":
        assert w.login(client, role).status_code == 302
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_route_against_every_role(world: ConsoleWorld, role: str) -> None:
    client = session_for(world, role)
    token = csrf_of(client.get("/login" if role == "anonymous" else "/password").data)
    for method, path, form, least, scoped in routes(world):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={**form, "csrf_token": token})
        want = expected(role, least, scoped)
        got = response.status_code
        if want == -1 and "/actions/0123456789abcdef" in path:
            assert got == (302 if path.endswith("/cancel") else 404), (role, path, got)
        elif want == -1:
            assert got in ((200,) if method == "GET" else (302,)), (role, method, path, got)
            if method == "POST":
                assert "/login" not in response.headers["Location"], (role, path)
        else:
            assert got == want, (role, method, path, got)
            if want == 302:
                assert "/login" in response.headers["Location"], (role, path)


def test_a_post_without_its_csrf_token_is_refused_with_403(world: ConsoleWorld) -> None:
    client = session_for(world, "editor")
    before = len(world.desk.audit.entries())
    response = client.post(
        "/p/zz-student/1/河南/correct",
        data={"version": 1, "index": 0, "field": "title", "value": "x", "reason": "r"},
    )
    assert response.status_code == 403
    assert "没有权限，或表单已过期" in response.data.decode()
    assert client.post("/logout").status_code == 403  # logout too: no cross-site logout
    assert len(world.desk.audit.entries()) == before


def test_a_token_of_another_session_is_refused(world: ConsoleWorld) -> None:
    one, two = session_for(world, "editor"), session_for(world, "editor")
    foreign = csrf_of(one.get("/password").data)
    response = two.post(
        "/p/zz-student/1/河南/remove", data={"version": 1, "index": 0, "reason": "r", "csrf_token": foreign}
    )
    assert response.status_code == 403


def test_logins_are_throttled_per_account_with_a_generic_error_and_no_lockout(world: ConsoleWorld) -> None:
    add_user(world.config, "throttled", Role.VIEWER)
    now = [1000.0]
    app = create_app(
        world.desk, throttle=LoginThrottle(free=3, base=30.0, clock=lambda: now[0]), testing=True
    )
    client = app.test_client()

    def attempt(password: str) -> tuple[int, str]:
        token = csrf_of(client.get("/login").data)
        r = client.post("/login", data={"name": "throttled", "password": password, "csrf_token": token})
        return r.status_code, r.data.decode()

    for _ in range(3):
        status, page = attempt("wrong password 1")
        assert status == 200 and "用户名或密码不正确" in page
    status, page = attempt(PASSWORD)  # the right one, but too soon: the same words
    assert status == 429 and "用户名或密码不正确" in page
    unknown = csrf_of(client.get("/login").data)
    r = client.post("/login", data={"name": "nobody", "password": "x" * 9, "csrf_token": unknown})
    assert "用户名或密码不正确" in r.data.decode()  # an unknown account reads the same
    now[0] += 31  # the delay passes: never a permanent lockout
    status, _page = attempt(PASSWORD)
    assert status == 302


def test_throttle_per_address_holds_across_accounts() -> None:
    now = [0.0]
    throttle = LoginThrottle(free=100, free_address=4, base=10.0, clock=lambda: now[0])
    for i in range(4):
        throttle.failed(f"user{i}", "10.0.0.9")
    assert throttle.wait("someone-else", "10.0.0.9") > 0
    assert throttle.wait("someone-else", "10.0.0.8") == 0
    now[0] += 11
    assert throttle.wait("someone-else", "10.0.0.9") == 0


def test_a_new_session_id_at_login_and_the_session_ends_at_logout(world: ConsoleWorld) -> None:
    client = world.client()
    client.get("/login")
    anonymous = client.get_cookie("intake_session")
    assert anonymous is not None
    world.login(client, "editor")
    cookie = client.get_cookie("intake_session")
    assert cookie is not None and cookie.value != anonymous.value
    assert len(cookie.value) >= 43  # 32 random bytes, base64: 256 bits
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").data)})
    client.set_cookie("intake_session", cookie.value)  # the old id again: it is gone on the server
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_disabling_a_user_from_the_command_line_ends_their_sessions(world: ConsoleWorld) -> None:
    add_user(world.config, "temp", Role.VIEWER)
    client = session_for(world, "temp")
    assert client.get("/").status_code == 200
    assert main(["user", "disable", "temp", "--config", str(world.config.path)]) == 0
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert world.login(client, "temp").status_code == 200  # refused: the login page again
    assert "temp" not in world.app.extensions["intake_console"].sessions.users()
    assert world.desk.audit.find(action="user.disable")[0].object == "user temp"


def test_sessions_time_out_when_idle_and_absolutely() -> None:
    now = [0.0]
    store = SessionStore(idle=10, absolute=25, clock=lambda: now[0])
    sid = store.save("", {"user": "a"})
    now[0] = 9
    assert store.load(sid) == {"user": "a"}
    now[0] = 20
    assert store.load(sid) is None  # idle 11 s
    sid = store.save("", {"user": "a"})
    for t in (28, 36, 44):
        now[0] = t
        assert store.load(sid) is not None
    now[0] = 46
    assert store.load(sid) is None  # 26 s after it began, though used every 8 s


def test_no_default_account_and_a_one_time_password_must_be_changed(
    world: ConsoleWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    client = world.client()
    assert world.login(client, "admin", "admin").status_code == 200  # no such password: refused
    assert (
        main(
            [
                "user",
                "add",
                "li",
                "--role",
                "editor",
                "--periods",
                "zz-student/1",
                "--config",
                str(world.config.path),
            ]
        )
        == 0
    )
    one_time = capsys.readouterr().out.split("one-time password: ")[1].split()[0]
    user = UserBook(world.config.console.users_file).get("li")
    assert user is not None and user.must_change and user.password_hash.startswith("$argon2id$")
    assert one_time not in Path(world.config.console.users_file).read_text()
    assert world.login(client, "li", one_time).status_code == 302
    response = client.get("/p/zz-student/1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/password")
    token = csrf_of(client.get("/password").data)
    weak = client.post(
        "/password", data={"current": one_time, "new": "password1", "again": "password1", "csrf_token": token}
    )
    assert "太常见" in weak.data.decode()
    new = "七月在扬州开会 2023"
    done = client.post("/password", data={"current": one_time, "new": new, "again": new, "csrf_token": token})
    assert done.status_code == 302
    assert client.get("/p/zz-student/1").status_code == 200
    changed = UserBook(world.config.console.users_file).get("li")
    assert changed is not None and not changed.must_change and verify_password(changed.password_hash, new)


def test_password_rules_are_length_and_the_common_list_only() -> None:
    assert "至少 8 个字符" in password_problem("short")
    assert "太常见" in password_problem("iloveyou")
    assert "太常见" in password_problem("1234567890")
    assert password_problem("jiangsu-huiyi-qiyue") == ""  # no digit, no capital: fine
    assert password_problem("培训报名今年七月") == ""


def test_headers_on_every_page_and_no_store_on_personal_data(world: ConsoleWorld) -> None:
    client = session_for(world, "editor")
    for path in ("/login", "/", "/p/zz-student/1/河南", f"/m/{world.bj}"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none': no script at all
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


def test_cookies_are_httponly_samesite_and_secure_with_the_host_prefix_over_tls(tmp_path: Path) -> None:
    w = ConsoleWorld(tmp_path)
    try:
        client = w.client()
        header = client.get("/login").headers["Set-Cookie"]
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
        from dataclasses import replace

        secure = replace(w.desk, config=replace(w.config, console=replace(w.config.console, https=True)))
        app = create_app(secure, testing=True)
        header = app.test_client().get("/login", base_url="https://localhost").headers["Set-Cookie"]
        assert header.startswith("__Host-intake=") and "Secure" in header and "Path=/" in header
        assert "Domain" not in header
    finally:
        w.close()


def test_error_pages_are_generic(world: ConsoleWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    client = session_for(world, "admin")
    assert "页面不存在" in client.get("/nowhere").data.decode()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail /etc/intake")

    monkeypatch.setattr("intake.console.views.queue.open_items", broken)
    response = client.get("/queue")
    page = response.data.decode()
    assert response.status_code == 500 and "服务器内部错误" in page
    assert "Traceback" not in page and "secret detail" not in page


def test_lists_mask_mobiles_and_showing_one_is_logged(world: ConsoleWorld) -> None:
    add_user(world.config, "looker", Role.VIEWER, ("zz-student/1",))
    client = session_for(world, "looker")
    page = client.get("/p/zz-student/1/北京").data.decode()
    assert "13900001111" not in page and "139****1111" in page
    before = len(world.desk.audit.find(action="show.mobile"))
    shown = client.get("/p/zz-student/1/北京/v1/mobile/0").data.decode()
    assert "13900001111" in shown
    entries = world.desk.audit.find(action="show.mobile")
    assert len(entries) == before + 1 and entries[0].user == "looker" and entries[0].province == "北京"
    client.get(f"/m/{world.bj}/raw")
    client.get("/p/zz-student/1/roster.xlsx")
    assert world.desk.audit.find(action="download.message")[0].user == "looker"
    assert world.desk.audit.find(action="download.roster")[0].period == "zz-student/1"


def test_an_editor_of_another_period_sees_nothing_of_this_one(world: ConsoleWorld) -> None:
    client = session_for(world, "other")
    overview = client.get("/").data.decode()
    assert "第2期" in overview and "第1期" not in overview
    queue = client.get("/queue").data.decode()
    assert "bj@example.cn" not in queue  # the question of zz-student/1
    audit = client.get("/audit").data.decode()
    assert "北京" not in audit
