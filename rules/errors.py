"""Errors that are part of the rules package's interface."""

from __future__ import annotations


class RulesError(Exception):
    """Base of every error raised on purpose by rules."""


class NoticeError(RulesError, ValueError):
    """The notice data file is invalid; `key` names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message
