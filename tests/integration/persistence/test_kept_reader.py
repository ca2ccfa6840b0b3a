"""A cooperative worker keeps one SQLite connection for its read transactions (``reading.py``).

Each case runs in a fresh interpreter patched by gevent, as a ``webstore serve`` worker is.
"""

from __future__ import annotations

import textwrap

from tests.integration.persistence.patched_scripts import run_script
from webstore.adapters.sql.operator.migrations import upgrade


def run_patched(sqlite_url: str, body: str) -> object:
    upgrade(sqlite_url)
    script = textwrap.dedent(
        """
        from gevent import monkey; monkey.patch_all()
        import json, sys
        import gevent
        from webstore.concurrency import Concurrency
        from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
        from webstore.domain.products import Product
        factory = SqlAlchemyUnitOfWorkFactory.from_url(
            sys.argv[1], concurrency=Concurrency.COOPERATIVE
        )

        def driver_of(work):
            return id(work._reading.pooled.driver_connection)
        """
    ) + textwrap.dedent(body)
    return run_script(script, sqlite_url)


def test_reads_one_after_another_share_a_connection_and_overlapping_ones_do_not(
    sqlite_url: str,
) -> None:
    result = run_patched(
        sqlite_url,
        """
        seen = {}

        def reader(name, hold):
            with factory(read_only=True) as work:
                work.ping()
                seen[name] = driver_of(work)
                gevent.sleep(hold)  # a reader that waits on something, still in its transaction

        reader("first", 0)
        reader("second", 0)
        slow = gevent.spawn(reader, "slow", 0.2)
        gevent.sleep(0.05)
        reader("beside the slow one", 0)
        slow.join()
        reader("after", 0)
        print(json.dumps({
            "shared": seen["first"] == seen["second"] == seen["after"],
            "beside": seen["beside the slow one"] != seen["slow"],
        }))
        """,
    )
    assert result == {"shared": True, "beside": True}


def test_each_read_on_the_kept_connection_sees_what_was_committed_before_it(
    sqlite_url: str,
) -> None:
    result = run_patched(
        sqlite_url,
        """
        from tests.integration.persistence.helpers import money

        versions, connections = [], set()
        for n in range(3):
            with factory(read_only=True) as work:
                versions.append(work.products.catalogue_version())
                connections.add(driver_of(work))
            with factory() as work:  # a product change bumps the catalogue's version
                work.products.add(Product(f"P{n}", money("1.00"), 1))
                work.commit()
        print(json.dumps({"versions": versions, "connections": len(connections)}))
        """,
    )
    assert isinstance(result, dict)
    assert result["connections"] == 1
    assert len(set(result["versions"])) == 3, result  # never a snapshot from before a write
