from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from webstore import Webstore

USERNAME_RULE = (
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ "
    "characters."
)


def sign_in(client: FlaskClient, **fields: object) -> tuple[int, dict[str, object]]:
    body = {"username": "alice", "email": "alice@example.com", "password": "correct horse"}
    body.update(fields)
    body = {key: value for key, value in body.items() if value is not ...}
    response = client.post("/api/sign_in", json=body)
    return response.status_code, response.json


def test_signing_up_answers_success_in_both_spellings(client: FlaskClient) -> None:
    response = client.post(
        "/api/sign_in",
        json={"username": "alice", "password": "correct horse", "email": "alice@example.com"},
    )

    assert response.status_code == 200
    assert response.data == b'{"massage":"success","message":"success"}'
    assert response.content_type == "application/json"


def test_a_username_is_taken_whatever_its_case(client: FlaskClient) -> None:
    assert sign_in(client, username="Alice")[0] == 200

    assert sign_in(client, username="alice") == (400, {"error": "username is used"})
    assert sign_in(client, username="ALICE") == (400, {"error": "username is used"})


@pytest.mark.parametrize(
    "username", ["Zoë", "Δημήτρης", "李雷", "o_neil", "a.b@c+d-e_f", "7", "x" * 150]
)
def test_usernames_of_unicode_letters_digits_and_at_dot_plus_dash_underscore_are_welcome(
    client: FlaskClient, username: str
) -> None:
    assert sign_in(client, username=username)[0] == 200


@pytest.mark.parametrize("username", ["alice smith", "alice!", "<script>", "al/ice", "a#b"])
def test_usernames_with_other_characters_are_refused(client: FlaskClient, username: str) -> None:
    status, body = sign_in(client, username=username)

    assert status == 400
    assert body == {"error": f"username: {USERNAME_RULE}", "errors": {"username": [USERNAME_RULE]}}


def test_a_username_longer_than_150_characters_is_refused(client: FlaskClient) -> None:
    status, body = sign_in(client, username="x" * 151)

    assert status == 400
    assert body["errors"] == {"username": ["Ensure this field has no more than 150 characters."]}


@pytest.mark.parametrize("username", ["", "   "])
def test_a_blank_username_is_refused(client: FlaskClient, username: str) -> None:
    status, body = sign_in(client, username=username)

    assert status == 400
    assert body["errors"] == {"username": ["This field may not be blank."]}


def test_surrounding_whitespace_is_trimmed_from_username_and_email(
    client: FlaskClient, store: Webstore
) -> None:
    assert sign_in(client, username="  carol ", email="  carol@example.com ")[0] == 200

    response = client.post(
        "/api/login_view", json={"username": "carol", "password": "correct horse"}
    )
    assert response.json["user"]["username"] == "carol"
    assert response.json["user"]["email"] == "carol@example.com"


@pytest.mark.parametrize(
    "email",
    ["not-an-email", "alice@", "@example.com", "alice@example", "alice@@example.com", "a b@x.com"],
)
def test_an_invalid_email_is_refused(client: FlaskClient, email: str) -> None:
    status, body = sign_in(client, email=email)

    assert status == 400
    assert body == {
        "error": "email: Enter a valid email address.",
        "errors": {"email": ["Enter a valid email address."]},
    }


def test_an_email_longer_than_254_characters_is_refused(client: FlaskClient) -> None:
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"
    assert len(email) == 308

    status, body = sign_in(client, email=email)

    assert status == 400
    assert body["errors"] == {"email": ["Ensure this field has no more than 254 characters."]}


def test_a_password_of_seven_characters_is_too_short(client: FlaskClient) -> None:
    status, body = sign_in(client, password="abc1234")

    assert status == 400
    assert body["errors"] == {
        "password": ["This password is too short. It must contain at least 8 characters."]
    }


@pytest.mark.parametrize("password", ["abcd1234", "é" * 1024])
def test_passwords_of_8_to_1024_characters_are_accepted(client: FlaskClient, password: str) -> None:
    assert sign_in(client, password=password)[0] == 200


def test_a_password_longer_than_1024_characters_is_refused(client: FlaskClient) -> None:
    status, body = sign_in(client, password="p" * 1025)

    assert status == 400
    assert body["errors"] == {"password": ["Ensure this field has no more than 1024 characters."]}


def test_an_entirely_numeric_password_is_refused(client: FlaskClient) -> None:
    status, body = sign_in(client, password="1234567890")

    assert status == 400
    assert body["errors"] == {"password": ["This password is entirely numeric."]}


def test_a_password_is_used_exactly_as_sent_spaces_included(client: FlaskClient) -> None:
    assert sign_in(client, password="  spaced out  ")[0] == 200

    trimmed = {"username": "alice", "password": "spaced out"}
    exact = {"username": "alice", "password": "  spaced out  "}
    assert client.post("/api/login_view", json=trimmed).status_code == 403
    assert client.post("/api/login_view", json=exact).status_code == 200


def test_missing_fields_are_each_reported_as_required(client: FlaskClient) -> None:
    response = client.post("/api/sign_in", json={})

    assert response.status_code == 400
    assert response.json == {
        "error": "username: This field is required.",
        "errors": {
            "username": ["This field is required."],
            "email": ["This field is required."],
            "password": ["This field is required."],
        },
    }


def test_an_empty_body_reads_as_an_empty_object(client: FlaskClient) -> None:
    response = client.post("/api/sign_in")

    assert response.status_code == 400
    assert set(response.json["errors"]) == {"username", "email", "password"}


@pytest.mark.parametrize("value", [5, 1.5, True, ["alice"], {"name": "alice"}])
def test_a_field_that_is_not_a_string_is_refused(client: FlaskClient, value: object) -> None:
    status, body = sign_in(client, username=value)

    assert status == 400
    assert body == {
        "error": "username: Not a valid string.",
        "errors": {"username": ["Not a valid string."]},
    }


def test_a_null_field_is_refused(client: FlaskClient) -> None:
    status, body = sign_in(client, email=None)

    assert status == 400
    assert body["errors"] == {"email": ["This field may not be null."]}


def test_every_problem_is_reported_at_once(client: FlaskClient) -> None:
    status, body = sign_in(client, username="", email="nope", password=...)

    assert status == 400
    assert body["errors"] == {
        "username": ["This field may not be blank."],
        "email": ["Enter a valid email address."],
        "password": ["This field is required."],
    }
    assert body["error"] == "username: This field may not be blank."


def test_unknown_fields_are_ignored(client: FlaskClient) -> None:
    assert sign_in(client, is_superuser=True)[0] == 200


def test_the_password_is_kept_only_as_an_argon2id_hash(
    client: FlaskClient, store: Webstore
) -> None:
    status, body = sign_in(client, password="correct horse")

    assert status == 200
    assert "correct horse" not in str(body)
    with store.uow(read_only=True) as work:
        user = work.users.get_by_username("alice")
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
