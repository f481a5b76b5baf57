"""Enter a roster that came another way (WeChat, a call, a paper form): a file read by the same readers
and limits as an attachment, or rows typed; filed as an organizer's version and judged as any other."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Blueprint, flash, redirect
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from intake.console.access import requires
from intake.console.forms import EnterForm
from intake.console.lookup import province_route
from intake.console.state import current
from intake.console.views.actions.flow import propose
from intake.console.views.actions.roster import RosterChange, roster_pending
from intake.pipeline.process import Context, process_attachment
from rules.verdict import Participant
from storage.users import Role

bp = Blueprint("enter", __name__)
HEADER = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "是否领队", "备注"]


def typed_csv(text: str) -> bytes:
    """Rows typed one person a line (commas, Chinese commas or tabs) as a CSV with the form's header."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for line in text.splitlines():
        cells = [c.strip() for c in line.replace("，", ",").replace("\t", ",").split(",")]
        if any(cells):
            writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


def read_people(name: str, data: bytes) -> tuple[list[Participant], str]:
    """The participants the readers find in the file, or why none were found."""
    desk = current().desk
    ctx = Context(desk.config.notice, desk.config.policy, desk.config.limits)
    outcome = process_attachment(name, data, ctx)
    receipt = outcome.receipt
    if receipt is None or not receipt.rows:
        problems = "；".join(p.message for p in outcome.verdict.problems[:3])
        return [], problems or "没有读到名单。"
    return [row.participant for row in receipt.rows], ""


def _received(text: str) -> datetime | None:
    desk = current().desk
    if not text.strip():
        return desk.now()
    try:
        when = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=desk.config.notice.timezone)


@bp.route("/p/<program>/<int:number>/<province>/enter", methods=["POST"])
@requires(Role.EDITOR)
def enter(program: str, number: int, province: str) -> Response:
    route = province_route(program, number, province)
    period, province, back = route.period, route.province, route.page
    form = EnterForm()
    if not form.validate_on_submit():
        flash("请上传回执表或逐行填写名单，写明来源和理由。")
        return redirect(back)
    upload = form.file.data
    if isinstance(upload, FileStorage) and upload.filename:
        people, problem = read_people(upload.filename, upload.read())
        source = f"上传文件“{upload.filename}”"
    else:
        people, problem = read_people("录入.csv", typed_csv(form.rows.data or ""))
        source = "逐行填写"
    received = _received(form.received.data or "")
    if problem or received is None:
        flash(f"未能读取名单：{problem or '收到时间的格式不对（如 2023-06-18 15:30）'}")
        return redirect(back)
    return propose(
        roster_pending(
            RosterChange(
                kind="enter",
                title=f"为 {province} 录入名单（{form.how.data}，{len(people)} 人）",
                period=period,
                province=province,
                people=people,
                received=received,
                reason=f"{form.how.data}：{form.reason.data}",
                notify=bool((form.to.data or "").strip()),
                to=form.to.data or "",
                changes=(f"来源：{form.how.data}，{source}，共 {len(people)} 人",),
                new={"how": form.how.data, "source": source, "people": len(people)},
            )
        )
    )
