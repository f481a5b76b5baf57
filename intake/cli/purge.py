"""`intake purge --before DATE`: remove personal data older than a date (docs/retention.md).

Removes, for everything before DATE: the store's submission groups sent wholly before it, message
records, questions, what was sent and reply counts; raw messages in the archive nothing kept refers
to; the outbox's sent, failed and bounced replies; the audit log's entries (the log then opens with
an anchor, and the purge itself is recorded).  The daemon must be stopped: the store has one writer.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime

from intake.cli.users import audit_path
from intake.config.settings import load_config
from mailer.outbox import Outbox
from storage.audit import AuditEntry, AuditLog
from storage.errors import StoreLocked
from storage.purge import Purge


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    purge = sub.add_parser("purge", help="remove personal data older than a date (docs/retention.md)")
    purge.add_argument("--before", required=True, help="a date (2023-11-01) or time; everything older goes")
    purge.add_argument("--dry-run", action="store_true", help="count what would go, remove nothing")
    purge.add_argument("--config", help="config file (default: config.example.toml of this checkout)")
    purge.set_defaults(func=cmd_purge)


def cmd_purge(args: argparse.Namespace) -> int:
    config = load_config(args.config, secrets=False)
    try:
        before = datetime.fromisoformat(args.before)
    except ValueError:
        print(f"intake purge: --before {args.before!r} is not a date (2023-11-01)", file=sys.stderr)
        return 2
    before = before if before.tzinfo else before.replace(tzinfo=config.notice.timezone)
    if before > datetime.now(config.notice.timezone):
        print("intake purge: --before is in the future", file=sys.stderr)
        return 2
    try:
        report = Purge(config.storage_dir, before, dry_run=args.dry_run).run()
    except StoreLocked as exc:
        print(
            f"intake purge: the store is in use (pid {exc.pid}); stop the daemon first (systemctl stop intake)",
            file=sys.stderr,
        )
        return 2
    outbox = 0 if args.dry_run else Outbox(config.outbox.directory).purge(before.timestamp(), flagged=True)
    audit = AuditLog(audit_path(config))
    entries = 0 if args.dry_run else audit.purge(before)
    lines = [*report.lines(), f"outbox items: {outbox}", f"audit log entries: {entries}"]
    if not args.dry_run:
        audit.append(
            AuditEntry(
                at=datetime.now(config.notice.timezone).isoformat(timespec="seconds"),
                user=f"cli:{getpass.getuser()}",
                action="purge",
                object=f"personal data before {before.isoformat()}",
                new={"removed": lines},
            )
        )
    print(("would remove (dry run):" if args.dry_run else "removed:") + "\n  " + "\n  ".join(lines))
    return 0
