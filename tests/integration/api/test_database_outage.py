"""SQLite locked past its busy timeout, or gone unreadable: 503 with Retry-After, then healed."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import fast_settings
from tests.integration.api.conftest import PASSWORD, answer
from webstore import bootstrap
from webstore.adapters.sql import engine
from webstore.application.store import Webstore
from webstore.entrypoints.web.app import create_app

UNAVAILABLE = (503, {"detail": "Service temporarily unavailable."})
STOOL = {"name": "Stool", "price": "5.00", "amount": 1}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def store(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Webstore]:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT", 0.3)  # fail fast instead of after 30 s
    built = bootstrap(fast_settings(f"sqlite:///{folder / 'webstore.db'}"), migrate=True)
    built.create_superuser("root", "root@example.com", PASSWORD)
    yield built
    built.uow.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def admin_client(store: Webstore) -> tuple[FlaskClient, dict[str, str]]:
    client = create_app(fast_settings(), store).test_client()
    login = client.post("/api/login_view", json={"username": "root", "password": PASSWORD})
    cookie = client.get_cookie("csrftoken")
    assert cookie is not None
    return client, {
        "Authorization": f"Token {login.json['access_token']}",  # type: ignore[index]
        "X-CSRFToken": cookie.value,
    }


def test_a_write_lock_held_past_the_busy_timeout_answers_503_then_heals(
    folder: Path, admin_client: tuple[FlaskClient, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    client, headers = admin_client
    other = sqlite3.connect(folder / "webstore.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    try:
        with caplog.at_level(logging.WARNING, logger="webstore.database"):
            for _ in range(3):
                response = client.post("/api/products", json=STOOL, headers=headers)
                assert answer(response) == UNAVAILABLE
                assert response.headers["Retry-After"] == "5"
            # Readers are not blocked by a writer (WAL): the listing still answers.
            assert client.get("/api/get_all_products", headers=headers).status_code == 200
    finally:
        other.rollback()
        other.close()

    assert client.post("/api/products", json=STOOL, headers=headers).status_code == 201
    messages = [record.getMessage() for record in caplog.records]
    assert sum("database unavailable" in m for m in messages) == 1, messages
    assert sum("database available again" in m for m in messages) == 1, messages
    assert not any(record.exc_info for record in caplog.records)


def test_a_database_file_that_cannot_be_opened_answers_503_then_heals(
    folder: Path, store: Webstore, admin_client: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, headers = admin_client
    store.uow.dispose()  # type: ignore[attr-defined]  # no connection left open on the file
    hidden = folder.rename(folder.with_name("elsewhere"))
    try:
        assert answer(client.get("/api/get_all_products", headers=headers)) == UNAVAILABLE
        health = client.get("/api/health")
        assert answer(health) == (503, {"status": "unavailable"})
        assert health.headers["Retry-After"] == "5"
    finally:
        hidden.rename(folder)

    assert client.get("/api/get_all_products", headers=headers).status_code == 200
    assert client.get("/api/health").status_code == 200


def test_every_operation_documents_the_503_and_its_retry_after() -> None:
    client = create_app(fast_settings()).test_client()
    document = client.get("/api/openapi.json").json
    assert document is not None

    operations = [
        op for path in document["paths"].values() for op in path.values() if isinstance(op, dict)
    ]
    assert operations
    for operation in operations:
        assert "503" in operation["responses"], operation["operationId"]
    headers = document["components"]["responses"]["Unavailable"]["headers"]
    assert "Retry-After" in headers
