"""The shape of the house: one folder per job, small functions, no import cycle.

These are the checks docs/architecture.md promises; they read the source, not the behaviour.
Complexity is radon's cyclomatic complexity, the measure the project's targets are written in.
Imports inside functions are checked by ruff (PLC0415) in .ci/run; each one left has its reason on
its line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from radon.complexity import cc_visit

from tests.helpers import ROOT

PACKAGES = ("intake", "rules", "storage", "mailer")
MAX_COMPLEXITY = 15
# intake/ keeps only its package files and its error interface at the top; every other module sits in
# a folder named for its job.
INTAKE_TOP_LEVEL = {"__init__.py", "__main__.py", "errors.py"}


def _modules(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def _dotted(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _folders(package: str) -> list[str]:
    return sorted(
        {str(p.parent.relative_to(ROOT)) for p in _modules(package)},
    )


@pytest.mark.parametrize("folder", [f for p in PACKAGES for f in _folders(p)])
def test_no_function_above_complexity_15(folder: str) -> None:
    too_complex = []
    for path in sorted((ROOT / folder).glob("*.py")):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > MAX_COMPLEXITY:
                too_complex.append(
                    f"{path.relative_to(ROOT)}:{block.lineno} {block.fullname} {block.complexity}"
                )
    assert too_complex == []


def test_intake_modules_sit_in_folders_named_for_their_job() -> None:
    top = {p.name for p in (ROOT / "intake").glob("*.py")}
    assert top <= INTAKE_TOP_LEVEL, f"move these into a job folder: {sorted(top - INTAKE_TOP_LEVEL)}"


def _imports(path: Path, known: set[str]) -> set[str]:
    """The project modules a module imports, at any depth of its code (so function-level imports count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _dotted(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {_owner(name, known) for name in found if name.split(".")[0] in PACKAGES} - {me, ""}


def _owner(name: str, known: set[str]) -> str:
    """The module a dotted name lives in: intake.mime.message.decode_message -> intake.mime.message."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_no_import_cycle() -> None:
    paths = [p for package in PACKAGES for p in _modules(package)]
    known = {_dotted(p) for p in paths}
    # A package's __init__ importing its own modules is how a package names its interface, not a cycle.
    graph = {_dotted(p): {m for m in _imports(p, known) if not _dotted(p).startswith(m + ".")} for p in paths}
    assert _cycle(graph) == []
