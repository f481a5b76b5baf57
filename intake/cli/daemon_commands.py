"""Sub-commands beyond `check`: run (the daemon) and status (the operator's view)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TextIO, cast

from intake.config.settings import Config, load_config
from intake.daemon.runner import Daemon, run
from intake.daemon.status import MailboxStatus, PeriodStatus, StatusDocument
from storage.errors import StoreLocked
from storage.records import SubmissionSummary

STATUS = {"accepted": "已确认", "rejected": "需修改"}
FORMAT_NAMES = {"doc_wps_odt": "doc/wps/odt", "ods": "ods", "pdf_text": "pdf", "ocr": "scans(OCR)"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run_cmd = sub.add_parser("run", help="run the daemon: watch the mailboxes, reply, send digests")
    run_cmd.add_argument("--config", help="config file (default: config.example.toml of this checkout)")
    run_cmd.add_argument(
        "--once", action="store_true", help="one full cycle (poll every mailbox, send the outbox), then exit"
    )
    run_cmd.set_defaults(func=cmd_run)
    status = sub.add_parser("status", help="per mailbox: last poll, counts, outbox; per period: submissions")
    status.add_argument("--config", help="config file")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(func=cmd_status)


def cmd_run(args: argparse.Namespace) -> int:
    """`intake run [--once]`: the daemon on the configuration (exit 2 on a configuration error)."""
    config = load_config(args.config)
    if config.daemon.log_file:
        handler = logging.FileHandler(config.daemon.log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logging.getLogger().addHandler(handler)
        Path(config.daemon.log_file).chmod(0o600)
    logging.getLogger().setLevel(logging.INFO)
    code = run(config, once=args.once)
    if args.once:
        print_status(load_status(config), sys.stdout)
    return code


def load_status(config: Config) -> StatusDocument:
    """The live store when the daemon is not running; else the snapshot it writes every 30 s."""
    try:
        with Daemon(config) as daemon:
            return daemon.status()
    except StoreLocked:
        path = Path(config.storage_dir) / "status.json"
        data = cast(StatusDocument, json.loads(path.read_text(encoding="utf-8")))
        data["note"] = "the daemon is running: this is its latest snapshot"
        return data


def cmd_status(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    data = load_status(config)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    else:
        print_status(data, sys.stdout)
    return 0


def print_status(data: StatusDocument, out: TextIO) -> None:
    if data.get("note"):
        out.write(f"({data.get('note')}, {data.get('written')})\n")
    out.write("Mailboxes\n")
    for name, mb in data["mailboxes"].items():
        out.write(_mailbox_line(name, mb))
    _print_formats(data.get("formats") or {}, out)
    ob = data.get("outbox") or {}
    out.write("Outbox  " + "  ".join(f"{k}={v}" for k, v in sorted(ob.items())) + "\n")
    for key in data.get("flagged") or []:
        out.write(f"  flagged for the operator: {key}\n")
    out.write("Periods\n")
    for key, period in data["periods"].items():
        out.write(_period_line(key, period))


def _mailbox_line(name: str, mb: MailboxStatus) -> str:
    counts = mb.get("counts") or {}
    error = f"  ERROR: {mb['error']}" if mb.get("error") else ""
    return (
        f"  {name} <{mb['address'] or 'To of each message'}>  last poll: {mb.get('last_poll') or 'never'}  "
        f"processed={counts.get('processed', 0)} ignored={counts.get('ignored', 0)} "
        f"failed={counts.get('failed', 0) + counts.get('pending', 0)} "
        f"quarantined={counts.get('quarantined', 0)}{error}\n"
    )


def _print_formats(formats: dict[str, bool], out: TextIO) -> None:
    """Which optional formats are read here, and what to install for those that are not."""
    if not formats:
        return
    out.write(
        "Formats  "
        + "  ".join(f"{FORMAT_NAMES.get(k, k)}={'on' if v else 'OFF'}" for k, v in formats.items())
        + "\n"
    )
    if not formats.get("doc_wps_odt", True) or not formats.get("ods", True):
        out.write(
            "  legacy conversion is off: .doc/.wps/.odt/.ods senders are asked for xlsx or docx "
            "(install libreoffice-writer and libreoffice-calc)\n"
        )
    if not formats.get("ocr", True):
        out.write(
            "  OCR is off: scanned PDFs and photos are refused (install tesseract-ocr and "
            "tesseract-ocr-chi-sim)\n"
        )


def _period_line(key: str, period: PeriodStatus) -> str:
    """Each province: the status of the receipt it sent last, its versions, and the one that stands when
    it is not that one (the newest was rejected, or arrived before the one that stands)."""
    subs = [SubmissionSummary.from_json(s) for s in period.get("submissions") or []]
    placed = [s for s in subs if s.province]
    names = ", ".join(_submission(s) for s in placed)
    unplaced = sum(s.versions for s in subs if not s.province)
    tail = f"  来件未识别 {unplaced}" if unplaced else ""
    return f"  {key}: {len(placed)}/{period['admitted']} provinces  {names}{tail}\n"


def _submission(s: SubmissionSummary) -> str:
    stands = f", stands v{s.current.version}" if s.current and s.current.version != s.latest.version else ""
    return f"{s.province}({STATUS.get(s.latest.status, '?')} v{s.versions}{stands})"
