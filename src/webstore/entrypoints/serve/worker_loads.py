"""How many connections each worker of a server holds, in memory all its workers share.

The master makes the table before it forks any worker, and gives each worker a slot of its
own through gunicorn's ``pre_fork`` hook; ``child_exit`` frees the slot when the worker is gone.
A worker writes its own count and reads the others' (one aligned integer each: no lock needed).
"""

from __future__ import annotations

import ctypes
import multiprocessing
from dataclasses import dataclass
from typing import Any

SLOTS = 64  # workers alive at once, with the old ones that finish during a reload
ABSENT = -1  # a slot without a worker, or whose worker takes no more connections


@dataclass(frozen=True)
class WorkerLoad:
    """One worker's slot in the table (made by the master for the worker it forks)."""

    table: Any  # ctypes array shared with the other workers
    slot: int

    def holds(self, connections: int) -> None:
        self.table[self.slot] = connections

    def withdraw(self) -> None:
        """This worker takes no more connections: the others stop comparing themselves to it."""
        self.table[self.slot] = ABSENT

    def fewest_elsewhere(self) -> int | None:
        """The fewest connections another worker holds (None when no other worker takes any)."""
        others = [held for slot, held in enumerate(self.table[:]) if slot != self.slot]
        return min((held for held in others if held != ABSENT), default=None)


class WorkerLoads:
    """The table, and the two gunicorn server hooks that hand its slots out (in the master)."""

    def __init__(self) -> None:
        self._table = multiprocessing.RawArray(ctypes.c_int, [ABSENT] * SLOTS)

    def pre_fork(self, server: Any, worker: Any) -> None:
        """gunicorn's ``pre_fork``: the worker about to be forked gets a free slot, if any."""
        loads = [getattr(other, "load", None) for other in server.WORKERS.values()]
        taken = {load.slot for load in loads if isinstance(load, WorkerLoad)}
        free = [slot for slot in range(SLOTS) if slot not in taken]
        worker.load = WorkerLoad(self._table, free[0]) if free else None
        if worker.load is not None:
            worker.load.holds(0)

    def child_exit(self, server: Any, worker: Any) -> None:
        """gunicorn's ``child_exit``: a dead worker's slot is free again."""
        load = getattr(worker, "load", None)
        if isinstance(load, WorkerLoad):
            load.withdraw()
