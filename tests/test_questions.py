"""The questions queue: kept once, listed, closed by a person with who/when/why; the digest's heading;
`intake questions` with the store free and while the daemon holds it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from intake.cli.main import main
from intake.config.settings import load_config
from intake.daemon.runner import Daemon
from intake.organizer.desk import Organizer
from mailer.compose.digest import render_text
from mailer.compose.digest_html import render_html
from storage.questions import Question, QuestionNotFound, read_questions
from storage.sent import SentKind, SentNote
from storage.store import Store
from tests.organizer_data import NOW, PERIOD, write_config

KEY = "9f" * 32


def question(key: str = KEY, **changes: Any) -> Question:
    base = Question(
        key=key,
        mailbox="gz1",
        message_id="q1@hlj.edu.cn",
        sender="liang@tjedu.cn",
        subject="回复：【已确认】天津报名回执",
        text="姚老师好！\n能否多报一人？",
        received="2023-06-15T10:00:00+08:00",
        thread="reply-" + "0" * 32 + "@yzpc.edu.cn",
        periods=(PERIOD,),
        province="天津",
    )
    return dataclasses.replace(base, **changes)


def test_a_question_is_kept_once_and_leaves_the_queue_when_handled(tmp_path: Path) -> None:
    with Store(tmp_path / "state") as store:
        store.add_question(question())
        again = store.add_question(question(text="changed"))
        assert again.text.startswith("姚老师好") and store.open_questions() == 1
        handled = store.mark_question_handled(
            KEY[:8], by="姚艳", note="电话答复：可以多报一人", at="2023-06-15T11:00:00+08:00"
        )
        assert (handled.handled_by, handled.handled_note) == ("姚艳", "电话答复：可以多报一人")
        assert store.questions(open_only=True) == [] and store.open_questions() == 0
    with Store(tmp_path / "state") as store:  # kept on disk
        [kept] = store.questions()
        assert not kept.open and kept.handled_at == "2023-06-15T11:00:00+08:00"


def test_a_question_is_found_by_an_unambiguous_prefix_only(tmp_path: Path) -> None:
    with Store(tmp_path / "state") as store:
        store.add_question(question("ab" * 32))
        store.add_question(question("ac" * 32))
        with pytest.raises(QuestionNotFound):
            store.question("a")  # too short, and both keys start with it
        assert store.question("ababab").key == "ab" * 32


def test_what_we_sent_names_its_thread_and_makes_a_known_sender(tmp_path: Path) -> None:
    thread = "reply-" + "1" * 32 + "@x.cn"
    with Store(tmp_path / "state") as store:
        store.note_sent(
            SentNote(
                thread, "reply:1", SentKind.REPLY, thread, "a@hlj.edu.cn", "t", "zz-student", 1, "黑龙江"
            )
        )
        store.note_sent(
            SentNote("ack-" + "2" * 32 + "@x.cn", "ack:2", SentKind.ACK, thread, "a@hlj.edu.cn", "t")
        )
        found = store.sent(["other@x", "ack-" + "2" * 32 + "@x.cn"])
        assert found is not None and found.thread == thread
        assert store.thread_acknowledged(thread) and store.known_sender("A@hlj.edu.cn")
        assert not store.known_sender("stranger@163.com")


def test_the_digest_lists_open_questions_under_their_own_heading_with_their_text(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    with Store(config.storage_dir) as store:
        store.add_question(question())
        store.add_question(question("77" * 32, periods=("zz-student/1",), text="别的培训的问题"))
        period = config.notice.period(PERIOD)
        assert period is not None
        data = Organizer(config, store).digest(period, NOW)
    text, html = render_text(data), render_html(data)
    assert "待人工答复的问题（1）" in text and "能否多报一人？" in text and KEY[:12] in text
    assert "别的培训的问题" not in text
    assert "待人工答复的问题（1）" in html and "能否多报一人？" in html


def test_intake_questions_lists_and_closes_with_the_store_free(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path)
    with Store(load_config(path).storage_dir) as store:
        store.add_question(question())
    assert main(["questions", "--config", str(path)]) == 0
    listed = capsys.readouterr().out
    assert KEY[:12] in listed and "能否多报一人？" in listed and "liang@tjedu.cn" in listed
    assert (
        main(["questions", "done", KEY[:12], "--by", "姚艳", "--note", "已电话答复", "--config", str(path)])
        == 0
    )
    assert "handled by 姚艳" in capsys.readouterr().out
    assert main(["questions", "--config", str(path)]) == 0
    assert "No question is waiting" in capsys.readouterr().out
    assert main(["questions", "--all", "--json", "--config", str(path)]) == 0
    [closed] = json.loads(capsys.readouterr().out)
    assert (closed["handled_by"], closed["handled_note"]) == ("姚艳", "已电话答复")


def test_while_the_daemon_holds_the_store_done_is_recorded_by_the_daemon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path)
    config = load_config(path)
    with Daemon(config) as daemon:
        daemon.store.add_question(question())
        assert main(["questions", "--config", str(path)]) == 0  # read without the lock
        assert KEY[:12] in capsys.readouterr().out
        assert main(["questions", "done", KEY[:12], "--by", "董丽萍", "--config", str(path)]) == 0
        assert "the running daemon records it" in capsys.readouterr().out
        assert daemon.store.open_questions() == 1  # not yet: the daemon records it with its status
        status = daemon.status()
        assert status["questions"]["open"] == 0 and daemon.store.open_questions() == 0
    [closed] = read_questions(config.storage_dir)
    assert closed.handled_by == "董丽萍"
