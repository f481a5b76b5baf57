"""The command line: a thin layer over the pipeline, the daemon and the organizers' jobs.  main(argv) -> exit code."""

from __future__ import annotations

import argparse
import logging
import sys

from intake.cli import check, daemon_commands, organizer_commands, purge, questions, users
from intake.errors import ConfigError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake", description="报名回执 intake: read, judge and answer receipts."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)
    check.register(sub)
    daemon_commands.register(sub)
    organizer_commands.register(sub)
    questions.register(sub)
    users.register(sub)
    purge.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
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
