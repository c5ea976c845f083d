"""Writing the generated rows: Core bulk inserts (executemany) in chunks, the ledger streamed as it grows.

Ids are given here rather than by the database, so that rows can name each other before any is written;
PostgreSQL's sequences are moved past them at the end, so that the jobs' own inserts get fresh ids.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Integer, func, insert, select, text

from models import Base, Contribution, ContributionKind

logger = logging.getLogger(__name__)

CHUNK = 5_000
LEDGER_CHUNK = 20_000


class Progress(Protocol):
    def set_description_str(self, desc: str) -> None: ...

    def update(self, n: int) -> object: ...

    def close(self) -> None: ...


class _Silent:
    def set_description_str(self, desc: str) -> None:
        logger.debug("generating: %s", desc)

    def update(self, n: int) -> None:
        return None

    def close(self) -> None:
        return None


def progress_bar(enabled: bool) -> Progress:
    """A tqdm bar counting the rows written (the `bench` extra installs tqdm), or nothing."""
    if not enabled:
        return _Silent()
    from tqdm import tqdm

    return tqdm(unit=" rows", unit_scale=True, dynamic_ncols=True)


class Writer:
    """One connection for the whole load; every table's rows in chunks, each chunk its own transaction."""

    def __init__(self, engine: Engine, progress: Progress) -> None:
        self.engine = engine
        self.progress = progress
        self.counts: dict[str, int] = {}
        self._ids: dict[str, itertools.count[int]] = {}
        self._ledger: list[dict[str, Any]] = []
        self._connection: Connection = engine.connect()

    def next_id(self, table: str) -> int:
        return next(self._ids.setdefault(table, itertools.count(1)))

    def stage(self, name: str) -> None:
        self.progress.set_description_str(name)

    def insert(self, model: type, rows: Iterable[dict[str, Any]]) -> int:
        table = model.__table__  # type: ignore[attr-defined]
        written = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                written += self._write(table, batch)
                batch = []
        if batch:
            written += self._write(table, batch)
        self.counts[table.name] = self.counts.get(table.name, 0) + written
        return written

    def contribute(self, *, key: str, community_id: int, person_id: int, kind: ContributionKind,
                   at: dt.datetime, detail: str | None = None) -> None:
        """One act in the ledger; written with the next full chunk."""
        self._ledger.append(dict(key=key, community_id=community_id, person_id=person_id, kind=kind.value,
                                 occurred_at=at, detail=detail))
        if len(self._ledger) >= LEDGER_CHUNK:
            self.flush_ledger()

    @property
    def contributions(self) -> int:
        return self.counts.get(Contribution.__tablename__, 0) + len(self._ledger)

    def flush_ledger(self) -> None:
        if self._ledger:
            rows, self._ledger = self._ledger, []
            self.insert(Contribution, rows)

    def finish(self, then: Callable[[], None] | None = None) -> None:
        """Write what is left, move PostgreSQL's sequences past the ids given, and vacuum and analyse it as its
        autovacuum would after a load this size (the statistics for the planner, and the visibility map without
        which no index answers a query alone); SQLite has none unless someone runs ANALYZE, so it is left as
        deployed. `then` runs between the two, once the jobs' own inserts can get fresh ids."""
        self.flush_ledger()
        if self.engine.dialect.name == "postgresql":
            with self._connection.begin():
                for table in Base.metadata.sorted_tables:
                    column = table.columns.get("id")
                    if column is None or not isinstance(column.type, Integer) or not column.primary_key:
                        continue
                    top = self._connection.scalar(select(func.max(column)))
                    if top:
                        self._connection.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {int(top)})"))
        if then is not None:
            if self.engine.dialect.name == "postgresql":  # statistics for the planner of what `then` reads
                with self._connection.begin():
                    self._connection.execute(text("ANALYZE"))
            then()
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        self._connection.close()
        self.progress.close()

    def _write(self, table: Any, batch: list[dict[str, Any]]) -> int:
        with self._connection.begin():
            self._connection.execute(insert(table), batch)
        self.progress.update(len(batch))
        return len(batch)
