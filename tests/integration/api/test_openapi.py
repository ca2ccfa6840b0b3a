from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema
from openapi_spec_validator import validate

from webstore.entrypoints.web.openapi import request_schemas

UNDOCUMENTED = {"HEAD", "OPTIONS"}


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json
    return document


def served_operations(app: Flask) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every /api and /media route, straight from the URL map."""
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/media/")):
            path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(method, path) for method in (rule.methods or set()) - UNDOCUMENTED}
    return served


def documented_operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def resolve(spec: dict[str, Any], reference: str) -> dict[str, Any]:
    target = spec
    for part in reference.removeprefix("#/").split("/"):
        target = target[part]
    return target


def body_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    content = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
    return resolve(spec, content["schema"]["$ref"])


def test_the_document_is_valid_openapi_3(spec: dict[str, Any]) -> None:
    validate(spec)

    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "webstore"


@pytest.mark.parametrize("path", ["/api/openapi.json", "/api/openapi.json/"])
def test_anyone_may_read_the_document_with_or_without_a_trailing_slash(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.json["paths"]


def test_every_served_route_is_documented_and_nothing_else(
    app: Flask, spec: dict[str, Any]
) -> None:
    assert documented_operations(spec) == served_operations(app)


def test_the_contract_endpoints_are_all_there(spec: dict[str, Any]) -> None:
    expected = {
        ("POST", "/api/sign_in"),
        ("POST", "/api/login_view"),
        ("POST", "/api/refresh_token"),
        ("GET", "/api/get_all_products"),
        ("GET", "/api/get_order"),
        ("POST", "/api/post_order"),
        ("POST", "/api/logout"),
        ("GET", "/api/me"),
        ("POST", "/api/change_password"),
        ("POST", "/api/password_reset"),
        ("POST", "/api/password_reset/confirm"),
        ("GET", "/api/products/{product_id}"),
        ("GET", "/api/products"),
        ("POST", "/api/products"),
        ("POST", "/api/products/import"),
        ("PATCH", "/api/products/{product_id}"),
        ("DELETE", "/api/products/{product_id}"),
        ("POST", "/api/orders/{order_id}/complete"),
        ("POST", "/api/orders/{order_id}/cancel"),
        ("GET", "/api/catalogue"),
        ("GET", "/api/catalogue/{product_id}"),
        ("POST", "/api/products/{product_id}/image"),
        ("DELETE", "/api/products/{product_id}/image"),
        ("GET", "/media/products/{product_id}/{name}"),
        ("GET", "/api/users"),
        ("POST", "/api/users/{user_id}/deactivate"),
        ("POST", "/api/users/{user_id}/activate"),
        ("GET", "/api/health"),
        ("GET", "/api/openapi.json"),
        ("GET", "/api/docs"),
    }

    assert documented_operations(spec) == expected


def test_every_reference_points_at_a_component(spec: dict[str, Any]) -> None:
    found = set(references(spec))

    assert found
    for reference in found:
        assert resolve(spec, reference), reference


def test_path_variables_are_documented_as_positive_integers(spec: dict[str, Any]) -> None:
    (parameter,) = spec["paths"]["/api/products/{product_id}"]["parameters"]

    assert parameter["name"] == "product_id"
    assert parameter["in"] == "path"
    assert parameter["required"] is True
    assert parameter["schema"]["type"] == "integer"
    assert parameter["schema"]["minimum"] == 1


def test_the_post_order_body_carries_the_validation_limits(spec: dict[str, Any]) -> None:
    order = body_schema(spec, "post", "/api/post_order")
    items = order["properties"]["items"]
    line = resolve(spec, items["items"]["$ref"])

    assert set(order["required"]) == {"address", "phone", "items"}
    assert (items["type"], items["minItems"], items["maxItems"]) == ("array", 1, 100)
    assert set(line["required"]) == {"product_id", "amount"}
    amount = line["properties"]["amount"]
    assert (amount["type"], amount["minimum"], amount["maximum"]) == ("integer", 1, 10_000)
    assert line["properties"]["product_id"]["minimum"] == 1
    assert order["properties"]["address"]["maxLength"] == 500


@pytest.mark.parametrize(
    ("method", "path", "schema"),
    [
        ("post", "/api/sign_in", request_schemas.SignInSchema),
        ("post", "/api/login_view", request_schemas.LoginSchema),
        ("post", "/api/post_order", request_schemas.PlaceOrderSchema),
        ("post", "/api/products", request_schemas.ProductCreateSchema),
        ("patch", "/api/products/{product_id}", request_schemas.ProductUpdateSchema),
    ],
)
def test_request_bodies_are_the_schemas_that_validate_them(
    spec: dict[str, Any], method: str, path: str, schema: type[Schema]
) -> None:
    documented = body_schema(spec, method, path)

    assert set(documented["properties"]) == set(schema().fields)


def test_the_password_is_documented_as_write_only(spec: dict[str, Any]) -> None:
    password = body_schema(spec, "post", "/api/sign_in")["properties"]["password"]

    assert password["writeOnly"] is True
    assert password["minLength"] == 8


def test_a_price_may_be_sent_as_a_number_or_a_string(spec: dict[str, Any]) -> None:
    price = body_schema(spec, "post", "/api/products")["properties"]["price"]

    assert set(price["type"]) == {"string", "number"}


def test_the_security_schemes_are_the_token_the_csrf_header_and_the_cookies(
    spec: dict[str, Any],
) -> None:
    schemes = spec["components"]["securitySchemes"]
    sent_as = {(s["type"], s["in"], s["name"].lower()) for s in schemes.values()}

    assert sent_as == {
        ("apiKey", "header", "authorization"),
        ("apiKey", "header", "x-csrftoken"),
        ("apiKey", "cookie", "csrftoken"),
        ("apiKey", "cookie", "refreshtoken"),
    }


def test_each_operation_names_what_it_needs(spec: dict[str, Any]) -> None:
    paths = spec["paths"]

    assert paths["/api/sign_in"]["post"]["security"] == []
    assert paths["/api/login_view"]["post"]["security"] == []
    assert paths["/api/health"]["get"]["security"] == []
    assert paths["/api/me"]["get"]["security"] == [{"tokenAuth": []}]
    assert paths["/api/post_order"]["post"]["security"] == [
        {"tokenAuth": [], "csrfHeader": [], "csrfCookie": []}
    ]
    refresh = paths["/api/refresh_token"]["post"]["security"]
    assert refresh == [{"refreshCookie": [], "csrfHeader": [], "csrfCookie": []}]
    assert {} in paths["/api/logout"]["post"]["security"]


def test_responses_have_status_codes_and_error_schemas(spec: dict[str, Any]) -> None:
    responses = spec["paths"]["/api/post_order"]["post"]["responses"]
    error = resolve(spec, responses["400"]["$ref"])["content"]["application/json"]["schema"]
    forbidden = resolve(spec, responses["403"]["$ref"])["content"]["application/json"]

    assert {"201", "400", "403", "409", "413", "415", "422", "500"} <= set(responses)
    assert resolve(spec, responses["201"]["content"]["application/json"]["schema"]["$ref"])
    assert {"$ref": "#/components/schemas/ValidationError"} in error["oneOf"]
    assert forbidden["schema"] == {"$ref": "#/components/schemas/Detail"}
    assert set(spec["components"]["schemas"]["ValidationError"]["properties"]) == {
        "error",
        "errors",
    }


def test_the_login_throttle_is_documented_with_retry_after(spec: dict[str, Any]) -> None:
    throttled = spec["paths"]["/api/login_view"]["post"]["responses"]["429"]

    assert "Retry-After" in resolve(spec, throttled["$ref"])["headers"]


def test_the_idempotency_key_header_and_its_answers_are_documented(
    spec: dict[str, Any],
) -> None:
    operation = spec["paths"]["/api/post_order"]["post"]
    [key] = [p for p in operation["parameters"] if p["in"] == "header"]
    responses = operation["responses"]

    assert (key["name"], key["required"]) == ("Idempotency-Key", False)
    assert key["schema"] == {"type": "string", "minLength": 1, "maxLength": 255,
                             "pattern": "^[ -~]+$"}  # fmt: skip
    assert "Idempotent-Replayed" in responses["201"]["headers"]
    assert "Idempotency-Key" in resolve(spec, responses["409"]["$ref"])["description"]
    assert "Idempotency-Key" in resolve(spec, responses["422"]["$ref"])["description"]


def test_the_document_is_the_same_on_every_request(client: FlaskClient) -> None:
    assert client.get("/api/openapi.json").data == client.get("/api/openapi.json").data


# --- the page --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs/"])
def test_the_docs_page_is_html_with_or_without_a_trailing_slash(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.text.lstrip().lower().startswith("<!doctype html>")


def test_the_docs_page_shows_every_path_and_schema(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    page = client.get("/api/docs").text

    for path, item in spec["paths"].items():
        assert escape(path) in page
        for method, operation in item.items():
            if method != "parameters":
                assert f'<section id="{operation["operationId"]}">' in page
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert "maxItems: 100" in page


def test_the_docs_page_loads_nothing_from_elsewhere(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    page = response.text.lower()

    assert "<script" not in page
    assert "<link" not in page
    assert "src=" not in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_docs_page_shows_backquoted_text_as_code_and_nothing_else_as_html(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    page = client.get("/api/docs").text
    visible = re.sub(r"<[^>]+>", "", page)  # the text a reader sees, tags left out

    assert "`" not in visible
    assert "<code>Token &lt;access_token&gt;</code>" in page  # escaped inside the code span
    assert "<code>webstore products import</code>" in page  # an operation's description
