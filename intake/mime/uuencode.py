"""Files uuencoded inside a text body, as Outlook Express, old Foxmail and some OA mail gateways send
them: ``begin 644 回执.xlsx``, lines of uuencoded data, a line of one backquote, ``end``.

Pure and total: a block that is cut short or damaged gives what decoded before the damage; the
body keeps everything that is not a block.  The file name is in the sender's charset (GBK), decoded
as a header's undeclared bytes are.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

from intake.mime.charsets import decode_bytes

_BEGIN = re.compile(rb"^begin [0-7]{3,4} ([^\r\n]{1,255})\r?$", re.M)
_END = re.compile(rb"^end\r?$", re.M)
_MAX_FILES = 20


@dataclass(frozen=True)
class UuFile:
    filename: str
    data: bytes


def take_uuencoded(body: bytes) -> tuple[bytes, list[UuFile]]:
    """(the body without its uuencoded blocks, the files they held)."""
    if b"begin " not in body:
        return body, []
    files: list[UuFile] = []
    kept: list[bytes] = []
    position = 0
    while len(files) < _MAX_FILES:
        begin = _BEGIN.search(body, position)
        if begin is None:
            break
        end = _END.search(body, begin.end())
        stop = end.start() if end else len(body)
        lines = body[begin.end() : stop].splitlines()
        data = _decode_lines(lines)
        if not data:
            kept.append(body[position : begin.end()])  # not a uuencoded block after all
            position = begin.end()
            continue
        kept.append(body[position : begin.start()])
        name = decode_bytes(begin.group(1).strip())[0].strip().strip('"')
        files.append(UuFile(re.split(r"[\\/]", name)[-1], data))
        position = end.end() if end else len(body)
    kept.append(body[position:])
    return b"".join(kept), files


_UU_LINE = re.compile(rb"[\x20-\x60]{1,90}")


def _decode_lines(lines: list[bytes]) -> bytes:
    """The data of a block's lines; nothing when a line is not uuencoded (words, not a file)."""
    out = bytearray()
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            continue
        if line in (b"`", b" "):
            break
        if not _UU_LINE.fullmatch(line):
            return b""
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            try:  # some encoders write lines a few characters short or long
                out += binascii.a2b_uu(line[: ((line[0] - 32) & 63) * 4 // 3 + 5])
            except binascii.Error:
                break
    return bytes(out)
