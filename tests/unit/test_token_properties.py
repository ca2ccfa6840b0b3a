"""Properties of the three tokens: any single edit of an issued token makes it worthless."""

from __future__ import annotations

import base64
import string
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import TEST_SECRET_KEY, fast_settings
from tests.fakes import FakeClock, FakePasswordHasher, FakeRandom
from webstore import bootstrap
from webstore.adapters.signing import HmacCsrfTokenService, HmacRefreshTokenService
from webstore.adapters.tokens import JwtAccessTokenService, is_canonical_segment
from webstore.errors import CsrfFailed, InvalidToken

BASE64URL = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
TOKEN_CHARACTERS = BASE64URL + "."
ANY_TEXT = st.text(st.characters(exclude_categories=()))
USER_IDS = st.integers(min_value=1, max_value=2**63 - 1)
SESSION_IDS = st.text(BASE64URL, min_size=16, max_size=64)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def segment_edges(token: str) -> list[int]:
    """Where edits are most interesting: each segment's last character and each dot."""
    dots = [i for i, c in enumerate(token) if c == "."]
    return sorted({*dots, *(i - 1 for i in dots), len(token) - 1})


@st.composite
def single_edits(draw: st.DrawFn, token: str) -> str:
    """``token`` with one character replaced, inserted or deleted: never ``token`` itself."""
    where = st.one_of(st.sampled_from(segment_edges(token)), st.integers(0, len(token) - 1))
    position = draw(where)
    kind = draw(st.sampled_from(["replace", "insert", "delete"]))
    if kind == "delete":
        return token[:position] + token[position + 1 :]
    if kind == "insert":
        return token[:position] + draw(st.sampled_from(TOKEN_CHARACTERS)) + token[position:]
    others = [c for c in TOKEN_CHARACTERS if c != token[position]]
    return token[:position] + draw(st.sampled_from(others)) + token[position + 1 :]


def access_tokens() -> JwtAccessTokenService:
    return JwtAccessTokenService(TEST_SECRET_KEY, timedelta(minutes=5), FakeClock())


@given(USER_IDS, SESSION_IDS, st.data())
def test_any_single_edit_of_an_access_token_makes_it_invalid(
    user_id: int, session_id: str, data: st.DataObject
) -> None:
    service = access_tokens()
    edited = data.draw(single_edits(service.issue(user_id, session_id)))
    with pytest.raises(InvalidToken) as caught:
        service.verify(edited)
    assert type(caught.value) is InvalidToken


@given(ANY_TEXT)
def test_any_text_as_an_access_token_is_invalid_and_nothing_worse(text: str) -> None:
    with pytest.raises(InvalidToken):
        access_tokens().verify(text)


@given(st.binary())
def test_the_canonical_spelling_of_any_bytes_is_a_canonical_segment(raw: bytes) -> None:
    assert is_canonical_segment(b64(raw)) is bool(raw)


@given(st.binary(min_size=1).filter(lambda raw: len(raw) % 3 != 0), st.data())
def test_every_other_spelling_of_the_same_bytes_is_refused(raw: bytes, data: st.DataObject) -> None:
    canonical = b64(raw)
    spare_bits = 4 if len(raw) % 3 == 1 else 2  # bits of the last character that carry nothing
    last = BASE64URL.index(canonical[-1])
    noise = data.draw(st.integers(1, 2**spare_bits - 1))
    twin = canonical[:-1] + BASE64URL[last | noise]
    # Python's decoder reads both as the same bytes: only the canonical check tells them apart.
    assert base64.urlsafe_b64decode(twin + "=" * (-len(twin) % 4)) == raw
    assert not is_canonical_segment(twin)


@given(SESSION_IDS, st.integers(0, 999_999_999), st.data())
def test_any_single_edit_of_a_refresh_token_makes_it_unreadable(
    session_id: str, generation: int, data: st.DataObject
) -> None:
    service = HmacRefreshTokenService(TEST_SECRET_KEY, FakeRandom())
    issued = service.issue(session_id, generation)
    assert service.read(issued.token) is not None
    assert service.read(data.draw(single_edits(issued.token))) is None


@given(ANY_TEXT)
def test_any_text_as_a_refresh_token_is_unreadable(text: str) -> None:
    assert HmacRefreshTokenService(TEST_SECRET_KEY, FakeRandom()).read(text) is None


@given(USER_IDS, st.data())
def test_any_single_edit_of_a_csrf_token_makes_it_invalid(
    user_id: int, data: st.DataObject
) -> None:
    service = HmacCsrfTokenService(TEST_SECRET_KEY, FakeRandom())
    token = service.issue(user_id)
    assert service.is_valid(token, user_id)
    assert not service.is_valid(data.draw(single_edits(token)), user_id)


@given(USER_IDS, USER_IDS)
def test_a_csrf_token_is_valid_for_its_own_user_only(owner: int, other: int) -> None:
    service = HmacCsrfTokenService(TEST_SECRET_KEY, FakeRandom())
    assert service.is_valid(service.issue(owner), other) is (owner == other)


@given(st.one_of(st.none(), ANY_TEXT), st.one_of(st.none(), ANY_TEXT))
def test_any_csrf_header_and_cookie_that_were_not_issued_fail_as_csrf(
    header: str | None, cookie: str | None
) -> None:
    store = bootstrap(fast_settings(), clock=FakeClock(), hasher=FakePasswordHasher())
    store.register_user("alice", "alice@example.com", "down the rabbit hole")
    alice = store.authenticate(store.log_in("alice", "down the rabbit hole").access_token)
    with pytest.raises(CsrfFailed):
        store.check_csrf(header, cookie, alice)
