"""Backoff: the reconnect delay for a lost mailbox."""

from __future__ import annotations

import random
from typing import TypedDict

import pytest

from intake.mailbox.backoff import Backoff


def test_grows_exponentially_and_caps_without_jitter() -> None:
    backoff = Backoff(base=1, cap=300, jitter=0)
    delays = [backoff.next_delay() for _ in range(12)]
    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert backoff.attempts == 12


def test_jitter_stays_within_bounds_and_cap() -> None:
    backoff = Backoff(base=1, cap=300, jitter=0.5, rng=random.Random(7))
    for attempt in range(2000):  # far past the cap: no overflow
        ceiling = min(300.0, 2.0 ** min(attempt, 64))
        delay = backoff.next_delay()
        assert ceiling * 0.5 <= delay <= ceiling
    assert backoff.next_delay() <= 300


def test_jitter_spreads_delays() -> None:
    a = Backoff(jitter=0.5, rng=random.Random(1))
    b = Backoff(jitter=0.5, rng=random.Random(2))
    assert [a.next_delay() for _ in range(5)] != [b.next_delay() for _ in range(5)]


def test_reset_starts_again_from_base() -> None:
    backoff = Backoff(base=2, cap=60, jitter=0)
    for _ in range(10):
        backoff.next_delay()
    assert backoff.peek() == 60
    backoff.reset()
    assert backoff.attempts == 0
    assert backoff.next_delay() == 2
    assert backoff.next_delay() == 4


class BackoffParameters(TypedDict, total=False):
    base: float
    cap: float
    jitter: float


@pytest.mark.parametrize("kwargs", [dict(base=0), dict(base=10, cap=5), dict(jitter=1.5), dict(jitter=-0.1)])
def test_rejects_bad_parameters(kwargs: BackoffParameters) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)
