from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient

from tests.conftest import TEST_SECRET_KEY
from tests.integration.api.conftest import OPENING, Shopper, SteppingClock, answer
from tests.integration.api.endpoints import PROTECTED
from webstore import Webstore
from webstore.adapters.tokens import JwtAccessTokenService

NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
INVALID = {"detail": "Invalid token."}
EXPIRED = {"detail": "access_token expired"}


def me(client: FlaskClient, authorization: str) -> tuple[int, Any]:
    return answer(client.get("/api/me", headers={"Authorization": authorization}))


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_every_protected_endpoint_refuses_a_request_without_credentials(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method, json={})

    assert answer(response) == (403, NOT_PROVIDED)


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "bearer", "BEARER", "ToKeN"])
def test_the_token_and_bearer_schemes_are_accepted_in_any_case(alice: Shopper, scheme: str) -> None:
    status, body = me(alice.client, f"{scheme} {alice.access_token}")

    assert status == 200
    assert body["username"] == "alice"


@pytest.mark.parametrize("authorization", ["", "   ", "Basic YWxpY2U6c2VjcmV0", "JWT abc.def.ghi"])
def test_no_or_an_unknown_scheme_means_no_credentials(alice: Shopper, authorization: str) -> None:
    assert me(alice.client, authorization) == (403, NOT_PROVIDED)


def test_the_scheme_without_a_token_is_an_invalid_token(alice: Shopper) -> None:
    assert me(alice.client, "Token") == (403, INVALID)
    assert me(alice.client, "Bearer   ") == (403, INVALID)


def test_a_token_with_spaces_in_it_is_an_invalid_token(alice: Shopper) -> None:
    assert me(alice.client, f"Token {alice.access_token} extra") == (403, INVALID)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "a.b", "é.ü.ö", "...."])
def test_a_malformed_token_is_an_invalid_token(alice: Shopper, token: str) -> None:
    assert me(alice.client, f"Token {token}") == (403, INVALID)


def test_a_token_with_alg_none_is_refused(alice: Shopper) -> None:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims_of(alice.access_token)).encode())

    assert me(alice.client, f"Token {header}.{payload}.") == (403, INVALID)
    assert me(alice.client, f"Token {header}.{payload}.{b64(b'x')}") == (403, INVALID)


def test_a_token_signed_with_another_key_is_refused(alice: Shopper) -> None:
    token = jwt.encode(
        claims_of(alice.access_token), b"another-key-of-at-least-32-bytes!!!", "HS256"
    )

    assert me(alice.client, f"Token {token}") == (403, INVALID)


def test_a_token_signed_with_the_right_key_but_another_algorithm_is_refused(
    alice: Shopper,
) -> None:
    with pytest.warns(jwt.warnings.InsecureKeyLengthWarning):  # short for HS512, not for HS256
        token = jwt.encode(claims_of(alice.access_token), TEST_SECRET_KEY, "HS512")

    assert me(alice.client, f"Token {token}") == (403, INVALID)


def test_a_tampered_payload_is_refused(alice: Shopper, bob: Shopper) -> None:
    header, _, signature = alice.access_token.split(".")
    claims = {**claims_of(alice.access_token), "sub": str(bob.user_id)}
    payload = b64(json.dumps(claims).encode())

    assert me(alice.client, f"Token {header}.{payload}.{signature}") == (403, INVALID)


@pytest.mark.parametrize("token_type", ["refresh", "Access", ""])
def test_a_token_of_another_type_is_refused(alice: Shopper, token_type: str) -> None:
    claims = {**claims_of(alice.access_token), "token_type": token_type}
    token = jwt.encode(claims, TEST_SECRET_KEY, "HS256")

    assert me(alice.client, f"Token {token}") == (403, INVALID)


def test_a_token_without_a_session_claim_is_refused(alice: Shopper) -> None:
    claims = claims_of(alice.access_token)
    del claims["sid"]
    token = jwt.encode(claims, TEST_SECRET_KEY, "HS256")

    assert me(alice.client, f"Token {token}") == (403, INVALID)


def test_a_token_past_its_five_minutes_has_expired(alice: Shopper, clock: SteppingClock) -> None:
    clock.advance(299)
    assert me(alice.client, f"Token {alice.access_token}")[0] == 200

    clock.advance(1)

    assert me(alice.client, f"Token {alice.access_token}") == (403, EXPIRED)


def test_a_token_forged_with_the_servers_key_but_an_old_expiry_has_expired(
    alice: Shopper,
) -> None:
    claims = {**claims_of(alice.access_token), "exp": int(OPENING.timestamp()) - 1}
    token = jwt.encode(claims, TEST_SECRET_KEY, "HS256")

    assert me(alice.client, f"Token {token}") == (403, EXPIRED)


def test_an_expired_token_from_the_token_service_has_expired(alice: Shopper) -> None:
    yesterday = SteppingClock(OPENING - timedelta(days=1))
    service = JwtAccessTokenService(TEST_SECRET_KEY, timedelta(minutes=5), yesterday)
    token = service.issue(alice.user_id, claims_of(alice.access_token)["sid"])

    assert me(alice.client, f"Bearer {token}") == (403, EXPIRED)


def test_the_token_of_a_deactivated_user_is_refused_at_once(
    alice: Shopper, store: Webstore
) -> None:
    store.set_user_active(store.operator, "alice", False)

    assert me(alice.client, f"Token {alice.access_token}") == (403, INVALID)


def test_the_token_of_a_user_whose_password_changed_is_refused_at_once(
    alice: Shopper, store: Webstore
) -> None:
    store.change_password(store.operator, "alice", "a brand new secret")

    assert me(alice.client, f"Token {alice.access_token}") == (403, INVALID)


def test_a_token_of_a_user_that_does_not_exist_is_refused(alice: Shopper) -> None:
    claims = {**claims_of(alice.access_token), "sub": "999"}
    token = jwt.encode(claims, TEST_SECRET_KEY, "HS256")

    assert me(alice.client, f"Token {token}") == (403, INVALID)


def test_the_access_token_carries_the_promised_claims(alice: Shopper) -> None:
    claims = claims_of(alice.access_token)

    assert jwt.get_unverified_header(alice.access_token)["alg"] == "HS256"
    assert set(claims) >= {"sub", "iat", "exp", "jti", "iss", "token_type", "sid"}
    assert claims["sub"] == str(alice.user_id)
    assert claims["token_type"] == "access"
    assert claims["exp"] - claims["iat"] == 300
