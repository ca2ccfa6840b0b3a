"""The systems measured side by side: each a server process on its own port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import procs
from benchmarks.http import Client

SECRET = "benchmark-secret-key-that-is-long-enough-1234"
ADMIN_PASSWORD = "benchmark admin password"
BIN = Path(sys.executable).parent
# The peers live beside the project, in the shared folder (or where this variable says).
PEERS_HOME = Path(
    os.environ.get("WEBSTORE_BENCH_PEERS", Path(__file__).resolve().parents[2] / "shared/peers")
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class System:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    serves_api: bool  # False for the floor and the ceiling, which replay captured bytes
    env: dict[str, str] = field(default_factory=dict)
    peer: Peer | None = None  # set for another implementation of the contract

    def workers(self) -> list[int]:
        return procs.descendants(self.process.pid)

    def stop(self) -> None:
        """SIGTERM, as an operator would; gunicorn finishes what is in flight."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(
    name: str, command: list[str], env: dict[str, str], port: int, *, serves_api: bool, log: Path
) -> System:
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=env.get("CWD")
        )
    system = System(name, port, process, serves_api, env)
    deadline = time.monotonic() + 300  # the peer may build its virtual environment first
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see {log}")
        try:
            if Client(port).call("GET", "/api/health").status == 200:
                time.sleep(0.3)  # let every worker finish booting
                return system
        except OSError:
            time.sleep(0.2)
    system.stop()
    raise SystemExit(f"{name} did not become healthy; see {log}")


def project_env(database_url: str, mail_folder: Path) -> dict[str, str]:
    """The project's settings; its mail goes to files in ``mail_folder`` (SQLite's default,
    beside the database) on every database: a ``memory://`` mailbox would keep every message
    in the sender process for the whole run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTORE_")}
    env.update(
        WEBSTORE_DATABASE_URL=database_url,
        WEBSTORE_SECRET_KEY=SECRET,
        WEBSTORE_ACCESS_TOKEN_TTL="3600",
        WEBSTORE_COOKIE_SECURE="0",
    )
    if not database_url.startswith("sqlite"):
        env.update(WEBSTORE_PUBLIC_URL="http://127.0.0.1")
    env.update(WEBSTORE_MAIL_URL=mail_folder.resolve().as_uri())
    return env


def start_project(
    database_url: str,
    workdir: Path,
    workers: int,
    name: str = "webstore",
    extra_env: dict[str, str] | None = None,
) -> System:
    env = {**project_env(database_url, workdir / f"{name}.mail"), **(extra_env or {})}
    # Commands other than serve use an existing database only: make it first.
    upgrade = [str(BIN / "webstore"), "db", "upgrade"]
    subprocess.run(upgrade, env=env, capture_output=True, check=True)
    arguments = ("--username", "admin", "--email", "admin@example.com", "--password-stdin")
    created = subprocess.run(
        [str(BIN / "webstore"), "create-superuser", *arguments],
        input=ADMIN_PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0 and "used" not in created.stderr + created.stdout:
        raise SystemExit(f"create-superuser failed: {created.stderr}")
    port = free_port()
    command = [str(BIN / "webstore"), "serve", "--port", str(port), "--workers", str(workers)]
    return start(name, command, env, port, serves_api=True, log=workdir / f"{name}.log")


@dataclass(frozen=True)
class Peer:
    """Another implementation of the contract, run by its own ``serve.sh PORT DBDIR WORKERS``."""

    name: str
    folder: Path
    venv_variable: str  # where serve.sh makes (or finds) its virtual environment
    venv: str
    load_products: tuple[str, ...]  # run with the venv's python in ``folder``, then a count
    extra_env: tuple[tuple[str, str], ...] = ()

    def env(self, workdir: Path, database_url: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEER_")}
        env.update(
            ADMIN_PASSWORD=ADMIN_PASSWORD,
            PEER_SECRET_KEY=SECRET,
            PEER_DB=str(self.data(workdir) / "peer.sqlite3"),
            PYTHONDONTWRITEBYTECODE="1",  # the peers' folders may be read-only
            **dict(self.extra_env),
        )
        env[self.venv_variable] = os.environ.get(self.venv_variable, self.venv)
        if database_url:
            env["PEER_DATABASE_URL"] = database_url
        return env

    def data(self, workdir: Path) -> Path:
        return workdir / f"peer-{self.name.lower()}"


PEERS = (
    Peer(
        "DRF",
        PEERS_HOME / "django",
        "PEER_VENV",
        str(Path.home() / ".cache/webstore-peer-venv"),
        ("manage.py", "load_products"),
        (("DJANGO_SETTINGS_MODULE", "webstore_peer.settings"),),
    ),
    Peer(
        "FastAPI",
        PEERS_HOME / "fastapi",
        "PEER_FASTAPI_VENV",
        str(Path.home() / ".cache/webstore-peer-fastapi-venv"),
        ("-m", "webstore_fastapi.manage", "load_products"),
    ),
)


def start_peer(
    peer: Peer, workdir: Path, workers: int, peer_database_url: str | None
) -> System | None:
    """The peer serving on a port of its own, or ``None`` when its folder is absent."""
    if not (peer.folder / "serve.sh").exists():
        return None
    env = peer.env(workdir, peer_database_url)
    port = free_port()
    command = ["bash", str(peer.folder / "serve.sh"), str(port), str(peer.data(workdir))]
    log = workdir / f"peer-{peer.name.lower()}.log"
    system = start(peer.name, [*command, str(workers)], env, port, serves_api=True, log=log)
    system.peer = peer
    return system


def peer_load_products(system: System, count: int) -> None:
    peer = system.peer
    assert peer is not None
    python = Path(system.env[peer.venv_variable]) / "bin" / "python"
    subprocess.run(
        [str(python), *peer.load_products, str(count)],
        env=system.env,
        cwd=peer.folder,
        check=True,
        capture_output=True,
    )


def start_floor(responses: Path, workdir: Path, workers: int) -> System:
    port = free_port()
    env = {**os.environ, "WEBSTORE_BENCH_RESPONSES": str(responses)}
    command = [
        sys.executable,
        "-m",
        "benchmarks.floor",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return start("Flask floor", command, env, port, serves_api=False, log=workdir / "floor.log")


def start_ceiling(responses: Path, workdir: Path, workers: int) -> System:
    port = free_port()
    env = {**os.environ, "WEBSTORE_BENCH_RESPONSES": str(responses)}
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "benchmarks.ceiling:app"]
    return start("raw WSGI", command, env, port, serves_api=False, log=workdir / "ceiling.log")
