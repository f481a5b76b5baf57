"""`intake user`: the console's accounts, whether the daemon runs or not (storage/users.py).

    intake user add NAME --role viewer|editor|admin [--periods gz-status/1 ...]   prints a one-time password
    intake user disable NAME                                                       their sessions end
    intake user reset NAME                                                         a new one-time password
    intake user list

There is no default account.  Each change is written to the audit log as done by ``cli:<login>``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from pathlib import Path

from intake.config.settings import Config, load_config
from intake.console.passwords import hash_password, one_time_password
from storage.audit import AuditEntry, AuditLog
from storage.users import Role, User, UserBook, UserError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = sub.add_parser("user", help="the web console's accounts (add, disable, reset, list)")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="a new account; prints its one-time password")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument(
        "--periods", nargs="+", default=[], metavar="PERIOD", help="only these periods (default: all)"
    )
    add.set_defaults(func=cmd_add)
    disable = actions.add_parser("disable", help="refuse the account from now on; its sessions end")
    disable.add_argument("name")
    disable.set_defaults(func=cmd_disable)
    reset = actions.add_parser("reset", help="a new one-time password (and the account enabled again)")
    reset.add_argument("name")
    reset.set_defaults(func=cmd_reset)
    listing = actions.add_parser("list", help="the accounts")
    listing.set_defaults(func=cmd_list)
    for parser in (add, disable, reset, listing):
        parser.add_argument("--config", help="config file (default: config.example.toml of this checkout)")


def audit_path(config: Config) -> Path:
    return Path(config.storage_dir) / "console" / "audit.jsonl"


def _record(config: Config, action: str, user: User, old: object, new: object) -> None:
    AuditLog(audit_path(config)).append(
        AuditEntry(
            at=datetime.now(config.notice.timezone).isoformat(timespec="seconds"),
            user=f"cli:{getpass.getuser()}",
            action=action,
            object=f"user {user.name}",
            old=old,
            new=new,
        )
    )


def _book(args: argparse.Namespace) -> tuple[Config, UserBook]:
    config = load_config(args.config, secrets=False)
    return config, UserBook(config.console.users_file)


def cmd_add(args: argparse.Namespace) -> int:
    config, book = _book(args)
    for period in args.periods:
        if config.notice.period(period) is None:
            print(f"intake user: {period!r} is not a period of the notice", file=sys.stderr)
            return 2
    password = one_time_password()
    try:
        user = book.add(args.name, Role(args.role), tuple(args.periods), hash_password(password))
    except UserError as exc:
        print(f"intake user: {exc}", file=sys.stderr)
        return 2
    _record(config, "user.add", user, None, _shown(user))
    print(f"user {user.name} ({user.role}, periods: {', '.join(user.periods) or 'all'})")
    print(f"one-time password: {password}")
    print("It is shown only now; it must be changed at the first login.")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    config, book = _book(args)
    try:
        before = book.get(args.name)
        user = book.disable(args.name)
    except UserError as exc:
        print(f"intake user: {exc}", file=sys.stderr)
        return 2
    _record(config, "user.disable", user, _shown(before) if before else None, _shown(user))
    print(f"user {user.name} disabled; their sessions end at their next request")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    config, book = _book(args)
    password = one_time_password()
    try:
        user = book.update(args.name, password_hash=hash_password(password), must_change=True, disabled=False)
    except UserError as exc:
        print(f"intake user: {exc}", file=sys.stderr)
        return 2
    _record(config, "user.reset", user, None, _shown(user))
    print(f"one-time password for {user.name}: {password}")
    print("It is shown only now; it must be changed at the next login.  Their sessions have ended.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    _config, book = _book(args)
    users = book.all()
    if not users:
        print("No console account yet: intake user add NAME --role admin")
    for user in users:
        state = "disabled" if user.disabled else ("must change password" if user.must_change else "active")
        print(f"{user.name:16} {user.role:7} {', '.join(user.periods) or 'all periods':30} {state}")
    return 0


def _shown(user: User) -> dict[str, object]:
    """What the audit log keeps of an account (never its hash)."""
    return {
        "role": str(user.role),
        "periods": list(user.periods) or "all",
        "disabled": user.disabled,
        "must_change": user.must_change,
    }
