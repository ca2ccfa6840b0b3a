"""Alembic's environment: runs the migrations on the connection ``migrations.py`` hands over."""

from __future__ import annotations

from alembic import context

from webstore.adapters.sql.tables import metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if context.is_offline_mode() or connection is None:
        raise RuntimeError(
            "run migrations through webstore.adapters.sql.operator.migrations.upgrade(url)"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite can alter a table only by copying it; "batch" mode writes later migrations so.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
