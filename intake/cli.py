"""The command line: a thin layer over the pipeline and the daemon.  main(argv) -> exit code."""
from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from datetime import datetime
from pathlib import Path

from intake.config import Config, load_config
from intake.errors import ConfigError
from intake.pipeline.process import Context, Outcome, process, process_attachment
from intake.report import render_text

_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{0,76}:[ \t]")


def parse_when(text: str, config: Config) -> datetime:
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=config.notice.timezone)


def looks_like_email(path: Path, head: bytes) -> bool:
    if path.suffix.lower() in (".eml", ".msg822", ".mbox"):
        return True
    return bool(_HEADER_LINE.match(head.lstrip(b"\r\n")))


def check_file(path: Path, config: Config, mailbox: str | None, received: datetime | None) -> Outcome:
    data = path.read_bytes()
    ctx = Context(config.notice, config.policy, config.limits)
    if looks_like_email(path, data[:200]):
        return process(data, ctx, mailbox=mailbox, received=received)
    return process_attachment(path.name, data, ctx, mailbox=mailbox or "", received=received)


def cmd_check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    received = parse_when(args.received, config) if args.received else None
    outcome = check_file(Path(args.message), config, args.mailbox, received)
    if args.json:
        print(json.dumps(outcome.verdict.public(), ensure_ascii=False))
    else:
        sys.stdout.write(render_text(outcome.verdict, config.notice))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description="报名回执 intake: read, judge and answer receipts.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="judge one message (.eml) or a bare attachment and print the verdict")
    check.add_argument("message", help="an .eml file, or an attachment such as receipt.xlsx")
    check.add_argument("--config", help="config file (default: config.example.toml of this checkout)")
    check.add_argument("--mailbox", help="the address it was sent to (default: Delivered-To, X-Original-To, To)")
    check.add_argument("--received", help="when it was received, ISO 8601 (default: its Date header)")
    check.add_argument("--json", action="store_true", help="print exactly one JSON object")
    check.set_defaults(func=cmd_check)
    from intake import commands  # the daemon's commands live beside, to keep this file thin
    commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"intake: configuration error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"intake: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
