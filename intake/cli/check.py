"""`intake check MESSAGE`: judge one .eml (or a bare attachment) with the daemon's pipeline."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime
from pathlib import Path

from intake.cli.common import parse_when
from intake.cli.report import render_text
from intake.config.settings import Config, load_config
from intake.pipeline.process import Context, Outcome, process, process_attachment

_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{0,76}:[ \t]")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser(
        "check", help="judge one message (.eml) or a bare attachment and print the verdict"
    )
    check.add_argument("message", help="an .eml file, or an attachment such as receipt.xlsx")
    check.add_argument("--config", help="config file (default: config.example.toml of this checkout)")
    check.add_argument(
        "--mailbox", help="the address it was sent to (default: Delivered-To, X-Original-To, To)"
    )
    check.add_argument("--received", help="when it was received, ISO 8601 (default: its Date header)")
    check.add_argument("--json", action="store_true", help="print exactly one JSON object")
    check.set_defaults(func=cmd_check)


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
    config = load_config(args.config, secrets=False)  # judges a file: opens no server
    received = parse_when(args.received, config) if args.received else None
    outcome = check_file(Path(args.message), config, args.mailbox, received)
    if args.json:
        print(json.dumps(outcome.verdict.public(), ensure_ascii=False))
    else:
        sys.stdout.write(render_text(outcome.verdict, config.notice))
    return 0
