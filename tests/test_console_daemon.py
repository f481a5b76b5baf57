"""The README's walk-through: the embedded default (the bundled sample mailbox) run as `intake run`,
a user made with `intake user add`, the console opened on it over HTTP; SIGTERM stops it all."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from intake.cli.main import main
from tests.helpers import ROOT

SERVING = re.compile(r"console: serving on (http://127\.0\.0\.1:\d+/)")


def embedded_default(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('"notice-2023.toml"', f'"{ROOT / "notice-2023.toml"}"').replace(
        "port = 8765", "port = 0"
    )
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path / "config.toml"


def test_intake_run_serves_the_console_on_the_sample_mailbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = embedded_default(tmp_path)
    assert main(["user", "add", "admin", "--role", "admin", "--config", str(config)]) == 0
    password = capsys.readouterr().out.split("one-time password: ")[1].split()[0]
    log = tmp_path / "daemon.log"
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "intake", "run", "--config", str(config)],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    try:
        address = ""
        for _ in range(300):
            found = SERVING.search(log.read_text(encoding="utf-8", errors="replace"))
            if found:
                address = found.group(1)
                break
            time.sleep(0.1)
        assert address, log.read_text(encoding="utf-8", errors="replace")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(address + "login")
        assert page.status == 200 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()).group(1)  # type: ignore[union-attr]
        form = urllib.parse.urlencode({"name": "admin", "password": password, "csrf_token": token}).encode()
        landed = opener.open(address + "login", data=form)
        assert landed.url.endswith("/password")  # a one-time password is changed first
        assert "修改密码" in landed.read().decode()
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            opener.open(address + "password").read().decode(),
        ).group(1)  # type: ignore[union-attr]
        new = "样例邮箱上的工作台"
        form = urllib.parse.urlencode(
            {"current": password, "new": new, "again": new, "csrf_token": token}
        ).encode()
        assert opener.open(address + "password", data=form).url == address
        processed = ""
        for _ in range(100):  # the sample mailbox is read meanwhile: its receipts show up
            processed = opener.open(address).read().decode()
            if re.search(r'class="num ok">[1-9]', processed):
                break
            time.sleep(0.1)
        assert re.search(r'class="num ok">[1-9]', processed), processed
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text
