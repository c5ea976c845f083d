"""The door's one statement: a request's inbox row, inserted on a bare driver connection from the door's pool.

Recording is what every acknowledgement waits for, and on a small machine its CPU is what bounds how many
requests a second the door answers. Through SQLAlchemy's Core the insert cost twice what the driver alone
does (a connection and a transaction object, the statement's cache key, a bind processor per value); here
the SQL is written once per dialect, the body arrives already serialised (handlers.base serialises it once
for its check of control characters), and the statement goes straight to the driver, which prepares it on
each connection after a few uses. The row is the one `models.inbox.record` writes: the same columns and
values, the same conflict rule on the key. Errors are SQLAlchemy's, as from any other statement: a dropped
connection is thrown away (and the pool's older ones with it) and reported as such.

Requests that arrive together (a burst, fifty people at once) share one statement and one commit
(`GroupCommit`): each waits only for the insert under way, then for its own, and is acknowledged once the
statement that holds its row has committed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from models.inbox import Arrival, InboxItem, InboxStatus

_COLUMNS = ("key", "team_id", "kind", "listener", "lane", "body", "user_id", "channel_id", "bot_user_id", "status",
            "attempts", "received_at")


@functools.cache
def _statement(dialect_name: str, rows: int = 1) -> str:
    """The insert of `rows` requests; of several, it returns each new row's key beside its id."""
    names = ", ".join(f'"{name}"' for name in _COLUMNS)
    if dialect_name == "postgresql":
        marks = ", ".join("%s::json" if name == "body" else "%s" for name in _COLUMNS)
    else:
        marks = ", ".join("?" for _ in _COLUMNS)
    values = ", ".join(f"({marks})" for _ in range(rows))
    returning = "id" if rows == 1 else 'id, "key"'
    return f'INSERT INTO inbox ({names}) VALUES {values} ON CONFLICT ("key") DO NOTHING RETURNING {returning}'


@functools.cache
def _received_at(dialect: Dialect) -> Callable[[Any], Any]:
    """The received_at column's own conversion for this database (SQLite keeps it as text in its format)."""
    column_type = InboxItem.__table__.c.received_at.type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)


def body_json(body: dict[str, Any]) -> str:
    """A body as the inbox stores it (what SQLAlchemy's JSON type writes)."""
    return json.dumps(body)


def row(dialect: Dialect, arrival: Arrival, *, now: dt.datetime, body: str | None = None) -> tuple[Any, ...]:
    """The values of the request's row, as the driver takes them. `body` is the arrival's body already
    serialised, if it was."""
    return (arrival.key[:255], arrival.team_id[:20], arrival.kind, arrival.listener, arrival.lane[:64],
            body if body is not None else body_json(arrival.body), arrival.user_id, arrival.channel_id,
            arrival.bot_user_id, InboxStatus.PENDING.value, 0, _received_at(dialect)(now))


def record(engine: Engine, values: tuple[Any, ...]) -> int | None:
    """Insert one request's row (`row`) unless its key is taken, committed before this returns: its id, or
    None for a retry or a replay."""
    rows = _execute(engine, _statement(engine.dialect.name), values)
    return rows[0][0] if rows else None


def record_many(engine: Engine, rows: list[tuple[Any, ...]]) -> list[int | None]:
    """Insert several requests' rows in one statement and one commit; for each, its id, or None where its key
    was taken (by an earlier row, or earlier in these)."""
    returned = _execute(engine, _statement(engine.dialect.name, len(rows)), tuple(v for values in rows for v in values))
    ids = {key: item_id for item_id, key in returned}
    return [ids.pop(values[0], None) for values in rows]  # a key given twice is new only the first time


def _execute(engine: Engine, statement: str, params: tuple[Any, ...]) -> list[Any]:
    dialect = engine.dialect
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
        return rows
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


# A connection the database closed fails on first use in milliseconds; only then is a new one worth trying, as a
# new one's connect_timeout (2 s) must still fit in Slack's 3 s with the first try.
STALE_CONNECTION_FAILS_WITHIN = 0.5  # seconds


def record_retrying(engine: Engine, values: tuple[Any, ...]) -> int | None:
    """`record`, tried once more on a new connection if the first one turned out to be dropped."""
    started = time.monotonic()
    for attempt in (1, 2):
        try:
            return record(engine, values)
        except DBAPIError as error:
            # The door keeps no connection check (it would cost a round trip per request): a connection the
            # database dropped fails on first use, is thrown away, and the next one is new. A first try that
            # failed slowly met a database that is not answering (the connection timed out): a second one
            # would take Slack's remaining time to fail the same way, so the door says so now.
            if (attempt == 2 or not error.connection_invalidated
                    or time.monotonic() - started > STALE_CONNECTION_FAILS_WITHIN):
                raise
    return None  # unreachable: the second attempt returns or raises


class _Waiting:
    __slots__ = ("values", "result", "error", "done")

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = values
        self.result: int | None = None
        self.error: BaseException | None = None
        self.done = False


class GroupCommit:
    """Requests that arrive while another's insert is on its way share the next insert and its commit.

    The first request to find no insert under way writes its row; what arrives meanwhile waits, and the
    first of those writes them all in one statement once the insert under way is done (at most MOST). Each
    is answered only after the statement that holds its row committed, so its acknowledgement still
    follows its row. A statement of several that fails at once (one row the database refused, or a dropped
    connection) is followed by each row on its own, so that one request's trouble stays its own; one that
    failed slowly met a database that is not answering, and each of its requests is told so. One insert
    at a time is also how SQLite, which lets one writer in at a time, is best written to.
    """

    MOST = 32

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[_Waiting] = deque()
        self._writing = False

    def record(self, engine: Engine, values: tuple[Any, ...]) -> int | None:
        """The row's id once it is committed, or None if its key was taken; raises as `record_retrying` does."""
        mine = _Waiting(values)
        with self._cond:
            self._queue.append(mine)
            while not mine.done:
                if self._writing:
                    self._cond.wait()
                    continue
                self._writing = True
                batch = [self._queue.popleft() for _ in range(min(self.MOST, len(self._queue)))]
                self._cond.release()
                try:
                    _write(engine, batch)
                finally:
                    self._cond.acquire()
                    self._writing = False
                    self._cond.notify_all()
        if mine.error is not None:
            raise mine.error
        return mine.result


def _write(engine: Engine, batch: list[_Waiting]) -> None:
    started = time.monotonic()
    try:
        if len(batch) > 1:
            try:
                for waiting, result in zip(batch, record_many(engine, [w.values for w in batch]), strict=True):
                    waiting.result, waiting.done = result, True
                return
            except DBAPIError as error:
                if time.monotonic() - started > STALE_CONNECTION_FAILS_WITHIN:
                    for waiting in batch:
                        waiting.error, waiting.done = error, True
                    return
        for waiting in batch:
            try:
                waiting.result = record_retrying(engine, waiting.values)
            except Exception as error:  # raised in the thread of the request it belongs to
                waiting.error = error
            waiting.done = True
    finally:
        for waiting in batch:  # whatever happened, nobody is left waiting for an answer that will not come
            if not waiting.done:
                waiting.error, waiting.done = RuntimeError("the request's batch was not written"), True
