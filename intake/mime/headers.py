"""Header, charset and transfer-encoding helpers: what mail clients really send, made clean.

Everything here is pure and total: no function raises on bad input.  Raw header
values come from the stdlib parser as str in which undeclared 8-bit bytes are
surrogate escapes; `header_text` turns those back into characters (utf-8 when
valid, else gb18030) and `decode_words` decodes RFC 2047 encoded words, also
inside quotes and split across folded lines.  `get_param` reads MIME
parameters including RFC 2231 continuations.  `decode_base64` and
`decode_quoted_printable` decode a body only up to a byte limit.
"""

from __future__ import annotations

import binascii
import codecs
import re
from email.utils import getaddresses
from urllib.parse import unquote_to_bytes

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

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SPACES = re.compile(r"[\t\n\v\f\r \x85\u2028\u2029]+")
# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, LRM/RLM/ALM, BOM,
# lone surrogates and the two non-characters.
_CONTROLS = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f"
    "\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,80})\?([bBqQ])\?([^?]*)\?=")
_MSGID = re.compile(r"<([^<>\s]+)>")
_BARE_LOCAL = re.compile(r"[A-Za-z0-9._+=-]+")
_B64_NOISE = re.compile(rb"[^A-Za-z0-9+/=]+")
_B64_INVALID = re.compile(rb"[^A-Za-z0-9+/=\s]")
_CHUNK = 1 << 20  # characters of an encoded body decoded at a time
_MAX_PARAMS_CHARS = 32_768  # of a structured header parsed for parameters


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


def raw_to_bytes(value: str) -> bytes:
    """Bytes of a raw header value as read by the bytes parser (surrogate escapes undone)."""
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def header_text(value: object) -> str:
    """A raw header value as str: unfolded, undeclared 8-bit bytes decoded, encoded words intact."""
    if not isinstance(value, str):
        value = str(value)
    if not value.isascii():
        value = decode_bytes(raw_to_bytes(value))[0]
    return _FOLD.sub("", value)


def one_line(text: str) -> str:
    """Control characters removed, every run of whitespace or line breaks made one space."""
    return _SPACES.sub(" ", _CONTROLS.sub("", text)).strip()


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    data = payload.encode("ascii", "ignore")
    try:
        if encoding in "bB":
            data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
            if len(data) % 4 == 1:
                data = data[:-1]
            return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
        return binascii.a2b_qp(data, header=True)
    except (binascii.Error, ValueError):
        return None


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words anywhere in text (also inside quotes).

    Whitespace between adjacent encoded words is dropped, and the bytes of
    adjacent words in the same charset are joined before decoding, so a
    multi-byte character split across two words comes through whole.
    """
    if "=?" not in text:
        return text
    out: list[str] = []
    run: list[tuple[str | None, bytes]] = []  # adjacent decoded words not yet turned into text
    pos = 0

    def flush() -> None:
        joined: list[tuple[str | None, bytearray]] = []
        for codec, data in run:
            if joined and joined[-1][0] == codec:
                joined[-1][1].extend(data)
            else:
                joined.append((codec, bytearray(data)))
        out.extend(decode_bytes(bytes(data), codec)[0] for codec, data in joined)
        run.clear()

    for match in _ENCODED_WORD.finditer(text):
        between = text[pos : match.start()]
        data = _word_bytes(match.group(2), match.group(3))
        if data is None:  # undecodable word: keep it literally
            continue
        if between and (between.strip() or not run):
            flush()
            out.append(between)
        codec = normalize_charset(match.group(1)) or match.group(1).lower().split("*", 1)[0]
        run.append((codec, data))
        pos = match.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def decode_header(value: object) -> str:
    """A raw header value fully decoded and made one clean line."""
    return one_line(decode_words(header_text(value)))


def _split_params(text: str) -> list[str]:
    """Split a header on ';' outside double quotes; quotes and escapes are kept."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == '"':
        end = len(value) - 1 if value.endswith('"') else len(value)
        return re.sub(r"\\(.)", r"\1", value[1:end])
    return value.strip('"')


def parse_params(raw: object) -> tuple[str, dict[str, str], dict[str, dict[int, tuple[str, bool]]]]:
    """(main value lower-case, plain params, RFC 2231 params by name then segment)."""
    parts = _split_params(header_text(raw)[:_MAX_PARAMS_CHARS])
    main = one_line(parts[0]).lower()
    plain: dict[str, str] = {}
    extended: dict[str, dict[int, tuple[str, bool]]] = {}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        key = one_line(key).lower()
        if not sep or not key:
            continue
        match = re.fullmatch(r"([^*]+)\*(?:(\d{1,3})\*?)?", key)
        if match:
            star = key.endswith("*")
            index = int(match.group(2)) if match.group(2) is not None else 0
            extended.setdefault(match.group(1), {}).setdefault(index, (_unquote(value), star))
        else:
            plain.setdefault(key, _unquote(value))
    return main, plain, extended


def _join_rfc2231(segments: dict[int, tuple[str, bool]]) -> str:
    data = bytearray()
    charset: str | None = None
    for position, index in enumerate(sorted(segments)):
        value, is_encoded = segments[index]
        if position == 0 and is_encoded and value.count("'") >= 2:
            label, _lang, value = value.split("'", 2)
            charset = label or None
        if is_encoded:
            data.extend(unquote_to_bytes(value.encode(normalize_charset(charset) or "utf-8", "replace")))
        else:
            data.extend(value.encode("utf-8", "replace"))
    return decode_bytes(bytes(data), charset)[0]


def get_param(raw: object, name: str) -> str | None:
    """A decoded parameter of a structured header (RFC 2231 preferred over plain), or None."""
    _main, plain, extended = parse_params(raw)
    name = name.lower()
    if name in extended:
        return one_line(_join_rfc2231(extended[name]))
    if name in plain:
        return one_line(decode_words(plain[name]))
    return None


def _plausible_address(address: str) -> bool:
    if not address or len(address) > 320 or any(c in address for c in ' <>,;"\\()[]'):
        return False
    return "@" in address or bool(_BARE_LOCAL.fullmatch(address))


def parse_addresses(values: list[str]) -> list[tuple[str, str]]:
    """(decoded display name, lower-case address) for every plausible address in the raw values."""
    texts = [header_text(v).replace("\r", " ").replace("\n", " ") for v in values]
    try:
        pairs = getaddresses(texts)
    except Exception:  # noqa: BLE001 - the stdlib parser has raised on odd input before
        return []
    result = []
    for name, address in pairs:
        address = one_line(address).lower()
        if _plausible_address(address):
            result.append((decode_header(name), address))
    return result


def parse_msgids(value: str) -> list[str]:
    """Message ids without <>; a bare id when the header has no angle brackets."""
    ids = _MSGID.findall(value)
    if ids:
        return ids
    return [token.strip("<>") for token in value.split() if token.strip("<>")]


def _cut(data: bytearray | bytes, limit: int) -> tuple[bytes, bool]:
    return (bytes(data[: limit + 1]), True) if len(data) > limit else (bytes(data), False)


def decode_base64(payload: str, limit: int) -> tuple[bytes, bool, list[str]]:
    """(data, truncated, defect notes): decoded a chunk at a time, never more than limit+1 bytes.

    Characters outside the alphabet are skipped; decoding stops at the first padding, so a
    footer a mailing list appended after the data is ignored.
    """
    out = bytearray()
    pending = b""
    notes: list[str] = []
    for start in range(0, len(payload), _CHUNK):
        chunk = raw_to_bytes(payload[start : start + _CHUNK])
        if not notes and _B64_INVALID.search(chunk):
            notes.append("invalid characters in base64")
        cleaned = _B64_NOISE.sub(b"", chunk)
        pad = cleaned.find(b"=")
        data = pending + (cleaned if pad < 0 else cleaned[:pad])
        usable = len(data) - len(data) % 4
        out += binascii.a2b_base64(data[:usable])
        pending = data[usable:]
        if len(out) > limit or pad >= 0:
            break
    if len(out) <= limit and len(pending) == 1:
        notes.append("base64 length invalid; last character dropped")
    elif len(out) <= limit and pending:
        out += binascii.a2b_base64(pending + b"=" * (4 - len(pending)))
    return (*_cut(out, limit), notes)


def decode_quoted_printable(payload: str, limit: int) -> tuple[bytes, bool]:
    """(data, truncated): decoded a chunk of whole lines at a time, never more than limit+1 bytes."""
    out = bytearray()
    start = 0
    while start < len(payload) and len(out) <= limit:
        end = payload.find("\n", start + _CHUNK)
        end = len(payload) if end < 0 else end + 1
        out += binascii.a2b_qp(raw_to_bytes(payload[start:end]))
        start = end
    return _cut(out, limit)
