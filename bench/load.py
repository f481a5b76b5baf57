"""The load: N receipts as real RFC 5322 messages, in the mix provinces really send.

Each receipt comes from one of the 32 units of the notice, for one program (中职学生 or 高职状态),
addressed to that period's mailbox, with 3-30 participants that respect the quotas (two from the
department, two per prefecture bureau, one per school).  Formats: xlsx (openpyxl), xls and WPS .et
(LibreOffice from the xlsx), docx (LibreOffice Writer from an HTML page), a table pasted into an
HTML body, and a zip holding an xlsx (Windows GBK member names, or macOS with __MACOSX).  Clients:
QQ gb18030, 163 GBK, Foxmail gb2312, Outlook, Apple utf-8 RFC 2231, Thunderbird.  About one in
twelve has a mistake (bad mobile, missing gender, a duplicate person) and gets a "please fix" reply.
Deterministic for a seed.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from bench.office import convert, zip_member_bytes
from rules.notice import Notice, Period, load_notice
from tests.mailbuilder import MessageBuilder

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
FORMATS = {"xlsx": 34, "xls": 14, "et": 4, "docx": 14, "html": 18, "zip": 16}
CLIENTS = {"qq": 30, "163": 25, "foxmail": 14, "outlook": 10, "apple": 12, "thunderbird": 9}
DOMAINS = {
    "qq": "qq.com",
    "163": "163.com",
    "foxmail": "foxmail.com",
    "outlook": "outlook.com",
    "apple": "icloud.com",
    "thunderbird": "edu.cn",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欢佳阳晨瑞博文喆堃婷雯慧琳颖倩雪琪鑫昊晗睿"
CITIES = [
    "安平市",
    "白河市",
    "长宁市",
    "东阳市",
    "丰城市",
    "广元市",
    "海宁市",
    "江华市",
    "开阳市",
    "临川市",
    "茂林市",
    "南山市",
    "平湖市",
    "青田市",
    "瑞安市",
    "绍兴市",
    "通海市",
    "万宁市",
    "西昌市",
    "义乌市",
    "永安市",
    "正定市",
    "兴城市",
    "阜康市",
    "北安市",
    "宜宾市",
    "和田地区",
    "甘孜藏族自治州",
]
TITLES = ["科长", "副处长", "主任科员", "信息中心主任", "学籍管理员", "副校长", "教务处主任", "招就处处长"]
CN = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass
class Receipt:
    index: int
    province: str
    program: str
    period: int
    mailbox: str
    sender: str
    client: str
    fmt: str
    meeting: str
    unit: str  # the department as written in the header line
    people: list[list] = field(default_factory=list)
    received: datetime | None = None
    message_id: str = ""
    flawed: bool = False
    raw: bytes = b""


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def people_for(rng: random.Random, r: Receipt, period: Period, count: int, serial: int) -> list[list]:
    """count participants within the quotas; mobiles are unique over the whole load."""
    spelling = rng.choice([r.province, *([r.unit[:-3]] if r.unit.endswith("教育厅") else [])])
    units = [r.unit, r.unit]
    cities = rng.sample(CITIES, len(CITIES))
    for city in cities:
        if r.program == "zz-student":
            units += [f"{spelling}{city}教育局", f"{spelling}{city}教育局", f"{city}职业中等专业学校"]
        else:
            units += [f"{city[:-1] if city.endswith('市') else city}职业技术学院"]
    arrival = datetime.combine(period.start - timedelta(days=1), datetime.min.time())
    out = []
    for i in range(count):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        mobile = 13000000000 + serial * 100 + i
        when = arrival + timedelta(hours=rng.choice((9, 10, 14, 15, 16, 18, 20)), minutes=rng.choice((0, 30)))
        out.append(
            [
                name,
                rng.choice("男女"),
                units[i],
                rng.choice(TITLES),
                mobile,
                f"{rng.choice(('zs', 'ls', 'wy', 'cx'))}{mobile % 100000}@{rng.choice(('qq.com', '163.com', 'edu.cn'))}",
                when,
                "是" if i == 0 else rng.choice(("否", "")),
            ]
        )
    return out


def flaw(rng: random.Random, people: list[list]) -> None:
    kind = rng.randrange(3)
    row = people[rng.randrange(1, len(people))]
    if kind == 0:
        row[4] = str(row[4])[:8]  # a mobile with digits missing
    elif kind == 1:
        row[1] = ""  # no gender
    else:
        people.append(list(people[1]))  # the same person twice


def receipt_xlsx(r: Receipt) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "回执表"
    ws.append([f"{r.meeting}报名回执表"])
    ws.append([f"省级教育行政部门名称：{r.unit}"])
    ws.append([f"会议名称和期数：{r.meeting}"])
    ws.append(COLUMNS)
    for p in r.people:
        ws.append(p)
        ws.cell(ws.max_row, 7).number_format = "yyyy-mm-dd hh:mm"
        ws.cell(ws.max_row, 5).number_format = "0"
    ws.append([f"联系人：{r.people[0][0]}　联系电话：{r.people[0][4]}"])
    for row in (1, 2, 3, ws.max_row):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)


def receipt_html(r: Receipt, *, page: bool) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in p) + "</tr>" for p in r.people)
    head = "<tr>" + "".join(f'<td style="font-weight:bold">{c}</td>' for c in COLUMNS) + "</tr>"
    table = f'<table border="1" cellpadding="0" cellspacing="0" style="border-collapse:collapse">{head}{rows}</table>'
    lines = (
        f'<p align="center"><b>{r.meeting}报名回执表</b></p><p>省级教育行政部门名称：{r.unit}</p>'
        f"<p>会议名称和期数：{r.meeting}</p>"
    )
    if page:
        return f'<html><head><meta charset="utf-8"></head><body>{lines}{table}</body></html>'
    return (
        f'<div style="font-size:14px;font-family:Arial"><div>老师您好：</div><div>我省报名回执如下：</div>'
        f"{lines}{table}<div>{r.people[0][0]}</div></div>"
    )


def receipt_text(r: Receipt) -> str:
    lines = [f"省级教育行政部门名称：{r.unit}", f"会议名称和期数：{r.meeting}", "\t".join(COLUMNS)]
    lines += ["\t".join(_cell(v) for v in p) for p in r.people]
    return "老师您好：\n我省报名回执如下：\n" + "\n".join(lines) + "\n"


def plan(n: int, seed: int, notice: Notice) -> list[Receipt]:
    rng = random.Random(seed)
    programs = [notice.program("zz-student"), notice.program("gz-status")]
    senders: dict[str, list[tuple[str, str]]] = {}
    out = []
    for i in range(n):
        unit = notice.units[i % len(notice.units)] if i < len(notice.units) else rng.choice(notice.units)
        program = rng.choice(programs)
        assert program is not None
        period = program.period_of(unit.name)
        assert period is not None
        pool = senders.setdefault(unit.name, [])
        if len(pool) < 3 and (not pool or rng.random() < 0.3):
            client = pick(rng, CLIENTS)
            pool.append(
                (f"{rng.choice(('bm', 'jyt', 'zcc', 'xj'))}{len(pool)}_{i}@{DOMAINS[client]}", client)
            )
        sender, client = rng.choice(pool)
        received = period.deadline - timedelta(hours=6) + timedelta(seconds=30 * i)  # the last hours
        received = min(received, period.deadline - timedelta(minutes=1))
        r = Receipt(
            i,
            unit.name,
            program.id,
            period.number,
            period.mailbox,
            sender,
            client,
            pick(rng, FORMATS),
            f"{program.name}第{CN[period.number]}期",
            unit.department[0] if unit.department else unit.name,
            received=received,
            message_id=f"<bench-{seed}-{i}@{sender.split('@')[1]}>",
        )
        r.people = people_for(rng, r, period, rng.randint(3, 30), i)
        if rng.random() < 1 / 12:
            r.flawed = True
            flaw(rng, r.people)
        out.append(r)
    return out


def build(n: int = 500, seed: int = 2023, office: str = "auto", work: Path | None = None) -> list[Receipt]:
    """The load, with every message built; office: libreoffice | fixtures | auto (see bench.office)."""
    notice = load_notice(ROOT / "notice-2023.toml")
    receipts = plan(n, seed, notice)
    sources = {r.index: receipt_xlsx(r) for r in receipts if r.fmt in ("xlsx", "xls", "et", "zip")}
    pages = {r.index: receipt_html(r, page=True) for r in receipts if r.fmt == "docx"}
    converted = convert(
        sources={i: sources[i] for i in sources if receipts[i].fmt in ("xls", "et")},
        pages=pages,
        mode=office,
        work=work,
    )
    rng = random.Random(seed + 1)
    for r in receipts:
        b = MessageBuilder(
            sender=r.sender,
            sender_name=f"{r.province}报名联系人",
            to=r.mailbox,
            client=r.client,
            subject=f"{r.province}{r.meeting}报名回执",
            message_id=r.message_id,
            date=r.received,
        )
        stem = f"{r.unit}{r.meeting}报名回执"
        if r.fmt == "html":
            b.text(receipt_text(r)).html(receipt_html(r, page=False))
        else:
            b.text("老师您好，附件是我省报名回执，请查收。谢谢！")
            if r.fmt == "xlsx":
                b.attach(f"{stem}.xlsx", sources[r.index])
            elif r.fmt in ("xls", "et", "docx"):
                b.attach(f"{stem}.{r.fmt}", converted[r.index])
            else:
                b.attach(
                    f"{stem}.zip",
                    zip_member_bytes(f"{stem}.xlsx", sources[r.index], macos=rng.random() < 0.4),
                )
        r.raw = b.build()
    return receipts


def save(receipts: list[Receipt], directory: Path) -> Path:
    """Write the messages and a manifest.json (for the per-phase subprocesses)."""
    import json

    directory.mkdir(parents=True, exist_ok=True)
    manifest = []
    for r in receipts:
        name = f"{r.index:05d}.eml"
        (directory / name).write_bytes(r.raw)
        manifest.append(
            {
                "file": name,
                "index": r.index,
                "fmt": r.fmt,
                "mailbox": r.mailbox,
                "sender": r.sender,
                "message_id": r.message_id,
                "received": r.received.isoformat() if r.received else "",
            }
        )
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return directory
