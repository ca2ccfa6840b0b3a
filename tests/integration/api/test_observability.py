from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper
from webstore import bootstrap
from webstore.domain.products import Product
from webstore.entrypoints.serve.logs import JsonFormatter, TextFormatter, current_request_id
from webstore.entrypoints.web.app import create_app

NEW_ID = re.compile(r"[0-9a-f]{32}")


def access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "webstore.access"]


def security_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "webstore.security" and r.levelno == logging.WARNING
    ]


@pytest.fixture(autouse=True)
def capture_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="webstore")


# --- request ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/health", 200),
        ("GET", "/api/nowhere", 404),
        ("DELETE", "/api/sign_in", 405),
        ("GET", "/api/me", 403),
        ("OPTIONS", "/api/sign_in", 200),
        ("GET", "/api/docs", 200),
    ],
)
def test_every_response_carries_a_new_request_id(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    response = client.open(path, method=method)

    assert response.status_code == status
    assert NEW_ID.fullmatch(response.headers["X-Request-ID"])


def test_two_requests_get_two_ids(client: FlaskClient) -> None:
    first = client.get("/api/health").headers["X-Request-ID"]
    assert client.get("/api/health").headers["X-Request-ID"] != first


@pytest.mark.parametrize("offered", ["a", "req-42.abc_DEF", "x" * 64])
def test_a_well_formed_request_id_is_echoed(client: FlaskClient, offered: str) -> None:
    response = client.get("/api/health", headers={"X-Request-ID": offered})
    assert response.headers.getlist("X-Request-ID") == [offered]


@pytest.mark.parametrize("offered", ["", "x" * 65, "two words", "a/b", "é", "x\tFAKE", "a;b"])
def test_a_malformed_request_id_is_replaced(client: FlaskClient, offered: str) -> None:
    response = client.get("/api/health", headers={"X-Request-ID": offered})
    assert NEW_ID.fullmatch(response.headers["X-Request-ID"])


def test_a_413_also_carries_the_request_id(client: FlaskClient) -> None:
    response = client.post(
        "/api/sign_in",
        data=b"x" * (1024 * 1024 + 1),
        content_type="application/json",
        headers={"X-Request-ID": "big-1"},
    )
    assert (response.status_code, response.headers["X-Request-ID"]) == (413, "big-1")


# --- the access line ---------------------------------------------------------------------------


def test_one_access_line_per_request_with_what_an_operator_searches_for(
    alice: Shopper, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    response = alice.get("/api/me", headers={"X-Request-ID": "trace-7"})

    [line] = access_lines(caplog)
    fields = line.access  # type: ignore[attr-defined]
    assert fields["method"] == "GET"
    assert fields["path"] == "/api/me"
    assert fields["status"] == 200
    assert fields["bytes"] == len(response.data)
    assert fields["user_id"] == alice.user_id
    assert fields["client"] == "127.0.0.1"
    assert isinstance(fields["duration_ms"], float)
    message = line.getMessage()
    assert message.startswith(f'trace-7 127.0.0.1 user={alice.user_id} "GET /api/me" 200 ')
    assert message.endswith("ms")


def test_an_anonymous_or_refused_request_logs_no_user(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.get("/api/me", headers={"Authorization": "Token nonsense"})

    [line] = access_lines(caplog)
    assert line.access["user_id"] is None  # type: ignore[attr-defined]
    assert " user=- " in line.getMessage()


def test_the_values_of_sensitive_query_parameters_are_not_logged(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.get("/api/get_all_products?limit=5&access_token=s3cr3t&Password=hunter2&csrftoken=c")

    [line] = access_lines(caplog)
    assert "s3cr3t" not in line.getMessage()
    assert "hunter2" not in line.getMessage()
    assert line.access["path"] == (  # type: ignore[attr-defined]
        "/api/get_all_products?limit=5&access_token=REDACTED&Password=REDACTED&csrftoken=REDACTED"
    )


def test_the_client_address_comes_from_trusted_proxies_only() -> None:
    app = create_app(fast_settings(trusted_proxies=1))
    with _capture() as records:
        app.test_client().get(
            "/api/health",
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
    assert [r.access["client"] for r in records] == ["203.0.113.7"]  # type: ignore[attr-defined]


class _capture:
    """Access records of one block, without caplog's fixture scope."""

    def __enter__(self) -> list[logging.LogRecord]:
        self.records: list[logging.LogRecord] = []
        self.handler = logging.Handler()
        self.handler.emit = self.records.append  # type: ignore[method-assign]
        logging.getLogger("webstore.access").addHandler(self.handler)
        return self.records

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("webstore.access").removeHandler(self.handler)


def test_a_500_body_quotes_the_request_id_logged_with_its_traceback(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/api/explode")
    def explode() -> None:
        raise RuntimeError("the flux capacitor melted")

    response = app.test_client().get("/api/explode", headers={"X-Request-ID": "oops-1"})

    assert response.json == {"detail": "A server error occurred.", "request_id": "oops-1"}
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "oops-1" in failure.getMessage() and failure.exc_info is not None
    assert [r.access["status"] for r in access_lines(caplog)] == [500]  # type: ignore[attr-defined]


# --- security events ---------------------------------------------------------------------------


def test_a_throttled_login_is_a_security_warning(
    alice: Shopper, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(5):
        client.post("/api/login_view", json={"username": "alice", "password": "wrong one"})
    assert security_warnings(caplog) == []

    assert (
        client.post("/api/login_view", json={"username": "alice", "password": "x"}).status_code
        == 429
    )
    [warning] = security_warnings(caplog)
    assert warning.startswith("login throttled for client 127.0.0.1")
    assert "wrong one" not in caplog.text


def test_refresh_token_reuse_is_a_security_warning_naming_the_user(
    alice: Shopper, caplog: pytest.LogCaptureFixture
) -> None:
    stolen = alice.refresh_cookie
    assert alice.refresh().status_code == 200
    assert alice.refresh().status_code == 200
    alice.client.set_cookie("refreshtoken", str(stolen), path="/api")

    assert alice.refresh().status_code == 403
    [warning] = security_warnings(caplog)
    assert f"login session of user {alice.user_id} revoked" in warning
    assert str(stolen) not in caplog.text


def test_csrf_and_origin_refusals_are_security_warnings(
    alice: Shopper, caplog: pytest.LogCaptureFixture
) -> None:
    alice.post("/api/logout", headers={"X-CSRFToken": "forged"})
    alice.post("/api/logout", headers={"Origin": "https://evil.example"})

    warnings = security_warnings(caplog)
    assert len(warnings) == 2
    assert warnings[0].startswith("POST /api/logout refused: CSRF Failed: CSRF token incorrect.")
    assert "https://evil.example does not match" in warnings[1]


# --- formats -----------------------------------------------------------------------------------


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("webstore.test", logging.ERROR, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_the_json_format_is_one_object_per_line_with_the_request_id_and_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = record("request %s failed", "r-1", exc_info=sys.exc_info())
    token = current_request_id.set("r-1")
    try:
        line = JsonFormatter().format(failed)
    finally:
        current_request_id.reset(token)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "webstore.test"
    assert entry["message"] == "request r-1 failed" and entry["request_id"] == "r-1"
    assert entry["traceback"].startswith("Traceback") and "ValueError: boom" in entry["traceback"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])


def test_the_json_format_carries_the_access_fields() -> None:
    entry = json.loads(JsonFormatter().format(record("x", access={"status": 201, "user_id": 3})))
    assert (entry["status"], entry["user_id"]) == (201, 3)


def test_the_text_format_is_time_level_logger_and_message() -> None:
    line = TextFormatter().format(record("hello %s", "there"))
    assert re.fullmatch(r"\S+Z ERROR webstore\.test hello there", line)


# --- metrics through the app -------------------------------------------------------------------


@pytest.fixture
def metered_app() -> Flask:
    settings = fast_settings(metrics=True, metrics_token="scrape-me-please")
    return create_app(settings, bootstrap(settings))


def scrape(client: FlaskClient) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("text/plain")
    samples: dict[str, float] = {}
    for text in response.get_data(as_text=True).splitlines():
        if text and not text.startswith("#"):
            name, _, value = text.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_metrics_are_not_served_unless_turned_on(client: FlaskClient) -> None:
    response = client.get("/metrics")
    assert (response.status_code, response.json) == (404, {"detail": "Not found."})


def test_metrics_answer_loopback_and_refuse_others_without_the_token(metered_app: Flask) -> None:
    client = metered_app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.9"}

    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    refused = client.get("/metrics", environ_base=outside)
    assert (refused.status_code, refused.json) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )
    wrong = {"Authorization": "Bearer scrape-me-not"}
    assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 403
    token = {"Authorization": "Bearer scrape-me-please"}
    assert client.get("/metrics", environ_base=outside, headers=token).status_code == 200


def test_a_forwarded_outside_client_is_refused_behind_a_trusted_proxy() -> None:
    app = create_app(fast_settings(metrics=True, trusted_proxies=1))
    response = app.test_client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403


def test_metrics_count_requests_by_route_template_and_status(metered_app: Flask) -> None:
    client = metered_app.test_client()
    client.get("/api/products/7")
    client.get("/api/products/8")
    client.get("/api/no/such/thing")

    samples = scrape(client)
    product = 'method="GET",route="/api/products/<product_id>"'
    assert samples[f'webstore_http_requests_total{{{product},status="403"}}'] == 2
    assert samples[f"webstore_http_request_duration_seconds_count{{{product}}}"] == 2
    unmatched = 'method="GET",route="<unmatched>",status="404"'
    assert samples[f"webstore_http_requests_total{{{unmatched}}}"] == 1


def test_pages_and_assets_are_counted_by_their_route_templates(metered_app: Flask) -> None:
    client = metered_app.test_client()
    client.get("/")
    client.get("/admin/")
    for version in ("0123abcd", "an-old-release", "another"):
        client.get(f"/static/{version}/api.js")

    samples = scrape(client)
    assert samples['webstore_http_requests_total{method="GET",route="/",status="200"}'] == 1
    assert samples['webstore_http_requests_total{method="GET",route="/admin/",status="200"}'] == 1
    routes = {name for name in samples if "/static/" in name and "_total" in name}
    assert routes == {
        'webstore_http_requests_total{method="GET",route="/static/<version>/<name>",status="200"}'
    }


def test_metrics_count_the_shops_events(
    metered_app: Flask, catalogue_in: Callable[[Flask], dict[str, Product]]
) -> None:
    products = catalogue_in(metered_app)
    client = metered_app.test_client()
    shopper = Shopper(client, "carol")
    shopper.sign_up()
    shopper.log_in()
    client.post("/api/login_view", json={"username": "carol", "password": "not it at all"})
    chair, table = products["Red Chair"].id, products["Oak Table"].id
    basket = {"address": "1 Main St", "phone": "+1 555 0100"}
    keyed = {"Idempotency-Key": "k-1"}
    for _ in range(2):  # the second is a replay: not a second order
        shopper.post(
            "/api/post_order",
            json={**basket, "items": [{"product_id": chair, "amount": 1}]},
            headers=keyed,
        )
    refused = shopper.post(
        "/api/post_order", json={**basket, "items": [{"product_id": table, "amount": 3}]}
    )
    assert refused.status_code == 400
    first = shopper.refresh_cookie
    shopper.refresh()
    shopper.refresh()
    client.set_cookie("refreshtoken", str(first), path="/api")
    assert shopper.refresh().status_code == 403

    samples = scrape(client)
    assert samples['webstore_logins_total{outcome="succeeded"}'] == 1
    assert samples['webstore_logins_total{outcome="failed"}'] == 1
    assert samples["webstore_orders_placed_total"] == 1
    assert samples["webstore_order_lines_refused_for_stock_total"] == 1
    assert samples["webstore_refresh_reuse_detected_total"] == 1
    assert samples["webstore_database_errors_total"] == 0


@pytest.fixture
def catalogue_in() -> Callable[[Flask], dict[str, Product]]:
    from tests.integration.api.conftest import CATALOGUE

    def fill(app: Flask) -> dict[str, Product]:
        store = app.extensions["webstore"]
        return {p.name: p for p in store.import_products(store.operator, CATALOGUE)}

    return fill


def test_metrics_count_throttled_logins(metered_app: Flask) -> None:
    client = metered_app.test_client()
    for _ in range(6):
        client.post("/api/login_view", json={"username": "nobody", "password": "guess"})

    samples = scrape(client)
    assert samples['webstore_logins_total{outcome="failed"}'] == 5
    assert samples['webstore_logins_total{outcome="throttled"}'] == 1


def test_metrics_count_requests_that_failed_on_the_database(tmp_path: Path) -> None:
    settings = fast_settings(f"sqlite:///{tmp_path}/shop/shop.db", metrics=True)
    (tmp_path / "shop").mkdir()
    store = bootstrap(settings, migrate=True)
    store.close()
    (tmp_path / "shop").rename(tmp_path / "gone")  # the database's folder is no longer there
    client = create_app(settings, store).test_client()
    body = {"username": "alice", "email": "alice@example.com", "password": "correct horse"}

    assert client.post("/api/sign_in", json=body).status_code == 503  # an outage
    assert scrape(client)["webstore_database_errors_total"] == 1


def test_metric_labels_stay_a_bounded_set_whatever_the_method(metered_app: Flask) -> None:
    client = metered_app.test_client()
    for made_up in ("BREW", "WHEN", "PROPFIND"):
        client.open("/api/health", method=made_up)

    samples = scrape(client)
    assert (
        samples['webstore_http_requests_total{method="other",route="<unmatched>",status="405"}']
        == 3
    )
    assert not [name for name in samples if "BREW" in name or "PROPFIND" in name]


def test_the_text_format_names_the_request_a_line_was_logged_in() -> None:
    token = current_request_id.set("r-9")
    try:
        warning = TextFormatter().format(record("login throttled"))
        access = TextFormatter().format(record("r-9 127.0.0.1 ...", access={"status": 200}))
    finally:
        current_request_id.reset(token)
    assert warning.endswith("login throttled [request r-9]")
    assert access.endswith("r-9 127.0.0.1 ...")
