"""Growth: the cost of one more receipt when the store already holds SIZE submissions.

Two fresh processes per size: `python -m bench.growth --phase prefill --size 10000 --load DIR --work W`,
then `--phase measure` with the same arguments, whose peak RSS is that of a daemon opening that store.  The store is pre-filled through the Store API (record_message +
add_submission, realistic verdicts taken from the load, spread over every province's groups; fsync
is switched off while pre-filling only), and the outbox with SIZE sent replies.  Then COUNT
receipts of the load go through intake.daemon.service.Service.handle as FetchedMessage objects, timed
one by one, and their replies through one delivery round (mailer.delivery.deliver_pending with a
FileSender, so that the outbox's own cost is what is measured).  Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from bench.env import mailboxes, write_config
from bench.filing import file_processed
from bench.pipeline import percentile
from intake.config.settings import load_config
from intake.daemon.service import Service
from intake.mailbox.source import FetchedMessage
from intake.pipeline.process import Context, process
from mailer.delivery import deliver_pending
from mailer.outbox import Outbox
from mailer.smtp_sender import FileSender
from storage.archive import Archive
from storage.records import StoredVerdict
from storage.store import Store


@contextmanager
def no_fsync() -> Iterator[None]:
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def load_messages(directory: Path) -> list[dict]:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    for item in manifest:
        item["raw"] = (directory / item["file"]).read_bytes()
        item["received"] = datetime.fromisoformat(item["received"])
    return manifest


def prefill(store: Store, outbox: Outbox, size: int, pool: list[tuple[dict, str]], reply: bytes) -> None:
    base = datetime(2023, 6, 1, 9, 0)
    for i in range(size):
        verdict, sender = pool[i % len(pool)]
        sha = hashlib.sha256(f"prefill-{i}".encode()).hexdigest()
        received = (base + timedelta(seconds=37 * i)).isoformat()
        stored = StoredVerdict.from_json(verdict)
        file_processed(store, stored, sha=sha, sender=sender, received=received, where=("mb1", 7, i + 1))
        item = outbox.enqueue(f"reply:{sha}", reply, "yaoy@moe.edu.cn", [sender], now=1.0)
        outbox.mark_sending(item, now=2.0)
        outbox.mark_sent(item, now=3.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument(
        "--load", type=Path, required=True, help="directory with manifest.json and the .eml files"
    )
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument(
        "--phase",
        choices=("prefill", "measure"),
        default="measure",
        help="prefill the store (run first), or measure (a fresh process: its RSS is a daemon's)",
    )
    ap.add_argument("--profile", type=Path, help="write a pyinstrument text profile of the handle loop here")
    args = ap.parse_args()
    boxes = mailboxes()
    config = load_config(
        write_config(
            args.work, boxes, lambda a: boxes[a][0], imap=("127.0.0.1", 1, "nobody"), smtp=("127.0.0.1", 1)
        )
    )
    by_address = {mb.address: mb for mb in config.mailboxes}
    messages = load_messages(args.load)
    ctx = Context(config.notice, config.policy, config.limits)
    pool = []
    for m in messages[:64] if args.phase == "prefill" else []:
        outcome = process(m["raw"], ctx, mailbox=m["mailbox"], received=m["received"])
        if outcome.verdict.province and outcome.verdict.program:
            pool.append((outcome.verdict.public(), m["sender"]))
    if args.phase == "prefill":
        reply = (args.load / "reply.eml").read_bytes()
        started = time.perf_counter()
        with no_fsync(), Store(config.storage_dir) as store:
            prefill(store, Outbox(config.outbox.directory), args.size, pool, reply)
        print(json.dumps({"prefill_s": time.perf_counter() - started}))
        return
    started = time.perf_counter()
    store = Store(config.storage_dir)
    open_s = time.perf_counter() - started
    outbox = Outbox(config.outbox.directory)
    service = Service(config, store, Archive(Path(config.storage_dir) / "archive"), outbox)
    times = []
    measured = messages[-args.count :]
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    for uid, m in enumerate(measured, start=1):
        mb = by_address[m["mailbox"]]
        fm = FetchedMessage(
            mailbox=mb.name,
            folder="INBOX",
            uid=uid,
            uidvalidity=1,
            received=m["received"],
            raw=m["raw"],
            flags=(),
            size=len(m["raw"]),
        )
        start = time.perf_counter()
        result = service.handle(fm, mb)
        times.append(time.perf_counter() - start)
        assert result.outcome == "processed", result
    if profiler is not None:
        profiler.stop()
        args.profile.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    outbox.stats()  # as the daemon's status.json does at start and every 30 s
    sender = FileSender(args.work / "sent")
    start = time.perf_counter()
    report = asyncio.run(deliver_pending(outbox, sender))
    deliver_s = time.perf_counter() - start
    start = time.perf_counter()
    asyncio.run(deliver_pending(outbox, sender))  # nothing due: what every idle round costs
    idle_round_s = time.perf_counter() - start
    store.close()
    status = Path("/proc/self/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(
        json.dumps(
            {
                "size": args.size,
                "count": len(times),
                "open_s": open_s,
                "handle_ms_mean": 1000 * sum(times) / len(times),
                "handle_ms_p50": 1000 * percentile(times, 50),
                "handle_ms_max": 1000 * max(times),
                "deliver_ms_each": 1000 * deliver_s / max(len(report.sent), 1),
                "delivered": len(report.sent),
                "idle_round_ms": 1000 * idle_round_s,
                "rss_mb": hwm / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
