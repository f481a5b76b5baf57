"""The choice-valued settings as enums, and the one check every choice goes through.

StrEnum, so a member equals its TOML string ("tls" == Security.TLS) and prints as it.
The config loader (intake.config.sections) checks a field annotated with one of these once,
at load; the mailbox sources check their own arguments with parse_choice too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import Enum, StrEnum
from typing import TypeVar

from intake.errors import ConfigError

E = TypeVar("E", bound=Enum)


class MailboxKind(StrEnum):
    """[[mailboxes]] kind: where the messages are read."""

    IMAP = "imap"
    MAILDIR = "maildir"


class Security(StrEnum):
    """How a connection to a mail server is protected ([[mailboxes]] and [outbox] security)."""

    TLS = "tls"  # implicit TLS (IMAP 993, SMTP 465)
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS, which is required
    NONE = "none"  # plain text: loopback test servers only


class ProcessedAction(StrEnum):
    """[[mailboxes]] processed_action: what is done to a processed submission."""

    NONE = "none"
    MOVE = "move"  # to the folder processed_target
    KEYWORD = "keyword"  # add the keyword processed_target


class OutboxKind(StrEnum):
    """[outbox] kind: how replies leave."""

    FILE = "file"  # written as .eml files into deliver_to
    SMTP = "smtp"  # sent through the SMTP server


class StopAfter(StrEnum):
    """[digest] stop_after: the last day a period gets digests."""

    DEADLINE = "deadline"  # the day after its deadline
    END = "end"  # its last day
    NEVER = "never"


def quoted(values: Iterable[object]) -> str:
    """Values as TOML writes them, comma separated: '"tls", "starttls", "none"'."""
    return ", ".join(
        json.dumps(str(v) if isinstance(v, Enum) else v, ensure_ascii=False, default=str) for v in values
    )


def choice_error(key: str, value: object, allowed: Iterable[object]) -> ConfigError:
    """ConfigError('key', '"ssl" is not one of "tls", "starttls", "none"')."""
    return ConfigError(key, f"{quoted([value])} is not one of {quoted(allowed)}")


def check_choice(key: str, value: object, allowed: Iterable[object]) -> None:
    """Raise choice_error unless value is one of allowed."""
    options = tuple(allowed)
    if value not in options:
        raise choice_error(key, value, options)


def parse_choice(choices: type[E], value: object, key: str) -> E:
    """The member of the enum `choices` whose value is `value`, else ConfigError naming key."""
    try:
        return choices(value)
    except ValueError:
        raise choice_error(key, value, (member.value for member in choices)) from None
