"""Mail that is not ours gets no reply: real bounces, reports, auto-replies and signed mail from public
test suites (tests/data/corpus/real, sources and licences in SOURCES.md), and faithful reproductions of
the Chinese adverts, bounces and auto-replies no redistributable sample exists for."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from intake.mime.classify import MessageKind
from intake.pipeline.process import Context, Outcome, process
from rules.verdict import Status
from tests.corpus_reproductions import REPRODUCTIONS, Reproduction
from tests.helpers import CST, DATA, notice

CORPUS = DATA / "corpus" / "real"
WHEN = datetime(2023, 6, 5, 10, 0, tzinfo=CST)
# What each real file is; any not-ours kind (unrelated) is fine for the rest.
KINDS = {
    "sisimai-lhost-dragonfly-01.eml": MessageKind.BOUNCE,
    "sisimai-rhost-tencent-01.eml": MessageKind.BOUNCE,
    "sisimai-rfc3834-06.eml": MessageKind.AUTO_REPLY,
    "sisimai-email-domino-01.eml": MessageKind.BOUNCE,
    "sisimai-email-ezweb-03.eml": MessageKind.BOUNCE,
    "flanker-complaints-yahoo.eml": MessageKind.BOUNCE,
    "flanker-bounce-gmail-invalid-address.eml": MessageKind.BOUNCE,
    "flanker-disposition-notification.eml": MessageKind.BOUNCE,
    "mimekit-feedback-report.eml": MessageKind.BOUNCE,
}


def run(raw: bytes) -> Outcome:
    return process(raw, Context(notice()), mailbox="yaoy@moe.edu.cn", received=WHEN)


def real_files() -> list[Path]:
    return sorted(CORPUS.glob("*.eml"))


def test_the_corpus_is_there_and_every_file_has_a_source() -> None:
    sources = (CORPUS.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert len(real_files()) >= 10
    assert all(f"`{path.name}`" in sources for path in real_files())
    assert all(f"`{r.name}`" in sources for r in REPRODUCTIONS)


@pytest.mark.parametrize("path", real_files(), ids=lambda p: p.name)
def test_real_mail_that_is_not_ours_gets_no_reply(path: Path) -> None:
    outcome = run(path.read_bytes())
    assert outcome.verdict.status is Status.IGNORED, outcome.verdict
    expected = KINDS.get(path.name)
    if expected is not None:
        assert outcome.classification is not None and outcome.classification.kind is expected


@pytest.mark.parametrize("reproduction", REPRODUCTIONS, ids=lambda r: r.name)
def test_chinese_adverts_bounces_and_auto_replies_get_no_reply(reproduction: Reproduction) -> None:
    outcome = run(reproduction.make())
    assert outcome.verdict.status is Status.IGNORED, outcome.verdict
    assert outcome.classification is not None
    if reproduction.kind == "unrelated":
        assert outcome.classification.kind not in (MessageKind.BOUNCE, MessageKind.AUTO_REPLY)
    else:
        assert outcome.classification.kind == reproduction.kind


@pytest.mark.parametrize("name", ["qq-bounce", "163-bounce"])
def test_a_bounce_of_our_own_reply_names_it(name: str) -> None:
    [reproduction] = [r for r in REPRODUCTIONS if r.name == name]
    outcome = run(reproduction.make())
    assert outcome.returned == ("reply-" + "0" * 32 + "@moe.edu.cn",)


def test_an_smime_signature_is_never_read_or_complained_about() -> None:
    outcome = run((CORPUS / "flanker-signed.eml").read_bytes())
    assert outcome.message is not None
    assert all(not a.filename.endswith(".p7s") for a in outcome.message.attachments)
