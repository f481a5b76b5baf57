"""Choices the organizers make that the notice does not: severities and windows.  From [policy] in the config."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Late(StrEnum):
    """What a receipt received after its period's deadline is."""

    WARNING = "warning"  # registered, with a note to call the organizers
    ERROR = "error"  # rejected


@dataclass(frozen=True)
class Policy:
    late: Late = Late.WARNING  # a receipt after the deadline
    arrival_days_before: int = 3  # arrivals this many days before the start are fine
    arrival_days_after: int = 0  # ... and up to this many days after the end
    # province -> addresses ("a@b.cn") or domains ("@b.cn") allowed to submit for it
    senders: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "late", Late(self.late))
