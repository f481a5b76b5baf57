"""Reading TOML tables into frozen dataclasses, checked by the dataclass's own annotations.

read_section(MailboxConfig, table, "mailboxes[0]") refuses unknown keys and missing required
ones, and checks each value against its field's annotation: an Enum (a StrEnum choice) must be
one of its values ('mailboxes[0].security: "ssl" is not one of "tls", "starttls", "none"'), a
Literal likewise, a tuple is written as a list, a float may be written as a whole number, a
str / int / bool must be just that.  So a new choice-valued field is checked at load by
annotating it with its enum, with no code here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args, get_origin, get_type_hints

from intake.config.choices import check_choice, parse_choice
from intake.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def read_section(cls: type[T], table: object, where: str) -> T:
    """An instance of the dataclass cls from the TOML table found at `where`."""
    if not isinstance(table, dict):
        raise ConfigError(where, "expected a table")
    known = {f.name: f for f in fields(cls) if f.init and not f.metadata.get("loaded")}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}.{key}", "unknown key")
    for name, field in known.items():
        if name not in table and _required(field):
            raise ConfigError(f"{where}.{name}", "missing")
    hints = get_type_hints(cls)
    values = {key: read_value(hints[key], value, f"{where}.{key}") for key, value in table.items()}
    return cls(**values)


def _required(field: Field[Any]) -> bool:
    return field.default is MISSING and field.default_factory is MISSING


def read_value(hint: object, value: object, key: str) -> object:
    """value checked against the annotation hint (and a list made a tuple, an int a float)."""
    if isinstance(hint, type) and issubclass(hint, Enum):
        return parse_choice(hint, value, key)
    origin = get_origin(hint)
    if origin is Literal:
        check_choice(key, value, get_args(hint))
        return value
    if origin in _CONTAINERS:
        return _CONTAINERS[origin](value, key)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(hint, type) and type(value) is not hint:
        raise ConfigError(key, f"expected {hint.__name__}, got {type(value).__name__}")
    return value  # an annotation not checked here (a union, say): the loader checks it


def _tuple(value: object, key: str) -> tuple[object, ...]:
    if not isinstance(value, list):
        raise ConfigError(key, f"expected a list, got {type(value).__name__}")
    return tuple(value)


def _table(value: object, key: str) -> object:
    return value  # a table of its own ([senders], [organizers]): read by its loader


_CONTAINERS: Mapping[object, Callable[[object, str], object]] = {tuple: _tuple, dict: _table}


def read_addresses(
    table: object, where: str, valid_key: Callable[[str], bool], why: str
) -> dict[str, tuple[str, ...]]:
    """A table of key = ["a@b.cn", ...], as [organizers] and [contacts] are written.

    valid_key(key) says whether a key may be there; why is the message when it may not.
    """
    if not isinstance(table, dict):
        raise ConfigError(where, "expected a table")
    addresses = {}
    for key, value in table.items():
        if not valid_key(key):
            raise ConfigError(f"{where}.{key}", why)
        if not isinstance(value, list) or not all(
            isinstance(a, str) and "@" in a.strip()[1:-1] for a in value
        ):
            raise ConfigError(f"{where}.{key}", 'expected a list of addresses ("name@example.cn")')
        addresses[key] = tuple(a.strip() for a in value)
    return addresses
