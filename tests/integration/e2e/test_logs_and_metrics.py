"""Request ids, log lines and metrics of a real ``webstore serve`` with two workers."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.integration.e2e.running import (
    PASSWORD,
    add_product,
    admin,
    customer,
    order_body,
    running,
)

pytestmark = pytest.mark.slow


def test_a_request_id_is_echoed_and_in_the_access_line_and_a_bad_one_is_replaced(
    sqlite_url: str, tmp_path: Path
) -> None:
    with running(sqlite_url, tmp_path / "server.log") as shop:
        kept = requests.get(f"{shop.api}/health", headers={"X-Request-ID": "lb-7f3a.1"})
        replaced = requests.get(f"{shop.api}/nowhere", headers={"X-Request-ID": "bad id!"})
        assert shop.stop() == 0

    assert kept.headers["X-Request-ID"] == "lb-7f3a.1"
    new_id = replaced.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", new_id)
    access = [line for line in shop.log_text().splitlines() if " webstore.access " in line]
    [health] = [line for line in access if "lb-7f3a.1" in line]
    assert re.search(r' lb-7f3a\.1 127\.0\.0\.1 user=- "GET /api/health" 200 15B [\d.]+ms$', health)
    [missing] = [line for line in access if new_id in line]
    assert '"GET /api/nowhere" 404' in missing
    assert "bad id!" not in shop.log_text()
    assert "gunicorn.access" not in shop.log_text()
    # exactly one access line per request: the two above, the health checks of the start-up
    assert len(access) == len({line.split()[3] for line in access})


def test_json_logs_parse_line_by_line_and_hold_no_secret(sqlite_url: str, tmp_path: Path) -> None:
    with running(sqlite_url, tmp_path / "server.log", WEBSTORE_LOG_FORMAT="json") as shop:
        root = admin(shop)
        chair = add_product(shop, root, "Red chair", 5)
        alice = customer(shop, "alice")
        refreshed = alice.session.post(
            f"{shop.api}/refresh_token", headers={"X-CSRFTOKEN": alice.headers["X-CSRFTOKEN"]}
        )
        assert refreshed.status_code == 200
        token = refreshed.json()["access_token"]
        alice.headers["Authorization"] = f"Token {token}"
        alice.headers["X-CSRFTOKEN"] = str(alice.session.cookies.get("csrftoken"))  # renewed
        order = alice.session.post(
            f"{shop.api}/post_order", json=order_body(chair, 1), headers=alice.headers
        )
        assert order.status_code == 201
        secrets = {
            PASSWORD, "root password 1", token, alice.session.cookies["refreshtoken"],
            alice.session.cookies["csrftoken"], root.headers["Authorization"].split()[1],
        }  # fmt: skip
        assert shop.stop() == 0

    entries = shop.json_lines()  # every line, the server's own included, is one JSON object
    text = shop.log_text()
    assert not [secret for secret in secrets if secret in text]
    loggers = Counter(entry["logger"] for entry in entries)
    assert loggers["gunicorn.error"] >= 3  # starting, booting workers, shutting down
    placed = [e for e in entries if e.get("path") == "/api/post_order"]
    assert [(e["status"], e["user_id"], e["method"]) for e in placed] == [
        (201, alice.user_id, "POST")
    ]
    assert placed[0]["request_id"] == order.headers["X-Request-ID"]
    assert {"time", "level", "pid", "duration_ms", "bytes", "client"} <= placed[0].keys()


def test_metrics_count_the_requests_of_both_workers(sqlite_url: str, tmp_path: Path) -> None:
    with running(
        sqlite_url, tmp_path / "server.log", WEBSTORE_LOG_FORMAT="json", WEBSTORE_METRICS="1"
    ) as shop:

        def hit(_: int) -> int:
            with requests.Session() as fresh:  # a new connection: either worker may take it
                return fresh.get(f"{shop.api}/health").status_code

        sent = 0
        with ThreadPoolExecutor(8) as pool:
            for _ in range(10):
                assert set(pool.map(hit, range(40))) == {200}
                sent += 40
                pids = {e["pid"] for e in shop.json_lines() if e.get("path") == "/api/health"}
                if len(pids) >= 2:
                    break
        assert len(pids) == 2, "the load never reached both workers"
        served = sum(1 for e in shop.json_lines() if e.get("path") == "/api/health")

        scrapes = [requests.get(f"{shop.server.base_url}/metrics") for _ in range(6)]
        outside = requests.get(
            f"{shop.server.base_url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}
        )

    assert served >= sent
    sample = re.compile(
        r'^webstore_http_requests_total\{method="GET",route="/api/health",status="200"\} (\S+)$',
        re.M,
    )
    for scrape in scrapes:
        assert scrape.status_code == 200
        assert float(sample.findall(scrape.text)[0]) == served  # every worker counted
    assert outside.status_code == 200  # no proxy is trusted: the socket is loopback


def test_metrics_are_refused_to_a_forwarded_outside_client(sqlite_url: str, tmp_path: Path) -> None:
    with running(
        sqlite_url, tmp_path / "server.log", WEBSTORE_METRICS="1",
        WEBSTORE_TRUSTED_PROXIES="1", WEBSTORE_METRICS_TOKEN="scrape-token-1",
    ) as shop:  # fmt: skip
        url = f"{shop.server.base_url}/metrics"
        outside = {"X-Forwarded-For": "203.0.113.9"}
        refused = requests.get(url, headers=outside)
        wrong = requests.get(url, headers={**outside, "Authorization": "Bearer nope"})
        allowed = requests.get(url, headers={**outside, "Authorization": "Bearer scrape-token-1"})
        local = requests.get(url, headers={"X-Forwarded-For": "127.0.0.1"})

    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )
    assert wrong.status_code == 403
    assert allowed.status_code == 200 and "webstore_http_requests_total" in allowed.text
    assert local.status_code == 200
