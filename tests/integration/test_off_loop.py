"""Blocking calls handed to a native thread by a cooperative (gevent) process, and back.

Each case runs in a fresh interpreter that gevent has patched, as a ``webstore serve`` worker
is: the test process itself must stay unpatched.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from webstore.adapters.off_loop import run_off_loop
from webstore.concurrency import Concurrency


def run_patched(body: str) -> dict[str, object]:
    """Run ``body`` after gevent's ``patch_all``; it prints one JSON line, returned here."""
    script = "from gevent import monkey; monkey.patch_all()\n" + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_with_threads_the_call_runs_where_it_is() -> None:
    import threading

    threads = Concurrency.THREADS
    assert run_off_loop(threading.get_ident, concurrency=threads) == threading.get_ident()
    with pytest.raises(ZeroDivisionError):
        run_off_loop(lambda: 1 // 0, concurrency=threads)


def test_the_worker_goes_on_while_a_call_blocks_in_a_native_thread() -> None:
    result = run_patched(
        """
        import json, threading, time
        import gevent
        from gevent.monkey import get_original, is_module_patched
        from webstore.concurrency import Concurrency
        from webstore.adapters.off_loop import run_off_loop

        native_sleep = get_original("time", "sleep")
        ticks = []

        def ticker():
            for _ in range(20):
                ticks.append(time.monotonic())
                gevent.sleep(0.01)

        def blocking():
            native_sleep(0.3)  # holds its thread, as a commit waiting for the disk would
            return threading.get_ident()

        main = threading.get_ident()
        started = time.monotonic()
        tick = gevent.spawn(ticker)
        ran_in = run_off_loop(blocking, concurrency=Concurrency.COOPERATIVE)
        ended = time.monotonic()
        tick.join()
        print(json.dumps({
            "cooperative": is_module_patched("threading"),
            "elsewhere": ran_in != main,
            "ticks_meanwhile": sum(started < t < ended for t in ticks),
        }))
        """
    )
    assert result["cooperative"] is True
    assert result["elsewhere"] is True
    # Without the hand-off the loop would have stood still for the whole 0.3 s.
    ticks = result["ticks_meanwhile"]
    assert isinstance(ticks, int) and ticks >= 10, ticks


def test_many_callers_each_get_their_own_result_or_error() -> None:
    result = run_patched(
        """
        import json
        import gevent
        from webstore.concurrency import Concurrency
        from webstore.adapters.off_loop import run_off_loop

        def job(n):
            if n % 7 == 0:
                raise ValueError(n)
            return n * n

        def caller(n):
            try:
                return ["ok", run_off_loop(lambda: job(n), concurrency=Concurrency.COOPERATIVE)]
            except ValueError as error:
                return ["error", error.args[0]]

        greenlets = [gevent.spawn(caller, n) for n in range(500)]
        gevent.joinall(greenlets, timeout=30)
        print(json.dumps([g.value for g in greenlets]))
        """
    )
    expected = [["error", n] if n % 7 == 0 else ["ok", n * n] for n in range(500)]
    assert result == expected


def test_a_forked_child_hands_calls_off_too() -> None:
    # gunicorn forks its workers; a runner made before a fork belongs to the parent only.
    result = run_patched(
        """
        import json, os, threading
        from webstore.concurrency import Concurrency
        from webstore.adapters.off_loop import run_off_loop

        cooperative = Concurrency.COOPERATIVE
        main = threading.get_ident()
        assert run_off_loop(lambda: 1, concurrency=cooperative) == 1  # the parent's runner exists
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            elsewhere = lambda n: (n, threading.get_ident() != main)
            answers = [
                run_off_loop(lambda n=n: elsewhere(n), concurrency=cooperative) for n in range(50)
            ]
            os.write(write, json.dumps(answers).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        print(os.read(read, 65536).decode())
        """
    )
    assert result == [[n, True] for n in range(50)]


def test_a_caller_interrupted_while_waiting_still_waits_for_its_call_to_end() -> None:
    # What the call uses (a connection in the middle of its COMMIT) must not be touched, or
    # closed, before the call is over: a worker being stopped kills its greenlets.
    result = run_patched(
        """
        import json, time
        import gevent
        from gevent.monkey import get_original
        from webstore.concurrency import Concurrency
        from webstore.adapters.off_loop import run_off_loop

        native_sleep = get_original("time", "sleep")
        events = []

        def slow():
            native_sleep(0.3)
            events.append("call ended")

        def caller():
            try:
                run_off_loop(slow, concurrency=Concurrency.COOPERATIVE)
            except gevent.GreenletExit:
                events.append("caller interrupted")
                raise

        waiting = gevent.spawn(caller)
        gevent.sleep(0.05)
        waiting.kill(block=True, timeout=5)
        print(json.dumps(events))
        """
    )
    assert result == ["call ended", "caller interrupted"]
