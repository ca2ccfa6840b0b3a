"""The public catalogue: what is on sale, for anyone, in answers that caches may keep."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, answer
from webstore import ProductSnapshot, Webstore, bootstrap
from webstore.config import Settings
from webstore.entrypoints.web.app import create_app

LIST = "/api/catalogue"
NOT_FOUND = (404, {"detail": "Not found."})
STRONG_TAG = re.compile(r'"[0-9a-f]{32}"')
NO_PICTURE = {"image": None, "thumbnail": None}


def listed(response: TestResponse) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json]  # type: ignore[union-attr]


def test_anyone_gets_the_active_products_as_the_listing_shows_them_with_an_image(
    client: FlaskClient, alice: Shopper, store: Webstore, catalogue: dict[str, ProductSnapshot]
) -> None:
    store.deactivate_product(store.operator, catalogue["Oak Table"].id)

    public = client.get(LIST)
    shop = alice.get("/api/get_all_products")

    assert public.status_code == 200
    assert public.content_type == "application/json"
    assert public.json == [{**item, **NO_PICTURE} for item in shop.json]  # type: ignore[union-attr]
    assert [item["name"] for item in public.json] == ["Red Chair", "Brass Lamp"]  # type: ignore[union-attr]
    keys = ["id", "name", "description", "price", "amount", "image", "thumbnail"]
    assert list(public.json[0]) == keys  # type: ignore[index]
    assert public.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize(
    "authorization",
    ["Token not-a-token", "Bearer eyJhbGciOiJub25lIn0.e30.", "Basic YTpi", "Token", "garbage"],
)
def test_a_token_is_not_looked_at_so_a_bad_one_changes_nothing(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot], authorization: str
) -> None:
    anonymous = client.get(LIST)
    with_header = client.get(LIST, headers={"Authorization": authorization})

    assert with_header.status_code == 200
    assert with_header.data == anonymous.data
    assert with_header.headers["ETag"] == anonymous.headers["ETag"]


def test_a_customers_valid_token_gets_the_same_bytes_as_anybody(
    client: FlaskClient, alice: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    assert alice.get(LIST).data == client.get(LIST).data


@pytest.mark.parametrize(
    "query",
    ["?search=CHAIR", "?search=%20%20", "?limit=1&offset=1", "?offset=2", "?limit=2&search=a"],
)
def test_search_and_pages_are_those_of_get_all_products(
    client: FlaskClient, alice: Shopper, catalogue: dict[str, ProductSnapshot], query: str
) -> None:
    public = client.get(LIST + query)
    shop = alice.get("/api/get_all_products" + query)

    assert public.json == [{**item, **NO_PICTURE} for item in shop.json]  # type: ignore[union-attr]
    assert public.headers["X-Total-Count"] == shop.headers["X-Total-Count"]


@pytest.mark.parametrize(
    "query",
    ["?limit=0", "?limit=1001", "?offset=-1", "?limit=x", "?search=" + "x" * 201, "?search=a%00"],
)
def test_bad_pages_and_searches_are_the_400s_of_get_all_products(
    client: FlaskClient, alice: Shopper, query: str
) -> None:
    public = client.get(LIST + query, headers={"If-None-Match": "*"})

    assert answer(public) == answer(alice.get("/api/get_all_products" + query))
    assert public.status_code == 400
    assert "ETag" not in public.headers


def test_searches_ignore_case_and_accents(client: FlaskClient, store: Webstore) -> None:
    names = ["Café table", "Éclair tin", "cafe chair", "Straße sign"]
    store.import_products(
        store.operator, [{"name": n, "price": "1.00", "amount": 1} for n in names]
    )

    assert listed(client.get(LIST + "?search=cafe")) == ["Café table", "cafe chair"]
    assert listed(client.get(LIST + "?search=CAF%C3%89")) == ["Café table", "cafe chair"]
    assert listed(client.get(LIST + "?search=E")) == names
    assert listed(client.get(LIST + "?search=strasse")) == ["Straße sign"]


# --- one product -----------------------------------------------------------------------------


def test_one_product_is_the_listings_object(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot]
) -> None:
    chair = catalogue["Red Chair"]

    one = client.get(f"{LIST}/{chair.id}")

    assert one.status_code == 200
    assert one.json == client.get(LIST).json[0]  # type: ignore[index]
    assert STRONG_TAG.fullmatch(one.headers["ETag"])
    assert one.headers["Cache-Control"] == "public, max-age=5"


@pytest.mark.parametrize("path", ["/999", "/0", "/9223372036854775808", "/99999999999999999999999"])
def test_an_id_that_names_no_product_is_not_found(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot], path: str
) -> None:
    assert answer(client.get(LIST + path)) == NOT_FOUND


def test_a_withdrawn_product_is_not_found_even_for_a_superuser(
    client: FlaskClient, admin: Shopper, store: Webstore, catalogue: dict[str, ProductSnapshot]
) -> None:
    table = catalogue["Oak Table"]
    store.deactivate_product(store.operator, table.id)

    assert answer(client.get(f"{LIST}/{table.id}")) == NOT_FOUND
    assert answer(admin.get(f"{LIST}/{table.id}")) == NOT_FOUND
    assert admin.get(f"/api/products/{table.id}").status_code == 200


# --- caching ---------------------------------------------------------------------------------


def test_answers_carry_a_strong_etag_and_public_cache_control(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot]
) -> None:
    first, second = client.get(LIST), client.get(LIST)

    assert STRONG_TAG.fullmatch(first.headers["ETag"])
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=5"
    assert client.get(LIST + "?limit=1").headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("settings", [fast_settings(catalogue_max_age=600)])
def test_the_max_age_is_the_setting(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot]
) -> None:
    assert client.get(LIST).headers["Cache-Control"] == "public, max-age=600"


def test_a_change_is_seen_at_once_under_a_new_tag(
    client: FlaskClient, store: Webstore, catalogue: dict[str, ProductSnapshot]
) -> None:
    before = client.get(LIST)
    chair = catalogue["Red Chair"]
    store.update_product(store.operator, chair.id, {"price": "18.99"})

    after = client.get(LIST, headers={"If-None-Match": before.headers["ETag"]})

    assert after.status_code == 200
    assert after.json[0]["price"] == "18.99"  # type: ignore[index]
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_change_past_the_page_changes_the_tag_through_the_total(
    client: FlaskClient, store: Webstore, catalogue: dict[str, ProductSnapshot]
) -> None:
    before = client.get(LIST + "?limit=1")
    store.add_product(store.operator, {"name": "Wool rug", "price": "5.00", "amount": 1})

    after = client.get(LIST + "?limit=1", headers={"If-None-Match": before.headers["ETag"]})

    assert (after.status_code, after.data) == (200, before.data)
    assert (before.headers["X-Total-Count"], after.headers["X-Total-Count"]) == ("3", "4")
    assert after.headers["ETag"] != before.headers["ETag"]


def not_modified_for(client: FlaskClient, path: str, if_none_match: str) -> bool:
    response = client.get(path, headers={"If-None-Match": if_none_match})
    assert response.status_code in (200, 304)
    return response.status_code == 304


@pytest.mark.parametrize("path", [LIST, LIST + "?search=chair&limit=1", f"{LIST}/1"])
def test_if_none_match_naming_the_current_answer_is_a_304_with_its_validators(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot], path: str
) -> None:
    tag = client.get(path).headers["ETag"]

    response = client.get(path, headers={"If-None-Match": tag})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == tag
    assert response.headers["Cache-Control"] == "public, max-age=5"
    assert "Content-Type" not in response.headers
    assert "X-Total-Count" not in response.headers


@pytest.mark.parametrize(
    ("template", "modified"),
    [
        ("{tag}", False),
        ("W/{tag}", False),  # weak comparison: a proxy that gzipped the answer weakened it
        ('"a", {tag}, "b"', False),
        ('"a",,  W/{tag}  ,', False),  # empty list elements are allowed
        ("*", False),
        ('"0123"', True),
        ('"a", W/"b"', True),
        ("{bare}", True),  # not an entity-tag: the field is malformed, and ignored
        ("w/{tag}", True),  # W/ is case-sensitive
        ('{tag} "x"', True),  # no comma between two tags
        ("", True),
    ],
)
def test_if_none_match_follows_rfc_9110(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot], template: str, modified: bool
) -> None:
    tag = client.get(LIST).headers["ETag"]
    field = template.format(tag=tag, bare=tag.strip('"'))

    assert not_modified_for(client, LIST, field) is not modified


def test_a_tag_with_a_comma_inside_is_one_tag() -> None:
    from webstore.entrypoints.web.conditional import entity_tags

    assert entity_tags('"a,b", W/"c"') == [(False, '"a,b"'), (True, '"c"')]
    assert entity_tags('"a" "b"') is None
    assert entity_tags(" , ") == []


def test_a_head_request_revalidates_too(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot]
) -> None:
    full = client.get(LIST)
    head = client.head(LIST)

    assert (head.status_code, head.data) == (200, b"")
    assert head.headers["ETag"] == full.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(full.data))
    assert client.head(LIST, headers={"If-None-Match": full.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    ("if_match", "status"),
    [("*", 200), ("{tag}", 200), ('"x", {tag}', 200), ("W/{tag}", 412), ('"x"', 412)],
)
def test_if_match_uses_the_strong_comparison(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot], if_match: str, status: int
) -> None:
    tag = client.get(LIST).headers["ETag"]

    response = client.get(LIST, headers={"If-Match": if_match.format(tag=tag)})

    assert response.status_code == status
    if status == 412:
        assert response.json == {"detail": "Precondition failed."}


def test_if_match_is_looked_at_before_if_none_match(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot]
) -> None:
    tag = client.get(LIST).headers["ETag"]

    response = client.get(LIST, headers={"If-Match": '"other"', "If-None-Match": tag})

    assert response.status_code == 412


def test_an_unknown_product_is_not_found_whatever_the_conditions(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot]
) -> None:
    response = client.get(f"{LIST}/999", headers={"If-None-Match": "*", "If-Match": "*"})

    assert answer(response) == NOT_FOUND


# --- nothing personal ------------------------------------------------------------------------


def test_no_cookie_and_no_vary_whatever_the_request_carries(
    alice: Shopper, catalogue: dict[str, ProductSnapshot]
) -> None:
    alice.client.set_cookie("sessionid", "x")
    for path in (LIST, f"{LIST}/1", f"{LIST}/999", LIST + "?limit=0"):
        for headers in ({}, alice.headers(), {"Authorization": "Token expired.or.bad"}):
            response = alice.client.get(path, headers=headers)
            assert "Set-Cookie" not in response.headers, path
            assert "Vary" not in response.headers, path
    tag = alice.client.get(LIST).headers["ETag"]
    revalidated = alice.client.get(LIST, headers={**alice.headers(), "If-None-Match": tag})
    assert revalidated.status_code == 304
    assert "Set-Cookie" not in revalidated.headers


def test_with_cors_the_answers_vary_by_origin_only(
    store: Webstore, settings: Settings, catalogue: dict[str, ProductSnapshot]
) -> None:
    shop = "https://shop.example.com"
    client = create_app(replace(settings, cors_origins=(shop,)), store).test_client()

    answered = client.get(LIST, headers={"Origin": shop, "Authorization": "Token x"})
    tag = answered.headers["ETag"]
    revalidated = client.get(LIST, headers={"Origin": shop, "If-None-Match": tag})

    for response in (answered, revalidated):
        assert response.headers.getlist("Vary") == ["Origin"]
        assert response.headers["Access-Control-Allow-Origin"] == shop
    assert revalidated.status_code == 304


def test_the_body_of_an_answer_is_exactly_what_its_tag_was_made_from(
    client: FlaskClient, catalogue: dict[str, ProductSnapshot]
) -> None:
    from webstore.entrypoints.web.conditional import strong_etag

    response = client.get(LIST)
    total = f"X-Total-Count: {response.headers['X-Total-Count']}".encode()

    assert response.headers["ETag"] == strong_etag(response.data, total)
    single = client.get(f"{LIST}/1")
    assert single.headers["ETag"] == strong_etag(single.data)


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_change_made_by_another_node_is_served_by_the_next_request(
    request: pytest.FixtureRequest, database: str
) -> None:
    url: str = request.getfixturevalue(f"{database}_url")
    served = bootstrap(fast_settings(url), migrate=True)
    other = bootstrap(fast_settings(url))
    try:
        client = create_app(fast_settings(url), served).test_client()
        chair = other.add_product(other.operator, {"name": "Red chair", "price": "1", "amount": 1})
        first = client.get(LIST)
        assert (first.json, client.get(LIST).headers["ETag"]) == (
            [{**first.json[0], "name": "Red chair"}],  # type: ignore[index]
            first.headers["ETag"],
        )

        other.update_product(other.operator, chair.id, {"name": "Blue chair"})

        second = client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})
        assert listed(second) == ["Blue chair"]
        assert listed(client.get(f"{LIST}?search=blue")) == ["Blue chair"]
        other.deactivate_product(other.operator, chair.id)
        assert listed(client.get(LIST)) == []
        assert answer(client.get(f"{LIST}/{chair.id}")) == NOT_FOUND
    finally:
        for store in (served, other):
            store.uow.dispose()  # type: ignore[attr-defined]
