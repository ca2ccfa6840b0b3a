"""Several statements of a PostgreSQL connection in one round trip (psycopg's pipeline mode).

In pipeline mode psycopg sends statements one after the other and reads all their answers
when the pipeline ends, in order; the first error among them is raised there, as the
statement that failed would have raised it, and the ones after it are skipped. Three waits of
a writer need no answer before what follows is sent: the BEGIN psycopg sends before a
transaction's first statement (``execute_begun``), the writes that need no answer before the
COMMIT, and the COMMIT itself (``last_writes.py``, ``commit_sent``): a checkout waits for the
server once while its products are locked, and the answer to its COMMIT comes with that wait.

A pipeline ends before the driver is handed back: SQLAlchemy reads a cursor's description
right after executing, which in pipeline mode is not known yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webstore.adapters.sql.runtime.direct import DriverAccess

_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: no transaction begun on the connection
_OFF = 0  # psycopg.pq.PipelineStatus.OFF: the connection is out of pipeline mode


@contextmanager
def answered_together(access: DriverAccess) -> Iterator[Any]:
    """Statements run in the block on ``access``'s driver are sent at once and answered when
    the block ends (the first error among them is raised then): one round trip for all.

    Their cursors' rows are read after the block. If the block is interrupted while sending
    (a deadline, a killed greenlet), the connection is closed first: ending the pipeline
    would otherwise wait for answers from a server that may never give them. So too if the
    pipeline could not end (its backend terminated, the error read before the connection's
    end): the connection is left in pipeline mode, where no ROLLBACK can be sent, and closed,
    it is seen as lost (``driver_error``) rather than handed back to the pool.
    """
    driver: Any = access.pooled.driver_connection
    try:
        with driver.pipeline() as pipeline:
            try:
                yield pipeline
            except Exception:
                raise  # the server answers what was sent; the pipeline ends as usual
            except BaseException:
                driver.close()
                raise
    except Exception:
        if not driver.closed and driver.pgconn.pipeline_status != _OFF:
            driver.close()
        raise


def begins_transaction(access: DriverAccess) -> bool:
    """Whether the next statement on ``access`` is the first of a PostgreSQL transaction, before
    which psycopg sends a BEGIN of its own and waits for its answer."""
    if access.dialect.name != "postgresql":
        return False
    driver: Any = access.pooled.driver_connection
    return not driver.autocommit and driver.pgconn.transaction_status == _IDLE


def execute_begun(access: DriverAccess, cursor: Any, sql: str, parameters: Any) -> None:
    """``cursor.execute`` of the first statement of a transaction, with psycopg's BEGIN sent
    just before it in one pipeline: one round trip for both (its rows are read after).

    psycopg itself would wait for the BEGIN's answer first, even in a pipeline. Its BEGIN (the
    same words, with the connection's isolation level) is queued and sent here instead; once
    it is sent, the connection is no longer idle, so psycopg sends no other.
    """
    driver: Any = access.pooled.driver_connection
    with answered_together(access) as pipeline:
        with driver.lock:
            driver.wait(driver._exec_command(driver._get_tx_start_command()))
            driver.wait(pipeline._communicate_gen())
        cursor.execute(sql, parameters)


def commit_sent(cursor: Any) -> None:
    """Queue, in the pipeline being sent, the COMMIT of the transaction: it goes with the
    statements before it and is answered with them, when the pipeline ends.

    If one of them fails, the server skips everything up to the pipeline's end, the COMMIT
    too; the transaction is then left failed, for the unit of work's rollback. Otherwise the
    connection is idle once the pipeline ends, and psycopg's own commit sends nothing.

    A statement of the cursor rather than ``Connection.commit()``: that one ends the pipeline
    with a Sync of its own and the pipeline's end sends another, a second wait for nothing.
    Never prepared, so that it is always sent as its words (``Parse`` of ``COMMIT``), as
    what watches for a COMMIT on the wire or in ``pg_stat_activity`` sees it.
    """
    cursor.execute("COMMIT", prepare=False)
