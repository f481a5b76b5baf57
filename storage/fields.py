"""Values as the store keeps them in JSON, read back: text, optional numbers, arrival and receipt times.

Shared by the typed records (records.py, versions.py, notes.py); a value of the wrong type reads as
absent, never as an error (stores written by older versions load unchanged).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

Json = dict[str, Any]  # one stored JSON document

_ISO_ARRIVAL = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::\d{2})?)?(?:\s*\S{1,3})?$"
)


def text_of(value: object) -> str:
    return str(value) if value else ""


def optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def optional_text(value: object) -> str | None:
    return str(value) if value is not None else None


def parse_arrival(value: object) -> datetime | date | None:
    """An ISO 8601 arrival as stored ("2023-07-14T15:30", "2023-07-14", "2023-07-14 下午"), else None."""
    text = value.strip() if isinstance(value, str) else ""
    m = _ISO_ARRIVAL.match(text)
    if not m:
        return None
    try:
        day = date.fromisoformat(m["day"])
        return datetime.combine(day, time(int(m["h"]), int(m["mi"]))) if m["h"] else day
    except ValueError:
        return None


def parse_received(value: object) -> datetime | None:
    """A stored receipt time (ISO 8601, aware) as a datetime; a naive one is read as UTC; None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
