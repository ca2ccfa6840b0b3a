"""The example programs run as a newcomer would run them (``make typecheck`` checks their types)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run(script: str, *args: str) -> str:
    finished = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def test_the_newcomers_tour_runs_over_sqlite_and_prints_what_it_promises(tmp_path: Path) -> None:
    database = tmp_path / "shop.db"
    lines = run("newcomer.py", str(database)).splitlines()

    assert database.exists()
    assert lines[0] == "lamps sold: 3 of 6 tries"
    assert lines[3] == "completed: [(1, 'completed', '19.98')]"
    assert lines[4].startswith("bob's orders: ") and "the oldest: 1" in lines[4]
    assert lines[5] == "on the shelf: [('Red chair', 10), ('Desk lamp', 0), ('Coffee mug', 98)]"
    assert lines[6:] == [
        "UsernameTaken: username is used",
        "InvalidInput: ['address', 'items', 'phone']",
        "UnknownProduct: product 999 does not exist",
        "PermissionDenied: You do not have permission to perform this action.",
        lines[10],
    ]
    assert lines[10].startswith("IllegalTransition: order ") and "is cancelled" in lines[10]
