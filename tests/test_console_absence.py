"""记为本期不参加 in the console: an editor records, with a reason, that a province sends nobody (naming
the province's message, if it wrote); the province page, the period page and the overview show 不参加,
the audit log has the entry; a withdrawal (撤销) makes it 未报送 again; a later receipt overrides it.

zz-student/1 admits 11 provinces: 北京 (accepted) and 河南 (rejected, over quota) sent receipts on
6月1日, the others nothing.  The console's clock is 6月2日.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from storage.notes import AbsenceNote, absence_key
from storage.users import Role
from tests.console_env import ConsoleWorld, add_user, beijing, csrf_of, henan_over, question
from tests.helpers import cst
from tests.receipts import receipt_message

PERIOD = "/p/zz-student/1"
HEBEI = f"{PERIOD}/河北"
HENAN = f"{PERIOD}/河南"
NOW = cst("2023-06-02T09:00")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ConsoleWorld]:
    w = ConsoleWorld(tmp_path)
    w.desk.clock = lambda: NOW
    w.bj, _ = w.receive(beijing())
    w.ha, _ = w.receive(henan_over())
    add_user(w.config, "wang", Role.EDITOR, ("zz-student/1",))
    add_user(w.config, "zhao", Role.VIEWER, ("zz-student/1",))
    add_user(w.config, "other", Role.EDITOR, ("zz-student/2",))
    yield w
    w.close()


def session(world: ConsoleWorld, name: str) -> FlaskClient:
    client = world.client()
    assert world.login(client, name).status_code == 302
    return client


@pytest.fixture
def client(world: ConsoleWorld) -> FlaskClient:
    return session(world, "wang")


def post(client: FlaskClient, path: str, form: dict[str, str], page: str = HEBEI) -> str:
    """POST an absence action from the province page; returns the page it leads back to."""
    response = client.post(path, data={**form, "csrf_token": csrf_of(client.get(page).data)})
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).data.decode()


def note(world: ConsoleWorld, province: str) -> AbsenceNote | None:
    return AbsenceNote.from_json(world.store.meta_get(absence_key("zz-student/1", province)))


def counter(page: str, label: str) -> str:
    """The figure after a label in the period page's counters ("不参加 <b>1</b>")."""
    start = page.index(f"<span>{label} <b>") + len(f"<span>{label} <b>")
    return page[start : page.index("</b>", start)]


def test_an_editor_records_a_province_absent_and_every_page_shows_it(
    world: ConsoleWorld, client: FlaskClient
) -> None:
    page = client.get(HEBEI).data.decode()
    assert "记为本期不参加" in page and "撤销不参加的记录" not in page
    before = client.get(PERIOD).data.decode()  # the figures are computed and kept
    assert (counter(before, "不参加"), counter(before, "未报送")) == ("0", "9")
    shown = post(client, f"{HEBEI}/absent", {"reason": "河北来电：本期不派员参加", "message": ""})
    assert "已记为本期不参加：河北" in shown  # the flash
    assert "已记为本期不参加：wang，2023年6月2日 09:00，河北来电：本期不派员参加" in shown
    assert "撤销不参加的记录" in shown and 'action="/p/zz-student/1/%E6%B2%B3%E5%8C%97/absent"' not in shown
    recorded = note(world, "河北")
    assert recorded == AbsenceNote("wang", "2023-06-02T09:00:00+08:00", "河北来电：本期不派员参加", "")
    after = client.get(PERIOD).data.decode()  # the kept figures were dropped: the page is live
    assert (counter(after, "不参加"), counter(after, "未报送")) == ("1", "8")
    row = after[after.index(">河北</a>") : after.index("</tr>", after.index(">河北</a>"))]
    assert '<span class="tag absent">不参加</span>' in row and "wang：河北来电：本期不派员参加" in row
    overview = client.get("/").data.decode()
    assert "<th>不参加</th>" in overview and '<td class="num">1</td>' in overview
    [entry] = world.desk.audit.find(action="absent")
    assert (entry.user, entry.period, entry.province, entry.reason) == (
        "wang",
        "zz-student/1",
        "河北",
        "河北来电：本期不派员参加",
    )
    assert entry.old is None and entry.new == recorded.to_json()
    assert "记为本期不参加" in client.get("/audit").data.decode()
    assert not [i for i in world.outbox.items() if i.key.startswith("console:")]  # no email


def test_a_record_names_the_provinces_message_and_a_later_receipt_overrides_it(
    world: ConsoleWorld, client: FlaskClient
) -> None:
    sha, handled = world.receive(
        question("ha@example.cn", world.reply_id(world.ha), "姚老师：我省本期无人参加，特此说明。"), NOW
    )
    assert handled.outcome == "question" and world.store.question(sha).province == "河南"
    page = client.get(HENAN).data.decode()
    assert f'<option value="{sha}">' in page  # its message offered to link
    shown = post(client, f"{HENAN}/absent", {"reason": "来函", "message": sha}, HENAN)
    assert f'href="/m/{sha}">该省来信</a>' in shown
    assert (note(world, "河南") or AbsenceNote("", "", "")).message == sha
    period = client.get(PERIOD).data.decode()
    assert (counter(period, "不参加"), counter(period, "需修改")) == (
        "1",
        "0",
    )  # its old receipt no longer waits
    assert world.store.question(sha).open  # answered by hand from the queue, as any question
    people = [("赵三", "男", "河南省教育厅", "13900002221")]
    world.receive(receipt_message("ha@example.cn", "河南省教育厅", people), cst("2023-06-03T10:00"))
    later = client.get(HENAN).data.decode()
    assert "曾记为本期不参加（wang" in later and "已记为本期不参加：" not in later
    assert counter(client.get(PERIOD).data.decode(), "不参加") == "0"


def test_withdrawing_the_record_makes_the_province_missing_again(
    world: ConsoleWorld, client: FlaskClient
) -> None:
    post(client, f"{HEBEI}/absent", {"reason": "来电"})
    refused = post(client, f"{HEBEI}/absent/withdraw", {"reason": ""})
    assert "请写明撤销的理由" in refused and note(world, "河北") is not None
    shown = post(client, f"{HEBEI}/absent/withdraw", {"reason": "河北又来电，要报名"})
    assert "已撤销河北本期不参加的记录" in shown and "记为本期不参加" in shown
    assert note(world, "河北") is None and world.store.meta_get(absence_key("zz-student/1", "河北")) is None
    period = client.get(PERIOD).data.decode()
    assert (counter(period, "不参加"), counter(period, "未报送")) == ("0", "9")
    [entry] = world.desk.audit.find(action="absent.withdraw")
    assert entry.old["reason"] == "来电" and entry.new is None and entry.reason == "河北又来电，要报名"
    again = post(client, f"{HEBEI}/absent/withdraw", {"reason": "再撤销"})
    assert "河北没有本期不参加的记录" in again and len(world.desk.audit.find(action="absent.withdraw")) == 1


def test_a_record_without_a_reason_or_over_an_accepted_roster_is_refused(
    world: ConsoleWorld, client: FlaskClient
) -> None:
    shown = post(client, f"{HEBEI}/absent", {"reason": "  "})
    assert "请写明理由" in shown and note(world, "河北") is None
    beijing_page = client.get(f"{PERIOD}/北京").data.decode()
    assert "记为本期不参加" not in beijing_page  # a roster stands: no form
    refused = post(client, f"{PERIOD}/北京/absent", {"reason": "误操作"}, f"{PERIOD}/北京")
    assert "北京已有确认的名单（第 1 版），不能记为本期不参加" in refused and note(world, "北京") is None
    stranger = post(client, f"{HEBEI}/absent", {"reason": "来函", "message": world.bj})
    assert "所选来信不是该省本期的来信" in stranger and note(world, "河北") is None
    assert not world.desk.audit.find(action="absent")


def test_only_an_editor_of_the_period_may_record_or_withdraw(world: ConsoleWorld) -> None:
    world.store.meta_set(
        absence_key("zz-student/1", "河北"), AbsenceNote("wang", NOW.isoformat(), "来电").to_json()
    )
    viewer = session(world, "zhao")
    page = viewer.get(HEBEI).data.decode()
    assert "已记为本期不参加：wang" in page and "撤销不参加的记录" not in page  # seen, not offered
    token = csrf_of(viewer.get("/password").data)
    for path in (f"{HEBEI}/absent", f"{HEBEI}/absent/withdraw"):
        assert viewer.post(path, data={"reason": "r", "csrf_token": token}).status_code == 403
    other = session(world, "other")
    token = csrf_of(other.get("/password").data)
    assert (
        other.post(f"{HEBEI}/absent/withdraw", data={"reason": "r", "csrf_token": token}).status_code == 403
    )
    anonymous = world.client()
    response = anonymous.post(f"{HEBEI}/absent", data={"reason": "r"})
    assert response.status_code in (302, 403)  # to the login page, or refused for want of a CSRF token
    assert note(world, "河北") is not None and not world.desk.audit.find(action="absent.withdraw")
