"""Server cost read from /proc: CPU time and resident memory of a server's worker processes."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields after "(command)", from the state on


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (gunicorn's workers, a shell's exec'd server's workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
            except (OSError, ValueError, IndexError):
                continue
    found: list[int] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU of these processes so far (a worker gone since counts as zero)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def rss_mb(pids: list[int]) -> float:
    """The largest resident set among these processes now, in MiB."""
    return _largest(pids, "VmRSS:")


def peak_rss_mb(pids: list[int]) -> float:
    """The largest resident set any of these processes has had since it started, in MiB
    (the kernel's high-water mark: what a worker needed at its worst, not only at the end)."""
    return _largest(pids, "VmHWM:")


def _largest(pids: list[int], field: str) -> float:
    largest = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith(field):
                largest = max(largest, int(line.split()[1]))
    return largest / 1024
