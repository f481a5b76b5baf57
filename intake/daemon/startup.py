"""Opening the daemon's files: the store, the archive and the outbox, or one clear line saying why not.

A storage directory the service cannot write (a systemd unit whose ReadWritePaths does not cover
it, a read-only mount, wrong ownership) is a ConfigError naming its key, which `intake run`
prints as one line before exiting with status 2, instead of a traceback and a restart loop.
"""

from __future__ import annotations

import threading
from pathlib import Path

from intake.config.settings import Config
from intake.errors import ConfigError
from mailer.errors import OutboxError
from mailer.outbox import Outbox
from storage.archive import Archive
from storage.atomic import make_private_dir
from storage.errors import StoreLocked
from storage.store import Store


def open_storage(config: Config) -> tuple[Store, Archive, Outbox]:
    """The store, archive and outbox; a directory that cannot be written is a ConfigError naming its key.

    StoreLocked (another process holds the store) is raised as it is.
    """
    _check_writable("storage.directory", Path(config.storage_dir))
    _check_writable("outbox.directory", Path(config.outbox.directory))
    try:
        store = Store(config.storage_dir)
    except StoreLocked:
        raise
    except OSError as exc:
        raise ConfigError("storage.directory", f"cannot open {config.storage_dir}: {exc}") from exc
    try:
        return store, Archive(Path(config.storage_dir) / "archive"), Outbox(config.outbox.directory)
    except (OSError, OutboxError) as exc:
        store.close()
        raise ConfigError("storage.directory", f"cannot open the archive or the outbox: {exc}") from exc


def _check_writable(key: str, directory: Path) -> None:
    probe = directory / f".intake-write-test-{threading.get_native_id()}"
    try:
        make_private_dir(directory)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            key,
            f"cannot write {directory}: {exc.strerror or exc} (a systemd unit needs it in ReadWritePaths)",
        ) from exc
