"""The search parameter, the catalogues, users and the import in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/api/openapi.json").json
    return document


@pytest.mark.parametrize("path", ["/api/get_all_products", "/api/products", "/api/catalogue"])
def test_the_listings_document_search_limit_and_offset(spec: dict[str, Any], path: str) -> None:
    parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}

    assert {name for name, p in parameters.items() if p["in"] == "query"} == {
        "limit",
        "offset",
        "search",
    }
    assert parameters["search"]["in"] == "query"
    assert parameters["search"]["schema"]["maxLength"] == 200


def test_the_superusers_catalogue_lists_single_product_objects(spec: dict[str, Any]) -> None:
    ok = spec["paths"]["/api/products"]["get"]["responses"]["200"]

    items = ok["content"]["application/json"]["schema"]["items"]
    assert items == {"$ref": "#/components/schemas/ProductDetail"}
    assert "X-Total-Count" in ok["headers"]


def test_the_import_takes_csv_or_json_lines_and_answers_with_a_count(
    spec: dict[str, Any],
) -> None:
    operation = spec["paths"]["/api/products/import"]["post"]

    assert set(operation["requestBody"]["content"]) == {"text/csv", "application/x-ndjson"}
    assert {"201", "400", "403", "413", "415", "500", "503"} <= set(operation["responses"])
    assert operation["responses"]["415"]["description"].startswith("The body is neither")
    assert operation["security"] == [{"tokenAuth": [], "csrfHeader": [], "csrfCookie": []}]
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/ImportResult"}


@pytest.mark.parametrize("path", ["/api/catalogue", "/api/catalogue/{product_id}"])
def test_the_public_catalogue_needs_nothing_and_documents_its_caching(
    spec: dict[str, Any], path: str
) -> None:
    operation = spec["paths"][path]["get"]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}

    assert operation["security"] == []
    assert headers == {"If-None-Match", "If-Match"}
    assert {"ETag", "Cache-Control"} <= set(operation["responses"]["200"]["headers"])
    assert {"ETag", "Cache-Control"} == set(operation["responses"]["304"]["headers"])
    assert "content" not in operation["responses"]["304"]
    assert "412" in operation["responses"]


def test_the_users_list_documents_its_filters_and_the_account_object(
    spec: dict[str, Any],
) -> None:
    operation = spec["paths"]["/api/users"]["get"]
    parameters = {p["name"] for p in operation["parameters"]}
    account = spec["components"]["schemas"]["Account"]

    assert parameters == {"limit", "offset", "search", "ids"}
    assert set(account["required"]) == {
        "id", "username", "email", "is_active", "is_superuser", "date_joined"
    }  # fmt: skip
    deactivate = spec["paths"]["/api/users/{user_id}/deactivate"]["post"]
    assert {"200", "403", "404", "409"} <= set(deactivate["responses"])
    assert deactivate["security"] == [{"tokenAuth": [], "csrfHeader": [], "csrfCookie": []}]
