"""Fresh, throw-away databases for one run: a SQLite file, or PostgreSQL schemas/databases."""

from __future__ import annotations

import atexit
import os
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def _admin_engine(url: str) -> Any:
    import sqlalchemy as sa

    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def fresh_schema(url: str) -> str:
    """An empty schema (named after this run) on the server of ``url``; dropped at exit."""
    import sqlalchemy as sa

    schema = f"bench_{os.getpid()}_{int(time.time())}"
    engine = _admin_engine(url)
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    atexit.register(drop)
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def fresh_database(url: str, label: str = "peer") -> str:
    """An empty database beside the one ``url`` names, as a plain libpq URL; dropped at exit."""
    import sqlalchemy as sa

    name = f"bench_{label.lower()}_{os.getpid()}_{int(time.time())}"
    engine = _admin_engine(url)
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    atexit.register(drop)
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, f"/{name}", "", ""))
