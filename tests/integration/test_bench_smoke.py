"""``make bench`` in miniature, so that the benchmark cannot rot between full runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.systems import PEERS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_runs_every_system_and_scenario_without_a_failed_request() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    rows = ["| get_all_products, 100 products | webstore |", "| login_view | raw WSGI |"]
    rows += ["| mixed | webstore |", "| post_order_many | raw WSGI |"]
    for peer in PEERS:
        if (peer.folder / "serve.sh").exists():
            rows += [f"| mixed | {peer.name} |", f"| post_order_many | {peer.name} |"]
        else:
            rows.append(f"{peer.name} peer not found")
    for row in rows:
        assert row in run.stdout
    assert "| 100 | " in run.stdout  # the scaling probe
    # Every request of a many-customer scenario was drawn, by a customer of their own.
    assert "- mixed, webstore: " in run.stdout
    assert "100 % checkouts" in run.stdout
    assert "| peak resident memory of a worker, whole run |" in run.stdout
