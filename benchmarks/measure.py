"""One measurement: wrk against one system, with the server's CPU and memory read around it."""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass

from benchmarks import procs, wrk
from benchmarks.http import Client
from benchmarks.systems import System


@dataclass(frozen=True)
class Sample:
    rate: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # server CPU per request, all worker processes
    rss_mb: float  # the largest worker's resident memory
    failures: int  # socket errors and 4xx/5xx answers
    peak_rss_mb: float = 0.0  # the largest worker's resident memory at its worst, so far
    drawn: tuple[int, int, int] = (0, 0, 0)  # a mix's listings, own orders, checkouts


def load(
    system: System,
    path: str,
    *,
    method: str,
    body: object,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    lua: str | None = None,
) -> Sample:
    workers = system.workers()
    cpu_before = procs.cpu_seconds(workers)
    result = wrk.run(
        f"http://127.0.0.1:{system.port}{path}",
        seconds=seconds,
        connections=connections,
        method=method,
        body=None if body is None else json.dumps(body),
        headers={**headers, "Content-Type": "application/json"},
        lua=lua,
    )
    workers_after = system.workers()
    cpu = procs.cpu_seconds(workers_after) - cpu_before
    return Sample(
        rate=result.rate,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        cpu_ms=cpu * 1000 / max(result.requests, 1),
        rss_mb=procs.rss_mb(workers_after),
        failures=result.socket_errors + result.bad_status,
        peak_rss_mb=procs.peak_rss_mb(workers_after),
        drawn=result.drawn,
    )


def median_sample(samples: list[Sample]) -> Sample:
    return Sample(
        rate=statistics.median(s.rate for s in samples),
        p50_ms=statistics.median(s.p50_ms for s in samples),
        p99_ms=statistics.median(s.p99_ms for s in samples),
        cpu_ms=statistics.median(s.cpu_ms for s in samples),
        rss_mb=statistics.median(s.rss_mb for s in samples),
        failures=sum(s.failures for s in samples),
        peak_rss_mb=max(s.peak_rss_mb for s in samples),
        drawn=(
            sum(s.drawn[0] for s in samples),
            sum(s.drawn[1] for s in samples),
            sum(s.drawn[2] for s in samples),
        ),
    )


def sequential_ms(system: System, path: str, headers: dict[str, str], repeats: int) -> float:
    """Median milliseconds of one client's GETs, one after the other (after one warm-up)."""
    client = Client(system.port)
    client.timed(path, headers)
    times = []
    for _ in range(repeats):
        times.append(client.timed(path, headers))
        time.sleep(0.01)
    return statistics.median(times) * 1000
