"""Engine and sessions: one place that knows how to talk to SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL whatever spelling the operator used."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# What TCP waits before giving up on a database that stopped answering (libpq's parameters; times in ms and s).
# Without them the kernel retransmits an unanswered statement for some 15 minutes, and one sent during a network
# partition reaches the database whenever the network heals: long after the person was told it had failed.
# `tcp_user_timeout` aborts a connection whose sent data stays unacknowledged that long, and the kernel throws
# that data away with it, so it never arrives; keepalives find a connection that went quiet while waiting.
DOOR_TCP = {"tcp_user_timeout": 1000, "keepalives": 1, "keepalives_idle": 1, "keepalives_interval": 1,
            "keepalives_count": 1}
WORK_TCP = {"tcp_user_timeout": 30000, "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
            "keepalives_count": 3}


def make_engine(url: str, *, connections: int = 10, door: bool = False) -> Engine:
    """An engine with room for `connections` at once.

    `door` is the engine the acknowledgement path records requests with: its own connections (a busy
    worker pool never makes an acknowledgement wait for a connection) and short timeouts (when the
    database is away, the door says so at once rather than after Slack's 3 seconds).
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        busy_ms = 2000 if door else 30000
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_ms / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL lets the web process read while the scheduler writes; in WAL mode NORMAL loses nothing
            # when the process dies (only a power cut can lose the last commits), and spares an fsync a commit.
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()

        return engine
    if door:
        # One statement per request, so autocommit: no BEGIN and COMMIT round trips. synchronous_commit=off
        # answers before the WAL reaches the disk: a request recorded this way survives copbot's process
        # dying at once; only a crash of the database server itself within a fraction of a second could lose it.
        return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=connections, max_overflow=4,
                             pool_timeout=1, connect_args={
                                 "connect_timeout": 2, **DOOR_TCP,
                                 "options": "-c statement_timeout=2000 -c lock_timeout=1000 -c synchronous_commit=off",
                             })
    return create_engine(url, pool_pre_ping=True, pool_size=connections, max_overflow=connections // 2 + 2,
                         connect_args={"connect_timeout": 10, **WORK_TCP})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits if the block succeeds and rolls back if it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
