"""Serving layers compared on the real app: throughput, tail, slow clients, refusals as JSON.

Each candidate serves the same seeded SQLite database with two workers (or the server's nearest
equivalent); wrk loads a listing and an order in interleaved rounds; then 50 connections trickle
headers and 20 trickle a body while a probe asks for health and the listing; finally a garbled
request line shows whether the server's own refusals are still JSON. Granian and waitress are
not dependencies of the project: ``pip install granian waitress`` into the environment first.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks import seeding, slow_clients, systems
from benchmarks.http import log_in
from benchmarks.measure import load
from benchmarks.scenarios import PASSWORD, SCENARIOS
from benchmarks.systems import BIN

APP = "webstore.entrypoints.web.app:create_app"
LAUNCH = (
    "import sys; from webstore.entrypoints.serve.server import serve_flask; "
    "from webstore.entrypoints.web.app import create_app; "
    "serve_flask(create_app, host='127.0.0.1', port=int(sys.argv[1]), workers=2, "
    "worker_class=sys.argv[2], threads=int(sys.argv[3]))"
)


def candidates(port: int) -> dict[str, list[str]]:
    gunicorn = [sys.executable, "-c", LAUNCH, str(port)]
    return {
        "gunicorn gthread 2x4": [*gunicorn, "gthread", "4"],
        "gunicorn sync 2": [*gunicorn, "sync", "1"],
        "gunicorn gevent 2": [*gunicorn, "gevent", "1"],
        "granian 2 workers": [
            *(str(BIN / "granian"), "--interface", "wsgi", "--workers", "2"),
            *("--host", "127.0.0.1", "--port", str(port), "--factory", APP),
        ],
        "waitress 8 threads": [
            *(str(BIN / "waitress-serve"), "--listen", f"127.0.0.1:{port}"),
            *("--threads", "8", "--call", APP),
        ],
    }


def refusal(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GARBAGE\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    json_type = b"application/json" in head.lower()
    return f"{head.split(b' ')[1].decode()} {'JSON' if json_type else 'not JSON'} {body[:40]!r}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="names of the candidates to run")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="webstore-servers-"))
    url = f"sqlite:///{workdir}/bench.db"
    seed = systems.start_project(url, workdir, 2)
    try:
        seeding.sign_up(seed)
        seeding.top_up_products(seed, 0, 100)
        seeding.place_orders(seed, user_orders=20, bulk_orders=20)
    finally:
        seed.stop()
    env = systems.project_env(url, workdir / "mail")
    chosen = [SCENARIOS[0], SCENARIOS[3]]
    rows: dict[str, dict[str, list[float]]] = {}
    extra: dict[str, str] = {}
    for round_ in range(args.rounds):
        for name in args.only or candidates(0):
            port = systems.free_port()
            system = systems.start(
                name, candidates(port)[name], env, port, serves_api=True, log=workdir / "s.log"
            )
            try:
                for scenario in chosen:
                    headers = log_in(port, scenario.user or "buyer", PASSWORD)
                    sample = load(
                        system,
                        scenario.path,
                        method=scenario.method,
                        body=scenario.body,
                        headers=headers,
                        seconds=args.seconds,
                        connections=8,
                    )
                    cell = rows.setdefault(name, {})
                    cell.setdefault(f"{scenario.name} req/s", []).append(sample.rate)
                    cell.setdefault(f"{scenario.name} p99", []).append(sample.p99_ms)
                    cell.setdefault(f"{scenario.name} failures", []).append(sample.failures)
                if round_ == 0:
                    shopper = log_in(port, "shopper", PASSWORD)
                    probes = slow_clients.probe_while_stalled(
                        port, {"/api/health": {}, "/api/get_all_products": shopper}
                    )
                    extra[name] = (
                        f"slow clients: {probes.answered}/{probes.asked} probes answered, "
                        f"median {probes.median_ms:.0f} ms, worst {probes.worst_ms:.0f} ms; "
                        f"garbled request: {refusal(port)}"
                    )
            finally:
                system.stop()
    for name, cells in rows.items():
        numbers = ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in cells.items())
        print(f"- {name}: {numbers}; {extra.get(name, '')}")


if __name__ == "__main__":
    main()
