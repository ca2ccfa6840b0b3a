"""``make bench`` in miniature, so that the benchmark cannot rot between full runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_runs_every_system_and_scenario_without_a_failed_request() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    for row in ("| get_all_products, 100 products | webstore |", "| login_view | raw WSGI |"):
        assert row in run.stdout
    assert "| 100 | " in run.stdout  # the scaling probe
