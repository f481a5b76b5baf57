"""The queue "needs a person": what the daemon could not settle alone, each with what to do.

    question     a province's words for a person (storage/questions.py): answer it, or mark it handled
    ocr          a roster read by OCR with readings the recogniser was unsure of: check and correct
    rejected     a receipt sent last and rejected: wait for the fix, accept an exception, or enter it
    unplaced     a receipt whose province could not be told (来件未识别): enter it for its province
    quarantined  a message whose processing failed again and again: look at it, reprocess it
    failed       a reply the outbox could not deliver (or that bounced): resend it, reach them otherwise

An item leaves the queue when it is handled: a question marked handled (answering it by hand does
that), a newer version of the province's roster filed (a correction, an exception, a new receipt),
a quarantined message processed again, a failed reply sent again, or any item marked handled with a
reason (storage/desk.py keeps the mark).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import url_for

from intake.console.access import may_see_any, user
from intake.console.state import Console, current
from mailer.outbox_item import OutboxState
from rules.notice import Period
from rules.verdict import Status
from storage.desk import group_name
from storage.records import MessageOutcome
from storage.users import Role
from storage.versions import SubmissionSummary, VersionKind

KINDS = {
    "question": "待答复的问题",
    "ocr": "识别结果待核对",
    "rejected": "被退回的回执",
    "unplaced": "来件未识别",
    "quarantined": "处理失败的邮件",
    "failed": "发送失败的回复",
}


@dataclass(frozen=True)
class Item:
    id: str  # what a "handled" mark names
    kind: str
    title: str
    todo: str  # what to do, in a sentence
    when: str  # ISO 8601
    periods: tuple[str, ...]
    link: str
    province: str = ""
    text: str = ""  # a question's words, a problem's message


def _questions(console: Console) -> list[Item]:
    return [
        Item(
            id=f"question:{q.key}",
            kind="question",
            title=f"{q.sender}：{q.subject or '（无主题）'}",
            todo="在邮件页人工回复，或写明理由标记为已处理。",
            when=q.received,
            periods=q.periods,
            link=url_for("message.show", sha=q.key),
            province=q.province or "",
            text=q.text[:400],
        )
        for q in console.desk.store.questions(open_only=True)
    ]


def _province_link(s: SubmissionSummary) -> str:
    return url_for("province.show", program=s.program, number=s.period, province=s.province)


def _roster_items(console: Console, s: SubmissionSummary, marked: set[str]) -> list[Item]:
    """The OCR check and the rejection of a province's receipt sent last, when not handled."""
    latest = s.latest
    if latest.superseded_by is not None or latest.kind is VersionKind.ORGANIZER:
        return []
    group = group_name(s.program, s.period, s.province)
    period = f"{s.program}/{s.period}"
    found: list[Item] = []
    if latest.status is Status.REJECTED and f"rejected:{group}:{latest.version}" not in marked:
        found.append(
            Item(
                f"rejected:{group}:{latest.version}",
                "rejected",
                f"{s.province} {period} 第 {latest.version} 版需修改",
                "等报送单位修改重发；或同意例外、代为更正或录入。",
                latest.received,
                (period,),
                _province_link(s),
                s.province or "",
            )
        )
    version = console.figures.cache.version(s.program, s.period, s.province, latest.version)
    unsure = [p for p in (version.verdict.problems if version else ()) if p.code == "ocr_uncertain"]
    if unsure and f"ocr:{group}:{latest.version}" not in marked:
        found.append(
            Item(
                f"ocr:{group}:{latest.version}",
                "ocr",
                f"{s.province} {period} 第 {latest.version} 版由 OCR 读取，{len(unsure)} 处待核对",
                "对照原件核对；有误则更正，无误则标记已处理。",
                latest.received,
                (period,),
                _province_link(s),
                s.province or "",
                "；".join(p.message for p in unsure[:3]),
            )
        )
    return found


def _receipts(console: Console, marked: set[str]) -> list[Item]:
    items: list[Item] = []
    for s in console.desk.store.submissions():
        if s.province and s.program and s.period:
            items += _roster_items(console, s, marked)
        elif s.latest.message_sha and f"unplaced:{s.latest.message_sha}" not in marked:
            period = f"{s.program}/{s.period}" if s.program and s.period else ""
            items.append(
                Item(
                    f"unplaced:{s.latest.message_sha}",
                    "unplaced",
                    f"来件未识别：{s.latest.sender}（{s.versions} 份）",
                    "看原件判断省份；代为录入该省名单，或标记已处理。",
                    s.latest.received,
                    (period,) if period else (),
                    url_for("message.show", sha=s.latest.message_sha),
                )
            )
    return items


def _quarantined(console: Console, marked: set[str]) -> list[Item]:
    items = []
    for record in console.desk.store.messages_with(MessageOutcome.QUARANTINED):
        latest = console.desk.store.message_by_sha(record.sha256)
        if latest is not None and latest.outcome is not MessageOutcome.QUARANTINED:
            continue  # processed again since
        if f"quarantined:{record.sha256}" in marked:
            continue
        mailbox = next((mb for mb in console.desk.config.mailboxes if mb.name == record.mailbox), None)
        items.append(
            Item(
                f"quarantined:{record.sha256}",
                "quarantined",
                f"{record.mailbox} 的邮件处理失败 {record.failures} 次",
                "查看原件；问题解决后重新处理，或标记已处理。",
                record.received,
                mailbox.periods if mailbox else (),
                url_for("message.show", sha=record.sha256),
                text=record.detail[:300],
            )
        )
    return items


def _failed(console: Console, marked: set[str]) -> list[Item]:
    outbox = console.desk.outbox
    items = []
    for state in (OutboxState.FAILED, OutboxState.BOUNCED):
        for item in outbox.items(state):
            if f"outbox:{item.key}" in marked:
                continue
            sha = item.key.split(":", 1)[1] if item.key.startswith(("reply:", "ack:")) else ""
            items.append(
                Item(
                    f"outbox:{item.key}",
                    "failed",
                    f"发给 {', '.join(item.rcpt_to)} 的邮件{'被退回' if state is OutboxState.BOUNCED else '发送失败'}",
                    "重新发送（失败的）；被退回的请改用电话等方式联系，然后标记已处理。",
                    datetime.fromtimestamp(item.failed_at or item.updated_at, UTC).isoformat(),
                    (),
                    url_for("message.show", sha=sha) if len(sha) == 64 else url_for("queue.show"),
                    text=item.last_error or "",
                )
            )
    return items


def visible(items: list[Item]) -> list[Item]:
    who = user()
    if who.role is Role.ADMIN or who.all_periods:
        return items
    return [i for i in items if i.periods and may_see_any(list(i.periods))]


def open_items() -> list[Item]:
    """Every open item the user may see, oldest first within each kind."""
    console = current()
    marked = console.desk.state.marked_items()
    items = [
        *_questions(console),
        *_receipts(console, marked),
        *_quarantined(console, marked),
        *_failed(console, marked),
    ]
    return sorted(visible(items), key=lambda i: (list(KINDS).index(i.kind), i.when))


def open_by_province(period: Period) -> Counter[str]:
    """Open items per province of the period (the period page marks them 待人工)."""
    counts: Counter[str] = Counter()
    for item in open_items():
        if period.key in item.periods and item.province:
            counts[item.province] += 1
    return counts
