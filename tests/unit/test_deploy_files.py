"""The files in deploy/ agree with the code: what is shipped is what the tests run."""

from __future__ import annotations

import configparser
import inspect
import re
from pathlib import Path

import pytest

from deploy.proxy_config import SITE, Upstream, main_config, site_config
from webstore.config import Settings

DEPLOY = Path(__file__).parents[2] / "deploy"
NODE_OWN = {"WEBSTORE_HOST", "WEBSTORE_PORT", "WEBSTORE_WORKERS"}  # read by the unit, not the app


def upstream_lines(site: str) -> list[str]:
    block = site[site.index("upstream webstore {") : site.index("}", site.index("upstream"))]
    return re.findall(r"^\s*(server .*);$", block, re.MULTILINE)


def test_the_site_is_pointed_at_the_given_nodes_with_the_shipped_health_checks() -> None:
    shipped = upstream_lines(SITE.read_text())
    parameters = shipped[0].split(maxsplit=2)[2]

    site = site_config(
        "127.0.0.1:8080", [Upstream("127.0.0.1:9001"), Upstream("127.0.0.1:9002", down=True)]
    )

    assert "max_fails=" in parameters and "fail_timeout=" in parameters
    assert upstream_lines(site) == [
        f"server 127.0.0.1:9001 {parameters}",
        f"server 127.0.0.1:9002 {parameters} down",
    ]
    assert re.findall(r"^\s*listen (.*);$", site, re.MULTILINE) == ["127.0.0.1:8080"]
    assert (
        site.replace("listen 127.0.0.1:8080;", "listen 80;").replace(
            "\n".join(f"    {line};" for line in upstream_lines(site)),
            "\n".join(f"    {line};" for line in shipped),
        )
        == SITE.read_text()
    )  # nothing else changed


@pytest.mark.parametrize(
    "template",
    ["server { listen 80; }\n", "upstream webstore {\n}\nserver { listen 80; }\n"],
    ids=["no upstream", "no server in it"],
)
def test_a_site_without_its_upstream_is_refused(template: str) -> None:
    with pytest.raises(ValueError, match="upstream"):
        site_config("127.0.0.1:8080", [Upstream("127.0.0.1:9001")], template)


def test_a_site_without_its_listen_line_is_refused() -> None:
    template = "upstream webstore {\n    server a:1;\n}\nserver { listen 443; }\n"

    with pytest.raises(ValueError, match="listen 80"):
        site_config("127.0.0.1:8080", [Upstream("127.0.0.1:9001")], template)


def test_the_cluster_s_nginx_writes_only_in_its_own_directories(tmp_path: Path) -> None:
    runtime, logs = tmp_path / "run", tmp_path / "logs"

    config = main_config("server {}\n", runtime, logs)

    paths = re.findall(r"(?:_path|pid|_log) (\S+?)(?: warn)?;", config)
    assert len(paths) == 8
    assert all(Path(path).parent in (runtime, logs) for path in paths)


def node_unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "systemd" / "webstore.service")
    return unit


def example_environment() -> dict[str, str]:
    text = (DEPLOY / "systemd" / "webstore.env.example").read_text()
    return dict(re.findall(r"^(WEBSTORE_\w+)=(.*)$", text, re.MULTILINE))


def test_the_node_unit_serves_with_the_environment_file_s_address() -> None:
    service = node_unit()["Service"]
    command = service["ExecStart"].split()

    assert service["EnvironmentFile"] == "/etc/webstore/webstore.env"
    assert command[0].endswith("/bin/webstore")
    assert command[1:] == [
        "serve", "--host", "${WEBSTORE_HOST}", "--port", "${WEBSTORE_PORT}",
        "--workers", "${WEBSTORE_WORKERS}",
    ]  # fmt: skip
    assert example_environment().keys() >= NODE_OWN


def test_the_example_environment_is_read_by_the_settings() -> None:
    example = example_environment()
    read_by_settings = inspect.getsource(Settings.from_env)

    settings = Settings.from_env(example)

    assert all(f'"{name}"' in read_by_settings for name in example.keys() - NODE_OWN)
    assert settings.trusted_proxies == 1
    assert settings.database_url == example["WEBSTORE_DATABASE_URL"]
    assert settings.cookie_secure
    assert settings.with_secret_key().secret_key == example["WEBSTORE_SECRET_KEY"].encode()
