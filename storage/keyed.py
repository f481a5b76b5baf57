"""Keyed TinyDB tables with in-memory indexes, and a table split over several files.

A ``KeyedTable`` is one TinyDB table whose documents carry a unique string field ``key``; an
in-memory dict maps key -> doc_id, so lookups and updates never scan the table.

A ``SegmentedTable`` spreads documents over ``directory/000001.json``, ``000002.json`` ...
(one TinyDB with AtomicJSONStorage each).  New keys go to the last segment until it holds
``max_docs`` documents or ``max_bytes`` bytes; updating a key rewrites only its own segment.
So one write costs O(segment size), not O(everything stored).  Only the ``max_loaded`` most
recently used segments keep their documents in memory, so memory does not grow with the store.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any, cast

from tinydb import TinyDB
from tinydb.table import Table

from .atomic import make_private_dir, sweep_temp_files
from .errors import CorruptDatabase
from .json_storage import AtomicJSONStorage, dumps

_SEGMENT = re.compile(r"\d{6}\.json")
Doc = dict[str, Any]  # one stored JSON document


def detach(doc: Any) -> Any:
    """A deep, JSON-only copy of ``doc``: rejects what JSON cannot hold, shares nothing with the caller."""
    try:
        return json.loads(dumps(doc))
    except (TypeError, ValueError) as e:
        raise TypeError(f"not storable as JSON: {e}") from e


def open_db(path: Path) -> TinyDB:
    return TinyDB(str(path), storage=AtomicJSONStorage)


class KeyedTable:
    def __init__(self, table: Table) -> None:
        self.table = table
        self._ids: dict[str, int] = {}
        self.reindex()

    @property
    def storage(self) -> AtomicJSONStorage:
        return cast(AtomicJSONStorage, self.table.storage)

    def reindex(self) -> None:
        ids: dict[str, int] = {}
        for doc in self.table:
            key = doc.get("key")
            if not isinstance(key, str) or key in ids:
                raise CorruptDatabase(
                    str(self.storage.path),
                    f"table {self.table.name!r} has a bad or duplicate key {key!r} (doc {doc.doc_id})",
                )
            ids[key] = doc.doc_id
        self._ids = ids

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def keys(self) -> list[str]:
        return list(self._ids)

    def get(self, key: str) -> Doc | None:
        doc_id = self._ids.get(key)
        if doc_id is None:
            return None
        doc = self.table.get(doc_id=doc_id)
        if doc is None:
            return None
        out: Doc = detach(dict(doc))
        out.pop("key", None)
        return out

    def items(self) -> Iterator[tuple[str, Doc]]:
        """(key, document) pairs; the documents are the cached ones: read them, do not mutate them."""
        for doc in self.table:
            yield doc["key"], doc

    def put(self, key: str, doc: Doc) -> None:
        """Insert or replace the document stored under ``key`` (one atomic file write)."""
        new = detach({**doc, "key": key})
        doc_id = self._ids.get(key)
        try:
            if doc_id is None:
                self._ids[key] = self.table.insert(new)
            else:

                def replace(current: MutableMapping[str, Any]) -> None:
                    current.clear()
                    current.update(new)

                self.table.update(replace, doc_ids=[doc_id])
        except BaseException:
            # The write may or may not have reached the disk; the storage dropped its cache,
            # so re-read the file and make the index match whatever is there.
            self.table.clear_cache()
            self.reindex()
            raise

    def remove(self, keys: list[str]) -> int:
        """Delete the documents under these keys (one atomic file write); returns how many were there."""
        doc_ids = [self._ids[k] for k in keys if k in self._ids]
        if not doc_ids:
            return 0
        try:
            self.table.remove(doc_ids=doc_ids)
        finally:
            self.table.clear_cache()
            self.reindex()
        return len(doc_ids)


class SegmentedTable:
    def __init__(
        self,
        directory: str | Path,
        *,
        table: str = "records",
        max_docs: int = 50,
        max_bytes: int = 256 * 1024,
        max_loaded: int = 8,
    ) -> None:
        self.directory = make_private_dir(directory)
        self.table_name = table
        self.max_docs = max_docs
        self.max_bytes = max_bytes
        self.max_loaded = max(1, max_loaded)
        self._dbs: list[TinyDB] = []
        self._tables: list[KeyedTable] = []
        self._where: dict[str, int] = {}
        self._loaded: OrderedDict[int, None] = OrderedDict()  # segments whose data is in memory, LRU first
        sweep_temp_files(self.directory)
        try:
            for path in sorted(p for p in self.directory.iterdir() if _SEGMENT.fullmatch(p.name)):
                self._open_segment(path)
                self._used(len(self._tables) - 1)
            self._rebuild_where()
        except BaseException:
            self.close()
            raise

    def _open_segment(self, path: Path) -> KeyedTable:
        db = open_db(path)
        self._dbs.append(db)
        kt = KeyedTable(db.table(self.table_name))
        self._tables.append(kt)
        return kt

    def _used(self, i: int) -> None:
        """Segment i was just read or written.  Only the max_loaded most recently used segments keep
        their parsed documents in memory; the others are parsed again from their file when next
        needed (their keys stay indexed).  Without this a store held every document ever written:
        about 50 MB per 1,000 submissions and their message records."""
        self._loaded[i] = None
        self._loaded.move_to_end(i)
        while len(self._loaded) > self.max_loaded:
            j, _ = self._loaded.popitem(last=False)
            self._tables[j].storage.invalidate()

    def _rebuild_where(self) -> None:
        where: dict[str, int] = {}
        for i, kt in enumerate(self._tables):
            for key in kt.keys():
                if key in where:
                    raise CorruptDatabase(str(self.directory), f"key {key!r} is in two segments")
                where[key] = i
        self._where = where

    def _writable(self) -> int:
        if self._tables:
            last = self._tables[-1]
            if len(last) < self.max_docs and last.storage.size < self.max_bytes:
                return len(self._tables) - 1
        number = int(self._tables[-1].storage.path.stem) + 1 if self._tables else 1
        self._open_segment(self.directory / f"{number:06d}.json")
        return len(self._tables) - 1

    def __contains__(self, key: object) -> bool:
        return key in self._where

    def __len__(self) -> int:
        return len(self._where)

    @property
    def segments(self) -> int:
        return len(self._tables)

    def get(self, key: str) -> Doc | None:
        i = self._where.get(key)
        if i is None:
            return None
        doc = self._tables[i].get(key)
        self._used(i)
        return doc

    def items(self) -> Iterator[tuple[str, Doc]]:
        """(key, document) pairs over all segments, oldest first; do not mutate the documents."""
        for i, kt in enumerate(self._tables):
            try:
                yield from kt.items()
            finally:
                self._used(i)

    def put(self, key: str, doc: Doc) -> None:
        i = self._where.get(key)
        if i is None:
            i = self._writable()
        try:
            self._tables[i].put(key, doc)
        except BaseException:
            self._rebuild_where()
            raise
        finally:
            self._used(i)
        self._where[key] = i

    def remove(self, keys: list[str]) -> int:
        """Delete the documents under these keys (one atomic write per segment touched); how many were there."""
        by_segment: dict[int, list[str]] = {}
        for key in keys:
            if key in self._where:
                by_segment.setdefault(self._where[key], []).append(key)
        removed = 0
        for i, found in by_segment.items():
            try:
                removed += self._tables[i].remove(found)
            finally:
                self._used(i)
        self._rebuild_where()
        return removed

    def last_write_size(self) -> int:
        return self._tables[-1].storage.size if self._tables else 0

    def close(self) -> None:
        for db in self._dbs:
            db.close()
        self._dbs.clear()
        self._tables.clear()
        self._where.clear()
        self._loaded.clear()
