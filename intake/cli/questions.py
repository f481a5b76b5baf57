"""`intake questions`: the messages that need a person, and marking one handled.

    intake questions [--all] [--json]                 list the open ones (--all: handled ones too)
    intake questions done KEY --by NAME [--note TEXT] a person handled it: it leaves the queue

KEY is the start of the question's key as listed (6 characters at least).  While the daemon runs it
holds the store: the list is read without the lock, and "done" is left as a request that the
daemon records within half a minute (storage/questions.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TextIO

from intake.config.settings import Config, load_config
from storage.errors import StoreLocked
from storage.questions import HandledRequest, Question, QuestionNotFound, read_questions, request_handled
from storage.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    questions = sub.add_parser(
        "questions", help="messages that need a person (no receipt, words for a person)"
    )
    questions.add_argument("--config", help="config file (default: config.example.toml of this checkout)")
    questions.add_argument("--all", action="store_true", help="handled questions too")
    questions.add_argument("--json", action="store_true", help="print them as JSON")
    questions.set_defaults(func=cmd_list)
    actions = questions.add_subparsers(dest="action")
    done = actions.add_parser("done", help="mark a question handled: it leaves the queue")
    done.add_argument("key", help="the question's key as listed (its first 6 characters or more)")
    done.add_argument("--by", required=True, help="who handled it")
    done.add_argument("--note", default="", help="how it was answered, or why it needs nothing")
    done.add_argument("--config", dest="done_config", help="config file")
    done.set_defaults(func=cmd_done)


def cmd_list(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    questions = [q for q in _questions(config) if args.all or q.open]
    if args.json:
        print(json.dumps([q.to_json() for q in questions], ensure_ascii=False, indent=1))
    else:
        print_questions(questions, sys.stdout)
    return 0


def cmd_done(args: argparse.Namespace) -> int:
    config = load_config(args.done_config or args.config)
    at = datetime.now(config.notice.timezone).isoformat(timespec="seconds")
    try:
        store = Store(config.storage_dir)
    except StoreLocked:
        request = HandledRequest(args.key, args.by, args.note, at)
        try:
            request_handled(config.storage_dir, request)
        except QuestionNotFound as exc:
            print(f"intake: {exc}", file=sys.stderr)
            return 2
        print(f"{args.key}: handled; the running daemon records it within half a minute")
        return 0
    with store:
        try:
            question = store.mark_question_handled(args.key, by=args.by, note=args.note, at=at)
        except QuestionNotFound as exc:
            print(f"intake: {exc}", file=sys.stderr)
            return 2
    print(f"{question.short}: handled by {question.handled_by} at {question.handled_at}")
    return 0


def _questions(config: Config) -> list[Question]:
    """Every question: from the store, or from its files while the daemon holds it."""
    try:
        with Store(config.storage_dir) as store:
            return store.questions()
    except StoreLocked:
        return read_questions(config.storage_dir)


def print_questions(questions: list[Question], out: TextIO) -> None:
    if not questions:
        out.write("No question is waiting for a person.\n")
        return
    for q in questions:
        state = "open" if q.open else f"handled {q.handled_at[:16]} by {q.handled_by}: {q.handled_note}"
        where = "、".join(q.periods) or q.mailbox
        out.write(
            f"{q.short}  {q.received[:16]}  {q.sender}  [{where}{' ' + q.province if q.province else ''}]  {state}\n"
        )
        out.write(f"  主题：{q.subject}\n")
        for line in q.text.splitlines()[:12]:
            if line.strip():
                out.write(f"  | {line.rstrip()}\n")
        if q.acknowledged:
            out.write("  （已自动回复“已收到，会务组将人工回复”）\n")
