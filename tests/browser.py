"""Debian's Chromium driven by Selenium, offline: the system chromium and chromedriver, never a download.

``browser()`` fails (not skips) in CI when they are missing: .ci/run installs them.  Selenium Manager
is kept offline (SE_OFFLINE=true) and given both paths, so it never looks for a driver on the network.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1360,1000",
    "--lang=zh-CN",
)


def require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if not missing:
        return
    message = f"{', '.join(missing)} missing (Debian packages chromium and chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI is set: .ci/run must install them")
    pytest.skip(message)


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium under Selenium, with a fresh profile; quit at the end."""
    require_browser()
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="intake-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
