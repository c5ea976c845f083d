"""The test databases: a set for each pytest-xdist worker, copied from a schema migrated once.

Running Alembic costs far more than copying what it built, so the schema is built once and copied:
- SQLite: each worker migrates one template file; each test gets a copy of it.
- PostgreSQL: the first worker to need it migrates one template database for the whole run; each
  worker creates its own database from it (CREATE DATABASE ... TEMPLATE), and empties that database's
  tables before each test. A database each means the workers never see each other's rows, locks or
  advisory locks (those are per database too, like the scheduler's leader lock).

Every database of a run is named after the run (`copbot_test_<run>_...`), so the process that
started the run can drop whatever is left of them at the end, even after a worker died. The engines
of a run share their compiled SQL too (SharedStatementCache).
"""

from __future__ import annotations

import os
import shutil
import weakref
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.util import LRUCache

from bot.migrate import upgrade
from models import Base

PG_URL = os.environ.get("COPBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("COPBOT_TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()]


def admin_engine() -> Engine:
    # CREATE and DROP DATABASE cannot run inside a transaction.
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def pg_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def run_prefix(run_id: str) -> str:
    return f"copbot_test_{run_id}"


def _exists(connection: Connection, name: str) -> bool:
    found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
    return found.first() is not None


def _drop(connection: Connection, name: str) -> None:
    # FORCE: a test that failed half way may have left a connection open.
    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def ensure_pg_template(run_id: str) -> str:
    """The run's migrated template database, built by whichever worker asks first; returns its name."""
    prefix = run_prefix(run_id)
    template, building = f"{prefix}_template", f"{prefix}_building"
    admin = admin_engine()
    try:
        with admin.connect() as connection:
            # Workers start together: one builds the template while the others wait here, then find it.
            # The lock is the connection's, so a worker that dies while building frees it.
            key = zlib.crc32(prefix.encode())
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                if not _exists(connection, template):
                    _drop(connection, building)  # what a worker that died while building left
                    connection.execute(text(f'CREATE DATABASE "{building}"'))
                    upgrade(pg_url(building))
                    # Named a template only once complete, so nobody copies a half-migrated schema.
                    connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{template}"'))
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    finally:
        admin.dispose()
    return template


def create_pg_database(template: str, name: str) -> str:
    """A database of the worker's own, a copy of the template; returns its URL."""
    admin = admin_engine()
    try:
        with admin.connect() as connection:
            _drop(connection, name)
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            # A test database needs no commit to outlive a crash of the server: a commit that waits for the
            # disk only makes a test of thousands of transactions wait for it. Rows are as visible, locks
            # as held and constraints as checked; only the server's own crash could lose the last commits.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        admin.dispose()
    return pg_url(name)


def drop_pg_database(name: str) -> None:
    admin = admin_engine()
    try:
        with admin.connect() as connection:
            _drop(connection, name)
    finally:
        admin.dispose()


def drop_pg_databases(run_id: str) -> None:
    """Drop every database of the run: the workers' and the template."""
    admin = admin_engine()
    try:
        with admin.connect() as connection:
            names = connection.execute(text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
                                       {"prefix": run_prefix(run_id) + "_"}).scalars().all()
            for name in names:
                _drop(connection, name)
    finally:
        admin.dispose()


class StaleConnection(RuntimeError):
    """An engine made during an earlier test tried to use the database after that test had ended."""


class PgTestDatabase:
    """A worker's PostgreSQL database, handed to one test after another, each time as a new one would be.

    Emptied with DELETE rather than TRUNCATE: TRUNCATE gives every table new files, about 130 ms for
    the schema, where deleting the few rows a test leaves takes a few milliseconds. The sequences
    restart, so ids begin at 1 again as TRUNCATE ... RESTART IDENTITY would have it.

    Unlike a SQLite file, the database outlives each test, and so may the app's threads: a listener
    still running when its test ends (Bolt runs them after the acknowledgement) would otherwise write
    into the next test's rows, or its dispatcher claim the next test's messages and send them to an
    emulator that has stopped. So each test's engines may connect only during that test, and what is
    still connected when the next one begins is cut off before the tables are emptied.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.database = make_url(url).database
        self.engine = create_engine(url)
        self._test = 0
        self._engines_test: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
        event.listen(Engine, "engine_connect", self._refuse_stale)
        with self.engine.connect() as connection:
            sequences = connection.execute(text("SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"))
            restarts = [f"SELECT setval('{name}', 1, false)" for name in sequences.scalars()]
        # Children before parents, so that no foreign key is ever left pointing at a deleted row.
        deletes = [f'DELETE FROM "{table.name}"' for table in reversed(Base.metadata.sorted_tables)]
        self._empty = "; ".join(deletes + restarts)

    def _refuse_stale(self, connection: Connection) -> None:
        engine = connection.engine
        if engine is self.engine or engine.url.database != self.database:
            return
        made_in = self._engines_test.setdefault(engine, self._test)
        if made_in != self._test:
            raise StaleConnection(f"an engine of an earlier test connected to {self.database} during a later one")

    def next_test(self) -> str:
        """Begin a new test on the database, emptied; returns its URL."""
        self._test += 1
        with self.engine.begin() as connection:
            # Their transactions roll back: nothing an earlier test's threads do lands in this one.
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            connection.exec_driver_sql(self._empty)
        return self.url

    def dispose(self) -> None:
        event.remove(Engine, "engine_connect", self._refuse_stale)
        self.engine.dispose()


def migrate_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    """A new database file, a copy of the migrated template; returns its URL.

    The template is closed once migrated (no journal beside it), so the file alone is the database.
    """
    path = directory / "copbot.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


class SharedStatementCache:
    """Compiled SQL shared by every engine of the run that speaks the same dialect to the same server.

    Each test builds new engines, and each engine keeps its own cache of compiled statements, so every
    test compiled every statement it ran again: about half the CPU of the HTTP tests. A process of
    the app compiles each statement once in its life; this lets the tests do the same. SQLAlchemy keys
    a compiled statement by the dialect object that compiled it; here by what a compilation depends on
    (the dialect's kind, the server's version, the paramstyle, the identifier length), which is the
    same for all of a run's engines on one backend.
    """

    def __init__(self, size: int = 2000) -> None:
        self._compiled = LRUCache(size)

    def install(self) -> None:
        event.listen(Engine, "engine_connect", self._use)

    def remove(self) -> None:
        event.remove(Engine, "engine_connect", self._use)

    def _use(self, connection: Connection) -> None:
        connection.execution_options(compiled_cache=self)

    @staticmethod
    def _key(key: tuple) -> tuple:
        dialect, *rest = key
        return (type(dialect), dialect.server_version_info, dialect.paramstyle, dialect.max_identifier_length, *rest)

    def get(self, key: tuple, default: Any = None) -> Any:
        return self._compiled.get(self._key(key), default)

    def __setitem__(self, key: tuple, compiled: Any) -> None:
        self._compiled[self._key(key)] = compiled
