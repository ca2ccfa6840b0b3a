"""The search parameter, the superuser's catalogue and the import in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/api/openapi.json").json
    return document


@pytest.mark.parametrize("path", ["/api/get_all_products", "/api/products"])
def test_both_listings_document_search_limit_and_offset(spec: dict[str, Any], path: str) -> None:
    parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}

    assert set(parameters) == {"limit", "offset", "search"}
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
