"""Sub-commands for the organizers: digest, export, template, remind.

    intake digest   --period gz-status/1 [--send | --print | --out DIR] [--now ISO]
    intake export   --period gz-status/1 --out roster.xlsx [--signin]
    intake template --period gz-status/1 --province 河南 --out 回执.xlsx
    intake remind   [--send] [--now ISO]

While the daemon runs it holds the store's lock; these commands then read the store without the
lock (storage.readonly), and `digest --send` only queues the digest for the daemon to deliver.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from intake.cli.common import parse_when
from intake.config.settings import Config, load_config
from intake.daemon.runner import Daemon
from intake.organizer.desk import Organizer
from intake.organizer.schedule import organizer_for
from mailer.compose.digest import render_text, workbook_filename
from mailer.compose.signin import signin_workbook
from mailer.compose.template import receipt_template
from mailer.compose.workbook import roster_workbook
from mailer.outbox import Outbox
from rules.notice import Period, Unit
from rules.units import find_province
from storage.errors import StoreLocked
from storage.readonly import ReadOnlyStore
from storage.store import Store

Command = Callable[[argparse.Namespace, Config], int]


class UsageError(Exception):
    pass


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    digest = sub.add_parser("digest", help="the organizers' digest of one period: print, write or send it")
    _common(digest, period=True)
    how = digest.add_mutually_exclusive_group()
    how.add_argument(
        "--print", dest="action", action="store_const", const="print", help="plain text to stdout (default)"
    )
    how.add_argument("--out", metavar="DIR", help="write the .eml and the roster .xlsx into DIR")
    how.add_argument(
        "--send",
        dest="action",
        action="store_const",
        const="send",
        help="send it to the period's [organizers] through the outbox",
    )
    digest.set_defaults(func=cmd_digest, action="print")
    export = sub.add_parser("export", help="the roster workbook (.xlsx) of one period, or its sign-in sheet")
    _common(export, period=True)
    export.add_argument("--out", required=True, metavar="FILE.xlsx")
    export.add_argument(
        "--signin", action="store_true", help="the sign-in sheet (签到表) alone: numbered, a column per day"
    )
    export.set_defaults(func=cmd_export)
    template = sub.add_parser("template", help="a blank 报名回执表 for one province and period")
    _common(template, period=True, now=False)
    template.add_argument("--province", required=True, help="the province (河南, 河南省, 河南省教育厅 ...)")
    template.add_argument("--out", required=True, metavar="FILE.xlsx")
    template.set_defaults(func=cmd_template)
    remind = sub.add_parser("remind", help="list the reminders due now; --send queues and sends them")
    _common(remind, period=False)
    remind.add_argument("--send", action="store_true", help="queue the due reminders and deliver the outbox")
    remind.set_defaults(func=cmd_remind)


def _common(parser: argparse.ArgumentParser, *, period: bool, now: bool = True) -> None:
    parser.add_argument("--config", help="config file (default: config.example.toml of this checkout)")
    if period:
        parser.add_argument("--period", required=True, help="program/number, e.g. gz-status/1")
    if now:
        parser.add_argument("--now", help="as of this time, ISO 8601 (default: now)")


def _period(config: Config, key: str) -> Period:
    period = config.notice.period(key)
    if period is None:
        keys = ", ".join(p.key for p in config.notice.periods)
        raise UsageError(f"no period {key!r} in the notice; periods: {keys}")
    return period


def _now(config: Config, args: argparse.Namespace) -> datetime:
    if getattr(args, "now", None):
        return parse_when(args.now, config)
    return datetime.now(config.notice.timezone)


def _reader(config: Config) -> Store | ReadOnlyStore:
    """The store itself, or a lock-free read-only view while the daemon holds it."""
    try:
        return Store(config.storage_dir)
    except StoreLocked:
        return ReadOnlyStore(config.storage_dir)


def _run(func: Command) -> Callable[[argparse.Namespace], int]:
    """The command with the config loaded, and usage errors and a locked store turned into exit codes."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return func(args, load_config(args.config))
        except UsageError as exc:
            print(f"intake: {exc}", file=sys.stderr)
            return 2
        except StoreLocked as exc:
            print(
                f"intake: the daemon is running and holds the store ({exc}); it sends digests and reminders "
                "itself when they are due",
                file=sys.stderr,
            )
            return 3

    return wrapper


@_run
def cmd_digest(args: argparse.Namespace, config: Config) -> int:
    period, now = _period(config, args.period), _now(config, args)
    if args.out:
        args.action = "out"
    if args.action == "send":
        return _send_digest(config, period, now)
    with _reader(config) as store:
        organizer = Organizer(config, store)
        key = organizer.digest_key(period, now, manual=True)
        data, raw, workbook = organizer.digest_message(period, now, key)
    if args.action == "print":
        sys.stdout.write(render_text(data))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    eml = out / f"digest-{period.program}-{period.number}-{now:%Y%m%d}.eml"
    eml.write_bytes(raw)
    written = [eml]
    if workbook is not None:
        written.append(out / workbook_filename(data))
        written[-1].write_bytes(workbook)
    print("\n".join(str(p) for p in written))
    return 0


def _send_digest(config: Config, period: Period, now: datetime) -> int:
    if not config.organizers.get(period.key):
        raise UsageError(f"no organizers for {period.key}: add them under [organizers] in the config")
    try:
        daemon = Daemon(config)
    except StoreLocked:
        return _queue_digest_for_the_running_daemon(config, period, now)
    with daemon:
        item = organizer_for(daemon).send_digest(period, now, manual=True)
        report = daemon.deliver()
    state = "sent" if item.key in report.sent else "queued (see intake status)"
    print(f"{item.key}: {state}")
    return 0


def _queue_digest_for_the_running_daemon(config: Config, period: Period, now: datetime) -> int:
    """Only queue the digest: the running daemon, which holds the store, delivers it."""
    outbox = Outbox(config.outbox.directory)
    organizer = Organizer(config, ReadOnlyStore(config.storage_dir), outbox)
    key = organizer.digest_key(period, now, manual=True)
    _data, raw, _wb = organizer.digest_message(period, now, key)
    recipients = list(config.organizers[period.key])
    outbox.enqueue(key, raw, organizer.from_for(period, config.digest.from_addr), recipients)
    print(f"{key}: queued; the running daemon delivers it")
    return 0


@_run
def cmd_export(args: argparse.Namespace, config: Config) -> int:
    period, now = _period(config, args.period), _now(config, args)
    with _reader(config) as store:
        data = Organizer(config, store).digest(period, now)
    Path(args.out).write_bytes(signin_workbook(data) if args.signin else roster_workbook(data))
    what = f"sign-in sheet, {len(data.days)} days" if args.signin else "roster workbook"
    print(
        f"{args.out}: {what}; {len(data.people)} participants, "
        f"{data.totals['accepted']}/{data.totals['admitted']} provinces"
    )
    return 0


def resolve_province(config: Config, period: Period, text: str) -> Unit:
    unit = config.notice.unit(text.strip()) or find_province(text, config.notice)
    if unit is None:
        raise UsageError(f"no province {text!r} in the notice")
    if unit.name not in period.provinces:
        raise UsageError(
            f"{unit.name} is not admitted to {period.key}; it admits: {'、'.join(period.provinces)}"
        )
    return unit


@_run
def cmd_template(args: argparse.Namespace, config: Config) -> int:
    period = _period(config, args.period)
    unit = resolve_province(config, period, args.province)
    Path(args.out).write_bytes(receipt_template(config.notice, period, unit))
    print(f"{args.out}: 报名回执表 for {unit.name}, {period.key}")
    return 0


@_run
def cmd_remind(args: argparse.Namespace, config: Config) -> int:
    now = _now(config, args)
    if args.send:
        with Daemon(config) as daemon:
            keys = organizer_for(daemon).send_due_reminders(now)
            daemon.deliver()
        print("\n".join(keys) if keys else "no reminder is due")
        return 0
    with _reader(config) as store:
        due = Organizer(config, store).due_reminders(now)
    for r in due:
        state = "需修改" if r.rejected else "未报送"
        print(f"{r.period.key}\t{r.province}\t{state}\t{r.stage} 天前\t{', '.join(r.to)}")
    if not due:
        print("no reminder is due")
    return 0
