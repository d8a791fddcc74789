"""How long the optimal-times engine takes to score 1k, 10k and 100k rows (target: 100k < 50 ms).

Run: .venv/bin/python bench/optimal_times_speed.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def median_ms(history: History) -> float:
    recommend("instagram", history)  # warm-up: first-call imports and caches
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        recommend("instagram", history)
        timings.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(timings)


def main() -> None:
    rng = np.random.default_rng(7)
    print(f"recommend() wall time, median of {REPEATS} runs")
    print(f"{'rows':>8} | {'median ms':>9}")
    print("-" * 21)
    for n in SIZES:
        print(f"{n:>8} | {median_ms(synthetic_history(n, rng)):>9.2f}")
    print("target: 100,000 rows < 50 ms")


if __name__ == "__main__":
    main()
