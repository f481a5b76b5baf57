"""A real browser walks the desk as an organizer, against the real daemon (`intake run` with its console
thread), a maildir of real messages and an aiosmtpd sink: log in (a one-time password changed first),
open the queue, correct a mobile read by OCR, accept a receipt over quota with a reason (the province
gets exactly one confirmation, with the corrected roster and a note of the exception), answer a
question by hand and see it leave the queue, and find all three in the audit log.

Each page is photographed on the way: into docs/console-*.png (the README and docs/console.md show
them) when INTAKE_SCREENSHOTS=docs, else into the test's temporary directory:

    INTAKE_SCREENSHOTS=docs .venv/bin/python -m pytest tests/test_console_browser.py
"""

from __future__ import annotations

import email
import os
import time
from datetime import datetime
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from intake.cli.main import main
from intake.config.settings import load_config
from intake.console.server import ConsoleServer
from storage.store import Store
from storage.users import Role
from tests.browser import browser
from tests.console_env import MAILBOX, PASSWORD, add_user, beijing, question, write_config
from tests.daemon_env import RunningDaemon, wait_until
from tests.data.legacy.needs import require
from tests.fixtures.smtpd import SmtpServer
from tests.helpers import CST, ROOT
from tests.mailbuilder import MessageBuilder

SCAN = ROOT / "tests" / "data" / "legacy" / "receipt_scan.pdf"  # 河南, 8 people, two from one school
DOCS = ROOT / "docs"
HENAN_SENDER = "henan@163.com"
NEW_PASSWORD = "开封七月培训 会务组"


def deliver(maildir: Path, name: str, raw: bytes, when: datetime) -> None:
    """A message delivered into the maildir at a time before the deadline (its mtime is its arrival)."""
    path = maildir / "new" / f"{int(when.timestamp())}.{name}.test"
    path.write_bytes(raw)
    os.utime(path, (when.timestamp(), when.timestamp()))


def henan_scan() -> bytes:
    return (
        MessageBuilder(
            sender=HENAN_SENDER,
            sender_name="河南省教育厅",
            to=MAILBOX,
            client="163",
            subject="河南省报名回执（盖章扫描件）",
        )
        .text("老师您好，附件是我省盖章的报名回执扫描件，请查收。")
        .attach("河南报名回执.pdf", SCAN.read_bytes())
        .build()
    )


SHOTS: list[Path] = []


def shot(driver: Any, name: str) -> None:
    """The page as it looks now, saved whole (its height grown to fit)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1360, max(700, min(int(height) + 40, 4000)))
    path = SHOTS[0] / f"console-{name}.png"
    assert driver.save_screenshot(str(path)), path
    driver.set_window_size(1360, 1000)


def submit(driver: Any, element: Any) -> None:
    """Submit the form (or click the button) and wait for the next page to replace this one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    if element.tag_name == "form":  # as a person does: its button (form.submit() skips the browser's checks)
        element = element.find_element(By.CSS_SELECTOR, "button:not([type=button]), input[type=submit]")
    _click(element)
    WebDriverWait(driver, 30).until(lambda _d: _gone(element))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _gone(element: Any) -> bool:
    """The element left the document: the next page replaced this one.  ChromeDriver says so either as
    a stale element or, under load, as "unhandled inspector error ... does not belong to the
    document"; any other error fails the test."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" not in str(exc):
            raise
        return True
    return False


def _click(element: Any, attempts: int = 3) -> None:
    """element.click(), again after a moment when ChromeDriver loses track of the page's nodes
    ("unhandled inspector error ... does not belong to the document", seen under load while the
    page stands still); any other error, or the same one three times, fails the test."""
    from selenium.common.exceptions import WebDriverException

    for attempt in range(attempts):
        try:
            element.click()
            return
        except WebDriverException as exc:
            if "does not belong to the document" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5)


def click(driver: Any, element: Any) -> None:
    submit(driver, element)


def fill(driver: Any, form: Any, values: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for name, value in values.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        else:
            field.clear()
            field.send_keys(value)


@pytest.mark.smtp
@pytest.mark.ocr
@pytest.mark.slow
def test_an_organizer_walks_the_desk_in_a_real_browser(
    tmp_path: Path, smtpd: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    require("ocr")
    from selenium.webdriver.common.by import By

    SHOTS[:] = [DOCS if os.environ.get("INTAKE_SCREENSHOTS") == "docs" else tmp_path]
    add_user(load_config(write_config(tmp_path)), "admin", Role.ADMIN)

    outbox = f'kind = "smtp"\ndirectory = "{tmp_path / "outbox"}"\nhost = "{smtpd.host}"\nport = {smtpd.port}\nsecurity = "none"'
    config_path = write_config(tmp_path, outbox=outbox)
    maildir = tmp_path / "maildir"
    deliver(maildir, "henan", henan_scan(), datetime(2023, 6, 1, 9, 30, tzinfo=CST))
    deliver(maildir, "beijing", beijing(), datetime(2023, 6, 1, 10, 0, tzinfo=CST))
    assert (
        main(
            [
                "user",
                "add",
                "wang",
                "--role",
                "editor",
                "--periods",
                "zz-student/1",
                "--config",
                str(config_path),
            ]
        )
        == 0
    )
    one_time = capsys.readouterr().out.split("one-time password: ")[1].split()[0]

    with RunningDaemon(config_path) as daemon, browser() as driver:
        assert wait_until(
            lambda: isinstance(daemon.console, ConsoleServer) and daemon.console.ready.is_set(), 20
        )
        assert isinstance(daemon.console, ConsoleServer)
        base = daemon.console.address.rstrip("/")
        assert base.startswith("http://127.0.0.1:")
        store: Store = daemon.store
        assert wait_until(
            lambda: store.current_roster("zz-student", 1, "北京") and store.versions("zz-student", 1, "河南"),
            90,
        )
        assert wait_until(lambda: len(smtpd.messages) >= 2, 20)  # the two automatic replies
        reply_to_beijing = next(
            email.message_from_bytes(m.content, policy=default)["Message-ID"].strip("<>")
            for m in smtpd.messages
            if m.rcpt_tos == ["bj@example.cn"]
        )
        deliver(
            maildir,
            "question",
            question("bj@example.cn", reply_to_beijing),
            datetime(2023, 6, 2, 9, 0, tzinfo=CST),
        )
        assert wait_until(lambda: store.open_questions() == 1, 30)
        assert wait_until(lambda: len(smtpd.messages) >= 3, 20)  # and the question's acknowledgement
        time.sleep(0.5)  # a delivery round more: nothing else is on its way
        before = len(smtpd.messages)

        # Log in with the one-time password; change it first.
        driver.get(f"{base}/")
        assert "/login" in driver.current_url
        shot(driver, "login")
        form = driver.find_element(By.TAG_NAME, "form")
        fill(driver, form, {"name": "wang", "password": one_time})
        submit(driver, form)
        assert driver.current_url.endswith("/password")
        shot(driver, "password")
        form = driver.find_element(By.CSS_SELECTOR, "main form")
        fill(driver, form, {"current": one_time, "new": NEW_PASSWORD, "again": NEW_PASSWORD})
        submit(driver, form)
        assert "密码已修改" in driver.page_source, driver.find_element(By.TAG_NAME, "main").text
        shot(driver, "overview")

        # The period and its provinces.
        click(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "第1期"))
        assert "河南" in driver.page_source and "待人工" in driver.page_source
        shot(driver, "period")

        # The queue: the OCR check of 河南, its rejection over quota, the question of 北京.
        click(driver, driver.find_element(By.LINK_TEXT, "待人工处理"))
        page = driver.page_source
        assert "识别结果待核对（1）" in page and "被退回的回执（1）" in page and "待答复的问题（1）" in page
        shot(driver, "queue")

        # Correct a mobile read by OCR: 孙明's, confirmed by phone.
        click(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "由 OCR 读取"))
        assert "王喆" in driver.page_source and "138****2345" in driver.page_source
        shot(driver, "province")
        click(driver, driver.find_elements(By.LINK_TEXT, "显示")[6])  # 孙明's mobile in full: logged
        assert "18937306655" in driver.page_source
        shot(driver, "mobile")
        driver.back()
        form = driver.find_element(By.XPATH, "//form[.//h3[text()='更正一项']]")
        fill(
            driver,
            form,
            {"index": "6", "field": "mobile", "value": "13937306656", "reason": "电话与河南省教育厅核实"},
        )
        submit(driver, form)
        assert "189****6655" in driver.page_source and "139****6656" in driver.page_source
        shot(driver, "preview-correct")
        click(driver, driver.find_element(By.XPATH, "//button[contains(., '确认')]"))
        assert "已保存为第 2 版" in driver.page_source

        # Accept over quota, with the reason.
        form = driver.find_element(By.XPATH, "//form[.//h3[contains(text(), '同意例外')]]")
        form.find_element(By.CSS_SELECTOR, "input[value='quota_exceeded']").click()
        fill(driver, form, {"reason": "经请示同意洛阳职院增加一个名额"})
        submit(driver, form)
        page = driver.page_source
        assert "【已确认】" in page and "会务组同意例外" in page and "13937306656" in page
        shot(driver, "preview-accept")
        assert len(smtpd.messages) == before  # nothing sent before confirming
        click(driver, driver.find_element(By.XPATH, "//button[contains(., '确认并发送')]"))
        assert "已保存为第 3 版" in driver.page_source
        assert wait_until(lambda: len(smtpd.messages) > before, 20)
        time.sleep(1.0)  # one more delivery round: a second copy would show now
        confirmations = [
            email.message_from_bytes(m.content, policy=default)
            for m in smtpd.messages[before:]
            if m.rcpt_tos == [HENAN_SENDER]
        ]
        assert len(confirmations) == 1
        [mail] = confirmations
        assert mail["Subject"].startswith("【已确认】") and mail["From"] == MAILBOX
        text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]  # it has one
        assert "13937306656" in text and "18937306655" not in text  # the corrected roster
        assert "会务组同意例外（经请示同意洛阳职院增加一个名额）" in text  # the note of the exception

        # Answer the question by hand; it leaves the queue.
        click(driver, driver.find_element(By.LINK_TEXT, "待人工处理"))
        click(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "bj@example.cn"))
        assert "请问能否多报一人" in driver.page_source
        shot(driver, "message")
        form = driver.find_element(By.XPATH, "//form[.//h3[contains(text(), '人工回复')]]")
        fill(
            driver,
            form,
            {"text": "可以多报一人，请把名单补充完整后直接回复本邮件。", "reason": "答复北京的问题"},
        )
        submit(driver, form)
        shot(driver, "preview-reply")
        click(driver, driver.find_element(By.XPATH, "//button[contains(., '确认并发送')]"))
        click(driver, driver.find_element(By.LINK_TEXT, "待人工处理"))
        assert "待答复的问题（0）" in driver.page_source and "识别结果待核对（0）" in driver.page_source

        def hand_replies() -> list[Any]:
            found = [email.message_from_bytes(m.content, policy=default) for m in smtpd.messages[before:]]
            return [m for m in found if m["To"] == "bj@example.cn" and m["Subject"].startswith("回复：")]

        assert wait_until(hand_replies, 20)
        [answer] = hand_replies()
        assert "可以多报一人" in answer.get_body(preferencelist=("plain",)).get_content()

        # All three in the audit log.
        click(driver, driver.find_element(By.LINK_TEXT, "操作记录"))
        page = driver.page_source
        for words in (
            "更正",
            "同意例外",
            "人工回复",
            "电话与河南省教育厅核实",
            "经请示同意洛阳职院增加一个名额",
            "答复北京的问题",
        ):
            assert words in page, words
        assert "13937306656" not in page and "139****6656" in page  # masked in the list
        shot(driver, "audit")
        rows = driver.find_elements(By.CSS_SELECTOR, "main table tr")
        assert len(rows) >= 5

        # An admin sees the accounts.
        submit(driver, driver.find_element(By.XPATH, "//button[contains(., '退出')]"))
        assert "/login" in driver.current_url
        form = driver.find_element(By.TAG_NAME, "form")
        fill(driver, form, {"name": "admin", "password": PASSWORD})
        submit(driver, form)
        click(driver, driver.find_element(By.LINK_TEXT, "用户"))
        assert "wang" in driver.page_source and "编辑" in driver.page_source
        shot(driver, "users")
    assert len(list(SHOTS[0].glob("console-*.png"))) >= 13
