"""A progress bar on the terminal for long work, and silence everywhere else."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

import click

LONG = 2000  # steps (an import takes two per product); shorter work ends before a bar helps


class TerminalProgress:
    """A ``(done, steps)`` callback drawing click's progress bar on stderr when it is a terminal.

    Nothing is drawn when stderr is redirected (logs, pipes, CI) or for short work.
    """

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: Any = None  # click's ProgressBar, once the work is known to be long
        self._done = 0

    def __enter__(self) -> TerminalProgress:
        return self

    def __call__(self, done: int, steps: int) -> None:
        if self._bar is None:
            if steps < LONG or not sys.stderr.isatty():
                return
            self._bar = click.progressbar(length=steps, label=self._label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
