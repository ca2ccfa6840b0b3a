"""Numbers longer than Python converts by default (4300 digits): never a 500, never a trace."""

from __future__ import annotations

import logging
import sys

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.api.conftest import Shopper

HUGE = "9" * (sys.get_int_max_str_digits() + 700)
UNKNOWN = "987654321"
NOT_FOUND = {"detail": "Not found."}


def routes_with_an_id(app: Flask) -> list[tuple[str, str]]:
    """Every (method, path) whose rule takes an id, the id made huge."""
    found = []
    for rule in app.url_map.iter_rules():
        if not any(type(c).__name__ == "IdConverter" for c in rule._converters.values()):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<id:{name}>", HUGE)
        found += [(method, path) for method in sorted(rule.methods or ()) if method != "OPTIONS"]
    return found


@pytest.fixture(autouse=True)
def errors_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR)
    return caplog


def test_every_route_that_takes_an_id_has_one(app: Flask) -> None:
    assert len(routes_with_an_id(app)) >= 6  # products: GET HEAD PATCH DELETE; orders: two


@pytest.mark.parametrize("slash", ["", "/"])
def test_a_huge_id_is_answered_as_any_unknown_id_even_without_a_token(
    app: Flask, client: FlaskClient, errors_logged: pytest.LogCaptureFixture, slash: str
) -> None:
    for method, path in routes_with_an_id(app):
        huge = client.open(path + slash, method=method)
        unknown = client.open(path.replace(HUGE, UNKNOWN) + slash, method=method)
        assert (method, huge.status_code, huge.data) == (method, unknown.status_code, unknown.data)
    assert errors_logged.records == []


def test_a_huge_id_is_not_found_for_a_superuser_either(
    app: Flask, admin: Shopper, errors_logged: pytest.LogCaptureFixture
) -> None:
    for method, path in routes_with_an_id(app):
        response = admin.client.open(path, method=method, headers=admin.headers(), json={})
        assert (method, response.status_code) == (method, 404)
        if method != "HEAD":
            assert response.json == NOT_FOUND
    assert errors_logged.records == []


def test_a_zero_padded_id_longer_than_the_limit_still_names_its_row(
    admin: Shopper, catalogue: dict[str, object]
) -> None:
    listed = admin.get("/api/get_all_products").json
    first = listed[0]["id"]
    padded = str(first).rjust(len(HUGE), "0")

    assert admin.get(f"/api/products/{padded}").json["id"] == first


@pytest.mark.parametrize(
    "query",
    [
        "/api/get_all_products?limit=",
        "/api/get_all_products?offset=",
        "/api/products?limit=",
        "/api/get_order?limit=",
        "/api/get_order?offset=",
        "/api/get_order?category=user&user_id=",
    ],
)
def test_huge_numbers_in_query_parameters_are_400s(
    admin: Shopper, errors_logged: pytest.LogCaptureFixture, query: str
) -> None:
    response = admin.get(query + HUGE)
    assert response.status_code == 400
    assert "A valid integer is required." in response.json["error"]
    assert errors_logged.records == []


@pytest.mark.parametrize(
    "number", [HUGE, "1e" + HUGE, "1.5e-" + HUGE, "-1E+" + HUGE, "0." + HUGE, HUGE + ".0"]
)
def test_a_json_number_too_large_to_read_is_a_400(
    admin: Shopper, errors_logged: pytest.LogCaptureFixture, number: str
) -> None:
    body = f'{{"name": "Red chair", "price": {number}, "amount": 1}}'
    response = admin.client.post(
        "/api/products", data=body, content_type="application/json", headers=admin.headers()
    )
    assert response.status_code == 400, response.json
    assert errors_logged.records == []


def test_a_json_lines_import_with_a_number_too_large_to_read_names_its_line(
    admin: Shopper, errors_logged: pytest.LogCaptureFixture
) -> None:
    good = '{"name": "Red chair", "price": "2.50", "amount": 1}'
    body = f'{good}\n{{"name": "x", "price": 1e{HUGE}}}\n'
    response = admin.client.post(
        "/api/products/import", data=body, content_type="application/x-ndjson",
        headers=admin.headers(),
    )  # fmt: skip
    assert response.status_code == 400, response.json
    assert response.json["error"].startswith("line 2: Not valid JSON")
    assert errors_logged.records == []
