"""The fast lane for plain listings, when the database fails or a use case breaks.

It hands a request on to Flask only when a use case refused it (Flask's checks then decide
what the client hears); a database that cannot answer, or a failure nobody expected, is
answered at once with the very answer Flask gives, never tried a second time.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from werkzeug.test import Client

from tests.conftest import fast_settings
from tests.fakes import FakeClock
from tests.integration.api.test_fast_listings import CountingFollower, comparable, fast_lane
from webstore import Webstore, bootstrap
from webstore.adapters.sql import engine
from webstore.config import Settings
from webstore.entrypoints.web.app import create_app

PASSWORD = "correct horse battery staple"
SHOP = "https://shop.example.com"
PLAIN = ["/api/get_all_products", "/api/get_order/"]
UNAVAILABLE = {"detail": "Service temporarily unavailable."}
BUSY_TIMEOUT = 1.5  # seconds SQLite waits for a lock before the request is answered 503


class BreakableClock(FakeClock):
    """A clock that fails once broken: a bug that every use case reading the time meets."""

    broken = False

    def now(self) -> datetime:
        if self.broken:
            raise RuntimeError("the clock broke")
        return super().now()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def clock() -> BreakableClock:
    return BreakableClock()


@pytest.fixture
def settings(folder: Path) -> Settings:
    return fast_settings(f"sqlite:///{folder / 'webstore.db'}", cors_origins=(SHOP,), metrics=True)


@pytest.fixture
def store(
    settings: Settings, clock: BreakableClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Webstore]:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT", BUSY_TIMEOUT)  # not 30 s
    built = bootstrap(settings, clock=clock, migrate=True)
    built.create_superuser("root", "root@example.com", PASSWORD)
    built.register_user("alice", "alice@example.com", PASSWORD)
    yield built
    built.uow.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def apps(settings: Settings, store: Webstore) -> tuple[Flask, Client]:
    """The app, and a twin over the same store that answers every request with Flask."""
    app, twin = create_app(settings, store), create_app(settings, store)
    observer = twin.wsgi_app
    observer.app = fast_lane(twin).following  # type: ignore[attr-defined]
    return app, twin.test_client()


@pytest.fixture
def tokens(store: Webstore) -> dict[str, str]:
    return {
        "alice": f"Token {store.log_in('alice', PASSWORD).access_token}",
        "root": f"Token {store.log_in('root', PASSWORD).access_token}",
        "tampered": f"Token {store.log_in('alice', PASSWORD).access_token[:-2]}xx",
        "basic": "Basic YWxpY2U6cGFzc3dvcmQ=",
    }


@pytest.fixture
def unreachable(folder: Path, store: Webstore) -> Iterator[None]:
    """The database file gone from where the store looks for it."""
    store.uow.dispose()  # type: ignore[attr-defined]  # no connection left open on it
    hidden = folder.rename(folder.with_name("elsewhere"))
    yield
    hidden.rename(folder)


@given(
    path=st.sampled_from([*PLAIN, "/api/get_order?category=completed"]),
    who=st.sampled_from(["alice", "root", "tampered", "basic"]),
    origin=st.sampled_from([None, SHOP, "https://elsewhere.example"]),
)
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_while_the_database_is_unreachable_every_listing_gets_flasks_answer_once(
    apps: tuple[Flask, Client],
    tokens: dict[str, str],
    unreachable: None,
    path: str,
    who: str,
    origin: str | None,
) -> None:
    app, flask_only = apps
    headers = {"Authorization": tokens[who], "X-Request-ID": "req-7"}
    if origin is not None:
        headers["Origin"] = origin
    follower = CountingFollower(fast_lane(app))
    fast = app.test_client().get(path, headers=headers)
    expected = flask_only.get(path, headers=headers)

    assert comparable(fast, True) == comparable(expected, True)
    refused = 400 <= expected.status_code < 500
    assert follower.handed_on == (1 if refused or "?" in path else 0)
    if who in ("alice", "root"):
        assert (fast.status_code, fast.json) == (503, UNAVAILABLE)


def test_a_listing_waits_for_a_locked_database_once(
    apps: tuple[Flask, Client], tokens: dict[str, str], folder: Path, store: Webstore
) -> None:
    app, _ = apps
    store.uow.dispose()  # type: ignore[attr-defined]
    follower = CountingFollower(fast_lane(app))
    with closing(sqlite3.connect(folder / "webstore.db", isolation_level=None)) as locker:
        locker.execute("PRAGMA locking_mode = EXCLUSIVE")  # no reader gets in either
        locker.execute("BEGIN EXCLUSIVE")
        locker.execute("UPDATE catalogue_version SET version = version")
        started = time.monotonic()
        answer = app.test_client().get(PLAIN[0], headers={"Authorization": tokens["alice"]})
        waited = time.monotonic() - started
        locker.execute("ROLLBACK")

    assert (answer.status_code, answer.json) == (503, UNAVAILABLE)
    assert answer.headers["Retry-After"] == "5"
    assert follower.handed_on == 0
    assert waited < 1.6 * BUSY_TIMEOUT, f"waited {waited:.1f} s for a busy timeout of 1.5 s"


def test_an_unexpected_failure_is_answered_500_at_once_and_logged_once(
    apps: tuple[Flask, Client],
    tokens: dict[str, str],
    clock: BreakableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, flask_only = apps
    headers = {"Authorization": tokens["alice"], "X-Request-ID": "req-500"}
    follower = CountingFollower(fast_lane(app))
    clock.broken = True
    with caplog.at_level(logging.ERROR):
        fast = app.test_client().get(PLAIN[0], headers=headers)

    assert fast.status_code == 500
    assert fast.json == {"detail": "A server error occurred.", "request_id": "req-500"}
    assert follower.handed_on == 0
    failed = [r for r in caplog.records if "request req-500 failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is not None
    assert comparable(fast, True) == comparable(flask_only.get(PLAIN[0], headers=headers), True)


def test_requests_handed_on_to_flask_are_counted_in_the_metrics(
    apps: tuple[Flask, Client], tokens: dict[str, str]
) -> None:
    app, _ = apps
    client = app.test_client()
    assert client.get(PLAIN[0], headers={"Authorization": tokens["alice"]}).status_code == 200
    for _ in range(2):
        refused = client.get(PLAIN[1], headers={"Authorization": tokens["tampered"]})
        assert refused.status_code == 403
    assert client.get(PLAIN[0], headers={"Authorization": tokens["basic"]}).status_code == 403

    exposed = client.get("/metrics").get_data(as_text=True)

    assert 'webstore_fast_listing_fallbacks_total{reason="InvalidToken"} 2.0' in exposed
    assert 'webstore_fast_listing_fallbacks_total{reason="NotAuthenticated"} 1.0' in exposed
