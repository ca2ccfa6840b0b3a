"""A CSRF token carries its issue time inside its signature and dies with the refresh lifetime."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.fakes import FakeClock, FakeRandom
from webstore.adapters.signing import HmacCsrfTokenService, derive_key

WEEK = timedelta(days=7)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def csrf(clock: FakeClock) -> HmacCsrfTokenService:
    return HmacCsrfTokenService(TEST_SECRET_KEY, FakeRandom(), clock, WEEK)


def test_a_token_is_good_for_the_refresh_lifetime_and_not_a_second_more(
    csrf: HmacCsrfTokenService, clock: FakeClock
) -> None:
    token = csrf.issue(7)

    clock.advance(WEEK.total_seconds())
    assert csrf.is_valid(token, 7)
    clock.advance(1)
    assert not csrf.is_valid(token, 7)


def test_the_issue_time_is_signed_so_it_cannot_be_moved(
    csrf: HmacCsrfTokenService, clock: FakeClock
) -> None:
    token = csrf.issue(7)
    nonce, issued, mac = token.split(".")
    clock.advance(WEEK.total_seconds() + 1)

    renewed = f"{nonce}.{int(issued) + 3600}.{mac}"

    assert not csrf.is_valid(renewed, 7)


def test_a_token_from_the_future_is_refused(clock: FakeClock) -> None:
    ahead = FakeClock(clock.now() + timedelta(hours=1))
    token = HmacCsrfTokenService(TEST_SECRET_KEY, FakeRandom(), ahead, WEEK).issue(7)

    assert not HmacCsrfTokenService(TEST_SECRET_KEY, FakeRandom(), clock, WEEK).is_valid(token, 7)


def test_a_token_from_a_node_a_few_seconds_ahead_is_accepted(clock: FakeClock) -> None:
    ahead = FakeClock(clock.now() + timedelta(seconds=5))
    token = HmacCsrfTokenService(TEST_SECRET_KEY, FakeRandom(), ahead, WEEK).issue(7)

    assert HmacCsrfTokenService(TEST_SECRET_KEY, FakeRandom(), clock, WEEK).is_valid(token, 7)


def test_a_token_of_the_earlier_form_without_an_issue_time_is_refused(
    csrf: HmacCsrfTokenService,
) -> None:
    nonce = "n" * 32
    digest = hmac.new(derive_key(TEST_SECRET_KEY, "csrf"), f"7.{nonce}".encode(), hashlib.sha256)
    old_form = f"{nonce}.{base64.urlsafe_b64encode(digest.digest()).rstrip(b'=').decode()}"

    assert not csrf.is_valid(old_form, 7)
