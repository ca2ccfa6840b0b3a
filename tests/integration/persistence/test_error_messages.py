from __future__ import annotations

import pytest
import sqlalchemy as sa

from webstore.adapters.sql.engine import create_engine


def test_database_errors_do_not_carry_the_values_of_their_parameters(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("CREATE TABLE secrets (value TEXT CHECK (length(value) < 5))")
            )
        with pytest.raises(sa.exc.IntegrityError) as caught, engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO secrets VALUES (:value)"), {"value": "hunter2-refresh-token"}
            )
    finally:
        engine.dispose()
    assert "hunter2" not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)
