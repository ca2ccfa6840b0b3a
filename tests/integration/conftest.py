"""Fixtures shared by the integration tests of several folders."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.e2e.conftest import Stopping


@pytest.fixture(scope="session")
def stopping() -> Iterator[Stopping]:
    """Where servers go to stop: each test's own, stopped while the next test runs."""
    servers = Stopping()
    yield servers
    servers.wait()
