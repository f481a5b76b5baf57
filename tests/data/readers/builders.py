"""Small builders for reader tests: minimal xlsx/docx packages and hand-made zips.

Hand-made zips (raw_zip) let a test put any name bytes, flags and declared
sizes in an archive, which zipfile's writer will not do, and carry a bomb's
compressed stream without ever inflating it.
"""

from __future__ import annotations

import io
import re
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from intake.errors import UnreadableAttachment
from tests.guard import finishes

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
)
# Cell styles: 1 = date (numFmt 14), 2 = "yyyy-mm-dd hh:mm", 3 = duration "[h]:mm:ss" (numFmt 46).
DATE_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="46" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def zip_bytes(members: dict[str, bytes | str], level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def cell(ref: str, value: object, style: int | None = None) -> str:
    s = f' s="{style}"' if style is not None else ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"{s}><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


def sheet_xml(rows: str, merges: Sequence[str] = (), dimension: str | None = None, prolog: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merge = (
        (
            f'<mergeCells count="{len(merges)}">'
            + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
            + "</mergeCells>"
        )
        if merges
        else ""
    )
    head = prolog or '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return f'{head}<worksheet xmlns="{MAIN}" xmlns:r="{REL}">{dim}<sheetData>{rows}</sheetData>{merge}</worksheet>'


XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def xlsx_bytes(
    sheets: Sequence[tuple[str, str] | tuple[str, str, str]],
    shared_strings: str | None = None,
    styles: str | None = DATE_STYLES,
    level: int = 6,
    main_type: str = XLSX_MAIN,
) -> bytes:
    """sheets: (name, sheet XML[, state]).  The parts a real reader needs and nothing else."""
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>']
    rels = []
    entries = []
    members: dict[str, bytes | str] = {}
    for i, sheet in enumerate(sheets, 1):
        name, xml = sheet[0], sheet[1]
        state = f' state="{sheet[2]}"' if len(sheet) > 2 else ""
        members[f"xl/worksheets/sheet{i}.xml"] = xml
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_CT}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        entries.append(f'<sheet name="{escape(name)}" sheetId="{i}"{state} r:id="rId{i}"/>')
    if shared_strings is not None:
        members["xl/sharedStrings.xml"] = shared_strings
        overrides.append(
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    if styles is not None:
        members["xl/styles.xml"] = styles
        overrides.append(
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/>'
        )
        rels.append(f'<Relationship Id="rIdY" Type="{REL}/styles" Target="styles.xml"/>')
    members["[Content_Types].xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>"
    )
    members["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    members["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        f"<sheets>{''.join(entries)}</sheets></workbook>"
    )
    members["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
        f'xmlns="{PKG_REL}">{"".join(rels)}</Relationships>'
    )
    order = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    return zip_bytes({k: members[k] for k in order + [k for k in members if k not in order]}, level)


def docx_bytes(body: str, prolog: str = "") -> bytes:
    head = prolog or '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    document = f'{head}<w:document xmlns:w="{W}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    return zip_bytes(
        {
            "[Content_Types].xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT}">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.document.main+xml"/></Types>'
            ),
            "_rels/.rels": (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
                f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
                "</Relationships>"
            ),
            "word/document.xml": document,
        }
    )


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def tc(text: str, props: str = "") -> str:
    return f"<w:tc>{'<w:tcPr>' + props + '</w:tcPr>' if props else ''}{para(text)}</w:tc>"


def table(rows: list[str]) -> str:
    return "<w:tbl><w:tblPr/>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"


@dataclass
class RawMember:
    name: bytes
    data: bytes  # as stored: deflated when method is 8
    crc: int
    size: int  # declared uncompressed size
    method: int = 8
    flags: int = 0


def member(name: str | bytes, content: bytes, flags: int = 0) -> RawMember:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = packer.compress(content) + packer.flush()
    raw_name = name.encode("utf-8") if isinstance(name, str) else name
    return RawMember(raw_name, data, zlib.crc32(content), len(content), flags=flags)


def raw_zip(members: list[RawMember]) -> bytes:
    """A zip written byte by byte: names, flags and declared sizes exactly as given."""
    out = bytearray()
    central = bytearray()
    for m in members:
        offset = len(out)
        out += (
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                m.flags,
                m.method,
                0,
                0x21,
                m.crc,
                len(m.data),
                m.size,
                len(m.name),
                0,
            )
            + m.name
            + m.data
        )
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                m.flags,
                m.method,
                0,
                0x21,
                m.crc,
                len(m.data),
                m.size,
                len(m.name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + m.name
        )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def zeros_member(name: str, megabytes: int) -> RawMember:
    """megabytes MiB of zeros, deflated without ever holding them: one self-contained
    deflate block for 1 MiB (ended by a full flush) repeated, then a final empty block."""
    chunk = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return RawMember(name.encode(), block * megabytes + final, crc, megabytes << 20)


# What a reader's detail says when its own time limit stopped it: the sandbox killed the worker
# ("pdf_text: not done after 8 s"), LibreOffice's conversion was killed ("conversion not done
# after 4 s") or the worker gave up at its deadline ("OCR time limit reached", "took too long").
TIME_LIMIT = re.compile(r"not done after \d+ s|time limit reached|took too long")


def unreadable(call: Callable[[], object], reason: str, *, megabytes: float = 200.0) -> UnreadableAttachment:
    """Run call, expect UnreadableAttachment(reason) within the Python-heap budget.

    The reason is what shows the reader stopped early; a hang is caught by tests.guard's
    deadlock guard, never by timing the call (speed is measured in bench/).
    """
    tracemalloc.start()
    try:
        finishes(call, f"reading for UnreadableAttachment({reason!r})")
    except UnreadableAttachment as exc:
        error = exc
    else:
        raise AssertionError(f"expected UnreadableAttachment({reason!r}), got a result")
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert error.reason == reason, f"reason {error.reason!r} ({error.detail})"
    assert peak < megabytes, f"peak Python heap {peak:.0f} MiB"
    return error
