"""Which database errors are outages (a 503, one log line) rather than bugs (a 500, a traceback)."""

from __future__ import annotations

import psycopg.errors
import pytest
from sqlalchemy import exc

from webstore.adapters.sql.runtime.availability import is_outage


def wrapped(error: Exception) -> exc.DBAPIError:
    """As SQLAlchemy raises the driver's error, in its own class for it."""
    return exc.DBAPIError.instance("SELECT 1", None, error, psycopg.Error)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.IdleInTransactionSessionTimeout(
            "terminating connection due to idle-in-transaction timeout"
        ),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
        psycopg.OperationalError("connection refused"),
    ],
    ids=type,
)
def test_postgresql_ending_the_session_is_an_outage(error: Exception) -> None:
    assert is_outage(wrapped(error))


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.UndefinedColumn("column x does not exist"),
        psycopg.errors.UniqueViolation("duplicate key value"),
        psycopg.errors.InFailedSqlTransaction("current transaction is aborted"),
    ],
    ids=type,
)
def test_a_refused_statement_is_not_an_outage(error: Exception) -> None:
    assert not is_outage(wrapped(error))
