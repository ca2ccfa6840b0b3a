"""``make bench``: requests per second of the API under gunicorn, against a raw WSGI ceiling.

Both servers run the same gunicorn configuration (2 gthread workers) on this machine; the load
comes from client processes holding keep-alive connections. The API reads a real database
(SQLite by default, or ``--database-url``) with 100 products and one user with 1000 orders.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from webstore import Settings, bootstrap

SECRET = "benchmark-secret-key-that-is-long-enough-1234"
SCENARIOS = {
    "100 products": "/api/get_all_products",
    "1000 orders": "/api/get_order",
    "health": "/api/health",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_schema(url: str) -> str:
    """An empty schema on the server (named after this run), so that seeding starts clean."""
    import sqlalchemy as sa

    schema = f"bench_{os.getpid()}_{int(time.time())}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    atexit.register(drop_schema, engine, schema)
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def drop_schema(engine: Any, schema: str) -> None:
    import sqlalchemy as sa

    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def seed(database_url: str) -> str:
    """Fill the database; return an access token of the customer (valid long enough)."""
    store = bootstrap(
        Settings(database_url=database_url, secret_key=SECRET.encode(), access_token_ttl=3600),
        migrate=True,
    )
    admin = store.create_superuser("root", "root@example.com", "benchmark root password")
    admin_principal = store.authenticate(
        store.log_in("root", "benchmark root password").access_token
    )
    ids = [
        store.add_product(
            admin_principal,
            {"name": f"Product {n}", "description": "Bench", "price": "19.99", "amount": 1_000_000},
        ).id
        for n in range(100)
    ]
    store.register_user("shopper", "shopper@example.com", "benchmark shopper password")
    login = store.log_in("shopper", "benchmark shopper password")
    shopper = store.authenticate(login.access_token)
    for n in range(1000):
        items = [
            {"product_id": ids[n % 100], "amount": 1},
            {"product_id": ids[(n + 7) % 100], "amount": 2},
        ]
        store.place_order(shopper, "1 Bench Street", "+1 555 0100", items)
    del admin
    return login.access_token


@contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[None]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)  # let every worker finish booting
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _client(
    port: int, path: str, token: str, seconds: float, counter: multiprocessing.Value
) -> None:  # type: ignore[type-arg]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {token}"}
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}")
        done += 1
    with counter.get_lock():
        counter.value += done


def best_of(rounds: int, port: int, path: str, token: str, clients: int, seconds: float) -> float:
    """The best of several rounds: the machine's other work only ever slows a round down."""
    return max(measure(port, path, token, clients, seconds) for _ in range(rounds))


def measure(port: int, path: str, token: str, clients: int, seconds: float) -> float:
    counter = multiprocessing.Value("q", 0)
    workers = [
        multiprocessing.Process(target=_client, args=(port, path, token, seconds, counter))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counter.value / seconds


def capture(port: int, token: str) -> dict[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    bodies = {}
    for path in SCENARIOS.values():
        connection.request("GET", path, headers={"Authorization": f"Token {token}"})
        bodies[path] = connection.getresponse().read().decode()
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many rounds")
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="webstore-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
    if database_url.startswith("postgresql"):
        database_url = fresh_schema(database_url)
    token = seed(database_url)
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "WEBSTORE_DATABASE_URL": database_url,
        "WEBSTORE_SECRET_KEY": SECRET,
        "WEBSTORE_ACCESS_TOKEN_TTL": "3600",
    }
    api_port, ceiling_port = free_port(), free_port()
    results: dict[str, tuple[float, float]] = {}
    api = [str(bin_dir / "webstore"), "serve", "--port", str(api_port), "--workers", "2"]
    with server(api, env, api_port):
        bodies = capture(api_port, token)
        api_rates = {
            name: best_of(args.rounds, api_port, path, token, args.clients, args.seconds)
            for name, path in SCENARIOS.items()
        }
    responses = workdir / "responses.json"
    responses.write_text(json.dumps(bodies))
    ceiling = [
        str(bin_dir / "gunicorn"),
        "--workers",
        "2",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--bind",
        f"127.0.0.1:{ceiling_port}",
        "benchmarks.ceiling:app",
    ]
    with server(ceiling, {**env, "WEBSTORE_BENCH_RESPONSES": str(responses)}, ceiling_port):
        for name, path in SCENARIOS.items():
            results[name] = (
                api_rates[name],
                best_of(args.rounds, ceiling_port, path, token, args.clients, args.seconds),
            )
    print(
        f"database: {database_url.split(':')[0]}, {args.clients} clients, "
        f"best of {args.rounds} rounds of {args.seconds:.0f} s"
    )
    print(f"{'scenario':<14} {'webstore req/s':>15} {'raw WSGI req/s':>15} {'of ceiling':>11}")
    for name, (rate, ceiling_rate) in results.items():
        print(f"{name:<14} {rate:>15.0f} {ceiling_rate:>15.0f} {rate / ceiling_rate:>10.1%}")


if __name__ == "__main__":
    main()
