from __future__ import annotations

import pytest

from tests.integration.api.conftest import Shopper, answer
from webstore import Webstore
from webstore.domain.products import Product


def test_the_listing_is_every_active_product_by_id_with_two_place_prices(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    response = alice.get("/api/get_all_products")

    assert response.status_code == 200
    assert response.json == [
        {
            "id": 1,
            "name": "Red Chair",
            "description": "A sturdy red chair",
            "price": "19.99",
            "amount": 10,
        },
        {"id": 2, "name": "Oak Table", "description": "Seats six", "price": "149.50", "amount": 2},
        {"id": 3, "name": "Brass Lamp", "description": "", "price": "35.00", "amount": 0},
    ]
    assert response.headers["X-Total-Count"] == "3"


def test_the_listing_writes_keys_in_the_originals_order(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    response = alice.get("/api/get_all_products")

    assert response.data.startswith(
        b'[{"id":1,"name":"Red Chair","description":"A sturdy red chair","price":"19.99",'
        b'"amount":10},'
    )


def test_an_empty_catalogue_is_an_empty_array(alice: Shopper) -> None:
    response = alice.get("/api/get_all_products")

    assert answer(response) == (200, [])
    assert response.headers["X-Total-Count"] == "0"


def test_withdrawn_products_are_not_listed(
    alice: Shopper, admin: Shopper, catalogue: dict[str, Product]
) -> None:
    assert admin.delete("/api/products/2").status_code == 204

    response = alice.get("/api/get_all_products")

    assert [product["name"] for product in response.json] == ["Red Chair", "Brass Lamp"]
    assert response.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("limit=2", ["Red Chair", "Oak Table"]),
        ("limit=2&offset=1", ["Oak Table", "Brass Lamp"]),
        ("offset=1", ["Oak Table", "Brass Lamp"]),
        ("offset=3", []),
        ("limit=1000", ["Red Chair", "Oak Table", "Brass Lamp"]),
        ("limit=1&offset=2", ["Brass Lamp"]),
    ],
)
def test_limit_and_offset_slice_the_listing_and_the_total_counts_everything(
    alice: Shopper, catalogue: dict[str, Product], query: str, names: list[str]
) -> None:
    response = alice.get(f"/api/get_all_products?{query}")

    assert response.status_code == 200
    assert [product["name"] for product in response.json] == names
    assert response.headers["X-Total-Count"] == "3"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=1.5", "limit"),
        ("limit=", "limit"),
        ("offset=-1", "offset"),
        ("offset=first", "offset"),
        ("limit=5&offset=x", "offset"),
    ],
)
def test_bad_limit_or_offset_values_are_refused(
    alice: Shopper, catalogue: dict[str, Product], query: str, field: str
) -> None:
    response = alice.get(f"/api/get_all_products?{query}")

    assert response.status_code == 400
    assert list(response.json["errors"]) == [field]
    assert response.json["error"].startswith(f"{field}: ")


def test_prices_are_exact_decimals(alice: Shopper, store: Webstore) -> None:
    store.import_products(store.operator, [{"name": "Penny Sweet", "price": "0.10", "amount": 3}])

    assert alice.get("/api/get_all_products").json[0]["price"] == "0.10"
