"""How the console writes things: masked mobiles, times as people read them, statuses in Chinese."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from mailer.compose.digest_data import ProvinceStatus

STATUS = {"accepted": "已确认", "rejected": "需修改", "ignored": "未处理"}
PROVINCE_STATUS = {
    ProvinceStatus.ACCEPTED: "已确认",
    ProvinceStatus.REJECTED: "需修改",
    ProvinceStatus.MISSING: "未报送",
    ProvinceStatus.UNIDENTIFIED: "来件未识别",
    ProvinceStatus.ABSENT: "不参加",
}
KIND = {"receipt": "回执", "supplement": "补报", "organizer": "会务组录入"}
OUTBOX_STATE = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "发送失败",
    "bounced": "被退回",
}


MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_mobiles_in(text: str) -> str:
    """Every mobile number inside a text masked (13912345678@163.com -> 139****5678@163.com)."""
    return MOBILE_IN_TEXT.sub(r"\1****\2", text or "")


def mask_mobile(mobile: str) -> str:
    """138****5678: enough to tell two people apart, not enough to call them."""
    digits = mobile.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def when(value: object, zone: ZoneInfo) -> str:
    """6月18日 15:30 (with the year when it is not the notice's)."""
    if isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(value, zone)
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def time_left(deadline: datetime, now: datetime) -> str:
    seconds = (deadline - now).total_seconds()
    if seconds <= 0:
        return "已截止"
    days, rest = divmod(int(seconds), 86400)
    hours = rest // 3600
    return f"还有 {days} 天 {hours} 小时" if days else f"还有 {hours} 小时 {rest % 3600 // 60} 分"
