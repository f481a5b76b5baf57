"""Sub-commands of the daemon's operator: run (the daemon), status (its view), requeue (failed replies)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TextIO, cast

from intake.config.settings import Config, load_config
from intake.daemon.runner import Daemon, run
from intake.daemon.status import AccountStatus, FlaggedReply, MailboxStatus, PeriodStatus, StatusDocument
from intake.errors import ConfigError
from mailer.outbox import Outbox, OutboxState
from storage.errors import StoreLocked
from storage.versions import SubmissionSummary

STATUS = {"accepted": "已确认", "rejected": "需修改"}
FORMAT_NAMES = {"doc_wps_odt": "doc/wps/rtf/odt", "ods": "ods", "pdf_text": "pdf", "ocr": "scans(OCR)"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run_cmd = sub.add_parser("run", help="run the daemon: watch the mailboxes, reply, send digests")
    run_cmd.add_argument("--config", help="config file (default: config.example.toml of this checkout)")
    run_cmd.add_argument(
        "--once", action="store_true", help="one full cycle (poll every mailbox, send the outbox), then exit"
    )
    run_cmd.set_defaults(func=cmd_run)
    status = sub.add_parser(
        "status", help="per mailbox: last poll, counts, errors; accounts, outbox, periods"
    )
    status.add_argument("--config", help="config file")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(func=cmd_status)
    requeue = sub.add_parser("requeue", help="put failed (flagged) replies back in the queue")
    requeue.add_argument("key", nargs="?", help="the outbox key of one failed reply (see intake status)")
    requeue.add_argument("--all-failed", action="store_true", help="every failed reply")
    requeue.add_argument("--config", help="config file")
    requeue.set_defaults(func=cmd_requeue)


def cmd_run(args: argparse.Namespace) -> int:
    """`intake run [--once]`: the daemon on the configuration (exit 2 on a configuration error)."""
    config = load_config(args.config)
    if config.daemon.log_file:
        _log_to_file(config.daemon.log_file)
    logging.getLogger().setLevel(logging.INFO)
    try:
        code = run(config, once=args.once)
    except StoreLocked as exc:
        raise ConfigError(
            "storage.directory", f"{config.storage_dir} is in use by another intake process (pid {exc.pid})"
        ) from exc
    if args.once:
        print_status(load_status(config), sys.stdout)
    return code


def _log_to_file(path: str) -> None:
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
        Path(path).chmod(0o600)
    except OSError as exc:
        raise ConfigError("daemon.log_file", f"cannot write {path}: {exc.strerror or exc}") from exc
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)


def load_status(config: Config) -> StatusDocument:
    """The live store when the daemon is not running; else the snapshot it writes (at start, then often)."""
    try:
        with Daemon(config) as daemon:
            return daemon.status()
    except StoreLocked:
        path = Path(config.storage_dir) / "status.json"
        try:
            data = cast(StatusDocument, json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                "storage.directory", f"the daemon holds the store and its status.json cannot be read: {exc}"
            ) from exc
        data["note"] = "the daemon is running: this is its latest snapshot"
        return data


def cmd_status(args: argparse.Namespace) -> int:
    config = load_config(args.config, secrets=False)
    data = load_status(config)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    else:
        print_status(data, sys.stdout)
    return 0


def cmd_requeue(args: argparse.Namespace) -> int:
    """`intake requeue KEY | --all-failed`: failed replies back to pending, due now, counters reset.

    Safe while the daemon runs: it delivers them in its next round.
    """
    if bool(args.key) == bool(args.all_failed):
        print("intake requeue: give one KEY or --all-failed", file=sys.stderr)
        return 2
    outbox = Outbox(load_config(args.config, secrets=False).outbox.directory)
    if args.all_failed:
        items = outbox.requeue_failed()
    else:
        item = outbox.get(args.key)
        if item is None or item.state != OutboxState.FAILED:
            state = "not in the outbox" if item is None else f"{item.state}, not failed"
            print(f"intake requeue: {args.key}: {state}", file=sys.stderr)
            return 1
        items = [outbox.requeue(item)]
    for item in items:
        print(f"requeued {item.key} to {', '.join(item.rcpt_to)}")
    print(f"{len(items)} replies queued again; the daemon sends them in its next round")
    return 0


def print_status(data: StatusDocument, out: TextIO) -> None:
    if data.get("note"):
        out.write(f"({data.get('note')}, {data.get('written')})\n")
    if data.get("started"):
        out.write(f"Daemon started {data.get('started')}\n")
    out.write("Mailboxes\n")
    for name, mb in data["mailboxes"].items():
        out.write(_mailbox_line(name, mb))
    _print_accounts(data.get("accounts") or {}, out)
    for name, problem in (data.get("problems") or {}).items():
        out.write(f"  ERROR in {name} since {problem['at']}: {problem['error']}\n")
    _print_formats(data.get("formats") or {}, out)
    ob = data.get("outbox") or {}
    out.write("Outbox  " + "  ".join(f"{k}={v}" for k, v in sorted(ob.items())) + "\n")
    for flagged in data.get("flagged") or []:
        out.write(_flagged_line(flagged))
    for key in data.get("bounced") or []:
        out.write(f"  bounced (the reply came back undeliverable; reach the province another way): {key}\n")
    _print_questions(data, out)
    out.write("Periods\n")
    for key, period in data["periods"].items():
        out.write(_period_line(key, period))


def _print_questions(data: StatusDocument, out: TextIO) -> None:
    """Questions waiting for a person (listed in full by `intake questions`)."""
    questions = data.get("questions")
    if questions is None:
        return
    out.write(f"Questions  open={questions['open']}  (intake questions lists them)\n")
    for item in questions["items"][:5]:
        out.write(f"  {item['key']}  {item['received'][:16]}  {item['sender']}  {item['text'][:60]}\n")


def _mailbox_line(name: str, mb: MailboxStatus) -> str:
    counts = mb.get("counts") or {}
    error = f"\n    ERROR since {mb.get('error_at') or '?'}: {mb['error']}" if mb.get("error") else ""
    warning = f"\n    WARNING: {mb['warning']}" if mb.get("warning") else ""
    return (
        f"  {name} <{mb['address'] or 'To of each message'}>  last poll: {mb.get('last_poll') or 'never'}  "
        f"processed={counts.get('processed', 0)} ignored={counts.get('ignored', 0)} "
        f"duplicates={counts.get('duplicate', 0)} "
        f"failed={counts.get('failed', 0) + counts.get('pending', 0)} "
        f"quarantined={counts.get('quarantined', 0)}{error}{warning}\n"
    )


def _print_accounts(accounts: dict[str, AccountStatus], out: TextIO) -> None:
    if not accounts:
        return
    out.write("Sending accounts\n")
    for name, account in accounts.items():
        senders = account["senders"] if isinstance(account["senders"], str) else ", ".join(account["senders"])
        line = f"  {name} (From {senders})  last login: {account.get('last_login') or 'not yet'}"
        if account.get("error"):
            line += f"\n    last ERROR at {account.get('error_at')}: {account['error']}"
        if account.get("next_login"):
            line += f"\n    next login not before {account['next_login']}"
        out.write(line + "\n")


def _flagged_line(flagged: FlaggedReply | str) -> str:
    if isinstance(flagged, str):  # a snapshot written by an older version
        return f"  flagged for the operator: {flagged}\n"
    return (
        f"  FAILED reply to {', '.join(flagged['to'])} 「{flagged['subject']}」 at {flagged['failed_at']}: "
        f"{flagged['error']}\n    intake requeue {flagged['key']}\n"
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
            "  OCR is off: scanned PDFs and photos are refused (install the rapidocr and onnxruntime "
            "Python packages: pip install -e .)\n"
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
