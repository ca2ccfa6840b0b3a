from __future__ import annotations

import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.fakes import FakeRandom
from webstore.adapters.signing import HmacCsrfTokenService, HmacRefreshTokenService, token_hash
from webstore.application.dto import PresentedRefreshToken

ANOTHER_KEY = b"another-secret-key-of-at-least-32-bytes"
SESSION = "tea-party-session-0001"


@pytest.fixture
def refresh() -> HmacRefreshTokenService:
    return HmacRefreshTokenService(TEST_SECRET_KEY, FakeRandom())


@pytest.fixture
def csrf() -> HmacCsrfTokenService:
    return HmacCsrfTokenService(TEST_SECRET_KEY, FakeRandom())


def test_an_authentic_refresh_token_reads_as_its_session_and_generation(
    refresh: HmacRefreshTokenService,
) -> None:
    issued = refresh.issue(SESSION, 3)
    assert issued.token.startswith(f"{SESSION}.3.")
    assert issued.token_hash == token_hash(issued.token)
    assert refresh.read(issued.token) == PresentedRefreshToken(SESSION, 3, issued.token_hash)


def test_storage_keeps_a_hash_of_the_refresh_token_not_the_token(
    refresh: HmacRefreshTokenService,
) -> None:
    issued = refresh.issue(SESSION, 0)
    assert len(issued.token_hash) == 64
    assert issued.token not in issued.token_hash


def test_every_refresh_token_is_new_even_for_the_same_session_and_generation(
    refresh: HmacRefreshTokenService,
) -> None:
    assert refresh.issue(SESSION, 0).token != refresh.issue(SESSION, 0).token


def test_a_refresh_token_from_another_key_is_not_authentic(
    refresh: HmacRefreshTokenService,
) -> None:
    foreign = HmacRefreshTokenService(ANOTHER_KEY, FakeRandom()).issue(SESSION, 0)
    assert refresh.read(foreign.token) is None


def test_changing_any_character_of_a_refresh_token_makes_it_unreadable(
    refresh: HmacRefreshTokenService,
) -> None:
    token = refresh.issue(SESSION, 12).token
    for position, original in enumerate(token):
        for replacement in {"A", "0", "_", "."} - {original}:
            changed = token[:position] + replacement + token[position + 1 :]
            assert refresh.read(changed) is None, (position, replacement)


def test_a_claimed_generation_cannot_be_changed(refresh: HmacRefreshTokenService) -> None:
    session, _, nonce, mac = refresh.issue(SESSION, 1).token.split(".")
    for generation in ("0", "2", "01", "10"):
        assert refresh.read(f"{session}.{generation}.{nonce}.{mac}") is None


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b.c.d", f"{SESSION}.0.nonce.mac", "x" * 4096, "\ud800", "é" * 200],
)
def test_a_malformed_refresh_token_is_unreadable(
    refresh: HmacRefreshTokenService, token: str
) -> None:
    assert refresh.read(token) is None


def test_a_csrf_token_is_signed_for_the_user_it_was_issued_to(
    csrf: HmacCsrfTokenService,
) -> None:
    token = csrf.issue(7)
    assert csrf.is_valid(token, 7)
    for someone_else in (1, 17, 70, 77):
        assert not csrf.is_valid(token, someone_else)


def test_a_csrf_token_from_another_key_is_not_valid(csrf: HmacCsrfTokenService) -> None:
    foreign = HmacCsrfTokenService(ANOTHER_KEY, FakeRandom()).issue(7)
    assert not csrf.is_valid(foreign, 7)


def test_changing_any_character_of_a_csrf_token_makes_it_invalid(
    csrf: HmacCsrfTokenService,
) -> None:
    token = csrf.issue(7)
    for position, original in enumerate(token):
        for replacement in {"A", "0", "_", "."} - {original}:
            assert not csrf.is_valid(token[:position] + replacement + token[position + 1 :], 7)


def test_a_refresh_token_never_passes_for_a_csrf_token(
    refresh: HmacRefreshTokenService, csrf: HmacCsrfTokenService
) -> None:
    assert not csrf.is_valid(refresh.issue("7" * 16, 0).token, 7)


@pytest.mark.parametrize("token", ["", "garbage", "a.b", "x" * 32 + "." + "y" * 43, "\ud800"])
def test_a_malformed_csrf_token_is_invalid(csrf: HmacCsrfTokenService, token: str) -> None:
    assert not csrf.is_valid(token, 7)
