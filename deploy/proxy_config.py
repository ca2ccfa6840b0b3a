"""The shipped nginx site, pointed at given nodes: one source for deployments and the tests."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SITE = Path(__file__).with_name("nginx") / "webstore.conf"
_UPSTREAM = re.compile(r"^upstream webstore \{\n(?P<body>.*?)^\}", re.MULTILINE | re.DOTALL)
_SERVER = re.compile(r"^(?P<indent>\s*)server (?P<address>\S+)(?P<params>[^;\n]*);\n", re.MULTILINE)
_LISTEN = re.compile(r"^(?P<indent>\s*)listen 80;$", re.MULTILINE)


@dataclass(frozen=True)
class Upstream:
    address: str  # host:port of one `webstore serve` node
    down: bool = False  # drained: nginx sends it nothing (a rolling restart)


def site_config(listen: str, nodes: Sequence[Upstream], template: str | None = None) -> str:
    """The site with ``listen`` as its address and one upstream ``server`` line per node.

    Every node keeps the parameters of the template's first ``server`` line (the passive
    health checks), so what is tested is what is shipped.
    """
    text = SITE.read_text() if template is None else template
    upstream = _UPSTREAM.search(text)
    if upstream is None or not nodes:
        raise ValueError("the site needs an `upstream webstore` block and at least one node")
    servers = list(_SERVER.finditer(upstream["body"]))
    if not servers:
        raise ValueError("the `upstream webstore` block names no server")
    indent, params = servers[0]["indent"], servers[0]["params"]
    lines = "".join(
        f"{indent}server {node.address}{params}{' down' if node.down else ''};\n" for node in nodes
    )
    body = _SERVER.sub("", upstream["body"])
    first = servers[0].start()
    body = body[:first] + lines + body[first:]
    text = text[: upstream.start("body")] + body + text[upstream.end("body") :]
    text, listens = _LISTEN.subn(lambda m: f"{m['indent']}listen {listen};", text)
    if listens != 1:
        raise ValueError("the site needs exactly one `listen 80;` line")
    return text


def main_config(site: str, runtime: Path, logs: Path) -> str:
    """A whole ``nginx.conf`` serving ``site`` from its own directory, in the foreground.

    Every path nginx writes to is named, so that it needs nothing of the system's nginx.
    """
    temp_paths = "\n".join(
        f"    {kind}_temp_path {runtime / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes 1;\npid {runtime / 'nginx.pid'};\n"
        f"error_log {logs / 'nginx-error.log'} warn;\n"
        "events {\n    worker_connections 1024;\n}\n"
        "http {\n"
        f"    access_log {logs / 'nginx-access.log'};\n{temp_paths}\n"
        f"{site}}}\n"
    )
