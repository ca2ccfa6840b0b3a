"""Column types that let the domain's values go in and out of both databases unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from webstore.domain.values import CENT, Money

# BIGINT ids on PostgreSQL (the API accepts ids up to 2**63 - 1, and psycopg casts binds to the
# column's type); SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")
# Stock: at most 2**31 - 1 can be set, but cancelled orders return their units on top of
# that, so the column has room for far more (SQLite's INTEGER is 64 bits already).
Stock = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC: TIMESTAMPTZ on PostgreSQL, ISO text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time is a bug upstream: refuse it rather than guess its zone.
            raise ValueError(f"naive datetime {value!r}: the store keeps aware UTC times only")
        value = value.astimezone(UTC)
        # SQLite keeps text without an offset; fixed-width UTC text also sorts chronologically.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)  # psycopg answers in the session's TimeZone


class MoneyType(TypeDecorator[Money]):
    """``Money`` as NUMERIC(10, 2), DRF's ``DecimalField(max_digits=10, decimal_places=2)``."""

    # On SQLite the value is a REAL, which holds ten significant digits exactly; SQLAlchemy
    # rounds it back to two places, so every price that validation accepts round-trips.
    impl = Numeric(10, 2)
    cache_ok = True

    def process_bind_param(self, value: Money | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else value.amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Money | None:
        return None if value is None else _stored_money(value)


@lru_cache(maxsize=4096)
def _stored_money(value: float | Decimal) -> Money:
    """A stored price as Money; a shop has few distinct prices and Money is immutable, so a
    listing of a thousand lines converts each one once."""
    return Money(Decimal(value).quantize(CENT))
