"""``search`` on the listings, and the superuser's whole catalogue, on every storage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, SteppingClock, answer
from tests.integration.persistence.helpers import POSTGRES
from webstore import Webstore, bootstrap
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.config import Settings
from webstore.domain.products import Product

NAMES = ["Éclair", "Straße lamp", "STRASSE sign", "100% wool_rug", "Back\\slash shelf", "Red chair"]


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def settings(request: pytest.FixtureRequest) -> Settings:
    if request.param == "memory":
        return fast_settings()
    return fast_settings(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def store(settings: Settings, clock: SteppingClock) -> Iterator[Webstore]:
    store = bootstrap(settings, clock=clock, migrate=settings.database_url != "memory://")
    yield store
    if isinstance(store.uow, SqlAlchemyUnitOfWorkFactory):
        store.uow.dispose()  # before the test's schema is dropped


@pytest.fixture
def shelf(store: Webstore) -> list[Product]:
    rows = [{"name": name, "price": "5.00", "amount": 1} for name in NAMES]
    return store.import_products(store.operator, rows)


def listed(shopper: Shopper, path: str, **query: str | int) -> tuple[list[str], str]:
    response = shopper.get(path, query_string=query)
    assert response.status_code == 200, response.json
    return [product["name"] for product in response.json], response.headers["X-Total-Count"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("é", ["Éclair", "Straße lamp", "STRASSE sign", "Back\\slash shelf", "Red chair"]),
        ("ÉCL", ["Éclair"]),
        ("ecl", ["Éclair"]),
        ("straße", ["Straße lamp", "STRASSE sign"]),
        ("strasse", ["Straße lamp", "STRASSE sign"]),
        ("%", ["100% wool_rug"]),
        ("_", ["100% wool_rug"]),
        ("\\", ["Back\\slash shelf"]),
        ("%_", []),
        ("chair", ["Red chair"]),
    ],
)
def test_a_search_finds_names_containing_it_in_any_case(
    alice: Shopper, shelf: list[Product], search: str, expected: list[str]
) -> None:
    assert listed(alice, "/api/get_all_products", search=search) == (expected, str(len(expected)))


def test_a_search_combines_with_limit_and_offset_and_counts_every_match(
    alice: Shopper, shelf: list[Product]
) -> None:
    assert listed(alice, "/api/get_all_products", search="S", limit=2, offset=1) == (
        ["STRASSE sign", "Back\\slash shelf"],
        "3",
    )


def test_an_empty_search_answers_byte_for_byte_as_no_search(
    alice: Shopper, shelf: list[Product]
) -> None:
    plain = alice.get("/api/get_all_products?limit=3&offset=1")
    searched = alice.get("/api/get_all_products?limit=3&offset=1&search=")

    assert searched.data == plain.data
    assert searched.headers["X-Total-Count"] == plain.headers["X-Total-Count"] == "6"


def test_a_deactivated_product_is_not_found_by_a_customers_search(
    alice: Shopper, admin: Shopper, shelf: list[Product]
) -> None:
    assert admin.delete(f"/api/products/{shelf[1].id}").status_code == 204

    assert listed(alice, "/api/get_all_products", search="strasse") == (["STRASSE sign"], "1")


@pytest.mark.parametrize("path", ["/api/get_all_products", "/api/products"])
@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("x" * 201, "Ensure this field has no more than 200 characters."),
        ("lamp\x00", "Null characters are not allowed."),
    ],
)
def test_a_bad_search_is_a_400_naming_the_parameter(
    admin: Shopper, path: str, search: str, message: str
) -> None:
    response = admin.get(path, query_string={"search": search})

    assert answer(response) == (
        400,
        {"error": f"search: {message}", "errors": {"search": [message]}},
    )


def test_the_superusers_catalogue_has_every_product_with_its_state(
    admin: Shopper, shelf: list[Product]
) -> None:
    assert admin.delete(f"/api/products/{shelf[0].id}").status_code == 204

    response = admin.get("/api/products/", query_string={"limit": 2})

    assert answer(response) == (
        200,
        [
            {"id": shelf[0].id, "name": "Éclair", "description": "", "price": "5.00",
             "amount": 1, "is_active": False, "image": None, "thumbnail": None},
            {"id": shelf[1].id, "name": "Straße lamp", "description": "", "price": "5.00",
             "amount": 1, "is_active": True, "image": None, "thumbnail": None},
        ],
    )  # fmt: skip
    assert response.headers["X-Total-Count"] == "6"
    assert listed(admin, "/api/products", search="ÉCLAIR") == (["Éclair"], "1")


def test_each_product_of_the_superusers_catalogue_is_its_single_product_object(
    admin: Shopper, shelf: list[Product]
) -> None:
    for product in admin.get("/api/products").json:
        assert admin.get(f"/api/products/{product['id']}").json == product


def test_a_regular_user_may_not_see_the_superusers_catalogue(
    alice: Shopper, shelf: list[Product]
) -> None:
    response = alice.get("/api/products", query_string={"limit": "not even checked"})

    assert answer(response) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )


def test_the_superusers_catalogue_needs_a_token(client: FlaskClient) -> None:
    response = client.get("/api/products")

    assert answer(response) == (403, {"detail": "Authentication credentials were not provided."})
