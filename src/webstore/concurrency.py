"""How a process runs its requests side by side: a setting, said by the entrypoint that starts
the process and passed to the adapters by the composition root."""

from __future__ import annotations

from enum import StrEnum


class Concurrency(StrEnum):
    """Told to the adapters by the composition root (``bootstrap``), never guessed by them.

    ``THREADS``: native threads, or a single one (the CLI, tests, a threaded server); a call
    that blocks holds up only its own thread. ``COOPERATIVE``: a gevent worker (``webstore
    serve``), whose requests all run in one native thread: a call that blocks in C stops them
    all, so such calls run elsewhere (``off_loop.py``), and what the worker's greenlets take
    one after another can be kept between them (a SQLite reader, ``reading.py``).
    """

    THREADS = "threads"
    COOPERATIVE = "cooperative"
