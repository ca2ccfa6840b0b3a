"""The SQL unit-of-work factory the composition root asks for.

The deadlines of a gevent worker belong to the fast runtime (``runtime/deadlines.py``), which
only the SQL adapters import: they are chosen here, so that ``bootstrap`` says only which
concurrency mode the store runs in.
"""

from __future__ import annotations

from webstore.adapters.sql.runtime.deadlines import GeventDeadlines
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.concurrency import Concurrency


def sql_unit_of_work_factory(
    url: str,
    *,
    pool_size: int,
    max_overflow: int,
    timeout: int,
    concurrency: Concurrency,
) -> SqlAlchemyUnitOfWorkFactory:
    """Units of work over ``url``; in a cooperative (gevent) worker each one has ``timeout``
    seconds in all, cut short wherever it waits on the database."""
    return SqlAlchemyUnitOfWorkFactory.from_url(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        timeout=timeout,
        deadlines=GeventDeadlines(timeout) if concurrency is Concurrency.COOPERATIVE else None,
        concurrency=concurrency,
    )
