"""The audit log, filterable by period, province, user and action; each user sees their periods' entries."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from intake.console.access import requires, user
from intake.console.state import current
from intake.console.text import mask_mobiles_in
from storage.audit import AuditEntry
from storage.users import Role

bp = Blueprint("audit_log", __name__)
ACTIONS = {
    "correct": "更正",
    "add": "增加人员",
    "remove": "删除人员",
    "accept": "同意例外",
    "reject": "退回",
    "enter": "录入名单",
    "reply": "人工回复",
    "resend": "重发回复",
    "handled": "标记已处理",
    "reprocess": "重新处理",
    "absent": "记为本期不参加",
    "absent.withdraw": "撤销不参加",
    "show.mobile": "查看手机号",
    "download.roster": "下载名单",
    "download.message": "下载邮件原件",
    "download.attachment": "下载附件",
    "user.add": "新建用户",
    "user.disable": "停用用户",
    "user.reset": "重置密码",
    "user.password": "修改密码",
    "purge": "清除个人数据",
    "purge.anchor": "（此前的记录已清除）",
}


def masked(value: object) -> str:
    """An old or new value as the list shows it: mobiles masked."""
    if value is None or value == "":
        return ""
    text = (
        value
        if isinstance(value, str)
        else ", ".join(f"{k}: {v}" for k, v in value.items())
        if isinstance(value, dict)
        else str(value)
    )
    return mask_mobiles_in(text)


def _visible(entry: AuditEntry) -> bool:
    who = user()
    if who.role is Role.ADMIN or who.all_periods:
        return True
    return bool(entry.period) and who.may_see(entry.period)


@bp.route("/audit")
@requires(Role.VIEWER)
def show() -> str:
    filters = {k: request.args.get(k, "").strip() for k in ("period", "province", "user", "action")}
    entries = [e for e in current().desk.audit.find(**filters, limit=1000) if _visible(e)][:500]
    periods = [p.key for p in current().desk.config.notice.periods if user().may_see(p.key)]
    return render_template(
        "audit.html", entries=entries, filters=filters, actions=ACTIONS, periods=periods, masked=masked
    )
