"""Errors that are part of the rules package's interface."""

from __future__ import annotations


class RulesError(Exception):
    """Base of every error raised on purpose by rules."""


class NoticeError(RulesError, ValueError):
    """The notice data file is invalid.

    key names the offending key (``programs[0].periods[1].provinces``) or the file that could
    not be read; message says what is wrong with it.  ``args`` is ``(key, message)``, so the
    error survives pickling (a worker process hands it back whole).
    """

    key: str
    message: str

    def __init__(self, key: str, message: str) -> None:
        super().__init__(key, message)
        self.key = key
        self.message = message

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"
