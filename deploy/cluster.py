"""Several `webstore serve` nodes behind nginx on one PostgreSQL database, on loopback.

``python -m deploy.cluster`` (``make cluster``) runs one until Ctrl-C or SIGTERM; the tests
drive the same ``Cluster`` (kill a node, restart them one by one).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType

from deploy.node import Node, webstore_command
from deploy.processes import ClusterError, free_port
from deploy.proxy import Nginx, find_nginx
from deploy.proxy_config import Upstream, site_config

LOCAL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class Cluster:
    """Nodes sharing ``database_url`` and one secret key, behind nginx on ``port``."""

    def __init__(
        self,
        database_url: str,
        *,
        port: int = 0,
        nodes: int = 2,
        workers: int = 2,
        environ: Mapping[str, str] | None = None,
        logs: Path | None = None,
    ) -> None:
        base = dict(os.environ if environ is None else environ)
        if not base.get("WEBSTORE_SECRET_KEY"):
            base["WEBSTORE_SECRET_KEY"] = secrets.token_urlsafe(48)
        self.logs = logs or Path(tempfile.mkdtemp(prefix="webstore-cluster-"))
        self.url = f"http://127.0.0.1:{port or free_port()}"
        # Unless told otherwise, mail is written to a folder beside the logs, and its links
        # lead to nginx.
        base["WEBSTORE_MAIL_URL"] = base.get("WEBSTORE_MAIL_URL") or f"file://{self.logs}/mail"
        base["WEBSTORE_PUBLIC_URL"] = base.get("WEBSTORE_PUBLIC_URL") or self.url
        # nginx is the one hop whose X-Forwarded-For the nodes believe.
        self.env = {**base, "WEBSTORE_DATABASE_URL": database_url, "WEBSTORE_TRUSTED_PROXIES": "1"}
        self.nodes = [Node(f"node-{n + 1}", self.env, self.logs, workers) for n in range(nodes)]
        self.nginx = Nginx(self.url, self.logs)
        self._drained: set[int] = set()

    def start(self) -> None:
        """Migrate once, start the nodes side by side, then put nginx in front of them."""
        find_nginx()  # before anything starts
        migrated = subprocess.run(
            [webstore_command(), "db", "upgrade"], env=self.env, capture_output=True, text=True
        )
        if migrated.returncode != 0:
            raise ClusterError(f"webstore db upgrade failed:\n{migrated.stderr}")
        for node in self.nodes:
            node.spawn()
        for node in self.nodes:
            node.wait_until_healthy()
        self.nginx.start(self._site())

    def stop(self) -> None:
        """nginx first (no new requests), then every node, side by side, finishes what it holds."""
        self.nginx.stop()
        for node in self.nodes:
            node.terminate()
        for node in self.nodes:
            node.stop()

    def drain(self, *nodes: Node) -> None:
        """Send nothing more to ``nodes`` (none: undrain all); returns when nginx obeys."""
        self._drained = {self.nodes.index(node) for node in nodes}
        self.nginx.reload(self._site())

    def rolling_restart(self) -> None:
        """Restart the nodes one after the other, each drained from nginx first."""
        for node in self.nodes:
            self.drain(node)
            node.stop()
            node.start()
            self.drain()

    def _site(self) -> str:
        listen = self.url.removeprefix("http://")
        upstreams = [
            Upstream(node.address, down=n in self._drained) for n, node in enumerate(self.nodes)
        ]
        return site_config(listen, upstreams)

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards."""
    import sqlalchemy as sa

    name = f"webstore_cluster_{secrets.token_hex(4)}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin.url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def command_line_hints(database_url: str) -> list[str]:
    """How to point the `webstore` command at the cluster's database, and make a superuser."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    shown = url.render_as_string(hide_password=True)
    hidden = " (the password left out)" if url.password else ""
    return [
        f"the command line's database{hidden}: export WEBSTORE_DATABASE_URL={shlex.quote(shown)}",
        "then a superuser for the back office: "
        f"{webstore_command()} create-superuser --username admin --email admin@example.com",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="per node")
    parser.add_argument(
        "--postgres",
        default=LOCAL_SERVER,
        help="server for a fresh database when WEBSTORE_DATABASE_URL is not set",
    )
    parser.add_argument("--logs", type=Path, help="directory for the logs (default: a new one)")
    args = parser.parse_args(argv)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        run(args, stopping)
    except ClusterError as error:
        print(f"webstore cluster: {error}", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace, stopping: threading.Event) -> None:
    with ExitStack() as stack:
        database = os.environ.get("WEBSTORE_DATABASE_URL")
        if database:
            where = "WEBSTORE_DATABASE_URL (migrated, kept)"
        else:
            database = stack.enter_context(fresh_database(args.postgres))
            name = database.rpartition("/")[2].partition("?")[0]
            where = f"a fresh database, {name}, dropped when the cluster stops"
        if not os.environ.get("WEBSTORE_SECRET_KEY"):
            print("webstore cluster: no WEBSTORE_SECRET_KEY, the nodes share a generated one")
        cluster = Cluster(
            database, port=args.port, nodes=args.nodes, workers=args.workers, logs=args.logs
        )
        stack.enter_context(cluster)
        nodes = ", ".join(node.url for node in cluster.nodes)
        print(f"webstore cluster: nodes {nodes} on {where}; logs in {cluster.logs}")
        for line in command_line_hints(database):
            print(f"webstore cluster: {line}")
        print(f"webstore cluster: serving on {cluster.url}/ (Ctrl-C stops it)", flush=True)
        while not stopping.wait(1):
            pass
        print("webstore cluster: stopping", flush=True)


if __name__ == "__main__":
    sys.exit(main())
