"""One `webstore serve` node of a loopback cluster, treated as a black box."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from deploy.processes import (
    STOP_SECONDS,
    ClusterError,
    finish,
    free_port,
    kill_group,
    listening,
    spawn,
    wait_until_healthy,
)


def webstore_command() -> str:
    """The `webstore` script installed beside this Python (the project's virtual environment)."""
    beside = Path(sys.executable).with_name("webstore")
    found = str(beside) if beside.exists() else shutil.which("webstore")
    if found is None:
        raise ClusterError("the `webstore` command is not installed: run `make install`")
    return found


class Node:
    """One `webstore serve` process on a loopback port."""

    def __init__(self, name: str, env: Mapping[str, str], logs: Path, workers: int) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"{name}.log"
        self._env = env
        self._workers = workers
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def spawn(self) -> None:
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command = [webstore_command(), *args, "--workers", str(self._workers)]
        self._process = spawn(command, self._env, self.log)

    def wait_until_healthy(self) -> None:
        assert self._process is not None, "spawn() first"
        wait_until_healthy(self.url, self._process, self.log)

    def start(self) -> None:
        self.spawn()
        self.wait_until_healthy()

    def terminate(self) -> None:
        """SIGTERM: the node stops accepting, finishes the requests it holds, then exits."""
        if self.running:
            assert self._process is not None
            self._process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """``terminate`` and wait for the exit (SIGKILL after STOP_SECONDS)."""
        self.terminate()
        if self._process is not None:
            finish(self._process)

    def kill(self) -> None:
        """SIGKILL to the node and its workers at once, as when its machine dies; returns
        once its port refuses connections (the last worker holding it has exited)."""
        if self._process is not None:
            kill_group(self._process)
        deadline = time.monotonic() + STOP_SECONDS
        while listening(self.port):
            if time.monotonic() > deadline:
                raise ClusterError(f"{self.name} still listens after SIGKILL")
            time.sleep(0.01)
