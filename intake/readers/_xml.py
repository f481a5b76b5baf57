"""XML for readers: no DTD, ever, then the fast C parser.

Office XML never carries a DTD; a DTD is how entity bombs ("billion laughs")
and external entities get in.  refuse_dtd reads only the prolog (it stops at
the root element), and after it the stdlib C iterparse is safe to use and far
faster than defusedxml's pure-Python tree builder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError, iterparse
from xml.parsers import expat

from intake.errors import UnreadableAttachment


class _Root(Exception):
    pass


class _Doctype(Exception):
    pass


def refuse_dtd(stream: IO[bytes], what: str, filename: str) -> None:
    """Raise UnreadableAttachment(corrupt) if the XML in stream declares a DTD."""
    parser = expat.ParserCreate()

    def on_doctype(*_args: object) -> None:
        raise _Doctype

    def on_root(*_args: object) -> None:
        raise _Root

    parser.StartDoctypeDeclHandler = on_doctype
    parser.StartElementHandler = on_root
    while chunk := stream.read(65536):
        try:
            parser.Parse(chunk, False)
        except _Root:
            return
        except _Doctype:
            raise UnreadableAttachment(filename, "corrupt", f"{what} declares a DTD") from None
        except expat.ExpatError:
            return  # malformed: the real parser will say so, or the part is never parsed


def iterparse_safe(
    open_stream: Callable[[], IO[bytes]], what: str, filename: str
) -> Iterator[tuple[str, Element]]:
    """("start"|"end", element) events of a stream opened twice: once to refuse a DTD, once to parse."""
    with open_stream() as stream:
        refuse_dtd(stream, what, filename)
    with open_stream() as stream:
        try:
            yield from iterparse(stream, ("start", "end"))
        except ParseError as exc:
            raise UnreadableAttachment(filename, "corrupt", f"{what}: {exc}") from exc


def drop_read(parent: Element, element: Element) -> None:
    """Free element, already read, and its earlier siblings (read before it) from parent.

    iterparse builds the whole tree; dropping what was read keeps memory at
    about one row.  The parser may be ahead, so later siblings can already be
    there: only the prefix up to element goes.
    """
    element.clear()
    for index, child in enumerate(parent):
        if child is element:
            del parent[: index + 1]
            return
