"""Exactly one active scheduler, whatever the number of processes.

APScheduler 3 cannot share a job store between processes, so the active scheduler holds a lock:
a PostgreSQL advisory lock on its own connection (released by the server if the process dies),
or, for SQLite, an exclusive file lock beside the database file (released by the OS likewise).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)

SCHEDULER_LOCK = "copbot.scheduler"
OUTBOX_LOCK = "copbot.outbox"


def _advisory_key(name: str) -> int:
    # pg advisory locks take a signed 64-bit key.
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class LeaderLock:
    """Try to become the active scheduler; `acquire()` never blocks, call it again to retry."""

    def __init__(self, engine: Engine, name: str = SCHEDULER_LOCK) -> None:
        self.engine = engine
        self.name = name
        self._connection: Connection | None = None
        self._file: int | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            connection = self.engine.connect()
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _advisory_key(self.name)}).scalar()
            connection.commit()
            if got:
                self._connection = connection
                return True
            connection.close()
            return False
        path = self._lock_path()
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._file = fd
        return True

    def alive(self) -> bool:
        """Whether the lock is still ours (a dropped PostgreSQL connection loses it)."""
        if self._connection is None:
            return self._file is not None
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            logger.warning("lost the scheduler lock's connection; standing down")
            self._connection = None
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _advisory_key(self.name)})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            os.close(self._file)
            self._file = None

    def _lock_path(self) -> str:
        database = make_url(str(self.engine.url)).database
        suffix = self.name.replace("/", "_")
        if not database or database == ":memory:":
            return str(Path(os.environ.get("TMPDIR", "/tmp")) / f"{suffix}-{os.getpid()}.lock")
        return f"{database}.{suffix}.lock"
