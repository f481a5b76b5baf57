"""Finding what a URL names, checked against the user's periods (404 when unknown, 403 when not theirs)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, url_for

from intake.console.access import check_period, may_see_any, user
from intake.console.state import current
from intake.mime.message import DecodedMessage, decode_message
from rules.notice import Period
from storage.questions import QuestionNotFound
from storage.records import MessageRecord
from storage.users import Role
from storage.versions import SubmissionVersion


def period_or_404(program: str, number: int) -> Period:
    period = current().desk.period(program, number)
    if period is None:
        abort(404)
    check_period(period.key)
    return period


def province_or_404(period: Period, name: str) -> str:
    if name not in period.provinces and current().desk.config.notice.unit(name) is None:
        abort(404)
    return name


@dataclass(frozen=True)
class ProvinceRoute:
    """What a /p/<program>/<number>/<province> route names: the period, the province, and its page."""

    period: Period
    province: str
    page: str  # the province page's URL: where an action goes back to


def province_route(program: str, number: int, province: str) -> ProvinceRoute:
    """The period and province a route names (404 when unknown, 403 when not the user's), and its page."""
    period = period_or_404(program, number)
    name = province_or_404(period, province)
    return ProvinceRoute(
        period, name, url_for("province.show", program=program, number=number, province=name)
    )


def version_or_404(period: Period, province: str, number: int) -> SubmissionVersion:
    found = current().figures.cache.version(period.program, period.number, province, number)
    if found is None:
        abort(404)
    return found


@dataclass(frozen=True)
class Message:
    """A message as the console shows it: its record, its raw bytes decoded, the periods it concerns."""

    sha: str
    record: MessageRecord | None
    raw: bytes
    decoded: DecodedMessage
    periods: tuple[str, ...]


def message_periods(sha: str, record: MessageRecord | None) -> tuple[str, ...]:
    """The periods a message concerns: its verdict's, its question's, else its mailbox's."""
    desk = current().desk
    verdict = record.verdict if record else None
    if verdict is not None and verdict.program and verdict.period:
        return (f"{verdict.program}/{verdict.period}",)
    try:
        question = desk.store.question(sha)
    except QuestionNotFound:
        question = None
    if question is not None and question.key == sha and question.periods:
        return question.periods
    mailbox = next((mb for mb in desk.config.mailboxes if record and mb.name == record.mailbox), None)
    return mailbox.periods if mailbox else ()


def message_or_404(sha: str) -> Message:
    desk = current().desk
    if sha not in desk.archive:
        abort(404)
    record = desk.store.message_by_sha(sha)
    periods = message_periods(sha, record)
    who = user()
    if periods and not may_see_any(list(periods)):
        abort(403)
    if not periods and not (who.role is Role.ADMIN or who.all_periods):
        abort(403)  # a message nobody could place: for those who see every period
    raw = desk.archive.get(sha)
    return Message(sha, record, raw, decode_message(raw, desk.config.limits.max_attachment_bytes), periods)
