"""Long calls in C that must not stop a cooperative worker's other requests.

Under gevent every request of a worker runs in one thread, so a call that computes or blocks in
C for long (an Argon2 hash: a tenth of a second and more) stops them all for its duration: the
worker answers nothing else, and a group of writers it has open keeps SQLite's write lock all
that time. Such a call runs in one of gevent's native threads instead: its caller waits
cooperatively, the worker's other requests go on. Without gevent it is simply called.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def cooperative() -> bool:
    """Whether gevent has replaced this process's threads with greenlets."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def run_off_loop(call: Callable[[], T]) -> T:
    """``call()``, in a native thread when the process is cooperative (see the module)."""
    if not cooperative():
        return call()
    import gevent

    result: T = gevent.get_hub().threadpool.apply(call)
    return result
