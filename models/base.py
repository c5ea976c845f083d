"""Declarative base, shared column types and the naming convention for constraints."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names on SQLite and PostgreSQL alike, so migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# Values in one IN list: well inside what either database takes as bound parameters in one statement.
IN_CHUNK = 500
T = TypeVar("T")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime in, an aware UTC datetime out, on every database.

    SQLite keeps no zone, so naive values read back are UTC by construction; naive values written
    are refused because their zone would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by value as a plain string; new members then need no migration of a CHECK constraint."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        name=enum_cls.__name__.lower(),
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """`items` in slices of `size`, for queries over more values than one IN list should hold."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
