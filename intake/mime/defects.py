"""What could not be decoded in a message, as short English notes (DecodedMessage.defects)."""

from __future__ import annotations

MAX_DEFECTS = 100


class Defects(list[str]):
    """The notes of one message, at most MAX_DEFECTS and then one saying more were left out."""

    def add(self, text: str) -> None:
        if len(self) < MAX_DEFECTS:
            self.append(text)
        elif len(self) == MAX_DEFECTS:
            self.append("more defects not recorded")
