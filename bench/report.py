"""The Markdown the benchmark prints and appends to BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from collections import Counter
from datetime import UTC, datetime

from bench.load import Receipt


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
        with open("/proc/meminfo") as f:
            mem_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal:"))
    except (OSError, StopIteration):
        mem_kb = 0
    try:
        dovecot = subprocess.run(
            ["dovecot", "--version"], capture_output=True, text=True, timeout=10
        ).stdout.split()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        dovecot = "?"
    return (
        f"{model}, {os.cpu_count()} cores, {mem_kb / 2**20:.1f} GiB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}, Dovecot {dovecot}; "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
    )


def describe_load(receipts: list[Receipt], office: str) -> str:
    formats = Counter(r.fmt for r in receipts)
    clients = Counter(r.client for r in receipts)
    people = [len(r.people) for r in receipts]
    return (
        f"{len(receipts)} receipts from {len({r.province for r in receipts})} units to "
        f"{len({r.mailbox for r in receipts})} period mailboxes, "
        f"{len({r.sender for r in receipts})} senders; formats "
        + ", ".join(f"{k} {v}" for k, v in formats.most_common())
        + "; clients "
        + ", ".join(f"{k} {v}" for k, v in clients.most_common())
        + f"; {min(people)}-{max(people)} participants (mean {sum(people) / len(people):.1f}); "
        f"{sum(r.flawed for r in receipts)} with a mistake; office files: {office}; "
        f"{sum(len(r.raw) for r in receipts) / 2**20:.1f} MB of mail"
    )


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render(
    n: int,
    seed: int,
    load: str,
    burst: dict,
    trickle: dict,
    floor: dict,
    growth: list[dict],
    memory: list[dict],
    interval: float,
) -> str:
    ratio = burst["seconds"] / floor["floor_s"] if floor["floor_s"] else float("inf")
    rows = [
        (
            "burst: throughput (all APPENDed at once, daemon in IDLE)",
            f"{burst['throughput']:.1f} receipts/s ({burst['replies']}/{n} replies in {burst['seconds']:.2f} s)",
            "",
            "",
        ),
        (
            "burst: latency APPEND → reply p50 / p95 / max",
            f"{burst['p50']:.2f} / {burst['p95']:.2f} / {burst['max']:.2f} s",
            "",
            "",
        ),
        (
            f"trickle (one every {interval * 1000:.0f} ms): latency p50 / p95 / max",
            f"{trickle['p50']:.2f} / {trickle['p95']:.2f} / {trickle['max']:.2f} s ({trickle['replies']}/{n} replies)",
            "p95 ≤ 2 s",
            _met(trickle["p95"] <= 2.0 and trickle["complete"]),
        ),
        (
            "floor: FETCH every message (imapclient, one connection)",
            f"{floor['fetch_s']:.3f} s ({floor['fetched']} messages, {floor['fetched_mb']:.1f} MB)",
            "",
            "",
        ),
        (
            f"floor: parse every table (fastest reader per format; sheets: {floor['sheet_reader']})",
            f"{floor['parse_s']:.3f} s ("
            + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in floor["parse_by_kind"].items())
            + ")",
            "",
            "",
        ),
        (
            "floor: send every reply to the sink (one connection; one per message)",
            f"{floor['send_one_connection_s']:.3f} s; {floor['send_per_connection_s']:.3f} s",
            "",
            "",
        ),
        (
            "floor of latency: Dovecot reports an APPEND to a client in IDLE after (median of 5)",
            f"{floor['idle_notify_s']:.2f} s",
            "",
            "",
        ),
        (
            "floor: total → throughput",
            f"{floor['floor_s']:.3f} s → {n / floor['floor_s']:.0f} receipts/s",
            "",
            "",
        ),
        ("pipeline / floor (burst time / floor time)", f"{ratio:.1f}x", "≤ 2x", _met(ratio <= 2.0)),
        (
            "xlsx, per file: intake reader (openpyxl) / openpyxl read_only / python-calamine",
            " / ".join(
                f"{floor['xlsx_ms_each'][k]:.2f}"
                for k in ("intake_openpyxl", "openpyxl_read_only", "calamine")
            )
            + f" ms ({floor['xlsx_files']} files)",
            "",
            "",
        ),
    ]
    if len(growth) >= 2:
        small, big = growth[0], growth[-1]
        g = big["handle_ms_mean"] / small["handle_ms_mean"]
        rows += [
            (
                f"growth: Service.handle per receipt, {small['size']:,} / {big['size']:,} stored (mean, p50)",
                f"{small['handle_ms_mean']:.1f} / {big['handle_ms_mean']:.1f} ms ({g:.2f}x); p50 "
                f"{small['handle_ms_p50']:.1f} / {big['handle_ms_p50']:.1f} ms",
                "≤ 1.5x",
                _met(g <= 1.5),
            ),
            (
                f"growth: delivery per reply; an idle delivery round ({small['size']:,} / {big['size']:,} in the outbox)",
                f"{small['deliver_ms_each']:.1f} / {big['deliver_ms_each']:.1f} ms; "
                f"{small['idle_round_ms']:.1f} / {big['idle_round_ms']:.1f} ms",
                "",
                "",
            ),
            (
                "growth: opening the store (daemon start)",
                f"{small['open_s']:.2f} / {big['open_s']:.2f} s",
                "",
                "",
            ),
        ]
    rss = [
        (
            "peak RSS: daemon, burst / trickle",
            f"{burst['rss_mb']:.0f} / {trickle['rss_mb']:.0f} MB",
            max(burst["rss_mb"], trickle["rss_mb"]),
        )
    ]
    rss += [
        (
            f"peak RSS: a process with {g['size']:,} stored, handling {g['count']} receipts",
            f"{g['rss_mb']:.0f} MB",
            g["rss_mb"],
        )
        for g in growth
    ]
    for m in memory:
        what = {
            "padded": "a receipt xlsx padded to max_attachment_bytes",
            "sheet": "the heaviest sheet within the limits (max_rows × max_cols)",
            "message": f"the largest message: {m.get('attachments', 1)} padded xlsx within max_message_bytes",
        }[m["case"]]
        rss.append(
            (
                f"peak RSS: process() on {what}: {m['attachment_mb']:.1f} MB file, {m['message_mb']:.1f} MB message",
                f"{m['rss_peak_mb']:.0f} MB ({m['seconds']:.2f} s, {m['rows']} rows read)",
                m["rss_peak_mb"],
            )
        )
    rows += [(what, fig, "≤ 300 MB", _met(value <= 300)) for what, fig, value in rss]
    lines = [
        f"### {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}: N={n}, seed {seed}",
        "",
        f"Machine: {machine()}",
        "",
        f"Load: {load}",
        "",
        "| what | figure | target | met |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    cpu = (
        f"Daemon CPU time: burst {burst['cpu_s']:.1f} s ({1000 * burst['cpu_s'] / n:.1f} ms per receipt), "
        f"trickle {trickle['cpu_s']:.1f} s.  Duplicate replies: burst {burst['duplicates']}, "
        f"trickle {trickle['duplicates']}.  SMTP sessions opened at the sink: burst "
        f"{burst.get('smtp_sessions', '?')}, trickle {trickle.get('smtp_sessions', '?')}."
    )
    return "\n".join(lines + ["", cpu, ""])
