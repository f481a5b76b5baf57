"""The configuration: every choice is an enum checked once at load, errors name the key and the choices."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from intake.cli.main import main
from intake.config.choices import MailboxKind, OutboxKind, ProcessedAction, Security, StopAfter
from intake.config.sections import read_section
from intake.config.settings import DEFAULT_CONFIG, load_config
from intake.daemon.wiring import make_sender
from intake.errors import ConfigError
from intake.mailbox.factory import SOURCES, make_source
from intake.mailbox.imap import ImapSource
from intake.mailbox.maildir import MaildirSource
from mailer.smtp_sender import FileSender, SmtpSender
from tests.helpers import ROOT


def write(
    tmp_path: Path, *, policy: str = "", imap: str = "", maildir: str = "", outbox: str = "", digest: str = ""
) -> Path:
    """A config with an IMAP and a maildir mailbox; each argument is added to its table."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'''notice = "{ROOT / "notice-2023.toml"}"
[policy]
{policy}
[storage]
directory = "state"
[[mailboxes]]
name = "imap"
host = "imap.example.cn"
user = "baoming@example.cn"
password_env = "INTAKE_TEST_CONFIG_PASSWORD"
address = "baoming@example.cn"
periods = ["gz-status/1"]
{imap}
[[mailboxes]]
name = "local"
kind = "maildir"
path = "maildir"
address = "yaoy@moe.edu.cn"
periods = ["zz-student/1"]
{maildir}
[outbox]
directory = "outbox"
deliver_to = "sent"
{outbox}
[digest]
{digest}
''',
        encoding="utf-8",
    )
    return path


@pytest.fixture(autouse=True)
def imap_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The IMAP mailbox's password variable: passwords are read when the configuration loads."""
    monkeypatch.setenv("INTAKE_TEST_CONFIG_PASSWORD", "secret")


BAD_CHOICES = [
    (dict(imap='security = "ssl"'), "mailboxes[0].security", '"ssl" is not one of "tls", "starttls", "none"'),
    (dict(imap='kind = "pop3"'), "mailboxes[0].kind", '"pop3" is not one of "imap", "maildir"'),
    (
        dict(maildir='processed_action = "delete"'),
        "mailboxes[1].processed_action",
        '"delete" is not one of "none", "move", "keyword"',
    ),
    (dict(outbox='kind = "sendmail"'), "outbox.kind", '"sendmail" is not one of "file", "smtp"'),
    (dict(outbox='security = "SSL"'), "outbox.security", '"SSL" is not one of "tls", "starttls", "none"'),
    (
        dict(digest='stop_after = "soon"'),
        "digest.stop_after",
        '"soon" is not one of "deadline", "end", "never"',
    ),
    (dict(policy='late = "reject"'), "policy.late", '"reject" is not one of "warning", "error"'),
    (dict(imap="security = 1"), "mailboxes[0].security", '1 is not one of "tls", "starttls", "none"'),
]


@pytest.mark.parametrize("tables, key, message", BAD_CHOICES)
def test_a_bad_choice_is_refused_at_load_naming_the_key_and_the_choices(
    tmp_path: Path, tables: dict[str, str], key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, **tables))
    assert (info.value.key, info.value.message) == (key, message)
    assert str(info.value) == f"{key}: {message}"


@pytest.mark.parametrize("tables, key, message", BAD_CHOICES)
def test_intake_run_exits_2_with_one_line_naming_the_key_and_the_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: dict[str, str], key: str, message: str
) -> None:
    assert main(["run", "--once", "--config", str(write(tmp_path, **tables))]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"intake: configuration error: {key}: {message}\n"
    assert not (tmp_path / "state").exists()  # refused before anything was opened


def test_choices_load_as_enums_equal_to_their_strings(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            imap='security = "starttls"\nprocessed_action = "keyword"\nprocessed_target = "$Done"',
            outbox='kind = "smtp"\nhost = "smtp.example.cn"\nsecurity = "tls"',
            digest='stop_after = "deadline"',
        )
    )
    imap, local = config.mailboxes
    assert (imap.kind, imap.security, imap.processed_action) == (
        MailboxKind.IMAP,
        Security.STARTTLS,
        ProcessedAction.KEYWORD,
    )
    assert local.kind is MailboxKind.MAILDIR and local.path == str(tmp_path / "maildir")
    assert config.outbox.kind is OutboxKind.SMTP and config.outbox.security is Security.TLS
    assert config.digest.stop_after == "deadline"
    assert config.digest.stop_after is StopAfter.DEADLINE
    assert imap.security == "starttls" and f"{imap.security}" == "starttls"


def test_the_example_config_loads_with_its_defaults() -> None:
    config = load_config(DEFAULT_CONFIG)
    assert config.outbox.kind is OutboxKind.FILE and config.outbox.security is Security.TLS
    assert [mb.kind for mb in config.mailboxes] == [MailboxKind.MAILDIR]
    assert config.policy.late == "warning"


@pytest.mark.parametrize(
    "tables, key, text",
    [
        (dict(imap="password = 'hunter2'"), "mailboxes[0].password", "passwords never go in the TOML"),
        (dict(imap="colour = 'blue'"), "mailboxes[0].colour", "unknown key"),
        (dict(imap="port = '993'"), "mailboxes[0].port", "expected int, got str"),
    ],
)
def test_other_mistakes_name_their_key(tmp_path: Path, tables: dict[str, str], key: str, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, **tables))
    assert info.value.key == key and text in info.value.message
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    "line, replacement, key, message",
    [
        ('name = "local"\n', "", "mailboxes[1].name", "missing"),
        (
            'periods = ["gz-status/1"]',
            'periods = "gz-status/1"',
            "mailboxes[0].periods",
            "expected a list, got str",
        ),
        (
            'periods = ["gz-status/1"]',
            'periods = ["gz-status/9"]',
            "mailboxes[0].periods",
            "'gz-status/9' is not a period of the notice",
        ),
    ],
)
def test_a_missing_or_misshapen_key_is_named(
    tmp_path: Path, line: str, replacement: str, key: str, message: str
) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(line, replacement), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (info.value.key, info.value.message) == (key, message)


# -- the generic mechanism: a field's annotation is its check --------------------------------------


class Late(enum.StrEnum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class PolicyWithEnum:
    """As rules.policy.Policy will be once its late is an enum: checked with no code in the loader."""

    late: Late = Late.WARNING
    arrival_days_before: int = 3


@dataclass(frozen=True)
class WithLiteral:
    mode: Literal["fast", "slow"] = "fast"
    ratio: float = 1.0


def test_read_section_checks_any_enum_annotated_field() -> None:
    assert read_section(PolicyWithEnum, {"late": "error"}, "policy").late is Late.ERROR
    with pytest.raises(ConfigError) as info:
        read_section(PolicyWithEnum, {"late": "fatal"}, "policy")
    assert str(info.value) == 'policy.late: "fatal" is not one of "warning", "error"'


def test_read_section_checks_literal_fields_and_widens_whole_numbers_to_float() -> None:
    assert read_section(WithLiteral, {"mode": "slow", "ratio": 2}, "x") == WithLiteral("slow", 2.0)
    with pytest.raises(ConfigError, match='^x.mode: "medium" is not one of "fast", "slow"$'):
        read_section(WithLiteral, {"mode": "medium"}, "x")
    with pytest.raises(ConfigError, match="^x.ratio: expected float, got bool$"):
        read_section(WithLiteral, {"ratio": True}, "x")
    with pytest.raises(ConfigError, match="^x: expected a table$"):
        read_section(WithLiteral, ["mode"], "x")


# -- the mailbox edge and the sender, made from the configuration -----------------------------------


def test_every_mailbox_kind_has_a_source_factory(tmp_path: Path) -> None:
    assert set(SOURCES) == set(MailboxKind)
    config = load_config(write(tmp_path, imap='security = "starttls"'))
    imap, local = (make_source(mb, config) for mb in config.mailboxes)
    # the port follows security when it is not given (STARTTLS on 143, not 993)
    assert isinstance(imap, ImapSource) and imap.security is Security.STARTTLS and imap.port == 143
    assert isinstance(local, MaildirSource) and local.path == tmp_path / "maildir"


def test_the_sender_follows_outbox_kind(tmp_path: Path) -> None:
    file_sender = make_sender(load_config(write(tmp_path)))
    assert isinstance(file_sender, FileSender) and file_sender.directory == tmp_path / "sent"
    smtp = make_sender(
        load_config(
            write(tmp_path, outbox='kind = "smtp"\nhost = "smtp.example.cn"\nport = 465\nsecurity = "tls"')
        )
    )
    assert isinstance(smtp, SmtpSender) and (smtp.host, smtp.port, smtp.security) == (
        "smtp.example.cn",
        465,
        "tls",
    )


def test_a_missing_password_variable_refuses_the_start_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("INTAKE_TEST_CONFIG_PASSWORD", raising=False)
    path = write(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == "mailboxes[0].password_env"
    assert info.value.message == "environment variable INTAKE_TEST_CONFIG_PASSWORD is not set"
    assert main(["run", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        "intake: configuration error: mailboxes[0].password_env: "
        "environment variable INTAKE_TEST_CONFIG_PASSWORD is not set\n"
    )
    assert not (tmp_path / "state").exists()  # refused before anything was opened
    # `intake status` opens no server: it reads the store without the secrets
    assert main(["status", "--config", str(path)]) == 0
