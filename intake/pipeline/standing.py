"""The roster that stands, brought to the rules: a 补报 is judged with it (rules.supplement).

`process` judges a receipt alone; what stands for its province and period lives in the store.
The daemon (and the console) look it up and call `against_standing`, which hands both to the
rules: the service decides nothing about a supplement itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from intake.pipeline.process import Context, Outcome
from rules.supplement import Standing
from rules.supplement import against_standing as judge_against_standing
from rules.verdict import Status

# (program, period, province) -> the roster that stands for it, or None
StandingLookup = Callable[[str, int, str], Standing | None]


def against_standing(outcome: Outcome, ctx: Context, lookup: StandingLookup) -> Outcome:
    """The outcome with its verdict judged against the roster that stands for its group (if it is placed)."""
    verdict = outcome.verdict
    if outcome.receipt is None or verdict.status is Status.IGNORED:
        return outcome
    if not (verdict.program and verdict.period and verdict.province):
        return outcome
    standing = lookup(verdict.program, verdict.period, verdict.province)
    judged = judge_against_standing(verdict, outcome.receipt, standing, ctx.notice)
    return outcome if judged is verdict else replace(outcome, verdict=judged)
