"""A store with known submissions for gz-status/1, shaped as the daemon stores them, and a config.

Submissions are added with Store.add_submission and verdicts read from dicts shaped like
Verdict.public() (participants without unit_kind, as intake/daemon/service.py stores them).

    python -m tests.organizer_data docs/     # regenerate docs/digest-example.{eml,html}
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from rules.verdict import Status
from storage.records import StoredVerdict
from storage.store import Store
from storage.versions import NewVersion, SubmissionVersion, VersionKind
from tests.helpers import ROOT, cst

PERIOD = "gz-status/1"  # 北京 天津 上海 江苏 浙江 山东 河南; deadline 2023-06-19 17:00
ORGANIZERS = ("wangww@yzpc.edu.cn", "huiwu@example.cn")
NOW = cst("2023-06-16T08:00:00")


def person(
    name: str,
    unit: str,
    mobile: str,
    *,
    gender: str = "男",
    title: str = "科长",
    leader: bool = False,
    arrival: str = "2023-07-14T15:00",
    email: str = "",
) -> dict:
    return {
        "name": name,
        "gender": gender,
        "unit": unit,
        "title": title,
        "mobile": mobile,
        "email": email or f"{mobile}@example.cn",
        "arrival": arrival,
        "leader": leader,
    }


def problem(code: str, severity: str, message: str, row: int | None = None, field: str | None = None) -> dict:
    return {"code": code, "severity": severity, "row": row, "field": field, "message": message}


def add(
    store: Store,
    province: str | None,
    people: list[dict],
    *,
    status: str = "accepted",
    received: str,
    sender: str,
    problems: list[dict] | None = None,
    period: str = PERIOD,
    kind: VersionKind = VersionKind.RECEIPT,
) -> SubmissionVersion:
    program, _, number = period.partition("/")
    verdict = {
        "status": status,
        "program": program,
        "period": int(number),
        "province": province,
        "participants": people,
        "problems": problems or [],
    }
    sha = hashlib.sha256(f"{period}{province}{received}{len(people)}".encode()).hexdigest()
    return store.add_submission(
        NewVersion(
            program=program,
            period=int(number),
            province=province,
            verdict=StoredVerdict.from_json(verdict),
            message_sha=sha,
            sender=sender,
            received=cst(received).isoformat(),
            status=Status(status),
            kind=kind,
        )
    )


def unplaced(
    store: Store, sender: str, received: str, *, program: str | None = None, period: int | None = None
) -> SubmissionVersion:
    """A receipt whose province could not be told, filed as the daemon files it (province None)."""
    verdict = {
        "status": "rejected",
        "program": program,
        "period": period,
        "province": None,
        "participants": [person("某某", "市教育局", "13900009991")],
        "problems": [
            problem(
                "unknown_province",
                "error",
                "无法确定报送单位所属省份。请在“省级教育行政部门名称”一栏填写完整名称。",
            )
        ],
    }
    return store.add_submission(
        NewVersion(
            program=program,
            period=period,
            province=None,
            verdict=StoredVerdict.from_json(verdict),
            message_sha=hashlib.sha256(f"{sender}{received}".encode()).hexdigest(),
            sender=sender,
            received=cst(received).isoformat(),
            status=Status.REJECTED,
            mailbox="gz1",
            subject="报名回执",
        )
    )


BEIJING = [
    person("王喆", "北京市教育委员会", "13900001111", leader=True, arrival="2023-07-14T11:30"),
    person("李娜", "北京市教育委员会", "13900001112", gender="女", arrival="2023-07-14T11:30"),
    person("赵强", "北京电子科技职业学院", "13900001113", arrival="2023-07-14 下午"),
]
TIANJIN_V1 = [
    person("孙丽", "天津市教育委员会", "13900002221", gender="女", leader=True),
    person("周杰", "天津职业大学", "13900002222"),
]
TIANJIN_V2 = [
    person("孙丽", "天津市教育委员会", "13900002221", gender="女", leader=True),
    person("周杰", "天津职业大学", "13900002999"),
    person("吴敏", "天津市职业技术师范大学", "13900002223", gender="女", arrival="2023-07-15T09:00"),
]
JIANGSU = [
    person("陈刚", "江苏省教育厅", "13900003331", leader=True, arrival="2023-07-13T20:00"),
    person("刘洋", "南京工业职业技术大学", "13900003332"),
    person("黄蕾", "无锡职业技术学院", "13900003333", gender="女"),
    person("杨帆", "常州信息职业技术学院", "13900003334"),
]
ZHEJIANG = [
    person("郑浩", "浙江省教育厅", "13900004441", arrival="报到当天"),
    person("何静", "浙江机电职业技术学院", "13900004442", gender="女", arrival=""),
]


def populate(store: Store) -> None:
    """北京, 天津 (two versions), 江苏 (late), 浙江 accepted; 河南 rejected; 上海, 山东 missing; 广东 misfiled."""
    add(
        store,
        "北京",
        BEIJING,
        received="2023-06-12T10:00",
        sender="bj@bjedu.cn",
        problems=[problem("wrong_mailbox", "warning", "本回执发送到了 yaoy@moe.edu.cn，但……")],
    )
    add(store, "天津", TIANJIN_V1, received="2023-06-13T09:00", sender="tj@tjedu.cn")
    add(store, "天津", TIANJIN_V2, received="2023-06-15T16:20", sender="tj@tjedu.cn")
    add(
        store,
        "河南",
        [person("张伟", "河南省教育厅", "1390000")],
        status="rejected",
        received="2023-06-14T11:00",
        sender="henan@haedu.cn",
        problems=[
            problem(
                "bad_mobile",
                "error",
                "第 5 行“手机”列：手机号“1390000”不是有效的 11 位手机号码。",
                5,
                "mobile",
            )
        ],
    )
    add(
        store,
        "江苏",
        JIANGSU,
        received="2023-06-19T18:30",
        sender="js@jsedu.cn",
        problems=[
            problem(
                "late",
                "warning",
                "回执于 2023年6月19日 18:30 收到，已超过第1期报名截止时间 2023年6月19日 17:00。",
            )
        ],
    )
    add(
        store,
        "浙江",
        ZHEJIANG,
        received="2023-06-15T08:30",
        sender="zj@zjedu.cn",
        problems=[
            problem("leader_missing", "warning", "回执中没有指定领队。请在“领队”一栏为一位参训人员填写“是”。")
        ],
    )
    add(
        store,
        "广东",
        [person("林峰", "广东省教育厅", "13900005551")],
        status="rejected",
        received="2023-06-15T10:00",
        sender="gd@gdedu.cn",
        problems=[problem("province_not_in_session", "error", "广东不在高职状态平台培训第1期的参训范围内。")],
    )


def write_config(
    tmp: Path,
    *,
    digest: str = "",
    reminders: str = "",
    contacts: str = "",
    outbox: str = "",
    organizers: tuple[str, ...] = ORGANIZERS,
) -> Path:
    """A config with no servers: an empty maildir, replies written as .eml files unless outbox says otherwise."""
    maildir = tmp / "maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    addresses = ", ".join(f'"{a}"' for a in organizers)
    path = tmp / "config.toml"
    path.write_text(
        f'''
notice = "{ROOT / "notice-2023.toml"}"
[storage]
directory = "{tmp / "state"}"
[[mailboxes]]
name = "gz1"
kind = "maildir"
path = "{maildir}"
address = "1433935834@qq.com"
reply_from = "baoming@yzpc.edu.cn"
periods = ["gz-status/1"]
[outbox]
directory = "{tmp / "outbox"}"
deliver_to = "{tmp / "sent"}"
{outbox}
[organizers]
"gz-status/1" = [{addresses}]
[digest]
{digest}
[reminders]
{reminders}
[contacts]
{contacts}
''',
        encoding="utf-8",
    )
    return path


def write_examples(directory: Path) -> None:
    import tempfile

    from intake.config.settings import load_config
    from intake.organizer.desk import Organizer
    from mailer.compose.digest_html import render_html
    from mailer.outbox import Outbox

    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        contacts = '"上海" = ["shjw@example.cn"]\n"山东" = ["sd@sdedu.cn"]'
        config = load_config(write_config(Path(tmp), contacts=contacts))
        with Store(config.storage_dir) as store:
            populate(store)
            organizer = Organizer(config, store, Outbox(config.outbox.directory))
            organizer.run_due(cst("2023-06-16T09:05:00"))  # reminders (3 days before), that day's digest
            organizer.run_due(cst("2023-06-18T09:05:00"))  # reminders (1 day before), that day's digest
            add_later_receipts(store)
            when = cst("2023-06-20T08:00:00")
            period = organizer.notice.period(PERIOD)
            assert period is not None
            data, raw, _wb = organizer.digest_message(
                period, when, organizer.digest_key(period, when), ORGANIZERS
            )
    (directory / "digest-example.eml").write_bytes(raw)
    (directory / "digest-example.html").write_text(render_html(data), encoding="utf-8")


def add_later_receipts(store: Store) -> None:
    """After the reminders: 河南 fixes its receipt, 天津 sends a 补报, 北京's newest receipt is rejected,
    山东 writes in a way nobody could place, and a stranger too."""
    henan = [
        person("张伟", "河南省教育厅", "13900006661", leader=True),
        person("冯磊", "河南工业职业技术学院", "13900006662", arrival="7月13日晚上"),
    ]
    henan[1]["arrival"], henan[1]["arrival_at"], henan[1]["remark"] = "7月13日晚上", "2023-07-13", "需单间"
    add(store, "河南", henan, received="2023-06-19T10:00", sender="henan@haedu.cn")
    guo = person("郭静", "天津轻工职业技术学院", "13900002224", gender="女", arrival="7月15日20:30")
    guo["arrival_at"], guo["remark"] = "2023-07-15T20:30:00", "清真"
    add(
        store,
        "天津",
        [*TIANJIN_V2, guo],
        received="2023-06-18T15:00",
        sender="tj@tjedu.cn",
        kind=VersionKind.SUPPLEMENT,
    )
    add(
        store,
        "北京",
        [*BEIJING, person("钱进", "北京市教育委员会", "1390000")],
        status="rejected",
        received="2023-06-19T16:40",
        sender="bj@bjedu.cn",
        problems=[
            problem(
                "bad_mobile",
                "error",
                "第 8 行“手机”列：手机号“1390000”不是有效的 11 位手机号码。",
                8,
                "mobile",
            ),
            problem(
                "quota_exceeded",
                "error",
                "“北京市教育委员会”报名 3 人，超过省级教育行政部门每单位限额（限 2 人）。请删减到 2 人后重新发送。",
                8,
                "unit",
            ),
        ],
    )
    unplaced(store, "sd@sdedu.cn", "2023-06-19T11:20")
    unplaced(store, "xiaoli1988@163.com", "2023-06-18T21:05", program="gz-status", period=1)


if __name__ == "__main__":
    write_examples(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs"))
