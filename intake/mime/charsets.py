"""Charsets as Chinese mail clients label them: every GB label read as gb18030, text bytes decoded
strictly first and then by guess (utf-8, gb18030).  Pure and total: nothing here raises on bad input."""

from __future__ import annotations

import codecs

# Every GB label decodes as gb18030: it is a superset of gb2312 and gbk, so that
# 喆, 堃 and other characters outside GB2312 come through whole even when the
# sender's client labelled the text gb2312.
_GB_LABELS = frozenset(
    {
        "gb2312",
        "gb_2312",
        "gb_2312-80",
        "gbk",
        "x-gbk",
        "cp936",
        "ms936",
        "windows-936",
        "gb18030",
        "gb18030-2000",
        "gb18030-2005",
        "gb18030-2022",
        "euc-cn",
        "euccn",
        "x-euc-cn",
        "csgb2312",
        "csgbk",
        "chinese",
        "iso-ir-58",
        "csiso58gb231280",
        "x-cp20936",
        "cp20936",
    }
)
_UTF8_LABELS = frozenset({"utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode20utf8"})
# Labels that say nothing about the bytes: treat as undeclared.
_UNDECLARED = frozenset(
    {
        "",
        "unknown-8bit",
        "x-unknown",
        "unknown",
        "default",
        "us-ascii",
        "ascii",
        "ansi_x3.4-1968",
        "iso646-us",
        "x-user-defined",
        "8bit",
        "7bit",
        "binary",
    }
)


def normalize_charset(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when it is absent or unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower().split("*", 1)[0].strip()
    if name in _GB_LABELS or name.startswith("gb2312") or name.startswith("gbk"):
        return "gb18030"
    if name in _UTF8_LABELS:
        return "utf-8"
    if name in _UNDECLARED or len(name) > 40:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # zlib, base64, rot13...: not a character set
    if info.name in ("gb2312", "gbk", "gb18030"):
        return "gb18030"
    return info.name


def decode_bytes(data: bytes, charset: str | None = None) -> tuple[str, bool]:
    """Decode text bytes; returns (text, clean).

    A known charset is tried strictly first; then utf-8, then gb18030; when all
    fail, the declared charset (or gb18030) with replacement characters, and
    clean is False.
    """
    codec = normalize_charset(charset)
    if codec in _LATIN and not data.isascii():
        codec = _chinese_under_latin_label(data) or codec
    tried: list[str] = []
    for candidate in (codec, "utf-8", "gb18030"):
        if candidate is None or candidate in tried:
            continue
        tried.append(candidate)
        try:
            return data.decode(candidate), True
        except (UnicodeDecodeError, LookupError, ValueError, TypeError):
            continue
    try:
        return data.decode(codec or "gb18030", "replace"), False
    except (LookupError, ValueError, TypeError):
        return data.decode("gb18030", "replace"), False


# Single-byte labels a misconfigured client puts on GBK or UTF-8 text: every byte decodes, so the
# label alone would turn 姓名 into mojibake.
_LATIN = frozenset({"latin-1", "iso8859-1", "cp1252", "iso8859-15"})
_MIN_HAN = 2  # Han characters that make a Latin-labelled text Chinese


def _chinese_under_latin_label(data: bytes) -> str | None:
    """utf-8 or gb18030 when the bytes are Chinese text under a Latin label, else None.

    UTF-8 is taken when it decodes strictly; gb18030 only when every non-ASCII character it gives
    is Chinese (Han or CJK punctuation and full-width forms) and there are a few Han characters:
    French or German text under the same label decodes to odd symbols or fails.
    """
    for codec in ("utf-8", "gb18030"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        wide = [c for c in text if ord(c) > 0x7F]
        han = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff")
        if codec == "utf-8" or (han >= _MIN_HAN and all(_chinese(c) for c in wide)):
            return codec
    return None


def _chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"


_UTF8_BODY_CHARS = 8  # non-ASCII characters of valid UTF-8 that outweigh a GB label on a body


def body_charset(data: bytes, declared: str | None) -> str | None:
    """The charset to read a text body with: the declared one, except UTF-8 text under a GB label.

    Some webmail and phone clients label UTF-8 bodies GBK or gb2312; read as gb18030 (which accepts
    almost any bytes) 姓名 becomes 濮撳悕.  GBK text is valid UTF-8 only by rare chance, and never
    for long: a body that decodes strictly as UTF-8 with several non-ASCII characters is UTF-8.
    Headers are not guessed so: a three-character name may be valid in both.
    """
    if normalize_charset(declared) != "gb18030" or data.isascii():
        return declared
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return declared
    return "utf-8" if sum(1 for c in text if ord(c) > 0x7F) >= _UTF8_BODY_CHARS else declared


def raw_to_bytes(value: str) -> bytes:
    """Bytes of a raw header value as read by the bytes parser (surrogate escapes undone)."""
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")
