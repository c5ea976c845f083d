"""The door's one statement: a request's inbox row, inserted on a bare driver connection from the door's pool.

Recording is what every acknowledgement waits for, and on a small machine its CPU is what bounds how many
requests a second the door answers. Through SQLAlchemy's Core the insert cost twice what the driver alone
does (a connection and a transaction object, the statement's cache key, a bind processor per value); here
the SQL is written once per dialect, the body arrives already serialised (handlers.base serialises it once
for its check of control characters), and the statement goes straight to the driver, which prepares it on
each connection after a few uses. The row is the one `models.inbox.record` writes: the same columns and
values, the same conflict rule on the key. Errors are SQLAlchemy's, as from any other statement: a dropped
connection is thrown away (and the pool's older ones with it) and reported as such.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from models.inbox import Arrival, InboxItem, InboxStatus

_COLUMNS = ("key", "team_id", "kind", "listener", "lane", "body", "user_id", "channel_id", "bot_user_id", "status",
            "attempts", "received_at")


@functools.cache
def _statement(dialect_name: str) -> str:
    names = ", ".join(f'"{name}"' for name in _COLUMNS)
    if dialect_name == "postgresql":
        marks = ", ".join("%s::json" if name == "body" else "%s" for name in _COLUMNS)
    else:
        marks = ", ".join("?" for _ in _COLUMNS)
    return f'INSERT INTO inbox ({names}) VALUES ({marks}) ON CONFLICT ("key") DO NOTHING RETURNING id'


@functools.cache
def _received_at(dialect: Dialect) -> Callable[[Any], Any]:
    """The received_at column's own conversion for this database (SQLite keeps it as text in its format)."""
    column_type = InboxItem.__table__.c.received_at.type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)


def body_json(body: dict[str, Any]) -> str:
    """A body as the inbox stores it (what SQLAlchemy's JSON type writes)."""
    return json.dumps(body)


def record(engine: Engine, arrival: Arrival, *, now: dt.datetime, body: str | None = None) -> int | None:
    """Insert the request's row unless its key is taken, committed before this returns: its id, or None for a
    retry or a replay. `body` is the arrival's body already serialised, if it was."""
    dialect = engine.dialect
    params = (arrival.key[:255], arrival.team_id[:20], arrival.kind, arrival.listener, arrival.lane[:64],
              body if body is not None else body_json(arrival.body), arrival.user_id, arrival.channel_id,
              arrival.bot_user_id, InboxStatus.PENDING.value, 0, _received_at(dialect)(now))
    statement = _statement(dialect.name)
    driver_error = dialect.loaded_dbapi.Error
    try:
        connection = engine.raw_connection()
    except driver_error as error:  # could not connect: as SQLAlchemy reports it for any statement
        raise DBAPIError.instance(None, None, error, driver_error, dialect=dialect) from error
    cursor = None
    try:
        cursor = connection.cursor()
        cursor.execute(statement, params)
        rows = cursor.fetchall()  # SQLite's RETURNING must be read to the end before the commit
        cursor.close()
        if dialect.name == "sqlite":
            connection.commit()  # PostgreSQL's door connections commit each statement on their own
        return rows[0][0] if rows else None
    except driver_error as error:
        dropped = dialect.is_disconnect(error, connection.dbapi_connection, cursor)
        if dropped:
            # The database closed it (restarted, or a partition ended it): this one and every older one in
            # the pool are replaced, so that the next try gets a new connection, as SQLAlchemy does.
            engine.pool._invalidate(connection, error)  # noqa: SLF001
        raise DBAPIError.instance(statement, params, error, driver_error, connection_invalidated=dropped,
                                  dialect=dialect) from error
    finally:
        connection.close()  # back to the pool (after a rollback that costs nothing outside a transaction)
