"""The console's benchmark:  .venv/bin/python -m bench.console  [--size 10000] [--n 120]

The real daemon (`python -m intake run`, its console thread serving with waitress) on a store of SIZE
submission versions (bench.console_data, spread over every period's provinces, with their message
records), against the real Dovecot and an aiosmtpd sink (bench.env).  An organizer logged in over
HTTP asks for the pages one after another:

1. console alone: the overview, a period, a province, the queue and the audit log, ROUNDS times each
   (the first request of a period builds its figures: it is counted);
2. console and trickle together: N receipts APPENDed one every INTERVAL seconds while the organizer
   keeps asking for pages; the trickle's latency (APPEND -> reply at the sink) and the pages' times.

Prints a Markdown table and appends it to BENCHMARKS.md (unless --no-append).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import shutil
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.console_data import fill
from bench.env import Appender, World
from bench.growth import no_fsync
from bench.load import build
from bench.pipeline import DaemonProcess, percentile
from intake.config.settings import load_config
from intake.console.passwords import hash_password
from storage.store import Store
from storage.users import Role, UserBook

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench console password 2023"
SERVING = re.compile(r"console: serving on (http://[\d.]+:\d+/)")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Organizer:
    """A logged-in browser without a browser: cookies, CSRF token, timed GETs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        token = TOKEN.search(self.opener.open(base + "login").read().decode())
        assert token is not None
        form = {"name": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
        self.opener.open(base + "login", data=urllib.parse.urlencode(form).encode())

    def get(self, path: str) -> float:
        started = time.perf_counter()
        with self.opener.open(self.base + urllib.parse.quote(path)) as response:
            response.read()
            assert response.status == 200, path
        return time.perf_counter() - started


def pages() -> dict[str, str]:
    return {
        "overview": "",
        "period": "p/gz-status/1",
        "province": "p/gz-status/1/河南",
        "queue": "queue",
        "audit": "audit",
    }


def timed_rounds(organizer: Organizer, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in pages()}
    for _ in range(rounds):
        for name, path in pages().items():
            times[name].append(organizer.get(path))
    return times


def keep_asking(organizer: Organizer, stop: threading.Event, out: list[float], rate: float) -> None:
    """The pages in turn, at most rate requests a second (0: as fast as one client can)."""
    started, asked = time.monotonic(), 0
    while not stop.is_set():
        for path in pages().values():
            out.append(organizer.get(path))
            asked += 1
            if rate:
                stop.wait(max(0.0, started + asked / rate - time.monotonic()))


def write_config(world: World, size: int, login_interval: float) -> Path:
    config = world.write_config("console")
    text = config.read_text(encoding="utf-8")  # [outbox] is its last section
    text += f"login_interval = {login_interval}\n\n[console]\nport = 0\nthreads = 4\n"
    config.write_text(text, encoding="utf-8")
    loaded = load_config(config)
    started = time.perf_counter()
    with no_fsync(), Store(loaded.storage_dir) as store:
        fill(store, loaded.notice, size)
    print(f"store of {size} versions filled in {time.perf_counter() - started:.0f} s", flush=True)
    book = UserBook(loaded.console.users_file)
    book.add("bench", Role.ADMIN, (), hash_password(PASSWORD))
    book.set_password("bench", hash_password(PASSWORD), must_change=False)
    return config


def console_address(daemon: DaemonProcess, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = SERVING.search(daemon.log_path.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise RuntimeError(f"the console did not start; see {daemon.log_path}")


def trickle(world: World, receipts: list[Any], interval: float, during: Callable[[], None]) -> dict[str, Any]:
    appender = Appender(world, "console")
    connections = world.handler.connections  # SMTP sessions the daemon opens at the sink
    start = time.monotonic()
    for i, r in enumerate(receipts):
        delay = start + i * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        appender.append(r.mailbox, r.raw, r.message_id, r.received)
    appender.close()
    keys = {r.message_id for r in receipts}
    complete = world.handler.wait_all(keys, timeout=120 + 2.0 * len(receipts))
    during()
    latencies = [
        world.handler.arrivals[k] - appender.appended[k] for k in keys if k in world.handler.arrivals
    ]
    return {
        "replies": len(latencies),
        "complete": complete,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies, default=0.0),
        "smtp_sessions": world.handler.connections - connections,
    }


def measure(
    size: int, n: int, interval: float, rounds: int, work: Path, rate: float, login_interval: float
) -> dict[str, Any]:
    receipts = build(n=2 * n, seed=2024, office="fixtures")
    world = World(work)
    try:
        world.create_folders("console")
        config = write_config(world, size, login_interval)
        daemon = DaemonProcess(config)
        try:
            daemon.wait_ready([name for name, _ in world.mailboxes.values()])
            organizer = Organizer(console_address(daemon))
            alone = timed_rounds(organizer, rounds)
            world.handler.reset()
            quiet = trickle(world, receipts[n:], interval, lambda: None)  # nobody at the console
            stop = threading.Event()
            busy: list[float] = []
            asker = threading.Thread(target=keep_asking, args=(organizer, stop, busy, rate), daemon=True)
            asker.start()
            world.handler.reset()
            figures = trickle(world, receipts[:n], interval, stop.set)
            asker.join(timeout=60)
        finally:
            usage = daemon.stop()
    finally:
        world.close()
    every = [t for times in alone.values() for t in times]
    return {
        "size": size,
        "rounds": rounds,
        "pages": {
            name: {"p50": percentile(t, 50), "p95": percentile(t, 95), "max": max(t)}
            for name, t in alone.items()
        },
        "alone_p95": percentile(every, 95),
        "busy_p95": percentile(busy, 95),
        "busy_requests": len(busy),
        "trickle": figures,
        "quiet": quiet,
        "login_interval": login_interval,
        "n": n,
        "interval": interval,
        "rate": rate,
        **usage,
    }


def table(result: dict[str, Any]) -> str:
    ms = 1000.0
    rows = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: the console (python -m bench.console), {result['size']:,} stored versions",
        "",
        "| what | figure | target | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, f in result["pages"].items():
        rows.append(
            f"| console page `{name}`, p50 / p95 / max ({result['rounds']} requests) | "
            f"{f['p50'] * ms:.0f} / {f['p95'] * ms:.0f} / {f['max'] * ms:.0f} ms |  |  |"
        )
    alone, busy = result["alone_p95"], result["busy_p95"]
    rows.append(
        f"| console page p95, every page, daemon idle | {alone * ms:.0f} ms | ≤ 200 ms | {'yes' if alone <= 0.2 else '**no**'} |"
    )
    rows.append(
        f"| console page p95 while the trickle runs ({result['busy_requests']} requests, {result['rate'] or 'unpaced'} a second) | {busy * ms:.0f} ms | ≤ 200 ms | {'yes' if busy <= 0.2 else '**no**'} |"
    )
    t = result["trickle"]
    rows.append(
        f"| trickle (one every {result['interval'] * 1000:.0f} ms) while the console is used: p50 / p95 / max | "
        f"{t['p50']:.2f} / {t['p95']:.2f} / {t['max']:.2f} s ({t['replies']}/{result['n']} replies; "
        f"login_interval {result['login_interval']:g} s, new SMTP sessions: {t['smtp_sessions']}) | p95 ≤ 2 s | "
        f"{'yes' if t['p95'] <= 2.0 and t['complete'] else '**no**'} |"
    )
    q = result["quiet"]
    rows.append(
        f"| the same trickle, nobody at the console: p50 / p95 / max | {q['p50']:.2f} / {q['p95']:.2f} / {q['max']:.2f} s "
        f"({q['replies']}/{result['n']} replies; new SMTP sessions: {q['smtp_sessions']}) |  |  |"
    )
    rows.append(
        f"| peak RSS: daemon with its console, {result['size']:,} stored | {result['rss_mb']:.0f} MB | ≤ 300 MB | {'yes' if result['rss_mb'] <= 300 else '**no**'} |"
    )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.console", description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000, help="stored submission versions (default 10000)")
    ap.add_argument("--n", type=int, default=120, help="receipts in the trickle (default 120)")
    ap.add_argument("--interval", type=float, default=0.25, help="seconds between receipts (default 0.25)")
    ap.add_argument("--rounds", type=int, default=40, help="requests per page, console alone (default 40)")
    ap.add_argument(
        "--rate", type=float, default=5.0, help="console requests a second during the trickle (0: unpaced)"
    )
    ap.add_argument(
        "--login-interval",
        type=float,
        default=2.0,
        help="[outbox] login_interval of the sink's account (default 2 s, the configuration's default)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="intake-bench-console-"))
    try:
        result = measure(args.size, args.n, args.interval, args.rounds, work, args.rate, args.login_interval)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    text = table(result)
    print(text)
    if not args.no_append:
        with args.out.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
