"""Receipt files and messages for daemon tests, made as real bytes (openpyxl + MessageBuilder)."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook

from tests.mailbuilder import DEFAULT_DATE, MessageBuilder

TITLE = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]


def receipt_xlsx(
    unit: str, meeting: str, people: list[tuple[str, str, str, str]], *, leader: bool = True
) -> bytes:
    """people: (name, gender, unit, mobile); the first one is the leader (none when leader is False)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["报名回执表"])
    ws.append([f"省级教育行政部门名称：{unit}"])
    ws.append([f"会议名称和期数：{meeting}"])
    ws.append(TITLE)
    for i, (name, gender, org, mobile) in enumerate(people):
        ws.append(
            [
                name,
                gender,
                org,
                "科长",
                mobile,
                f"u{mobile}@example.cn",
                "6月19日上午",
                "是" if i == 0 and leader else "",
            ]
        )
    for r in (1, 2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def receipt_message(
    sender: str,
    province_unit: str,
    people: list[tuple[str, str, str, str]],
    *,
    meeting: str = "中职学生管理系统培训第一期",
    to: str = "yaoy@moe.edu.cn",
    client: str = "qq",
    subject: str | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
    leader: bool = True,
    filename: str | None = None,
) -> bytes:
    data = receipt_xlsx(province_unit, meeting, people, leader=leader)
    return (
        MessageBuilder(
            sender=sender,
            sender_name="报名联系人",
            to=to,
            client=client,
            subject=subject or f"{province_unit}报名回执",
            message_id=message_id,
            date=date or DEFAULT_DATE,
        )
        .text("老师您好，附件是我省报名回执，请查收。")
        .attach(filename or f"{province_unit}报名回执.xlsx", data)
        .build()
    )


def unrelated_message(sender: str = "friend@163.com", to: str = "yaoy@moe.edu.cn") -> bytes:
    return (
        MessageBuilder(sender=sender, sender_name="老同学", to=to, client="163", subject="周末聚餐")
        .text("周六晚上一起吃饭吗？")
        .build()
    )
