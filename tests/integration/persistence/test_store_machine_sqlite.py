"""The foundation's state machine, unchanged, over the SQLite adapters instead of memory."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings

from tests.conftest import fast_settings
from tests.fakes import FakePasswordHasher, FakeRandom
from tests.store_machine import StoreMachine
from webstore import Webstore, bootstrap
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory

_template: Path | None = None


def migrated_template() -> Path:
    """One migrated empty database, copied for every example (migrating each time is slower)."""
    global _template
    if _template is None:
        _template = Path(tempfile.mkdtemp(prefix="webstore-machine-")) / "template.db"
        upgrade(f"sqlite:///{_template}")
    return _template


class SqliteStoreMachine(StoreMachine):
    def make_store(self) -> Webstore:
        self.directory = Path(tempfile.mkdtemp(prefix="webstore-machine-"))
        database = self.directory / "store.db"
        shutil.copyfile(migrated_template(), database)
        self.uow = SqlAlchemyUnitOfWorkFactory.from_url(f"sqlite:///{database}")
        return bootstrap(
            fast_settings(f"sqlite:///{database}"),
            uow=self.uow,
            clock=self.clock,
            hasher=FakePasswordHasher(),
            random=FakeRandom(),
        )

    def teardown(self) -> None:
        self.uow.dispose()
        shutil.rmtree(self.directory, ignore_errors=True)


TestSqliteStore = SqliteStoreMachine.TestCase
TestSqliteStore.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
