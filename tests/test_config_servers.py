"""Server settings at load: secrets read and checked, TLS by default, plaintext refused off loopback,
CA files, paths relative to the config file, and an SMTP account for every From address."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.config.choices import Security
from intake.config.sending import account_for, smtp_accounts
from intake.config.settings import load_config
from intake.daemon.wiring import make_accounts
from intake.errors import ConfigError
from mailer.smtp_sender import SmtpSender
from tests.fixtures.provider_smtpd import PrivateCA
from tests.helpers import ROOT

QQ3 = "287455270@qq.com"


def write(
    tmp_path: Path, mailbox: str = "", smtp: str | None = None, outbox: str = "", top: str = ""
) -> Path:
    """One IMAP mailbox (QQ3, gz-status/3) and [outbox]; smtp: the [mailboxes.smtp] table's lines."""
    smtp_table = f"[mailboxes.smtp]\n{smtp}\n" if smtp is not None else ""
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        f'''notice = "{ROOT / "notice-2023.toml"}"
{top}
[reminders]
enabled = false
[[mailboxes]]
name = "qq3"
host = "imap.qq.com"
user = "{QQ3}"
password_env = "INTAKE_TEST_QQ3"
address = "{QQ3}"
periods = ["gz-status/3"]
{mailbox}
{smtp_table}
[outbox]
directory = "outbox"
{outbox}
''',
        encoding="utf-8",
    )
    return path


@pytest.fixture(autouse=True)
def qq3_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_TEST_QQ3", "qq3 授权码 ")  # spaces and non-ASCII are kept as they are


def refused(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


def test_tls_by_default_with_ports_from_security(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, smtp='host = "smtp.qq.com"', outbox='kind = "smtp"'))
    [mb] = config.mailboxes
    assert (mb.security, mb.port) == (Security.TLS, 993)
    assert mb.smtp is not None and (mb.smtp.security, mb.smtp.port) == (Security.TLS, 465)
    # an [outbox] with a host and no security key: TLS on 465, not plain text on 25
    shared = load_config(
        write(
            tmp_path,
            outbox='kind = "smtp"\nhost = "smtp.example.cn"\nuser = "x@example.cn"\npassword_env = "INTAKE_TEST_QQ3"',
        )
    )
    assert (shared.outbox.security, shared.outbox.port) == (Security.TLS, 465)
    sender = make_accounts(shared).accounts[-1].sender
    assert isinstance(sender, SmtpSender) and (sender.security, sender.port) == ("tls", 465)
    starttls = load_config(
        write(
            tmp_path,
            mailbox='security = "starttls"',
            smtp='host = "smtp.qq.com"\nsecurity = "starttls"',
            outbox='kind = "smtp"',
        )
    )
    assert starttls.mailboxes[0].port == 143 and starttls.mailboxes[0].smtp is not None
    assert starttls.mailboxes[0].smtp.port == 587


PLAIN = 'security = "none"'


@pytest.mark.parametrize(
    "tables, loopback, key",
    [
        (dict(mailbox=PLAIN), dict(top="", mailbox=PLAIN, host="127.0.0.1"), "mailboxes[0].security"),
        (
            dict(smtp=f'host = "smtp.qq.com"\n{PLAIN}', outbox='kind = "smtp"'),
            dict(smtp=f'host = "localhost"\n{PLAIN}', outbox='kind = "smtp"'),
            "mailboxes[0].smtp.security",
        ),
        (
            dict(outbox=f'kind = "smtp"\nhost = "relay.example.cn"\n{PLAIN}'),
            dict(outbox=f'kind = "smtp"\nhost = "::1"\n{PLAIN}'),
            "outbox.security",
        ),
    ],
)
def test_plaintext_to_a_host_off_this_machine_is_refused(
    tmp_path: Path, tables: dict[str, str], loopback: dict[str, str], key: str
) -> None:
    error = refused(write(tmp_path, **tables))
    assert error.key == key and "in clear" in error.message and "allow_plaintext" in error.message
    # ... unless the operator says so, and always allowed on loopback
    load_config(write(tmp_path, **{k: v + "\nallow_plaintext = true" for k, v in tables.items()}))
    host = loopback.pop("host", "")
    path = write(tmp_path, **loopback)
    if host:
        path.write_text(path.read_text(encoding="utf-8").replace("imap.qq.com", host), encoding="utf-8")
    load_config(path)


def test_a_missing_or_empty_secret_is_refused_naming_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_TEST_QQ3", "")
    error = refused(write(tmp_path))
    assert (error.key, error.message) == (
        "mailboxes[0].password_env",
        "environment variable INTAKE_TEST_QQ3 is empty",
    )
    monkeypatch.setenv("INTAKE_TEST_QQ3", "x")
    error = refused(
        write(
            tmp_path,
            smtp='host = "smtp.qq.com"\npassword_env = "INTAKE_TEST_NOT_SET"',
            outbox='kind = "smtp"',
        )
    )
    assert (error.key, error.message) == (
        "mailboxes[0].smtp.password_env",
        "environment variable INTAKE_TEST_NOT_SET is not set",
    )
    error = refused(write(tmp_path, outbox='kind = "smtp"\nhost = "smtp.example.cn"\nuser = "a@example.cn"'))
    assert error.key == "outbox.password_env" and error.message.startswith("missing")


def test_password_files_are_relative_to_the_config_and_keep_all_but_the_line_end(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        mailbox='password_file = "secrets/qq3"',
        outbox='kind = "smtp"\nhost = "smtp.example.cn"\nuser = "a@example.cn"\npassword_file = "secrets/outbox"',
    )
    text = path.read_text(encoding="utf-8").replace('password_env = "INTAKE_TEST_QQ3"\n', "")
    path.write_text(text, encoding="utf-8")
    (path.parent / "secrets").mkdir()
    (path.parent / "secrets" / "qq3").write_text(" 授权码 with spaces \n", encoding="utf-8")
    (path.parent / "secrets" / "outbox").write_text("outbox-pw\r\n", encoding="utf-8")
    config = load_config(path)
    assert config.mailboxes[0].password() == " 授权码 with spaces "
    assert config.outbox.secret.value == "outbox-pw"
    assert "授权码" not in repr(config) and "outbox-pw" not in repr(config)
    (path.parent / "secrets" / "qq3").write_text("\n", encoding="utf-8")
    error = refused(path)
    assert error.key == "mailboxes[0].password_file" and "is empty" in error.message


def test_tls_ca_file_is_loaded_at_start_and_relative_to_the_config(tmp_path: Path) -> None:
    error = refused(write(tmp_path, mailbox='tls_ca_file = "ca/missing.pem"'))
    assert (
        error.key == "mailboxes[0].tls_ca_file"
        and str(tmp_path / "conf" / "ca" / "missing.pem") in error.message
    )
    (tmp_path / "conf" / "not-a-cert.pem").write_text("hello\n", encoding="utf-8")
    assert (
        refused(write(tmp_path, mailbox='tls_ca_file = "not-a-cert.pem"')).key == "mailboxes[0].tls_ca_file"
    )
    ca = PrivateCA(tmp_path)
    (tmp_path / "conf" / "ca.pem").write_bytes(ca.cafile.read_bytes())
    config = load_config(
        write(
            tmp_path,
            mailbox='tls_ca_file = "ca.pem"',
            smtp='host = "smtp.qq.com"\ntls_ca_file = "ca.pem"',
            outbox='kind = "smtp"',
        )
    )
    assert config.mailboxes[0].tls_ca_file == str(tmp_path / "conf" / "ca.pem")


def test_log_file_and_every_path_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, top='[daemon]\nlog_file = "log/intake.log"\n[storage]\ndirectory = "var"')
    )
    base = tmp_path / "conf"
    assert config.daemon.log_file == str(base / "log" / "intake.log")
    assert (config.storage_dir, config.outbox.directory) == (base / "var", str(base / "outbox"))


def test_a_mailbox_account_sends_its_own_from_with_its_imap_login_by_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, smtp='host = "smtp.qq.com"', outbox='kind = "smtp"'))
    smtp = config.mailboxes[0].smtp
    assert smtp is not None and (smtp.user, smtp.senders) == (QQ3, (QQ3,))
    assert smtp.secret.value == "qq3 授权码 "  # the 授权码 serves IMAP and SMTP alike
    [account] = smtp_accounts(config)
    assert account_for((account,), QQ3.upper()) is account and account_for((account,), "x@qq.com") is None


@pytest.mark.parametrize(
    "tables, key, text",
    [
        (dict(outbox='kind = "smtp"'), "outbox.host", "needs a host"),
        (
            dict(
                smtp='host = "smtp.qq.com"',
                outbox='kind = "smtp"',
                top='[digest]\nfrom_addr = "boss@example.cn"\n[organizers]\n"gz-status/3" = ["o@example.cn"]',
            ),
            "digest.from_addr",
            "no SMTP account may send From boss@example.cn",
        ),
        (
            dict(smtp='host = "smtp.qq.com"\nsenders = ["other@qq.com"]', outbox='kind = "smtp"'),
            "mailboxes[0].address",
            f"no SMTP account may send From {QQ3}",
        ),
    ],
)
def test_a_from_address_no_account_may_send_is_refused_at_start(
    tmp_path: Path, tables: dict[str, str], key: str, text: str
) -> None:
    error = refused(write(tmp_path, **tables))
    assert error.key == key and text in error.message


def test_the_shared_outbox_sends_any_other_from(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            top='[digest]\nfrom_addr = "boss@example.cn"\n[organizers]\n"gz-status/3" = ["o@example.cn"]',
            smtp='host = "smtp.qq.com"',
            outbox='kind = "smtp"\nhost = "relay.example.cn"',
        )
    )
    accounts = make_accounts(config)
    own, shared = accounts.accounts
    assert accounts.for_address(QQ3) is own and accounts.for_address("boss@example.cn") is shared


def test_mailbox_names_are_unique(tmp_path: Path) -> None:
    path = write(tmp_path)
    text = path.read_text(encoding="utf-8")
    block = text[text.index("[[mailboxes]]") : text.index("[outbox]")]
    path.write_text(text.replace("[outbox]", block + "[outbox]"), encoding="utf-8")
    assert refused(path).key == "mailboxes[1].name"
