"""What the files around a receipt decide: a form that is missing, files that could not be read.  Pure.

A message with no receipt is rejected with the reason: each file that could not be read, or, when
every file was read, the missing form.  Beside a receipt that was read, an unreadable file is only a
warning, and an unreadable PDF or image is nothing at all: it is the stamped scan kept as the record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from rules.problems import UnreadableReason, problem, unreadable
from rules.receipt import Receipt
from rules.verdict import Problem, Severity

WHOLE_MESSAGE = "（整封邮件）"  # the file name given for a message too large to fetch

# Files that are only ever a record (a stamped scan) when an editable receipt is also present.
_RECORD_ONLY = re.compile(r"\.(pdf|jpe?g|png|gif|bmp|tiff?|heic)$", re.I)


def is_record_name(filename: str) -> bool:
    """A PDF or an image by its name: a stamped scan is usually the record beside an editable receipt."""
    return bool(_RECORD_ONLY.search(filename))


@dataclass(frozen=True)
class UnreadableFile:
    """A file that could not be read into a table."""

    filename: str  # as the sender named it; "outer.zip/inner.xlsx" for a member of a zip
    reason: UnreadableReason

    @property
    def is_record(self) -> bool:
        return is_record_name(PurePosixPath(self.filename).name)


def without_receipt(files: Sequence[UnreadableFile]) -> list[Problem]:
    """No receipt was found: each unreadable file is an error, or, when there is none, the form is missing."""
    return [unreadable(f.filename, f.reason) for f in files] or [problem("no_form")]


def empty_roster(receipt: Receipt) -> list[Problem]:
    """A form was found, but no participant in it."""
    return [] if receipt.rows else [problem("no_form")]


def beside_receipt(files: Sequence[UnreadableFile]) -> list[Problem]:
    """A receipt was read: other unreadable files are warnings, and scans or PDFs are the record."""
    return [unreadable(f.filename, f.reason, severity=Severity.WARNING) for f in files if not f.is_record]
