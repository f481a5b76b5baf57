"""What several commands share: reading a time given on the command line."""

from __future__ import annotations

from datetime import datetime

from intake.config.settings import Config


def parse_when(text: str, config: Config) -> datetime:
    """ISO 8601; a time without a zone is in the notice's zone."""
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=config.notice.timezone)
