"""The console's actions on a real store: each planned, previewed, confirmed once; each re-runs the rules
where it changes a roster; each leaves exactly one audit entry with its old and new values; every
email goes out once through the outbox, threaded, from the period's mailbox."""

from __future__ import annotations

import email
import io
from collections.abc import Iterator
from email.policy import default
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook

from intake.mailbox.source import FetchedMessage
from storage.users import Role
from storage.versions import SubmissionVersion, VersionKind
from tests.console_env import MAILBOX, WHEN, ConsoleWorld, add_user, beijing, csrf_of, henan_over, question

HENAN = "/p/zz-student/1/河南"


def v0() -> SubmissionVersion:
    raise AssertionError("no roster stands")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ConsoleWorld]:
    w = ConsoleWorld(tmp_path)
    w.bj, _ = w.receive(beijing())
    w.ha, _ = w.receive(henan_over())
    add_user(w.config, "wang", Role.EDITOR, ("zz-student/1",))
    yield w
    w.close()


@pytest.fixture
def client(world: ConsoleWorld) -> FlaskClient:
    c = world.client()
    assert world.login(c, "wang").status_code == 302
    return c


def plan(client: FlaskClient, path: str, form: dict[str, object], page: str = HENAN) -> str:
    """POST the action; returns its preview's path."""
    token = csrf_of(client.get(page).data)
    response = client.post(path, data={**form, "csrf_token": token})
    assert response.status_code == 302 and "/actions/" in response.headers["Location"], response.headers.get(
        "Location"
    )
    return response.headers["Location"]


def confirm(client: FlaskClient, preview: str) -> str:
    page = client.get(preview)
    assert page.status_code == 200
    response = client.post(f"{preview}/confirm", data={"csrf_token": csrf_of(page.data)})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).data.decode()


def console_mail(world: ConsoleWorld) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(i.raw, policy=default)
        for i in world.outbox.items()
        if i.key.startswith("console:")
    ]


def test_correcting_a_mobile_files_a_new_version_judged_again_with_one_audit_entry(
    world: ConsoleWorld, client: FlaskClient
) -> None:
    before = len(world.desk.audit.entries())
    preview = plan(
        client,
        f"{HENAN}/correct",
        {
            "version": 1,
            "index": 2,
            "field": "mobile",
            "value": "１３９ ００００ ９９９９",
            "reason": "电话核实",
        },
    )
    page = client.get(preview).data.decode()
    assert "139****2223" in page and "139****9999" in page  # old -> new, masked in the preview
    assert "这项操作不发邮件" in page
    assert world.store.version("zz-student", 1, "河南", 2) is None  # nothing stored before confirming
    done = confirm(client, preview)
    assert "已保存为第 2 版" in done
    v2 = world.store.version("zz-student", 1, "河南", 2)
    assert v2 is not None and v2.kind is VersionKind.ORGANIZER
    assert v2.verdict.participants[2].mobile == "13900009999"  # read as a receipt's cell is (full width)
    assert [p.code for p in v2.verdict.problems] == ["quota_exceeded"]  # the rules ran again
    assert [p["name"] for p in v2.diff.added] == ["赵三", "钱四", "孙五"]  # against what stood: nothing
    entries = world.desk.audit.entries()[before:]
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.user, entry.period, entry.province, entry.reason) == (
        "correct",
        "wang",
        "zz-student/1",
        "河南",
        "电话核实",
    )
    assert entry.old["value"] == "13900002223" and entry.new["value"] == "13900009999"
    assert entry.old["version"] == 1 and entry.new["version"] == 2 and entry.ip == "127.0.0.1"
    assert not console_mail(world)
    assert "会务组 wang" in client.get(HENAN).data.decode()  # the version names who entered it


def test_accepting_over_quota_sends_one_confirmation_with_the_exception_threaded(
    world: ConsoleWorld, client: FlaskClient
) -> None:
    preview = plan(
        client,
        f"{HENAN}/accept",
        {"version": 1, "codes": ["quota_exceeded"], "reason": "经司里同意，洛阳职院多报一人", "notify": "y"},
    )
    page = client.get(preview).data.decode()
    assert "【已确认】" in page and "会务组同意例外" in page  # the email as it will go out
    assert not console_mail(world)  # a preview queues nothing
    confirm(client, preview)
    again = client.post(f"{preview}/confirm", data={"csrf_token": csrf_of(client.get(HENAN).data)})
    assert again.status_code == 302  # a second confirmation changes nothing
    [mail] = console_mail(world)
    original = email.message_from_bytes(world.archive.get(world.ha), policy=default)
    assert mail["To"] == "ha@example.cn" and mail["From"] == MAILBOX
    assert mail["In-Reply-To"] == original["Message-ID"]
    assert mail["Subject"].startswith("【已确认】")
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]  # it has one
    assert "会务组同意例外（经司里同意，洛阳职院多报一人）" in text and "孙五" in text
    assert (world.store.current_roster("zz-student", 1, "河南") or v0()).version == 2
    [entry] = world.desk.audit.find(action="accept")
    assert entry.old == {"version": 1, "status": "rejected", "problems": ["quota_exceeded"]}
    assert entry.new["waived"] == ["quota_exceeded"] and entry.new["mail"].startswith("console:")
    assert len(world.desk.audit.find(action="accept")) == 1
    # The exception stays: a later correction of the same roster is still accepted.
    confirm(
        client,
        plan(
            client,
            f"{HENAN}/correct",
            {"version": 2, "index": 0, "field": "title", "value": "处长", "reason": "更正职务"},
        ),
    )
    assert (world.store.current_roster("zz-student", 1, "河南") or v0()).version == 3


def test_rejecting_with_the_organizers_note(world: ConsoleWorld, client: FlaskClient) -> None:
    page = "/p/zz-student/1/北京"
    preview = plan(
        client,
        f"{page}/reject",
        {"version": 1, "note": "请补充领队的办公电话。", "reason": "司里要求", "notify": "y"},
        page,
    )
    confirm(client, preview)
    v2 = world.store.version("zz-student", 1, "北京", 2)
    assert v2 is not None and v2.status == "rejected" and v2.verdict.problems[0].code == "organizer_note"
    [mail] = console_mail(world)
    assert mail["Subject"].startswith("【需修改】")
    assert "会务组意见：请补充领队的办公电话。" in mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]  # it has one
    [entry] = world.desk.audit.find(action="reject")
    assert entry.old["status"] == "accepted" and entry.new["note"] == "请补充领队的办公电话。"


def test_adding_and_removing_people(world: ConsoleWorld, client: FlaskClient) -> None:
    page = "/p/zz-student/1/北京"
    confirm(
        client,
        plan(
            client,
            f"{page}/add",
            {
                "version": 1,
                "name": "周六",
                "gender": "女",
                "unit": "北京市教育委员会",
                "mobile": "13900001113",
                "reason": "微信补报",
            },
            page,
        ),
    )
    v2 = world.store.version("zz-student", 1, "北京", 2)
    assert v2 is not None and [p["name"] for p in v2.diff.added] == ["周六"]
    assert [p.code for p in v2.verdict.problems] == [
        "quota_exceeded"
    ]  # three from the commission: the rules say so
    confirm(
        client, plan(client, f"{page}/remove", {"version": 2, "index": 0, "reason": "王一不能参加"}, page)
    )
    v3 = world.store.version("zz-student", 1, "北京", 3)
    assert (
        v3 is not None
        and v3.status == "accepted"
        and [p.name for p in v3.verdict.participants] == ["李二", "周六"]
    )
    add, remove = world.desk.audit.find(action="add"), world.desk.audit.find(action="remove")
    assert len(add) == 1 and add[0].new["person"] == "周六" and add[0].old["version"] == 1
    assert len(remove) == 1 and remove[0].old["person"] == "王一" and remove[0].new["version"] == 3


def test_entering_a_roster_typed_and_uploaded(world: ConsoleWorld, client: FlaskClient) -> None:
    page = "/p/zz-student/1/天津"
    rows = (
        "刘七，男，天津市教育委员会，处长，13900003331，,,是\n陈八，女，天津市教育委员会，科长，13900003332"
    )
    preview = plan(
        client,
        f"{page}/enter",
        {
            "rows": rows,
            "how": "微信",
            "received": "2023-06-05 09:30",
            "reason": "群里发来",
            "to": "tj@example.cn",
        },
        page,
    )
    assert "tj@example.cn" in client.get(preview).data.decode()
    confirm(client, preview)
    v1 = world.store.version("zz-student", 1, "天津", 1)
    assert v1 is not None and v1.kind is VersionKind.ORGANIZER and v1.status == "accepted"
    assert [p.name for p in v1.verdict.participants] == ["刘七", "陈八"] and v1.verdict.participants[0].leader
    assert v1.received.startswith("2023-06-05T09:30")
    [mail] = console_mail(world)
    assert mail["To"] == "tj@example.cn" and mail["Subject"].startswith("【已确认】")
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "是否领队"])
    ws.append(["刘七", "男", "天津市教育委员会", "处长", "13900003331", "", "", "是"])
    data = io.BytesIO()
    wb.save(data)
    token = csrf_of(client.get(page).data)
    response = client.post(
        f"{page}/enter",
        data={
            "file": (io.BytesIO(data.getvalue()), "纸质回执.xlsx"),
            "how": "纸质回执",
            "reason": "现场交来",
            "csrf_token": token,
        },
        content_type="multipart/form-data",
    )
    confirm(client, response.headers["Location"])
    v2 = world.store.version("zz-student", 1, "天津", 2)
    assert v2 is not None and [p["name"] for p in v2.diff.removed] == ["陈八"]
    entries = world.desk.audit.find(action="enter")
    assert len(entries) == 2 and entries[0].new["people"] == 1 and "纸质回执" in entries[0].reason


def test_a_hand_reply_is_threaded_from_the_mailbox_and_the_question_leaves_the_queue(
    world: ConsoleWorld, client: FlaskClient
) -> None:
    sha, _ = world.receive(question("bj@example.cn", world.reply_id(world.bj)))
    assert "请问能否多报一人" in client.get("/queue").data.decode()
    page = f"/m/{sha}"
    preview = plan(
        client,
        f"{page}/reply",
        {"text": "可以多报一人，请在回执中补充。", "reason": "答复", "handled": "y"},
        page,
    )
    confirm(client, preview)
    [mail] = console_mail(world)
    asked = email.message_from_bytes(world.archive.get(sha), policy=default)
    assert mail["In-Reply-To"] == asked["Message-ID"] and mail["From"] == MAILBOX
    assert mail["Subject"] == "回复：【已确认】北京报名回执"
    assert "Auto-Submitted" not in mail  # written by a person
    assert mail["Message-ID"].startswith("<reply-")  # ours: an answer to it comes back to the thread
    assert not world.store.question(sha).open
    assert "请问能否多报一人" not in client.get("/queue").data.decode()
    [entry] = world.desk.audit.find(action="reply")
    assert entry.new["question_handled"] is True and entry.new["to"] == "bj@example.cn"
    # the province answers our hand reply: it is in our thread, a question for a person again
    answer = question("bj@example.cn", mail["Message-ID"].strip("<>"), "好的，已补充。谢谢！那住宿怎么安排？")
    _sha, handled = world.receive(answer)
    assert handled.outcome == "question"


def test_resending_the_last_automatic_reply_and_marking_handled(
    world: ConsoleWorld, client: FlaskClient
) -> None:
    page = f"/m/{world.bj}"
    confirm(client, plan(client, f"{page}/resend", {"reason": "对方说没收到"}, page))
    [mail] = console_mail(world)
    auto = world.outbox.get(f"reply:{world.bj}")
    assert (
        auto is not None
        and mail.as_bytes()
        and mail["Message-ID"] == email.message_from_bytes(auto.raw, policy=default)["Message-ID"]
    )
    [entry] = world.desk.audit.find(action="resend")
    assert entry.old["mail"] == f"reply:{world.bj}" and entry.new["mail"].startswith("console:")
    queue = client.get("/queue").data.decode()
    item = "rejected:zz-student/1/河南:1"
    assert item in queue
    token = csrf_of(client.get("/queue").data)
    assert (
        client.post(
            "/queue/handled", data={"item": item, "reason": "等河南重发", "csrf_token": token}
        ).status_code
        == 302
    )
    assert item not in client.get("/queue").data.decode()
    [entry] = world.desk.audit.find(action="handled")
    assert entry.old == {"open": True} and entry.new["item"] == item and entry.reason == "等河南重发"


def test_a_quarantined_message_is_reprocessed_through_the_service(
    world: ConsoleWorld, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import intake.daemon.service as service

    real = service.process  # type: ignore[attr-defined]  # the name the service calls, replaced below

    def failing(*args: object, **kwargs: object) -> object:
        raise RuntimeError("reader bug")

    monkeypatch.setattr(service, "process", failing)
    raw = beijing("bj2@example.cn")
    for _ in range(world.config.daemon.max_failures):
        world.service.handle(FetchedMessage("zz", "INBOX", 99, 7, WHEN, raw, ()), world.mailbox)
    sha = world.archive.put(raw)
    assert f"quarantined:{sha}" in client.get("/queue").data.decode()
    monkeypatch.setattr(service, "process", real)  # the bug is fixed
    preview = plan(client, f"/m/{sha}/reprocess", {"reason": "修复后重新处理"}, f"/m/{sha}")
    page = client.get(preview).data.decode()
    assert "【已确认】北京报名回执" in page and "王一" in page  # the automatic reply it will cause, first
    assert world.outbox.get(f"reply:{sha}") is None
    confirm(client, preview)
    assert f"quarantined:{sha}" not in client.get("/queue").data.decode()
    [entry] = world.desk.audit.find(action="reprocess")
    assert (
        entry.old == {"outcome": "quarantined"}
        and entry.new["outcome"] == "processed"
        and entry.new["replied"]
    )
    assert world.outbox.get(f"reply:{sha}") is not None  # answered now, by the daemon's own service
    assert world.store.current_roster("zz-student", 1, "北京") is not None
