"""A profile of one loaded ``webstore serve``: one scenario, py-spy on every worker.

    python -m benchmarks.profile --scenario mixed [--database-url postgresql+psycopg://...]

serves a seeded store (the benchmark's products, users and customers), loads it with wrk for
``--seconds``, and meanwhile records each worker with ``py-spy record --format raw`` (collapsed
stacks, one file per worker in the printed folder; ``pip install py-spy``). It prints the
requests per second, and the functions most often on the stack, their own share and with
what they call.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from benchmarks import customers, databases, seeding, systems, wrk
from benchmarks.http import log_in
from benchmarks.scenarios import ADDRESS, PASSWORD, PHONE, SCENARIOS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scenario", default="mixed", choices=[s.name for s in SCENARIOS])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples a second")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="webstore-profile-"))
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    if url.startswith("postgresql"):
        url = databases.fresh_schema(url)
    project = systems.start_project(url, workdir, 2)
    try:
        seeding.sign_up(project)
        seeding.top_up_products(project, 0, 100)
        seeding.place_orders(project, user_orders=20, bulk_orders=50)
        crowd = customers.gather(project, args.customers)
        scenario = next(s for s in SCENARIOS if s.name == args.scenario)
        spies = _spy(project.workers(), workdir, args)
        if scenario.mix is not None:
            lua = wrk.mix_script(
                scenario.mix.listings, scenario.mix.own_orders,
                [c.headers() for c in crowd.customers], 100, ADDRESS, PHONE,
            )  # fmt: skip
            result = wrk.run(
                f"http://127.0.0.1:{project.port}/", seconds=args.seconds,
                connections=args.connections, lua=lua,
            )  # fmt: skip
        else:
            headers = log_in(project.port, scenario.user or "buyer", PASSWORD)
            result = wrk.run(
                f"http://127.0.0.1:{project.port}{scenario.path}", seconds=args.seconds,
                connections=args.connections, method=scenario.method,
                body=None if scenario.body is None else json.dumps(scenario.body),
                headers={**headers, "Content-Type": "application/json"},
            )  # fmt: skip
        for spy in spies:
            spy.join()
    finally:
        project.stop()
    print(
        f"{args.scenario}: {result.rate:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.bad_status} failed; stacks in {workdir}"
    )
    _summary(sorted(workdir.glob("worker-*.txt")), args.top)


def _spy(workers: list[int], workdir: Path, args: argparse.Namespace) -> list[threading.Thread]:
    spy = shutil.which("py-spy") or str(systems.BIN / "py-spy")
    threads = []
    for pid in workers:
        command = [spy, "record", "--pid", str(pid), "--rate", str(args.rate), "--format", "raw"]
        command += ["--duration", str(max(1, round(args.seconds))), "--nonblocking"]
        command += ["--output", str(workdir / f"worker-{pid}.txt")]
        thread = threading.Thread(
            target=subprocess.run, args=(command,), kwargs={"capture_output": True}, daemon=True
        )
        thread.start()
        threads.append(thread)
    return threads


def _summary(files: list[Path], top: int) -> None:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for file in files:
        for line in file.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [f.split(" (")[0] + " " + f.split("/")[-1] for f in stack.split(";")]
            samples += int(count)
            own[frames[-1]] += int(count)
            for frame in set(frames):
                total[frame] += int(count)
    print(f"{samples} samples; with callees:")
    for frame, hits in total.most_common(top):
        print(f"  {100 * hits / samples:5.1f} %  {frame}")
    print("own:")
    for frame, hits in own.most_common(top):
        print(f"  {100 * hits / samples:5.1f} %  {frame}")


if __name__ == "__main__":
    main()
