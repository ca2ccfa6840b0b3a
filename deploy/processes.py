"""Child processes of a loopback cluster: starting, watching and stopping them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

STARTUP_SECONDS = 60
STOP_SECONDS = 30


class ClusterError(RuntimeError):
    """A part of the cluster is missing or would not start."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def is_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClusterError(f"{url} exited with {process.returncode}:\n{tail(log)}")
        if is_healthy(url):
            return
        time.sleep(0.1)
    raise ClusterError(f"{url} did not answer /api/health in {STARTUP_SECONDS} s:\n{tail(log)}")


def tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop(process: subprocess.Popen[bytes], how: signal.Signals) -> None:
    """Ask with ``how``, then kill the whole process group if it takes too long."""
    if process.poll() is None:
        process.send_signal(how)
    finish(process)


def finish(process: subprocess.Popen[bytes]) -> None:
    """Wait for an exit already asked for; past STOP_SECONDS, kill the process group."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_SECONDS)
    kill_group(process)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and every child it left (its own session, see ``spawn``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def spawn(args: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start in a session of its own: a Ctrl-C at the terminal reaches only the orchestrator,
    which stops the children in order, and a whole node can be killed at once."""
    with log.open("ab") as output:
        return subprocess.Popen(
            args, env=dict(env), stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
