"""Insert-if-absent on both databases: the primitive behind every "exactly once"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: type, values: dict[str, Any], *, conflict: str | tuple[str, ...]) -> bool:
    """INSERT ... ON CONFLICT (conflict) DO NOTHING; True when a row was inserted.

    `conflict` names the column, or the columns, of the unique constraint that decides "already there".

    A plain SELECT-then-INSERT races when Slack retries an event while the first attempt is still
    running; the database's own conflict handling does not.
    """
    columns = [conflict] if isinstance(conflict, str) else list(conflict)
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(model).values(**values).on_conflict_do_nothing(index_elements=columns)
        # rowcount cannot tell: with an implicit RETURNING, PostgreSQL reports -1 either way.
        .returning(getattr(model, columns[0]))
    )
    return session.execute(statement).first() is not None


def insert_ignore_returning(session: Session, model: type, values: dict[str, Any], *,
                            conflict: str | tuple[str, ...], returning: Any) -> Any | None:
    """`insert_ignore` that gives back `returning` (a column) of the row it inserted, or None."""
    columns = [conflict] if isinstance(conflict, str) else list(conflict)
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (module.insert(model).values(**values).on_conflict_do_nothing(index_elements=columns)
                 .returning(returning))
    return session.execute(statement).scalar()


def insert_ignore_many(
    session: Session, model: type, rows: list[dict[str, Any]], *, conflict: str | tuple[str, ...], batch: int = 500,
) -> int:
    """`insert_ignore` for many rows in a few statements (one per `batch` rows); returns how many were inserted.

    The rows go as parameters of one cached INSERT, which SQLAlchemy sends `batch` rows at a time
    ("insertmanyvalues"): a statement with the rows as literal VALUES would be compiled afresh for
    every batch, and compiling 500 rows costs more than the database takes to insert them.
    """
    if not rows:
        return 0
    columns = [conflict] if isinstance(conflict, str) else list(conflict)
    dialect = session.get_bind().dialect
    table = model.__table__  # Core, not the ORM's bulk path: nothing of the session's state is wanted back
    if dialect.name == "postgresql" and len(rows) > 1 and _plain(table, rows):
        return _insert_ignore_pipelined(session, table, rows, columns)
    module = postgresql if dialect.name == "postgresql" else sqlite
    statement = (module.insert(table).on_conflict_do_nothing(index_elements=columns)
                 .returning(table.c[columns[0]]).execution_options(insertmanyvalues_page_size=batch))
    return len(session.execute(statement, rows).all())


def _plain(table: Table, rows: list[dict[str, Any]]) -> bool:
    """Whether the rows all name the same columns, and the columns they leave out would get nothing but NULL."""
    names = rows[0].keys()
    if any(row.keys() != names for row in rows):
        return False
    for column in table.columns:
        if column.key in names or column.primary_key:
            continue
        default = column.default
        if column.server_default is not None or isinstance(column.type, JSON) or (
                default is not None and not (default.is_scalar and default.arg is None)):  # type: ignore[attr-defined]
            return False
    return True


def _insert_ignore_pipelined(session: Session, table: Table, rows: list[dict[str, Any]], columns: list[str]) -> int:
    """PostgreSQL: the one-row INSERT ... ON CONFLICT DO NOTHING, sent for every row in one executemany, which psycopg
    pipelines: one short statement parsed once, rather than batches of hundreds of rows' placeholders that the
    driver parses afresh each time; the rows inserted are its row count (no RETURNING, so it is exact)."""
    names = list(rows[0])
    statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=columns)
    dialect = session.get_bind().dialect
    compiled = statement.compile(dialect=dialect, column_keys=names)
    convert = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names}
    parameters = [{name: (convert[name](row[name]) if convert[name] else row[name]) for name in names}
                  for row in rows]
    result = session.connection().exec_driver_sql(compiled.string, parameters)
    return result.rowcount
