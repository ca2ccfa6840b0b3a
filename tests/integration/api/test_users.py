"""Staff's user accounts: the list, and deactivating or reactivating one by id."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.integration.api.conftest import OPENING, Shopper, SteppingClock, answer
from webstore import Webstore

USERS = "/api/users"
PERMISSION = (403, {"detail": "You do not have permission to perform this action."})
NOT_FOUND = (404, {"detail": "Not found."})
INVALID_TOKEN = (403, {"detail": "Invalid token."})
LAST_SUPERUSER = (409, {"detail": "The last active superuser cannot be deactivated."})


def usernames(response: Any) -> list[str]:
    assert response.status_code == 200, response.json
    return [user["username"] for user in response.json]


EMAILS = {"José": "jose@example.com", "Zoë": "zoe@café.example", "Łukasz": "lukasz@example.com"}


@pytest.fixture
def people(admin: Shopper, store: Webstore, clock: SteppingClock) -> list[str]:
    """The superuser margaret (id 1), then José, Zoë and Łukasz, a second apart."""
    for name, email in EMAILS.items():
        clock.advance(1)
        store.register_user(name, email, "a long enough password")
    return ["margaret", *EMAILS]


def test_a_superuser_lists_every_user_by_id_with_when_they_joined(
    admin: Shopper, people: list[str]
) -> None:
    response = admin.get(USERS)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "4"
    assert response.json[:2] == [  # type: ignore[index]
        {
            "id": 1,
            "username": "margaret",
            "email": "margaret@example.com",
            "is_active": True,
            "is_superuser": True,
            "date_joined": "2026-11-26T20:12:30Z",
        },
        {
            "id": 2,
            "username": "José",
            "email": "jose@example.com",
            "is_active": True,
            "is_superuser": False,
            "date_joined": "2026-11-26T20:12:31Z",
        },
    ]
    assert usernames(response) == ["margaret", "José", "Zoë", "Łukasz"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("jose", ["José"]),
        ("JOSÉ", ["José"]),
        ("zoe@CAFE", ["Zoë"]),
        ("café.example", ["Zoë"]),
        ("lukasz", ["Łukasz"]),
        ("example", ["margaret", "José", "Zoë", "Łukasz"]),
        ("example.com", ["margaret", "José", "Łukasz"]),
        ("  ", ["margaret", "José", "Zoë", "Łukasz"]),
        ("%", []),
    ],
)
def test_search_looks_in_usernames_and_emails_ignoring_case_and_accents(
    admin: Shopper, people: list[str], search: str, found: list[str]
) -> None:
    response = admin.get(USERS, query_string={"search": search})

    assert usernames(response) == found
    assert response.headers["X-Total-Count"] == str(len(found))


@pytest.mark.parametrize(
    ("ids", "found"),
    [
        ("1,3", ["margaret", "Zoë"]),
        (" 4 , 2 ,2", ["José", "Łukasz"]),
        ("99", []),
        ("", []),
        (["1", "4"], ["margaret", "Łukasz"]),  # ids=1&ids=4
    ],
)
def test_ids_name_the_users_wanted(
    admin: Shopper, people: list[str], ids: str | list[str], found: list[str]
) -> None:
    assert usernames(admin.get(USERS, query_string={"ids": ids})) == found


def test_filters_and_pages_combine(admin: Shopper, people: list[str]) -> None:
    response = admin.get(USERS, query_string={"ids": "2,3,4", "search": "example.com", "limit": 1})

    assert usernames(response) == ["José"]
    assert response.headers["X-Total-Count"] == "2"
    assert usernames(admin.get(USERS, query_string={"offset": 3})) == ["Łukasz"]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"ids": "1,x"}, {"ids": {"1": ["A valid integer is required."]}}),
        ({"ids": "1,,2"}, {"ids": {"1": ["A valid integer is required."]}}),
        ({"ids": "0"}, {"ids": {"0": ["Must be at least 1."]}}),
        ({"ids": "9223372036854775808"}, {"ids": {"0": ["Must be at most 9223372036854775807."]}}),
        ({"ids": ",".join(["1"] * 1001)},
         {"ids": ["Ensure this field has no more than 1000 elements."]}),
        ({"limit": "0"}, {"limit": ["Must be at least 1."]}),
        ({"search": "x" * 201}, {"search": ["Ensure this field has no more than 200 characters."]}),
    ],
)  # fmt: skip
def test_bad_filters_are_400s_naming_them(
    admin: Shopper, people: list[str], query: dict[str, str], errors: dict[str, Any]
) -> None:
    response = admin.get(USERS, query_string=query)

    assert response.status_code == 400
    assert response.json["errors"] == errors  # type: ignore[index]
    assert re.match(r"^(ids|limit|search)(\.\d+)?: ", response.json["error"])  # type: ignore[index]


def test_a_regular_user_is_refused_before_the_filters_are_looked_at(
    client: FlaskClient, alice: Shopper
) -> None:
    assert answer(alice.get(USERS, query_string={"ids": "x", "limit": "0"})) == PERMISSION
    assert answer(client.get(USERS)) == (
        403,
        {"detail": "Authentication credentials were not provided."},
    )


# --- deactivating and reactivating -----------------------------------------------------------


def test_deactivating_ends_every_session_of_the_user_at_once(
    admin: Shopper, alice: Shopper, make_shopper: Callable[..., Shopper]
) -> None:
    second_tab = Shopper(alice.client.application.test_client(), "alice")
    second_tab.log_in()

    response = admin.post(f"{USERS}/{alice.user_id}/deactivate")

    assert response.status_code == 200
    assert response.json["is_active"] is False  # type: ignore[index]
    assert response.json["username"] == "alice"  # type: ignore[index]
    for tab in (alice, second_tab):
        assert answer(tab.get("/api/me")) == INVALID_TOKEN
        assert tab.refresh().status_code == 403
    refused = alice.client.post(
        "/api/login_view", json={"username": "alice", "password": alice.password}
    )
    assert refused.status_code == 403
    assert admin.get(USERS, query_string={"ids": alice.user_id}).json[0]["is_active"] is False  # type: ignore[index]


def test_activating_lets_the_user_log_in_again(admin: Shopper, alice: Shopper) -> None:
    admin.post(f"{USERS}/{alice.user_id}/deactivate")
    assert admin.post(f"{USERS}/{alice.user_id}/deactivate").status_code == 200  # again: fine

    response = admin.post(f"{USERS}/{alice.user_id}/activate")

    assert (response.status_code, response.json["is_active"]) == (200, True)  # type: ignore[index]
    alice.log_in()
    assert alice.get("/api/me").status_code == 200
    assert admin.post(f"{USERS}/{alice.user_id}/activate").status_code == 200


@pytest.mark.parametrize("action", ["deactivate", "activate"])
@pytest.mark.parametrize("user_id", ["999", "0", "9223372036854775808", "123456789012345678901234"])
def test_an_id_that_names_no_user_is_not_found(admin: Shopper, action: str, user_id: str) -> None:
    assert answer(admin.post(f"{USERS}/{user_id}/{action}")) == NOT_FOUND


@pytest.mark.parametrize("action", ["deactivate", "activate"])
def test_only_a_superuser_may_and_only_with_the_csrf_token(
    admin: Shopper, alice: Shopper, bob: Shopper, action: str
) -> None:
    path = f"{USERS}/{bob.user_id}/{action}"
    assert answer(alice.post(path)) == PERMISSION
    assert answer(alice.post(f"{USERS}/999/{action}")) == PERMISSION  # 403 before 404
    missing = admin.client.post(path, headers={"Authorization": f"Token {admin.access_token}"})
    assert answer(missing) == (403, {"detail": "CSRF Failed: CSRF token missing."})
    assert bob.get("/api/me").status_code == 200


def test_the_last_active_superuser_cannot_deactivate_themselves(
    admin: Shopper, make_shopper: Callable[..., Shopper], store: Webstore
) -> None:
    assert answer(admin.post(f"{USERS}/{admin.user_id}/deactivate")) == LAST_SUPERUSER
    assert admin.get("/api/me").status_code == 200

    other = make_shopper("grace", superuser=True, store=store)
    response = admin.post(f"{USERS}/{admin.user_id}/deactivate")

    assert (response.status_code, response.json["is_active"]) == (200, False)  # type: ignore[index]
    assert answer(admin.get("/api/me")) == INVALID_TOKEN
    assert answer(other.post(f"{USERS}/{other.user_id}/deactivate")) == LAST_SUPERUSER


def test_times_are_the_clocks(admin: Shopper, clock: SteppingClock) -> None:
    assert admin.get(USERS).json[0]["date_joined"] == OPENING.isoformat().replace("+00:00", "Z")  # type: ignore[index]
