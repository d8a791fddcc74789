"""How long the optimal-times engine takes to score 1k, 10k and 100k rows (target: 100k <= 20 ms).

Run: .venv/bin/python bench/optimal_times_speed.py

Wall time and this process's CPU time: on a machine shared with other jobs, the CPU time is the
steadier of the two (it does not count the time spent waiting for a core).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from process_stats import machine  # noqa: E402

from analytics.optimal_times import History, recommend  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
REPEATS = 25


def synthetic_history(n: int, rng: np.random.Generator) -> History:
    likes = rng.lognormal(4.0, 1.0, size=n)
    followers = rng.lognormal(9.0, 0.5, size=n)
    followers[rng.random(n) < 0.3] = np.nan  # some rows without a follower snapshot
    return History(
        hour=rng.integers(0, 24, size=n),
        weekday=rng.integers(0, 7, size=n),
        age_days=rng.uniform(0.0, 120.0, size=n),  # a quarter fall outside the 90-day window
        views=likes * 30.0,
        likes=likes,
        comments=likes * 0.05,
        shares=likes * 0.02,
        saves=likes * 0.03,
        followers=followers,
    )


def median_ms(history: History) -> tuple[float, float]:
    """Median wall and CPU milliseconds of one recommend() call."""
    recommend("instagram", history)  # warm-up: first-call imports and caches
    wall, cpu = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        recommend("instagram", history)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return 1000.0 * statistics.median(wall), 1000.0 * statistics.median(cpu)


def main() -> None:
    rng = np.random.default_rng(7)
    print(machine())
    print(f"recommend() time, median of {REPEATS} runs")
    print(f"{'rows':>8} | {'wall ms':>8} | {'CPU ms':>8}")
    print("-" * 32)
    for n in SIZES:
        wall, cpu = median_ms(synthetic_history(n, rng))
        print(f"{n:>8} | {wall:>8.2f} | {cpu:>8.2f}")
    print("target: 100,000 rows <= 20 ms")


if __name__ == "__main__":
    main()
