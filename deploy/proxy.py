"""nginx in front of a loopback cluster: its own prefix, configuration and pid file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from deploy.processes import STARTUP_SECONDS, ClusterError, spawn, stop, tail, wait_until_healthy
from deploy.proxy_config import main_config


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
