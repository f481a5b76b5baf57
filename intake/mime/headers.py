"""Header helpers: what mail clients really send, made clean.

Everything here is pure and total: no function raises on bad input.  Raw header
values come from the stdlib parser as str in which undeclared 8-bit bytes are
surrogate escapes; `header_text` turns those back into characters (utf-8 when
valid, else gb18030) and `decode_words` decodes RFC 2047 encoded words, also
inside quotes and split across folded lines.  `get_param` reads MIME
parameters including RFC 2231 continuations.  Charsets are in charsets.py,
body transfer encodings in transfer.py.
"""

from __future__ import annotations

import binascii
import re
from email.utils import getaddresses
from urllib.parse import unquote_to_bytes

from intake.mime.charsets import decode_bytes, normalize_charset, raw_to_bytes

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
_MAX_PARAMS_CHARS = 32_768  # of a structured header parsed for parameters


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
    escaped = ""  # adjacent percent-encoded segments, joined first: a server may cut inside "%D6"
    for position, index in enumerate(sorted(segments)):
        value, is_encoded = segments[index]
        if position == 0 and is_encoded and value.count("'") >= 2:
            label, _lang, value = value.split("'", 2)
            charset = label or None
        if is_encoded:
            escaped += value
            continue
        data.extend(_unescape(escaped, charset) + value.encode("utf-8", "replace"))
        escaped = ""
    data.extend(_unescape(escaped, charset))
    return decode_bytes(bytes(data), charset)[0]


def _unescape(escaped: str, charset: str | None) -> bytes:
    return (
        unquote_to_bytes(escaped.encode(normalize_charset(charset) or "utf-8", "replace")) if escaped else b""
    )


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
