"""What a process costs, read from /proc: resident memory (with its children) and CPU seconds."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (a prefork worker is several processes)."""
    total = 0
    for each in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def machine() -> str:
    """This machine, and how fast it runs plain Python right now.

    A rough reference only (a 10-million-step Python loop, best of three): on the shared VM these
    figures come from, the same code ran at rates up to 1.5x apart within an hour while this stayed
    within 5 %, so compare figures taken at different times with care.
    """
    best = min(_loop_seconds() for _ in range(3))
    return (
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python"
        f" {platform.python_version()}; speed reference {best:.2f} s (10M-step loop, lower is faster)"
    )


def _loop_seconds() -> float:
    started = time.perf_counter()
    total = 0
    for step in range(10_000_000):
        total += step
    return time.perf_counter() - started


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every process, ours and others')."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")
