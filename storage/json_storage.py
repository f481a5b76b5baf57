"""A TinyDB storage on the durable-file layer: whole-file JSON, written atomically, cached in memory.

Every write goes through storage.atomic.write_file_atomically, so a crash leaves each database
file in its old or its new state (see storage.atomic).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from .atomic import write_file_atomically
from .errors import CorruptDatabase

Tables = dict[str, dict[str, Any]]


def read_json_file(path: str | os.PathLike[str]) -> Any | None:
    """Parse a JSON file; a missing or empty file gives None, anything unparsable CorruptDatabase."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise CorruptDatabase(str(path), f"not valid UTF-8 JSON ({e})") from e


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=False, allow_nan=False).encode("utf-8")


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file JSON, written atomically on every write, cached in memory.

    The last data read or written is kept in memory, so reads after the first cost nothing;
    every write goes straight to disk (write-through), so nothing is lost if the process dies.
    If a write fails, the cache is dropped and the next read re-reads the file, so memory never
    drifts from disk (TinyDB mutates the dict returned by read() before calling write()).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        self._data: Tables | None = None
        self._loaded = False
        self.size = 0  # bytes of the file as last read or written
        self.writes = 0  # successful writes through this instance
        self.bytes_written = 0

    def read(self) -> Tables | None:
        if not self._loaded:
            data = read_json_file(self.path)
            if data is not None and not (
                isinstance(data, dict) and all(isinstance(t, dict) for t in data.values())
            ):
                raise CorruptDatabase(str(self.path), "not a TinyDB document (expected an object of tables)")
            self._data = data
            self._loaded = True
            self.size = self.path.stat().st_size if data is not None else 0
        return self._data

    def write(self, data: Tables) -> None:
        try:
            payload = dumps(data)
            write_file_atomically(self.path, payload)
        except BaseException:
            self.invalidate()
            raise
        self._data = data
        self._loaded = True
        self.size = len(payload)
        self.writes += 1
        self.bytes_written += len(payload)

    def invalidate(self) -> None:
        """Forget the cached data; the next read() parses the file again."""
        self._data = None
        self._loaded = False

    def close(self) -> None:
        self.invalidate()
