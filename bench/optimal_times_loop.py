"""The learning loop offline: bench/learning_loop.py's weeks without the database, in seconds.

    python bench/optimal_times_loop.py [--users 200] [--weeks 12] [--seed 20261130] [--follow 1.0]
                                       [--curves bumps|peaks] [--noise 0.25] [--variant base]

The same users, policies and regret as bench/learning_loop.py (see its docstring), with the
publishing and the harvest replaced by what they produce: each post's engagement = the hidden
curve at its weekday and hour x log-normal noise, read as the fake Blotato reads it (a day-1
reading at 0.6 of the final count from about 1.5 days after publishing, a day-7 reading at 0.9
from about 7.5 days, the younger one carrying maturity = age / 7). Chips come from the real
analytics.scheduling.ranked_slots on the real engine, so this measures the method, not the
plumbing; learning_loop.py checks the plumbing. Curves: `bumps` = the offline eval's generator
(any `--variant` of it), `peaks` = a morning and an evening peak like the fake's own.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediaposter.settings")
import django  # noqa: E402

django.setup()  # analytics.scheduling imports the models; nothing here touches the database

from optimal_times_eval import SCENARIOS, true_curve  # noqa: E402

from analytics.optimal_times import History, recommend  # noqa: E402
from analytics.scheduling import draw_seed, ranked_slots  # noqa: E402

POLICIES = ("mediaposter", "defaults", "naive")
PLATFORMS = ("twitter", "threads", "bluesky")
START = date(2026, 9, 7)  # a Monday
CHIPS = 3
BASE_LIKES, BASE_VIEWS = 60.0, 2500.0
DAY1_SHARE, DAY7_SHARE = 0.6, 0.9


def peaks_curve(rng: np.random.Generator) -> np.ndarray:
    """A morning and an evening peak over a floor, a level per weekday (the fake's own shape)."""
    hours = np.arange(24)
    rows = np.full(24, 0.15)
    for low, high, width, height in ((6.5, 10.5, (1.5, 3.0), (0.5, 1.2)), (16.5, 21.5, (1.5, 3.5), (0.8, 1.6))):
        centre, w, h = rng.uniform(low, high), rng.uniform(*width), rng.uniform(*height)
        gap = np.minimum(np.abs(hours - centre), 24 - np.abs(hours - centre))
        rows = rows + h * np.exp(-(gap**2) / (2 * w**2))
    return rng.uniform(0.7, 1.3, size=7)[:, None] * rows[None, :]


def regret(curve: np.ndarray, weekday: int, hour: int) -> float:
    row = curve[weekday]
    return float((row.max() - row[hour]) / (row.max() - row.mean()))


def history_at(posts: list[tuple[float, int, int, float]], now: float) -> History:
    """What the harvest would hold at `now` (days since START): (published, weekday, hour, final likes)."""
    rows = [(now - at, day, hour, likes) for at, day, hour, likes in posts if now - at >= 1.5]
    if not rows:
        return History.empty()
    age, day, hour, likes = (np.array(column) for column in zip(*rows, strict=True))
    share = np.where(age >= 7.5, DAY7_SHARE, DAY1_SHARE)
    n = age.size
    return History(
        hour=hour.astype(np.int64),
        weekday=day.astype(np.int64),
        age_days=age,
        views=np.rint(likes * share * BASE_VIEWS / BASE_LIKES),
        likes=np.floor(likes * share),
        comments=np.zeros(n),
        shares=np.zeros(n),
        saves=np.zeros(n),
        followers=np.full(n, np.nan),
        maturity=np.where(age >= 7.5, 1.0, np.maximum(age / 7.0, 0.1)),
    )


def chips(policy: str, index: int, platform: str, day: date, history: History, defaults) -> list[int]:
    free = [datetime(day.year, day.month, day.day, hour) for hour in range(24)]
    if day.weekday() == 0:
        free = free[1:]  # the week is planned on Monday 00:00: that hour is not in the future
    if policy == "mediaposter":
        ranked = ranked_slots(free, recommend(platform, history), draw_seed(index, platform, day))
        return [s.local.hour for s in ranked[:CHIPS]]
    ranked = [s.local.hour for s in ranked_slots(free, defaults[platform], 0)]
    if policy == "naive" and len(history):
        count = np.bincount(history.hour, minlength=24)
        mean = np.bincount(history.hour, history.likes, minlength=24) / np.maximum(count, 1)
        ranked = sorted(ranked, key=lambda h: (count[h] == 0, -mean[h]))
    return ranked[:CHIPS]


def simulate(args) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(args.seed)
    scenario = SCENARIOS[args.variant]
    curves = [
        np.exp(true_curve(rng, scenario)) if args.curves == "bumps" else peaks_curve(rng) for _ in range(args.users)
    ]
    platforms = [PLATFORMS[n] for n in rng.integers(len(PLATFORMS), size=args.users)]
    defaults = {platform: recommend(platform, History.empty()) for platform in PLATFORMS}
    posts = {policy: [[] for _ in range(args.users)] for policy in POLICIES}
    regrets = {policy: np.zeros((args.weeks, args.users)) for policy in POLICIES}
    for week in range(args.weeks):
        now = 7.0 * week
        for user in range(args.users):
            days = sorted(rng.choice(7, size=rng.integers(3, 8), replace=False))
            takes = [0 if rng.random() < args.follow else int(rng.integers(1, CHIPS)) for _ in days]
            noise = rng.lognormal(0.0, args.noise, size=len(days))
            for policy in POLICIES:
                history = history_at(posts[policy][user], now)
                week_regret = []
                for offset, take, wobble in zip(days, takes, noise, strict=True):
                    day = START + timedelta(days=int(7 * week + offset))
                    offered = chips(policy, user, platforms[user], day, history, defaults)
                    hour = offered[min(take, len(offered) - 1)]
                    likes = BASE_LIKES * curves[user][day.weekday(), hour] * wobble
                    posts[policy][user].append((now + offset + hour / 24.0, day.weekday(), hour, likes))
                    week_regret.append(regret(curves[user], day.weekday(), hour))
                regrets[policy][week, user] = np.mean(week_regret)
    return regrets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--follow", type=float, default=1.0)
    parser.add_argument("--curves", choices=["bumps", "peaks"], default="bumps")
    parser.add_argument("--noise", type=float, default=0.25)
    parser.add_argument("--variant", choices=list(SCENARIOS), default="base")
    parser.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE", help="try a constant")
    args = parser.parse_args()
    for assignment in args.set:
        name, value = assignment.split("=", 1)
        module, constant = name.rsplit(".", 1)
        setattr(importlib.import_module(f"analytics.{module}"), constant, ast.literal_eval(value))
    regrets = simulate(args)
    print(
        f"{args.users} users, follow {args.follow}, curves {args.curves} ({args.variant}), noise {args.noise}, "
        f"seed {args.seed} {' '.join(args.set)}; mean regret per week (user-weighted)"
    )
    print("| week | MediaPoster | defaults | naive | MediaPoster / defaults |")
    print("|---:|---:|---:|---:|---:|")
    for week in range(args.weeks):
        ours, default, naive = (float(regrets[p][week].mean()) for p in POLICIES)
        flag = " <- not below naive" if week and ours >= naive else ""
        flag += " <- above half the defaults" if week >= 6 and ours > 0.5 * default else ""
        print(f"| {week + 1} | {ours:.3f} | {default:.3f} | {naive:.3f} | {ours / default:.2f} |{flag}")
    late = {policy: float(regrets[policy][6:].mean()) for policy in POLICIES}
    print(
        f"weeks 7+: MediaPoster {late['mediaposter']:.3f}, defaults {late['defaults']:.3f}, naive {late['naive']:.3f}; "
        f"all weeks: MediaPoster {regrets['mediaposter'].mean():.3f}, naive {regrets['naive'].mean():.3f}"
    )


if __name__ == "__main__":
    main()
