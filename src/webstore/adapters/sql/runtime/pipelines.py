"""Several statements of a PostgreSQL writer in one round trip (psycopg's pipeline mode).

A checkout on PostgreSQL used to wait for the server eight times in its transaction: BEGIN,
then each statement, then COMMIT. Most of those waits need no answer before the next thing is
sent: psycopg sends BEGIN by itself before the first statement, and nothing that follows the
last write needs to know it succeeded before COMMIT. In pipeline mode psycopg sends such
statements one after the other and reads all their answers when the pipeline ends, in order;
the first error among them is raised there, exactly as it would have been by the statement
that failed (later ones are skipped, so nothing after a failed write is committed).

Only statements that go straight to the driver (``direct.py``) ride a pipeline, and the
pipeline ends before the driver is handed back: SQLAlchemy reads a cursor's description right
after executing, which in pipeline mode is not known yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webstore.adapters.sql.runtime.direct import DirectWrite, DriverAccess


@contextmanager
def answered_together(access: DriverAccess) -> Iterator[None]:
    """Statements run in the block on ``access``'s driver are sent at once and answered when
    the block ends (the first error among them is raised then): one round trip for all.

    Their cursors' rows are read after the block. If the block is interrupted while sending
    (a deadline, a killed greenlet), the connection is closed first: ending the pipeline
    would otherwise wait for answers from a server that may never give them.
    """
    driver: Any = access.pooled.driver_connection
    with driver.pipeline():
        try:
            yield
        except Exception:
            raise  # the server answers what was sent; the pipeline ends as usual
        except BaseException:
            driver.close()
            raise


@dataclass
class PendingWrites:
    """Writes that return nothing, to run just before a commit (``SqlAlchemyUnitOfWork``)."""

    writes: list[tuple[DirectWrite, list[Mapping[str, Any]]]] = field(default_factory=list)
    done: Callable[[], None] = lambda: None  # called once they are written

    def __bool__(self) -> bool:
        return any(rows for _, rows in self.writes)

    def run(self, access: DriverAccess) -> None:
        """Run them now, each in one call to the driver (a PostgreSQL writer may instead send
        them with its COMMIT: ``PlainWrite.commit_with``)."""
        for write, rows in self.writes:
            write.many(access, rows)
        self.done()
