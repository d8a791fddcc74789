"""The hour × weekday heatmap as cells ready for an SVG: position, colour, and what hover says."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CELL = 28  # px

# A sequential scale that stays readable for colour-blind users (viridis stops, low → high).
STOPS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], dtype=float)


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    colour: str
    title: str


def colour_for(score: float) -> str:
    position = np.clip(score, 0, 100) / 100 * (len(STOPS) - 1)
    low = int(np.floor(position))
    high = min(low + 1, len(STOPS) - 1)
    mix = STOPS[low] + (STOPS[high] - STOPS[low]) * (position - low)
    return "#{:02x}{:02x}{:02x}".format(*np.rint(mix).astype(int))


def cells(slot_scores: np.ndarray, slot_counts: np.ndarray) -> list[Cell]:
    return [
        Cell(
            x=hour * CELL,
            y=day * CELL,
            colour=colour_for(float(slot_scores[day, hour])),
            title=f"{DAY_NAMES[day]} {hour:02d}:00 — score {slot_scores[day, hour]:.0f}, "
            f"{int(slot_counts[day, hour])} post{'s' if slot_counts[day, hour] != 1 else ''}",
        )
        for day in range(7)
        for hour in range(24)
    ]


def legend() -> list[tuple[int, str]]:
    return [(score, colour_for(score)) for score in range(0, 101, 20)]


def in_words(sample_size: int, source: str, window_days: int) -> str:
    if source == "default":
        return f"No posts in the last {window_days} days yet: these are the platform's default times."
    posts = f"{sample_size} post{'s' if sample_size != 1 else ''}"
    if source == "blended":
        return f"Based on {posts} in the last {window_days} days, blended with platform defaults."
    return f"Based on {posts} in the last {window_days} days."
