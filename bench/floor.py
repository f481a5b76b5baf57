"""The floor: what the machine allows for the same messages, step by step, with nothing around it.

fetch: one imapclient connection, SELECT each folder of the burst phase, one UID FETCH BODY.PEEK[]
       of every message in it.
parse: every receipt's table read once with the fastest reader available: python-calamine for
       xlsx/xls/et (inside the zip too; intake's readers when the bench extra is not installed), the faster of intake's docx reader and a bare ElementTree
       pass over word/document.xml for docx, intake's HTML reader (stdlib html.parser) for a body
       table.  Attachments are taken out of the MIME structure beforehand, untimed.
       For xlsx also: intake's own reader (openpyxl's sheet parser), openpyxl load_workbook
       (read_only) and calamine, side by side.
idle:  (latency, not in the total) how long Dovecot takes to report an APPEND to a client in IDLE.
send:  the replies the burst produced, sent again to the sink with aiosmtplib: one connection
       per message (as SmtpSender does), and all over one connection; the floor takes the faster.
"""

from __future__ import annotations

import asyncio
import email
import io
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable
from email import policy
from xml.etree.ElementTree import iterparse

from aiosmtplib import SMTP

from bench.env import World
from bench.load import Receipt
from intake.readers import docx as docx_reader
from intake.readers import read_attachment, read_html_body
from intake.readers import xlsx as xlsx_reader
from intake.readers.limits import Limits

W_TC = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc"
W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"


def fetch(world: World, phase: str) -> dict:
    c = world.client()
    start = time.perf_counter()
    count = size = 0
    for address in world.mailboxes:
        c.select_folder(world.folder(phase, address), readonly=True)
        uids = c.search(["ALL"])
        if uids:
            data = c.fetch(uids, [b"BODY.PEEK[]"])
            count += len(data)
            size += sum(len(d[b"BODY[]"]) for d in data.values())
    seconds = time.perf_counter() - start
    c.logout()
    return {"fetch_s": seconds, "fetched": count, "fetched_mb": size / 2**20}


def idle_notify(world: World, raw: bytes, tries: int = 5) -> dict:
    """How long Dovecot takes to tell an IDLE client about an APPENDed message (median of tries)."""
    watcher, writer = world.client(), world.client()
    writer.create_folder("idle-probe")
    watcher.select_folder("idle-probe")
    delays = []
    for _ in range(tries):
        watcher.idle()
        time.sleep(0.2)
        start = time.monotonic()
        writer.append("idle-probe", raw)
        while not any(isinstance(r, tuple) and b"EXISTS" in r for r in watcher.idle_check(timeout=5)):
            if time.monotonic() - start > 5:
                break
        delays.append(time.monotonic() - start)
        watcher.idle_done()
    watcher.logout()
    writer.logout()
    return {"idle_notify_s": sorted(delays)[len(delays) // 2]}


def table_of(r: Receipt) -> tuple[str, bytes]:
    """(kind, bytes) of the receipt's table, taken out of the message."""
    msg = email.message_from_bytes(r.raw, policy=policy.default)
    if r.fmt == "html":
        part = msg.get_body(("html",))
        return "html", part.get_content().encode("utf-8") if part else b""
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes), "an attachment decodes to bytes"
        return r.fmt, payload
    return r.fmt, b""


try:  # a bench extra (pip install -e '.[test,bench]'); without it the floor uses intake's readers
    import python_calamine

    HAVE_CALAMINE = True
except ImportError:
    HAVE_CALAMINE = False


def calamine(data: bytes) -> int:
    if not HAVE_CALAMINE:
        return len(read_attachment("r.xls", data, Limits()))
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)


def unzip_then_calamine(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        name = next(n for n in zf.namelist() if not n.startswith("__MACOSX/"))
        return calamine(zf.read(name))


def bare_docx(data: bytes) -> int:
    cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("word/document.xml") as src:
        for _, elem in iterparse(src):
            if elem.tag == W_TC:
                "".join(t.text or "" for t in elem.iter(W_T))
                cells += 1
                elem.clear()
    return cells


def openpyxl_plain(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
    wb.close()
    return rows


def _timed(fn: Callable[[bytes], object], data: bytes) -> float:
    start = time.perf_counter()
    fn(data)
    return time.perf_counter() - start


def parse(receipts: list[Receipt]) -> dict:
    limits = Limits()
    tables = [table_of(r) for r in receipts]
    per_kind: dict[str, float] = defaultdict(float)
    xlsx_cmp = {"intake_openpyxl": 0.0, "openpyxl_read_only": 0.0, "calamine": 0.0}
    for kind, data in tables:
        if kind in ("xlsx", "xls", "et"):
            per_kind[kind] += _timed(calamine, data)
        elif kind == "zip":
            per_kind[kind] += _timed(unzip_then_calamine, data)
        elif kind == "docx":
            ours = _timed(lambda d: docx_reader.read(d, "r.docx", limits), data)
            per_kind[kind] += min(ours, _timed(bare_docx, data))
        else:
            per_kind[kind] += _timed(lambda d: read_html_body(d.decode("utf-8"), limits), data)
        if kind == "xlsx":
            xlsx_cmp["intake_openpyxl"] += _timed(lambda d: xlsx_reader.read(d, "r.xlsx", limits), data)
            xlsx_cmp["openpyxl_read_only"] += _timed(openpyxl_plain, data)
            xlsx_cmp["calamine"] += _timed(calamine, data) if HAVE_CALAMINE else float("nan")
    count = sum(1 for k, _ in tables if k == "xlsx")
    return {
        "parse_s": sum(per_kind.values()),
        "parse_by_kind": dict(per_kind),
        "xlsx_files": count,
        "sheet_reader": "python-calamine" if HAVE_CALAMINE else "intake's (calamine not installed)",
        "xlsx_ms_each": {k: 1000 * v / max(count, 1) for k, v in xlsx_cmp.items()},
    }


async def _send(host: str, port: int, replies: list[bytes], reuse: bool) -> None:
    client = SMTP(hostname=host, port=port, timeout=30)
    if reuse:
        await client.connect()
    for raw in replies:
        if not reuse:
            await client.connect()
        await client.sendmail("intake@example.cn", ["sender@example.cn"], raw)
        if not reuse:
            await client.quit()
    if reuse:
        await client.quit()


def send(world: World, replies: list[bytes]) -> dict:
    out = {}
    for label, reuse in (("send_per_connection_s", False), ("send_one_connection_s", True)):
        world.handler.reset()
        start = time.perf_counter()
        asyncio.run(_send(world.sink.host, world.sink.port, replies, reuse))
        out[label] = time.perf_counter() - start
    world.handler.reset()
    out["send_s"] = min(out["send_per_connection_s"], out["send_one_connection_s"])
    out["sent"] = len(replies)
    return out


def run(world: World, receipts: list[Receipt], replies: list[bytes], phase: str = "burst") -> dict:
    result = {
        **fetch(world, phase),
        **parse(receipts),
        **send(world, replies),
        **idle_notify(world, receipts[0].raw),
    }
    result["floor_s"] = result["fetch_s"] + result["parse_s"] + result["send_s"]
    return result
