from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.fakes import SHOP_OPENING, FakeClock
from webstore.adapters.tokens import REQUIRED_CLAIMS, JwtAccessTokenService, is_canonical_segment
from webstore.application.dto import AccessClaims
from webstore.errors import InvalidToken, TokenExpired

ANOTHER_KEY = b"another-secret-key-of-at-least-32-bytes"
FIVE_MINUTES = timedelta(minutes=5)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forge(
    claims: dict[str, Any],
    *,
    alg: str = "HS256",
    key: bytes = TEST_SECRET_KEY,
    digest: Callable[[], Any] = hashlib.sha256,
) -> str:
    """A JWT made by hand, as an attacker (or a careless issuer) would make it."""
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = f"{header}.{b64(json.dumps(claims).encode())}"
    signature = "" if alg == "none" else b64(hmac.new(key, body.encode(), digest).digest())
    return f"{body}.{signature}"


def good_claims(**changes: object) -> dict[str, Any]:
    iat = int(SHOP_OPENING.timestamp())
    claims = {
        "sub": "7",
        "iat": iat,
        "exp": iat + 300,
        "jti": "0123456789abcdef0123456789abcdef",
        "iss": "webstore",
        "token_type": "access",
        "sid": "tea-party-session",
    }
    return {**claims, **changes}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(clock: FakeClock) -> JwtAccessTokenService:
    return JwtAccessTokenService(TEST_SECRET_KEY, FIVE_MINUTES, clock)


def test_an_access_token_carries_the_agreed_claims(service: JwtAccessTokenService) -> None:
    token = service.issue(7, "tea-party-session")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert set(claims) == set(REQUIRED_CLAIMS)
    iat = int(SHOP_OPENING.timestamp())
    assert claims == good_claims(jti=claims["jti"])
    assert (claims["iat"], claims["exp"]) == (iat, iat + 300)
    assert len(claims["jti"]) == 32 and int(claims["jti"], 16) >= 0


def test_every_access_token_has_its_own_id(service: JwtAccessTokenService) -> None:
    first, second = (service.issue(7, "tea-party-session") for _ in range(2))
    assert (
        jwt.decode(first, options={"verify_signature": False})["jti"]
        != jwt.decode(second, options={"verify_signature": False})["jti"]
    )


def test_a_valid_token_gives_back_the_user_and_the_session(
    service: JwtAccessTokenService,
) -> None:
    assert service.verify(service.issue(7, "tea-party-session")) == AccessClaims(
        7, "tea-party-session"
    )
    assert service.verify(forge(good_claims())) == AccessClaims(7, "tea-party-session")


def test_expiry_follows_the_injected_clock_not_the_wall_clock(
    service: JwtAccessTokenService, clock: FakeClock
) -> None:
    token = service.issue(7, "tea-party-session")
    clock.advance(299)
    assert service.verify(token).user_id == 7
    clock.advance(1)
    with pytest.raises(TokenExpired, match=r"^access_token expired$"):
        service.verify(token)


@pytest.mark.parametrize(
    "when", [datetime(2001, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC)]
)
def test_a_token_is_valid_for_its_lifetime_whatever_the_year(when: datetime) -> None:
    service = JwtAccessTokenService(TEST_SECRET_KEY, FIVE_MINUTES, FakeClock(when))
    assert service.verify(service.issue(7, "tea-party-session")).session_id == "tea-party-session"


def assert_invalid(service: JwtAccessTokenService, token: str) -> None:
    with pytest.raises(InvalidToken) as caught:
        service.verify(token)
    assert type(caught.value) is InvalidToken


@pytest.mark.parametrize(
    ("alg", "key", "digest"),
    [
        ("none", b"", hashlib.sha256),
        ("HS512", TEST_SECRET_KEY, hashlib.sha512),
        ("HS384", TEST_SECRET_KEY, hashlib.sha384),
        ("HS256", ANOTHER_KEY, hashlib.sha256),
        ("HS512", TEST_SECRET_KEY, hashlib.sha256),  # header and signature disagree
    ],
    ids=["alg-none", "HS512-same-key", "HS384-same-key", "another-key", "lying-header"],
)
def test_only_hs256_with_the_servers_key_is_accepted(
    service: JwtAccessTokenService, alg: str, key: bytes, digest: Callable[[], Any]
) -> None:
    assert_invalid(service, forge(good_claims(), alg=alg, key=key, digest=digest))


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_a_token_missing_any_claim_is_invalid(service: JwtAccessTokenService, claim: str) -> None:
    claims = good_claims()
    del claims[claim]
    assert_invalid(service, forge(claims))


@pytest.mark.parametrize(
    "changes",
    [
        {"token_type": "refresh"},
        {"iss": "someone-else"},
        {"sub": 7},
        {"sub": "0"},
        {"sub": "-7"},
        {"sub": "07"},
        {"sub": "seven"},
        {"sid": ""},
        {"sid": 42},
        {"exp": "never"},
        {"exp": 1.5e12},
    ],
    ids=lambda changes: "-".join(f"{k}={v}" for k, v in changes.items()),
)
def test_a_token_with_a_claim_of_the_wrong_kind_is_invalid(
    service: JwtAccessTokenService, changes: dict[str, object]
) -> None:
    assert_invalid(service, forge(good_claims(**changes)))


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b", "a.b.c.d", "..", "a.b.c", "Bearer x.y.z"],
)
def test_a_malformed_token_is_invalid(service: JwtAccessTokenService, token: str) -> None:
    assert_invalid(service, token)


def test_a_token_whose_last_character_is_spelled_non_canonically_is_invalid(
    service: JwtAccessTokenService,
) -> None:
    token = service.issue(7, "tea-party-session")
    header, payload, signature = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    index = alphabet.index(signature[-1])
    # 43 characters carry 258 bits for 256: the last character's two low bits are padding
    twin = signature[:-1] + alphabet[index | 1]
    assert twin != signature
    assert base64.urlsafe_b64decode(twin + "=") == base64.urlsafe_b64decode(signature + "=")
    assert_invalid(service, f"{header}.{payload}.{twin}")


@pytest.mark.parametrize(
    ("segment", "canonical"),
    [
        ("QQ", True),
        ("QR", False),
        ("QUI", True),
        ("QUJ", False),
        ("QUJD", True),
        ("Q", False),
        ("", False),
        ("QQ==", False),
        ("Q+Q", False),
        ("Q/Q", False),
    ],
)
def test_a_segment_is_canonical_only_in_its_one_unpadded_base64url_spelling(
    segment: str, canonical: bool
) -> None:
    assert is_canonical_segment(segment) is canonical


def test_a_token_verified_once_and_then_altered_is_refused(
    service: JwtAccessTokenService,
) -> None:
    token = service.issue(7, "tea-party-session")
    assert service.verify(token).user_id == 7  # now known to this process
    header, claims, signature = token.split(".")
    altered = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    altered["sub"] = "8"
    with pytest.raises(InvalidToken):
        service.verify(f"{header}.{b64(json.dumps(altered).encode())}.{signature}")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(InvalidToken):
        service.verify(f"{header}.{claims}.{flipped}")
    assert service.verify(token).user_id == 7


def test_a_refused_token_is_refused_every_time(service: JwtAccessTokenService) -> None:
    forged = forge(good_claims(), key=b"not the key" * 4)
    for _ in range(3):
        with pytest.raises(InvalidToken):
            service.verify(forged)


def test_tokens_verified_long_ago_are_forgotten_and_verified_again(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    monkeypatch.setattr("webstore.adapters.tokens.VERIFIED_KEPT", 3)
    service = JwtAccessTokenService(TEST_SECRET_KEY, FIVE_MINUTES, clock)
    tokens = [service.issue(user_id, f"session-{user_id}") for user_id in range(1, 8)]
    for user_id, token in enumerate(tokens, start=1):
        assert service.verify(token) == AccessClaims(user_id, f"session-{user_id}")
    assert len(service._verified) == 3  # bounded memory, whatever the number of clients
    assert service.verify(tokens[0]) == AccessClaims(1, "session-1")  # verified afresh
    clock.advance(300)
    for token in tokens:
        with pytest.raises(TokenExpired):
            service.verify(token)
