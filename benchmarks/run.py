"""``make bench``: the project side by side with its peers, a Flask floor and a ceiling.

One run starts, on this machine: ``webstore serve`` as shipped; the Django/DRF peer and the
FastAPI peer (``../shared/peers/django`` and ``fastapi``, each skipped with a note when absent);
a bare Flask route answering the project's captured bytes under the project's own server and
settings (the floor); and a raw WSGI app answering the same bytes under gunicorn sync workers
(the ceiling). wrk loads each scenario on each system in interleaved rounds; the medians are
reported, with server CPU per request and worker memory read from /proc. The many-customer
scenarios (``mixed``, ``post_order_many``) draw a customer, each with a token of their own, for
every request. Then one client lists 10 to 10 000 products, one request at a time.
``--database-url`` runs it all on PostgreSQL; ``--scale-out`` adds two ``webstore serve`` sharing
that database, loaded together. ``--smoke`` is a one-second version that only checks it all works.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import customers, databases, report, scaleout, seeding, systems, wrk
from benchmarks.customers import Crowd
from benchmarks.http import Client, log_in
from benchmarks.measure import Sample, load, median_sample, sequential_ms
from benchmarks.scenarios import ADDRESS, PASSWORD, PHONE, SCENARIOS, Scenario
from benchmarks.systems import ADMIN_PASSWORD, System

PRODUCTS = 100  # the catalogue the scenarios load (ids 1 to 100 on every system)

TOKEN_LIFETIME = 200  # seconds; the peer's access tokens live five minutes


class Sessions:
    """Logged-in headers per system and user, renewed before the peer's tokens expire."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], tuple[float, dict[str, str]]] = {}

    def headers(self, system: System, user: str | None) -> dict[str, str]:
        if user is None:
            return {}
        key = (system.port, user)
        cached = self._cache.get(key)
        if cached is None or time.monotonic() - cached[0] > TOKEN_LIFETIME:
            password = ADMIN_PASSWORD if user == "admin" else PASSWORD
            cached = (time.monotonic(), log_in(system.port, user, password))
            self._cache[key] = cached
        return cached[1]


def capture(project: System, sessions: Sessions, ids: dict[str, int]) -> dict[str, object]:
    """The project's answers to every scenario, for the floor and the ceiling to replay."""
    client = Client(project.port)
    captured: dict[str, object] = {"GET /api/health": [200, '{"status":"ok"}']}
    for scenario in SCENARIOS:
        path = scenario.path.format(**ids)
        headers = sessions.headers(project, scenario.user)
        answer = client.call(scenario.method, path, scenario.body, headers)
        captured[f"{scenario.method} {path}"] = [answer.status, answer.body.decode()]
    return captured


def scaling_probe(
    apps: list[System], sessions: Sessions, have: int, sizes: list[int], repeats: int
) -> dict[int, dict[str, float]]:
    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        for system in apps:
            seeding.top_up_products(system, have, size)
        have = size
        times: dict[str, list[float]] = {s.name: [] for s in apps}
        for round_ in range(repeats):
            for system in apps[round_ % 2 :] + apps[: round_ % 2]:
                headers = sessions.headers(system, "shopper")
                times[system.name].append(
                    sequential_ms(system, "/api/get_all_products", headers, repeats=3)
                )
        results[size] = {name: statistics.median(values) for name, values in times.items()}
    return results


def argon2_verify_ms(cheapest: bool = False, repeats: int = 5) -> float:
    """CPU milliseconds of one Argon2 verify with the project's default parameters (or with
    the cheapest ones the settings accept)."""
    from webstore.adapters.passwords import Argon2Parameters, Argon2PasswordHasher

    hasher = Argon2PasswordHasher(Argon2Parameters(**CHEAPEST_ARGON2) if cheapest else None)
    stored = hasher.hash(PASSWORD)
    times = []
    for _ in range(repeats):
        started = time.process_time()
        hasher.verify(stored, PASSWORD)
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


CHEAPEST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def login_probe(url: str, workdir: Path, args: argparse.Namespace) -> dict[str, float]:
    """What a login costs besides its Argon2 verify, measured where Argon2 costs next to nothing.

    Under load, one default verify's CPU moves by several milliseconds with what else the two
    cores run (its 64 MiB fight the other processes for the caches): more than the rest of a
    login costs. So a second ``webstore serve``, identical but for the cheapest Argon2 the
    settings accept, takes the login scenario: its CPU per login, less that cheap verify, is
    the login's other CPU, with the same server, code, database and concurrency.
    """
    env = {f"WEBSTORE_ARGON2_{key.upper()}": str(value) for key, value in CHEAPEST_ARGON2.items()}
    probe = systems.start_project(url, workdir, args.workers, "login probe", env)
    try:
        seeding.sign_up(probe)
        login = next(s for s in SCENARIOS if s.name == "login_view")
        samples = [
            load(
                probe,
                login.path,
                method=login.method,
                body=login.body,
                headers={},
                seconds=args.seconds,
                connections=login.connections or args.connections,
            )
            for _ in range(args.rounds)
        ]
    finally:
        probe.stop()
    cpu = median_sample(samples).cpu_ms
    verify = argon2_verify_ms(cheapest=True, repeats=50)
    return {"cpu_ms": cpu, "verify_ms": verify, "other_ms": cpu - verify}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: fresh SQLite files")
    parser.add_argument("--seconds", type=float, default=4.0, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-peer", action="store_true", help="leave the peers out")
    parser.add_argument(
        "--customers", type=int, default=200, help="customers of the many-customer scenarios"
    )
    parser.add_argument("--scale-out", action="store_true", help="two servers, one PostgreSQL")
    parser.add_argument("--smoke", action="store_true", help="tiny and quick: does it all work")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="SCENARIO",
        help="only these scenarios (names as reported), no login probe nor scaling: a quick look",
    )
    parser.add_argument(
        "--no-replayers", action="store_true", help="leave the Flask floor and the ceiling out"
    )
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.rounds, args.customers = 1.0, 1, 3
    chosen = [s for s in SCENARIOS if args.only is None or s.name in args.only]
    workdir = Path(tempfile.mkdtemp(prefix="webstore-bench-"))
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    postgres = url.startswith("postgresql")
    if postgres:
        url = databases.fresh_schema(url)

    started: list[System] = []
    try:
        project = systems.start_project(url, workdir, args.workers)
        started.append(project)
        notes: list[str] = []
        for peer in () if args.no_peer else systems.PEERS:
            peer_url = databases.fresh_database(args.database_url, peer.name) if postgres else None
            found = systems.start_peer(peer, workdir, args.workers, peer_url)
            if found is None:
                notes.append(f"{peer.name} peer not found at {peer.folder}: skipped")
            else:
                started.append(found)
        apps = list(started)
        crowds = {system.name: customers.gather(system, args.customers) for system in apps}
        sessions = Sessions()
        for system in apps:
            seeding.sign_up(system)
        sizes = [10, 100] if args.smoke else [10, 100, 1000, 10000]
        scaling = scaling_probe(apps, sessions, 0, sizes[:1], 1 if args.smoke else 5)
        for system in apps:
            seeding.top_up_products(system, 10, PRODUCTS)
        ids = {}
        for system in apps:
            counts = (20, 50) if args.smoke else (20, 1000)
            ids[system.name] = seeding.place_orders(
                system, user_orders=counts[0], bulk_orders=counts[1]
            )
        responses = workdir / "responses.json"
        responses.write_text(json.dumps(capture(project, sessions, ids[project.name])))
        replayers = []
        if not args.no_replayers:
            replayers.append(systems.start_floor(responses, workdir, args.workers))
            started.append(replayers[-1])
            replayers.append(systems.start_ceiling(responses, workdir, args.workers))
            started.append(replayers[-1])
        everyone = [*apps, *replayers]

        samples: dict[tuple[str, str], list[Sample]] = {}
        for round_ in range(args.rounds):
            for scenario in chosen:
                shift = round_ % len(everyone)
                for system in everyone[shift:] + everyone[:shift]:
                    samples.setdefault((scenario.name, system.name), []).append(
                        run_one(system, scenario, sessions, ids, project, crowds, args)
                    )
        results = {key: median_sample(values) for key, values in samples.items()}
        for replayer in replayers:
            replayer.stop()
        probe_url = (
            databases.fresh_schema(args.database_url)
            if postgres
            else f"sqlite:///{workdir}/login-probe.db"
        )
        login_cost = login_probe(probe_url, workdir, args) if args.only is None else None
        if args.only is None:
            scaling.update(scaling_probe(apps, sessions, 100, sizes[1:], 1 if args.smoke else 5))
        scale = scaleout.run(url, workdir, args, sessions) if args.scale_out and postgres else None
    finally:
        for system in reversed(started):
            system.stop()

    header = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()}, {platform.processor() or platform.machine()}, "
        f"{len(__import__('os').sched_getaffinity(0))} cores, Python {platform.python_version()}",
        "database": "PostgreSQL" if postgres else "SQLite",
        "settings": f"wrk {args.connections} connections, {args.workers} workers each, "
        f"median of {args.rounds} interleaved rounds of {args.seconds:.0f} s, "
        f"{args.customers} customers in the many-customer scenarios",
        "argon2_verify_ms": argon2_verify_ms(),
        "notes": notes,
    }
    names = [s.name for s in everyone]
    text = report.render(header, names, results, scaling, scale, login_cost)
    print(text)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "header": header,
                    "results": {f"{k[0]} | {k[1]}": vars(v) for k, v in results.items()},
                    "scaling": scaling,
                    "scale_out": scale,
                    "login_probe": login_cost,
                },
                indent=1,
            )
        )
    failures = {k: v.failures for k, v in results.items() if v.failures}
    if failures:
        raise SystemExit(f"requests failed: {failures}")


def run_one(
    system: System,
    scenario: Scenario,
    sessions: Sessions,
    ids: dict[str, dict[str, int]],
    project: System,
    crowds: dict[str, Crowd],
    args: argparse.Namespace,
) -> Sample:
    # The floor and the ceiling replay the project's answers, to the project's requests.
    source = system if system.serves_api else project
    if scenario.mix is not None:
        lua = wrk.mix_script(
            scenario.mix.listings,
            scenario.mix.own_orders,
            [c.headers() for c in crowds[source.name].fresh()],
            PRODUCTS,
            ADDRESS,
            PHONE,
        )
        return load(
            system, "/", method="GET", body=None, headers={}, seconds=args.seconds,
            connections=args.connections, lua=lua,
        )  # fmt: skip
    return load(
        system,
        scenario.path.format(**ids[source.name]),
        method=scenario.method,
        body=scenario.body,
        headers=sessions.headers(source, scenario.user),
        # A login costs an Argon2 hash: give it time to finish more than a handful (the smoke
        # run only checks that it works).
        seconds=max(args.seconds, 3.0)
        if scenario.user is None and not args.smoke
        else args.seconds,
        connections=scenario.connections or args.connections,
    )


if __name__ == "__main__":
    main()
