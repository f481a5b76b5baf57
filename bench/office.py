"""Office files for the load: LibreOffice converts xlsx -> xls (BIFF8, also what WPS .et is) and
HTML -> docx, all files of a kind in one soffice call; results are cached by content hash in
~/.cache/intake-bench/office, so a second run with the same seed does not start LibreOffice.

mode "fixtures" (or "auto" without soffice) uses the LibreOffice-made fixtures checked in under
tests/data/readers/ instead: same formats, but always 河南's four-person receipt.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "readers"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "intake-bench" / "office"
XLS: tuple[str, str, str, list[str]] = ("xlsx", "xls", "xls:MS Excel 97", [])
DOCX: tuple[str, str, str, list[str]] = (
    "html",
    "docx",
    "docx:MS Word 2007 XML",
    ["--infilter=HTML (StarWriter)"],
)


def convert(
    sources: dict[int, bytes], pages: dict[int, str], mode: str = "auto", work: Path | None = None
) -> dict[int, bytes]:
    """index -> converted bytes: sources (xlsx bytes) become xls, pages (HTML) become docx."""
    if mode == "auto":
        mode = "libreoffice" if shutil.which("soffice") else "fixtures"
    if mode == "fixtures":
        xls = (FIXTURES / "receipt.xls").read_bytes()
        docs = [(FIXTURES / n).read_bytes() for n in ("receipt_paragraphs.docx", "receipt_merged_rows.docx")]
        return {**{i: xls for i in sources}, **{i: docs[i % 2] for i in pages}}
    out = _batch(sources, XLS, work)
    out.update(_batch({i: p.encode("utf-8") for i, p in pages.items()}, DOCX, work))
    return out


def _batch(
    inputs: dict[int, bytes], kind: tuple[str, str, str, list[str]], work: Path | None
) -> dict[int, bytes]:
    src_ext, dst_ext, target, extra = kind
    CACHE.mkdir(parents=True, exist_ok=True)
    keys = {i: hashlib.sha256(data + dst_ext.encode()).hexdigest()[:32] for i, data in inputs.items()}
    missing = {keys[i]: inputs[i] for i in inputs if not (CACHE / f"{keys[i]}.{dst_ext}").exists()}
    if missing:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            tmpdir = Path(tmp)
            files = []
            for key, data in missing.items():
                (tmpdir / f"{key}.{src_ext}").write_bytes(data)
                files.append(str(tmpdir / f"{key}.{src_ext}"))
            out = tmpdir / "out"
            for start in range(0, len(files), 200):  # keep the command line short
                subprocess.run(
                    [
                        "soffice",
                        "--headless",
                        "--norestore",
                        "--nologo",
                        f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
                        *extra,
                        "--convert-to",
                        target,
                        "--outdir",
                        str(out),
                        *files[start : start + 200],
                    ],
                    check=True,
                    capture_output=True,
                    timeout=900,
                )
            for key in missing:
                produced = out / f"{key}.{dst_ext}"
                if not produced.exists():
                    raise RuntimeError(f"LibreOffice did not convert {key}.{src_ext}")
                shutil.copyfile(produced, CACHE / f"{key}.{dst_ext}")
    return {i: (CACHE / f"{keys[i]}.{dst_ext}").read_bytes() for i in inputs}


def zip_member_bytes(name: str, data: bytes, *, macos: bool) -> bytes:
    """A zip of one file as people send it: Windows (GBK name, no UTF-8 flag) or macOS (UTF-8, __MACOSX)."""
    if macos:
        fork = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(60)
        members = [(name.encode("utf-8"), data, 0x800), (f"__MACOSX/._{name}".encode(), fork, 0x800)]
    else:
        members = [(name.encode("gb18030"), data, 0)]
    out, central = bytearray(), bytearray()
    for raw_name, content, flags in members:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = packer.compress(content) + packer.flush()
        crc, offset = zlib.crc32(content), len(out)
        out += (
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                flags,
                8,
                0x5A00,
                0x5721,
                crc,
                len(packed),
                len(content),
                len(raw_name),
                0,
            )
            + raw_name
            + packed
        )
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                flags,
                8,
                0x5A00,
                0x5721,
                crc,
                len(packed),
                len(content),
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw_name
        )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)
