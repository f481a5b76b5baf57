"""The reader interface: what the registry asks of every file format.

A reader says whether it reads a file (``can_read``, from its name and its
bytes: head is the whole attachment, though most readers look only at its
first bytes) and reads it into grids (``read``), raising UnreadableAttachment
for a file it recognised but cannot read.  Any other exception from ``read``
is turned into a "corrupt" refusal by the registry; one from ``can_read``
is logged and the next reader is tried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from intake.readers.grid import Grid
from intake.readers.limits import Limits

CanRead = Callable[[str, bytes], bool]
Read = Callable[[bytes, str, Limits], list[Grid]]


class Reader(Protocol):
    """One file format (or a family of them) read into grids."""

    @property
    def label(self) -> str:
        """A short name for logs and refusal details: "xlsx", "pdf", "archive"."""
        ...

    def can_read(self, name: str, head: bytes) -> bool:
        """Is this file (name, and its bytes) one this reader reads?"""
        ...

    def read(self, data: bytes, name: str, limits: Limits) -> list[Grid]:
        """The grids of every table in the file, or UnreadableAttachment; [] when it holds no table."""
        ...


@dataclass(frozen=True)
class FormatReader:
    """A Reader made of a format module's two functions: ``FormatReader("xlsx", xlsx.can_read, xlsx.read)``."""

    label: str
    sniff: CanRead
    parse: Read

    def can_read(self, name: str, head: bytes) -> bool:
        return self.sniff(name, head)

    def read(self, data: bytes, name: str, limits: Limits) -> list[Grid]:
        return self.parse(data, name, limits)
