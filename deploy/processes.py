"""Child processes of a loopback cluster: `webstore serve` nodes and nginx in the foreground."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from deploy.proxy_config import main_config

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


def webstore_command() -> str:
    """The `webstore` script installed beside this Python (the project's virtual environment)."""
    beside = Path(sys.executable).with_name("webstore")
    found = str(beside) if beside.exists() else shutil.which("webstore")
    if found is None:
        raise ClusterError("the `webstore` command is not installed: run `make install`")
    return found


def find_nginx() -> str:
    """The nginx to run: $NGINX if set, else nginx on PATH or in /usr/sbin (Debian's)."""
    configured = os.environ.get("NGINX")
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise ClusterError(f"NGINX={configured} is not an nginx executable")
        return found
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise ClusterError("nginx is not installed (Debian: apt-get install -y nginx)")
    return found


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


class Nginx:
    """nginx with its own prefix, configuration and pid file, in the foreground."""

    def __init__(self, url: str, logs: Path) -> None:
        self.url = url
        self._logs = logs
        self._log = logs / "nginx-error.log"
        # Its own directory, reachable by the workers (nginx runs them as `nobody` when the
        # master is root) for the bodies and responses they buffer on disk.
        self._runtime = Path(tempfile.mkdtemp(prefix="webstore-nginx-"))
        self._runtime.chmod(0o711)
        self._config = self._runtime / "nginx.conf"
        self._process: subprocess.Popen[bytes] | None = None

    def _command(self, *extra: str) -> list[str]:
        prefix = ["-p", str(self._runtime), "-c", str(self._config), "-e", str(self._log)]
        return [find_nginx(), *prefix, *extra]

    def _write(self, site: str) -> None:
        self._config.write_text(main_config(site, self._runtime, self._logs))
        check = subprocess.run(self._command("-t", "-q"), capture_output=True, text=True)
        if check.returncode != 0:
            raise ClusterError(f"nginx refused its configuration:\n{check.stderr}")

    def start(self, site: str) -> None:
        self._write(site)
        self._process = spawn(self._command("-g", "daemon off;"), {}, self._logs / "nginx.log")
        wait_until_healthy(self.url, self._process, self._log)

    def reload(self, site: str) -> None:
        """Apply ``site``; returns once no worker of the old configuration is left."""
        assert self._process is not None, "start() first"
        self._write(site)
        old = workers_of(self._process.pid)
        self._process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + STARTUP_SECONDS
        while (old & workers_of(self._process.pid)) or not workers_of(self._process.pid):
            if time.monotonic() > deadline:
                raise ClusterError(f"nginx did not reload:\n{tail(self._log)}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            stop(self._process, signal.SIGQUIT)  # graceful: requests in flight are finished
        shutil.rmtree(self._runtime, ignore_errors=True)


def workers_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # exited meanwhile
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                children.add(int(entry.name))
    return children
