"""补报: a receipt that adds people to the roster that stands, judged on the merged roster.  Pure.

Provinces often send a supplementary receipt (补报, 增补, 追加) with only the people they add.
``against_standing`` takes the verdict ``rules.judge.judge`` gave the receipt alone and the roster
that stands for its (program, period, province), and says how the receipt is taken:

- marked as a supplement (in the subject, the file names, the form's title or 会议名称和期数, a
  row's 备注, or the sender's own words) and naming only people not on the roster that stands:
  a **supplement** -- the roster that stood (each person ``registered``) and then the new people,
  judged together for what a roster as a whole must satisfy (the quotas, one leader);
- marked, but naming someone already on the roster (by name or by mobile), or with no roster to
  add to: ambiguous, so a **replacement**, and the reply says so (``supplement_ambiguous``,
  ``supplement_without_roster``);
- not marked: a **replacement**; when it shares nobody with the roster that stands, the reply says
  the earlier people are no longer registered (``roster_replaced_whole``), the common mistake of a
  supplement sent without the word.

A mark in the sender's words is not taken when the word is quoted (“补报”, as our own replies
write it) or follows a condition (如需补报, 若有追加, 不是补报).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from rules.checks import leader_problems
from rules.notice import Notice
from rules.problems import problem
from rules.quotas import check_quotas
from rules.receipt import Receipt
from rules.units import unit_kind
from rules.verdict import Participant, Problem, Reading, Status, Verdict, status_of

WORDS = ("补报", "增补", "追加")
MAX_NAMES = 6
# Problems of a roster as a whole: judged again on the merged roster of a supplement.
WHOLE_ROSTER_CODES = frozenset({"quota_exceeded", "leader_missing", "leader_multiple"})
_QUOTED = re.compile(r"[“\"「『‘'](?:" + "|".join(WORDS) + r")[”\"」』’']")
_CONDITION = ("如", "若", "不", "无", "没有", "未")


@dataclass(frozen=True)
class Standing:
    """The roster that stands for a receipt's (program, period, province): what a 补报 adds to."""

    version: int
    received: datetime | None
    participants: tuple[Participant, ...]


@dataclass(frozen=True)
class Mark:
    """Where a receipt says it is a supplement."""

    word: str  # 补报, 增补 or 追加
    where: str  # 邮件主题, 附件名, 回执表, 邮件正文


def supplement_mark(receipt: Receipt) -> Mark | None:
    """The first place the receipt says it is a supplement, or None."""
    form = " ".join([receipt.title, receipt.meeting, *(r.participant.remark for r in receipt.rows)])
    for where, text in (
        ("邮件主题", receipt.subject),
        ("附件名", " ".join(receipt.filenames)),
        ("回执表", form),
        ("邮件正文", _QUOTED.sub("", receipt.body)),
    ):
        word = _word_in(text)
        if word:
            return Mark(word, where)
    return None


def _word_in(text: str) -> str:
    for match in re.finditer("|".join(WORDS), text or ""):
        before = text[max(0, match.start() - 4) : match.start()]
        if not any(c in before for c in _CONDITION):
            return match.group(0)
    return ""


def against_standing(
    verdict: Verdict, receipt: Receipt | None, standing: Standing | None, notice: Notice
) -> Verdict:
    """The verdict on a receipt given the roster that stands for its group (None: nothing stands)."""
    if receipt is None or verdict.status is Status.IGNORED or not verdict.province:
        return verdict
    mark = supplement_mark(receipt)
    if mark is None:
        return _replacement(verdict, standing)
    if standing is None or not standing.participants:
        return _with(verdict, problem("supplement_without_roster", word=mark.word, where=mark.where))
    known = on_roster(verdict.participants, standing.participants)
    if known or not verdict.participants:
        ambiguous = problem(
            "supplement_ambiguous",
            word=mark.word,
            where=mark.where,
            names=_names(known) or "回执中的人员",
            before=len(standing.participants),
            after=len(verdict.participants),
        )
        return _with(verdict, ambiguous)
    return _merged(verdict, standing, notice)


def on_roster(people: Sequence[Participant], roster: Sequence[Participant]) -> list[Participant]:
    """The people already on the roster: the same name, or the same mobile."""
    names = {p.name for p in roster if p.name}
    mobiles = {p.mobile for p in roster if p.mobile}
    return [p for p in people if (p.name and p.name in names) or (p.mobile and p.mobile in mobiles)]


def _names(people: Sequence[Participant]) -> str:
    names = "、".join(p.name or f"第 {p.row} 行" for p in people[:MAX_NAMES])
    return names + (f"等 {len(people)} 人" if len(people) > MAX_NAMES else "")


def _with(verdict: Verdict, found: Problem) -> Verdict:
    problems = [*verdict.problems, found]
    return replace(verdict, problems=problems, status=status_of(problems))


def _replacement(verdict: Verdict, standing: Standing | None) -> Verdict:
    """A whole roster: a note when it keeps nobody of the roster that stood."""
    if standing is None or not standing.participants or verdict.status is not Status.ACCEPTED:
        return verdict
    if not verdict.participants or on_roster(verdict.participants, standing.participants):
        return verdict
    found = problem(
        "roster_replaced_whole",
        before=len(standing.participants),
        names=_names(list(standing.participants)),
    )
    return _with(verdict, found)


def _merged(verdict: Verdict, standing: Standing, notice: Notice) -> Verdict:
    """The roster that stood, then the new people, judged as one roster."""
    province = notice.unit(verdict.province or "")
    program = notice.program(verdict.program) if verdict.program else None
    period = program.period(verdict.period) if program and verdict.period else None
    registered = [
        replace(p, registered=True, row=0, part="", unit_kind=unit_kind(p.unit, province, notice))
        for p in standing.participants
    ]
    people = [*registered, *verdict.participants]
    problems = [p for p in verdict.problems if p.code not in WHOLE_ROSTER_CODES]
    if program is not None and province is not None:
        problems += check_quotas(people, program, period, province, notice.unit_kinds)
    problems += leader_problems(people)
    return replace(
        verdict,
        participants=people,
        problems=problems,
        status=status_of(problems),
        reading=Reading.SUPPLEMENT,
    )
