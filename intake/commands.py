"""Sub-commands beyond `check`: registered here so cli.py stays thin."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the daemon's sub-commands (run, status) once they exist."""
