"""A read-only view of a store that another process (the running daemon) holds the lock of.

Every file of the store is replaced atomically (temp file, fsync, rename), so reading one file
gives its old or its new state, never a mix; no lock is needed to read.  Nothing here writes,
sweeps or creates anything.  The view is a snapshot: it reads the files once, when made.
Only what the organizers' commands need: versions() and meta_get(), as on Store.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .atomic import read_json_file
from .store import DB_NAME
from .submissions import group_key

_SEGMENT = re.compile(r"\d{6}\.json")


class ReadOnlyStore:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        db = read_json_file(self.directory / DB_NAME) or {}
        self._meta = {
            d.get("key"): d.get("value") for d in (db.get("meta") or {}).values() if isinstance(d, dict)
        }
        self._groups: dict[str, list[dict]] = {}
        folder = self.directory / "submissions"
        paths = sorted(p for p in folder.iterdir() if _SEGMENT.fullmatch(p.name)) if folder.is_dir() else []
        for path in paths:
            for doc in ((read_json_file(path) or {}).get("submissions") or {}).values():
                doc = {k: v for k, v in doc.items() if k != "key"}
                self._groups.setdefault(group_key(doc["program"], doc["period"], doc["province"]), []).append(
                    doc
                )
        for versions in self._groups.values():
            versions.sort(key=lambda d: d["version"])

    def versions(self, program: str | None, period: int | None, province: str | None) -> list[dict]:
        return [dict(d) for d in self._groups.get(group_key(program, period, province), [])]

    def submissions(self, program: str | None = None, period: int | None = None) -> list[dict]:
        """Groups as (program, period, province, versions) dicts, a subset of Store.submissions()."""
        out = []
        for versions in self._groups.values():
            first = versions[0]
            if (program is None or first["program"] == program) and (
                period is None or first["period"] == period
            ):
                latest = versions[-1]
                out.append(
                    {
                        "program": first["program"],
                        "period": first["period"],
                        "province": first["province"],
                        "versions": len(versions),
                        "latest": {"status": latest["status"]},
                    }
                )
        return out

    def meta_get(self, key: str, default: Any = None) -> Any:
        return self._meta.get(key, default)
