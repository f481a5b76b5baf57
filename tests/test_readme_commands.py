"""The README's test command is the one CI runs, and the main command uses the embedded default."""

import re

from tests.helpers import ROOT


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    test_command = next(b for b in blocks if "pytest" in b)
    assert test_command.strip() in ci
    assert "apt-get update" in test_command and "dovecot-imapd" in test_command


def test_main_command_runs_the_daemon_once_on_the_example_config() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "intake run --once --config config.example.toml" in readme
