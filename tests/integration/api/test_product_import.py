"""`POST /api/products/import`: a product file as the body, all or nothing (memory, SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, SteppingClock, answer
from webstore import Webstore, bootstrap
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.config import Settings

CSV = "text/csv"
NDJSON = "application/x-ndjson"
GOOD_CSV = "price,name,amount\n19.99,Red chair,5\n7.50,Blue lamp,0\n"
MiB = 1024 * 1024


@pytest.fixture(params=["memory", "sqlite"])
def settings(request: pytest.FixtureRequest) -> Settings:
    if request.param == "memory":
        return fast_settings()
    return fast_settings(request.getfixturevalue("sqlite_url"))


@pytest.fixture
def store(settings: Settings, clock: SteppingClock) -> Iterator[Webstore]:
    store = bootstrap(settings, clock=clock, migrate=settings.database_url != "memory://")
    yield store
    if isinstance(store.uow, SqlAlchemyUnitOfWorkFactory):
        store.uow.dispose()


def send(shopper: Shopper, body: str | bytes, content_type: str = CSV, **kw: Any) -> TestResponse:
    headers = {"Content-Type": content_type, **kw.pop("headers", {})}
    return shopper.client.post(
        "/api/products/import", data=body, headers=shopper.headers(headers), **kw
    )


def catalogue(store: Webstore) -> list[tuple[str, str, int]]:
    return [(p.name, str(p.price), p.stock) for p in store.list_products().items]


def test_a_csv_file_is_imported_whole(admin: Shopper, store: Webstore) -> None:
    response = send(admin, GOOD_CSV)

    assert answer(response) == (201, {"imported": 2})
    assert catalogue(store) == [("Red chair", "19.99", 5), ("Blue lamp", "7.50", 0)]


def test_a_json_lines_file_is_imported_with_or_without_a_trailing_slash(
    admin: Shopper, store: Webstore
) -> None:
    body = '{"name": "Red chair", "price": 19.99, "amount": 5}\n'
    first = admin.client.post(
        "/api/products/import/",
        data=body,
        headers=admin.headers({"Content-Type": f"{NDJSON}; charset=utf-8"}),
    )

    assert answer(first) == (201, {"imported": 1})
    assert catalogue(store) == [("Red chair", "19.99", 5)]


def test_a_bad_line_is_named_and_nothing_is_imported(admin: Shopper, store: Webstore) -> None:
    body = "name,description,price,amount\nRed chair,Beech,19.99,5\nBroken,,free,1\n"

    response = send(admin, body)

    assert answer(response) == (
        400,
        {
            "error": "line 3: price: A valid number is required.",
            "errors": {"3": {"price": ["A valid number is required."]}},
        },
    )
    assert catalogue(store) == []


def test_beyond_twenty_bad_lines_the_answer_counts_the_rest(
    admin: Shopper, store: Webstore
) -> None:
    body = "".join(f'{{"name": "Lamp {n}", "price": "free", "amount": 1}}\n' for n in range(30))

    response = send(admin, body, NDJSON)

    assert response.status_code == 400
    errors = response.json["errors"]
    assert list(errors) == [*(str(n) for n in range(1, 21)), "non_field_errors"]
    assert errors["non_field_errors"] == ["30 lines have errors; the first 20 are listed."]
    assert catalogue(store) == []


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("", CSV, "The file has no products."),
        ("name,price,amount\n", CSV, "The file has no products."),
        ("name,colour\nRed chair,red\n", CSV,
         'line 1: Unknown column "colour"; the columns are name, description, price, amount.'),
        (b"Chaise,H\xeatre,19.99,5\n", CSV,
         "line 1: Not valid UTF-8 text (invalid continuation byte)."),
        ("[" * 50_000 + "\n", NDJSON, "line 1: Not valid JSON: nested too deeply."),
        ("Lamp,," + "x" * (128 * 1024 + 1) + ",1\n", CSV,
         "line 1: A field is longer than 131072 characters."),
        ("Mug,,1.00,²\n", CSV, "line 1: amount: Not a valid integer."),
    ],
)  # fmt: skip
def test_an_unreadable_file_is_a_400_naming_its_line(
    admin: Shopper, store: Webstore, body: str | bytes, content_type: str, error: str
) -> None:
    response = send(admin, body, content_type)

    assert response.status_code == 400
    assert response.json["error"] == error
    assert catalogue(store) == []


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data"])
def test_another_content_type_is_a_415(admin: Shopper, content_type: str) -> None:
    response = send(admin, GOOD_CSV, content_type)

    assert answer(response) == (
        415,
        {"detail": f'Unsupported media type "{content_type}" in request.'},
    )


def test_a_body_over_one_mebibyte_is_a_413(admin: Shopper, store: Webstore) -> None:
    body = "name,price,amount\n" + "Red chair,19.99,5\n" * (MiB // 18 + 1)

    response = send(admin, body)

    assert response.status_code == 413
    assert catalogue(store) == []


def test_a_regular_user_is_refused_before_the_body_is_looked_at(
    alice: Shopper, store: Webstore
) -> None:
    response = send(alice, "not even a product file", "application/json")

    assert answer(response) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )
    assert catalogue(store) == []


def test_the_import_needs_the_csrf_header(admin: Shopper, store: Webstore) -> None:
    response = admin.client.post(
        "/api/products/import",
        data=GOOD_CSV,
        headers={"Authorization": f"Token {admin.access_token}", "Content-Type": CSV},
    )

    assert answer(response) == (403, {"detail": "CSRF Failed: CSRF token missing."})
    assert catalogue(store) == []


def test_the_import_refuses_a_foreign_origin(admin: Shopper, store: Webstore) -> None:
    response = send(admin, GOOD_CSV, headers={"Origin": "http://evil.example"})

    assert response.status_code == 403
    assert "Origin checking failed" in response.json["detail"]
    assert catalogue(store) == []


def test_an_anonymous_import_is_refused(client: Any, store: Webstore) -> None:
    response = client.post("/api/products/import", data=GOOD_CSV, content_type=CSV)

    assert answer(response) == (403, {"detail": "Authentication credentials were not provided."})


def test_only_post_is_allowed(admin: Shopper) -> None:
    response = admin.get("/api/products/import")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_a_file_naming_products_that_exist_is_refused_by_line(
    admin: Shopper, store: Webstore
) -> None:
    assert answer(send(admin, GOOD_CSV)) == (201, {"imported": 2})

    again = send(admin, "name,price,amount\nRug,80,1\nBLUE LAMP,7.50,3\n")

    assert answer(again) == (
        400,
        {
            "error": 'line 3: name: A product named "BLUE LAMP" exists already (id 2).',
            "errors": {"3": {"name": ['A product named "BLUE LAMP" exists already (id 2).']}},
        },
    )
    assert catalogue(store) == [("Red chair", "19.99", 5), ("Blue lamp", "7.50", 0)]
