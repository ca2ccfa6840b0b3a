"""Cases that run in a fresh interpreter patched by gevent, as a ``webstore serve`` worker is."""

from __future__ import annotations

import json
import subprocess
import sys


def run_script(script: str, url: str) -> object:
    """Run ``script`` with the database ``url`` as its argument; what its last line printed,
    as JSON (the script fails the test if it fails)."""
    done = subprocess.run(
        [sys.executable, "-c", script, url],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
