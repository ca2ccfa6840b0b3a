"""Use cases that lose a race for a versioned row try again instead of failing the caller."""

from __future__ import annotations

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakePasswordHasher, UnitOfWorkWrapper
from webstore import Webstore, bootstrap
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.application.errors import ConcurrentUpdate, InvalidToken, RefreshRejected
from webstore.application.ports import UnitOfWork


class LosesFirstCommit(UnitOfWorkWrapper):
    """A unit of work whose first ``commit`` loses to a concurrent writer, as a database's would."""

    def __init__(self, inner: UnitOfWork, factory: RacingFactory) -> None:
        super().__init__(inner)
        self._factory = factory

    def commit(self) -> None:
        if self._factory.conflicts_left:
            self._factory.conflicts_left -= 1
            raise ConcurrentUpdate()
        self._inner.commit()


class RacingFactory:
    def __init__(self) -> None:
        self._memory = InMemoryUnitOfWorkFactory()
        self.conflicts_left = 0

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return LosesFirstCommit(self._memory(read_only=read_only), self)  # type: ignore[return-value]


@pytest.fixture
def racing() -> RacingFactory:
    return RacingFactory()


@pytest.fixture
def store(racing: RacingFactory) -> Webstore:
    return bootstrap(fast_settings(), uow=racing, hasher=FakePasswordHasher(), clock=FakeClock())


def test_logging_out_while_a_refresh_rotates_the_session_still_logs_out(
    store: Webstore, racing: RacingFactory
) -> None:
    store.register_user("alice", "alice@example.com", "down the rabbit hole")
    login = store.log_in("alice", "down the rabbit hole")

    racing.conflicts_left = 1
    store.log_out(login.refresh_token, login.csrf_token)

    with pytest.raises(InvalidToken):
        store.authenticate(login.access_token)
    with pytest.raises(RefreshRejected):
        store.refresh(login.refresh_token, login.csrf_token)


def test_a_refresh_that_loses_a_race_tries_again(store: Webstore, racing: RacingFactory) -> None:
    store.register_user("alice", "alice@example.com", "down the rabbit hole")
    login = store.log_in("alice", "down the rabbit hole")

    racing.conflicts_left = 1
    refreshed = store.refresh(login.refresh_token, login.csrf_token)

    assert refreshed.refresh_token is not None
    assert store.authenticate(refreshed.access_token).username == "alice"


def test_an_in_memory_sqlite_url_is_refused_with_a_reason() -> None:
    from webstore.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="memory://"):
        bootstrap(fast_settings("sqlite://"))
