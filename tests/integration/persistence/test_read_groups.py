"""A cooperative worker's reads that stand alone go to PostgreSQL in groups (``read_groups.py``).

Each case runs in a fresh interpreter patched by gevent, as a ``webstore serve`` worker is.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.integration.persistence.patched_scripts import run_script

pytestmark = pytest.mark.postgres

PRELUDE = """
from gevent import monkey; monkey.patch_all()
import json, sys
import gevent
import sqlalchemy as sa
from webstore.adapters.sql import engine as engines
from webstore.adapters.sql.runtime import read_groups as module
from webstore.adapters.sql.runtime.direct import DirectRead

url = sys.argv[1]
engine = engines.read_only(engines.create_engine(url))
groups = module.read_groups(engine)
sizes = []
send = groups._send
def counted(batch):
    sizes.append(len(batch))
    send(batch)
groups._send = counted

def statement(sql):
    return DirectRead(sa.text(sql).columns(sa.column("value", sa.Integer)), alone=True).prepared(
        engine.dialect
    )

ECHO = statement("SELECT CAST(:n AS integer) FROM pg_sleep(CAST(:wait AS float8))")

def echo(n, wait=0.0):
    rows, converters = groups.rows(ECHO, ECHO.parameters({"n": n, "wait": wait}))
    return rows[0][0]

def outcome(call):
    try:
        return ["rows", call()]
    except BaseException as error:
        if not isinstance(error, Exception):  # stopped: its deadline passed
            return [type(error).__name__, None]
        from webstore.adapters.sql.runtime.availability import is_outage
        return ["outage" if is_outage(error) else type(error).__name__, None]
"""


def run_patched(url: str, body: str) -> object:
    return run_script(PRELUDE + textwrap.dedent(body), url)


def test_a_lone_read_is_sent_at_once_and_reads_that_overlap_share_a_trip(
    postgres_url: str,
) -> None:
    result = run_patched(
        postgres_url,
        """
        lone = echo(7)
        first = gevent.spawn(echo, -1, 0.2)  # in flight while the others arrive
        gevent.sleep(0.05)
        others = [gevent.spawn(echo, n) for n in range(20)]
        gevent.joinall([first, *others])
        print(json.dumps({
            "lone": lone, "first": first.value, "others": [g.value for g in others],
            "sizes": sizes,
        }))
        """,
    )
    assert result == {"lone": 7, "first": -1, "others": list(range(20)), "sizes": [1, 1, 20]}


def test_a_failure_of_the_group_reaches_every_member_and_the_next_read_succeeds(
    postgres_url: str,
) -> None:
    result = run_patched(
        postgres_url,
        """
        killer = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        first = gevent.spawn(outcome, lambda: echo(-1, 0.2))
        gevent.sleep(0.05)
        members = [gevent.spawn(outcome, lambda n=n: echo(n, 1.0)) for n in range(5)]
        gevent.sleep(0.4)  # the first is answered; the five are in flight, on the server
        pid = groups._pooled.driver_connection.info.backend_pid
        with killer.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        gevent.joinall([first, *members])
        print(json.dumps({
            "first": first.value, "members": [g.value for g in members],
            "next": outcome(lambda: echo(3)), "sizes": sizes,
        }))
        """,
    )
    assert result == {
        "first": ["rows", -1],
        "members": [["outage", None]] * 5,
        "next": ["rows", 3],
        "sizes": [1, 5, 1],
    }


def test_a_leader_stopped_in_flight_leaves_the_others_answered(postgres_url: str) -> None:
    result = run_patched(
        postgres_url,
        """
        from webstore.adapters.sql.runtime.deadlines import DeadlinePassed, GeventDeadlines

        def with_deadline(n, wait, seconds):
            deadline = GeventDeadlines(seconds).start()
            try:
                return outcome(lambda: echo(n, wait))
            finally:
                deadline.cancel()

        first = gevent.spawn(outcome, lambda: echo(-1, 0.2))
        gevent.sleep(0.05)
        leader = gevent.spawn(with_deadline, 0, 1.0, 0.4)  # leads the next group, stopped in it
        gevent.sleep(0.01)
        members = [gevent.spawn(outcome, lambda n=n: echo(n, 0.3)) for n in range(1, 4)]
        short = gevent.spawn(with_deadline, 4, 0.3, 0.2)  # stopped in flight, never sent again
        gevent.joinall([first, leader, *members, short])
        print(json.dumps({
            "leader": leader.value, "members": [g.value for g in members],
            "short": short.value, "next": outcome(lambda: echo(9)), "sizes": sizes,
        }))
        """,
    )
    assert result == {
        "leader": ["DeadlinePassed", None],
        "members": [["rows", n] for n in range(1, 4)],
        "short": ["DeadlinePassed", None],
        "next": ["rows", 9],
        "sizes": [1, 5, 3, 1],
    }


SERVED = """
from gevent import monkey; monkey.patch_all()
import json, sys
import gevent
import sqlalchemy as sa
from tests.conftest import fast_settings
from webstore import bootstrap
from webstore.adapters.sql.runtime import read_groups as module
from webstore.concurrency import Concurrency
from webstore.entrypoints.web.app import create_app

sizes = []
send = module.ReadGroups._send
def counted(self, batch):
    sizes.append(len(batch))
    send(self, batch)
module.ReadGroups._send = counted

url, PASSWORD = sys.argv[1], "correct horse battery staple"
settings = fast_settings(url)
store = bootstrap(settings, migrate=True, concurrency=Concurrency.COOPERATIVE)
root = store.create_superuser("root", "root@example.com", PASSWORD)
store.register_user("alice", "alice@example.com", PASSWORD)
store.add_product(root, {"name": "Chair", "price": "10", "amount": 5})
client = create_app(settings, store).test_client()
alice = {"Authorization": f"Token {store.log_in('alice', PASSWORD).access_token}"}
admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")

def listed():
    response = client.get("/api/get_all_products", headers=alice)
    if response.status_code != 200:
        return [response.status_code, response.json]
    return [200, [product["amount"] for product in response.json]]

def group_backend():
    [groups] = [g for g in module._groups.values() if g._pooled is not None]
    return groups._pooled.driver_connection.info.backend_pid
"""


def run_served(url: str, body: str) -> object:
    return run_script(SERVED + textwrap.dedent(body), url)


def test_listings_read_together_each_see_the_stock_committed_before_they_began(
    postgres_url: str,
) -> None:
    result = run_served(
        postgres_url,
        """
        listed()
        seen = []
        for amount in range(10, 15):
            with admin.begin() as connection:
                connection.exec_driver_sql(f"UPDATE products SET amount = {amount}")
            requests = [gevent.spawn(listed) for _ in range(16)]
            gevent.joinall(requests)
            seen.append(all(r.value == [200, [amount]] for r in requests))
        print(json.dumps({"seen": seen, "grouped": max(sizes) > 1}))
        """,
    )
    assert result == {"seen": [True] * 5, "grouped": True}


def test_a_group_whose_backend_is_terminated_answers_each_member_503_and_the_next_200(
    postgres_url: str,
) -> None:
    result = run_served(
        postgres_url,
        """
        listed()
        with sa.create_engine(url).connect() as locking:
            # The listings' reads wait on the lock, in flight, until their backend is ended.
            locking.exec_driver_sql("LOCK TABLE products IN ACCESS EXCLUSIVE MODE")
            first = gevent.spawn(listed)
            gevent.sleep(0.2)
            members = [gevent.spawn(listed) for _ in range(8)]
            gevent.sleep(0.05)
            ended = []
            with admin.connect() as killer:
                for _ in range(2):  # the first's group, then the members'
                    pid = group_backend()
                    killer.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
                    ended.append(pid)
                    gevent.sleep(0.3)
            gevent.joinall([first, *members])
            locking.rollback()
        print(json.dumps({
            "first": first.value, "members": [m.value for m in members], "next": listed(),
            "sizes": sizes[-3:], "two": len(set(ended)) == 2,
        }))
        """,
    )
    unavailable = [503, {"detail": "Service temporarily unavailable."}]
    assert result == {
        "first": unavailable,
        "members": [unavailable] * 8,
        "next": [200, [5]],
        "sizes": [1, 8, 1],
        "two": True,
    }
