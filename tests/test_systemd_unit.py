"""The shipped systemd unit (contrib/intake.service): it verifies, it is hardened, and what the
service runs (Python, LibreOffice, Tesseract) stays within its system-call filter and address
families.  systemd is not PID 1 in CI, so the unit is checked with systemd-analyze and the
programs are traced with strace instead of being started under it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.receipts import receipt_xlsx

UNIT = ROOT / "contrib" / "intake.service"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (see the README's install line)"
        if os.environ.get("CI"):
            pytest.fail(message + " -- and CI is set, so this is an error, not a skip", pytrace=False)
        pytest.skip(message)
    return found


def settings() -> dict[str, list[str]]:
    """Every key = value of the unit, values in order (a key may repeat)."""
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_unit_is_written_as_systemd_reads_it() -> None:
    unit = settings()
    for key, values in unit.items():
        for value in values:
            assert "#" not in value, f"{key}={value}: systemd would take the comment as part of the value"
    exec_start = unit["ExecStart"][0].split()
    assert (
        exec_start[0].startswith("/")
        and exec_start[1:3] == ["run", "--config"]
        and exec_start[3].startswith("/")
    )
    assert all(path.startswith("/") for path in unit["EnvironmentFile"] + unit["ReadWritePaths"])
    assert (
        unit["ReadWritePaths"] == [f"/var/lib/{unit['StateDirectory'][0]}"] == [unit["WorkingDirectory"][0]]
    )
    assert unit["RestartPreventExitStatus"] == ["2"]  # a configuration error is not a restart loop
    assert unit["CapabilityBoundingSet"] == [""] and unit["SystemCallFilter"] == ["@system-service"]


def test_systemd_analyze_verify_passes(tmp_path: Path) -> None:
    analyze = tool("systemd-analyze")
    root = tmp_path / "root"
    (root / "etc/systemd/system").mkdir(parents=True)
    for name, target in (("usr", "/usr"), ("lib", "usr/lib"), ("bin", "usr/bin"), ("sbin", "usr/sbin")):
        (root / name).symlink_to(target)
    shutil.copy(UNIT, root / "etc/systemd/system/intake.service")
    program = root / settings()["ExecStart"][0].split()[0].lstrip("/")  # installed as the docs say
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n", encoding="ascii")
    program.chmod(0o755)
    result = subprocess.run(
        [analyze, "verify", f"--root={root}", "intake.service"], capture_output=True, text=True, timeout=120
    )
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "intake" in line]
    assert result.returncode == 0 and ours == [], result.stdout + result.stderr


def test_systemd_analyze_security_rates_it_better_than_5() -> None:
    analyze = tool("systemd-analyze")
    result = subprocess.run(
        [analyze, "security", "--offline=true", str(UNIT)], capture_output=True, text=True, timeout=120
    )
    match = re.search(r"Overall exposure level for intake\.service: ([0-9.]+)", result.stdout)
    assert match is not None, result.stdout + result.stderr
    assert float(match.group(1)) < 5.0, result.stdout


def syscall_set(analyze: str, group: str, seen: set[str] | None = None) -> set[str]:
    """The system calls of a systemd syscall group, nested groups expanded."""
    seen = seen if seen is not None else set()
    text = subprocess.run(
        [analyze, "syscall-filter", group], capture_output=True, text=True, timeout=60
    ).stdout
    calls: set[str] = set()
    for line in text.splitlines()[1:]:
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        if name.startswith("@"):
            if name not in seen:
                seen.add(name)
                calls |= syscall_set(analyze, name, seen)
        else:
            calls.add(name)
    return calls


def traced(strace: str, tmp_path: Path, name: str, *command: str) -> tuple[str, str]:
    """(what the command printed, its strace -f log)."""
    log = tmp_path / f"{name}.strace"
    result = subprocess.run(
        [strace, "-f", "-qq", "-o", str(log), *command], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout, log.read_text(encoding="utf-8", errors="replace")


@pytest.mark.converter
@pytest.mark.ocr
@pytest.mark.slow
def test_libreoffice_and_the_ocr_worker_stay_within_the_units_filter(tmp_path: Path) -> None:
    analyze, strace, soffice = tool("systemd-analyze"), tool("strace"), tool("soffice")
    from PIL import Image, ImageDraw

    xlsx = tmp_path / "回执.xlsx"
    xlsx.write_bytes(
        receipt_xlsx(
            "河南省教育厅", "中职学生管理系统培训第一期", [("张三", "男", "河南省教育厅", "13900001111")]
        )
    )
    subprocess.run(
        [soffice, "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(xlsx)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    image = Image.new("L", (900, 240), 255)
    ImageDraw.Draw(image).text((40, 100), "Name  Mobile  13900001111", fill=0)
    image.save(tmp_path / "scan.png")
    intake = str(Path(sys.executable).parent / "intake")
    ods_out, ods_trace = traced(strace, tmp_path, "ods", intake, "check", str(tmp_path / "回执.ods"))
    _, ocr_trace = traced(strace, tmp_path, "ocr", intake, "check", str(tmp_path / "scan.png"))
    assert "张三" in ods_out  # LibreOffice did convert it
    # the OCR worker ran in its sandboxed child and loaded the recogniser's models (ONNX Runtime)
    assert re.search(r'openat\([^)]*\.onnx"', ocr_trace)
    assert re.search(r'execve\("[^"]*/soffice', ods_trace)

    trace = ods_trace + ocr_trace
    used = set(re.findall(r"^\d+ +([a-z0-9_]+)\(", trace, re.M))
    allowed: set[str] = set()
    for group in settings()["SystemCallFilter"]:
        allowed |= syscall_set(analyze, group)
    assert used and used <= allowed, sorted(used - allowed)
    families = set(re.findall(r"socket\((AF_[A-Z0-9]+)", trace))
    assert families <= set(settings()["RestrictAddressFamilies"][0].split()), families
