"""Learning-loop benchmark: does publishing through MediaPoster make its best times better, week by week?

    python bench/learning_loop.py [--users 30] [--weeks 12] [--seed 20261130] [--curves bumps|fake]
                                  [--follow 1.0] [--noise 0.25] [--zone America/New_York]

Simulated users whose true weekday x hour engagement curve is hidden in the fake Blotato (the
`analytics_curves` knob, counted in the users' zone). Each week every user picks 3-7 days and
schedules one post a day at the time the policy offers first for that day (with `--follow` below 1
they take one of the other two chips the dialog shows instead, that share of the time). Three
populations, each with the same hidden curves, platforms, days and chip choices, each learning
only from its own posts:

- mediaposter: the schedule dialog's chips (analytics.scheduling.free_slots on engine_answer);
- defaults: the same chips from the engine with no history (the platform's prior);
- naive: the free hours of the day ranked by mean engagement per hour of the user's harvested
  rows (likes + replies + reposts + saves), hours never posted at after them in default order.

Every post is real: scheduled with lifecycle.schedule_posts, sent by dispatch.run_once on a
travelled clock exactly at its time, confirmed by reconcile.poll_submitted; the harvest runs
every 12 hours as beat would (analytics.harvest.harvest), so a week's plan sees day-1 readings
of last week's posts and day-7 readings of older ones. Regret of a post is measured on the hidden
curve's row for the day the user picked (the policy only chooses the hour):
(max - value at the published hour) / (max - mean); 0 = the best hour, 1 = a random hour.

Real PostgreSQL (database `mp_learning`, recreated; LEARNING_DATABASE overrides), Redis db 5
(LEARNING_REDIS_URL overrides), the fake Blotato in this process
with rate limits off.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django_setup import start_django
from process_stats import machine

start_django(
    os.environ.get("LEARNING_DATABASE", "mp_learning"),  # recreated: never a database you keep
    REDIS_URL=os.environ.get("LEARNING_REDIS_URL", "redis://127.0.0.1:6379/5"),
    BLOTATO_POSTS_PER_MINUTE="0",
    BLOTATO_CHECKS_PER_MINUTE="0",
)

import numpy as np  # noqa: E402
import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from optimal_times_eval import true_curve  # noqa: E402

from analytics.harvest import harvest  # noqa: E402
from analytics.history import history_for  # noqa: E402
from analytics.optimal_times import History, recommend  # noqa: E402
from analytics.scheduling import Slot, engine_answer, free_slots  # noqa: E402
from publishing import dispatch, lifecycle, reconcile  # noqa: E402
from publishing.fake_blotato import FakeBlotato  # noqa: E402
from publishing.fake_blotato.server import Handler  # noqa: E402
from publishing.models import ScheduledPost, SocialAccount, Status  # noqa: E402
from publishing.schedule_dialog import CHIPS_PER_PLATFORM  # noqa: E402

POLICIES = ("mediaposter", "defaults", "naive")
PLATFORMS = ("twitter", "threads", "bluesky")  # text-only platforms with analytics
START = datetime(2026, 9, 7)  # a Monday; 12 weeks end on 2026-11-30, across the DST change
HARVEST_EVERY = timedelta(hours=12)
HARVEST_OFFSET = timedelta(hours=6)  # local 06:00 and 18:00

# The fake writes an answer's headers and body in two sends; with Nagle on, each answer then waits
# for the client's delayed ACK (~40 ms a request, most of this benchmark's time). Reported.
Handler.disable_nagle_algorithm = True


@dataclass
class SimUser:
    index: int
    policy: str
    platform: str
    owner: User
    account: SocialAccount


def hidden_curves(kind: str, users: int, rng: np.random.Generator, fake: FakeBlotato, seed: int) -> list[np.ndarray]:
    """One 7 x 24 multiplier curve per user index: the offline eval's 1-3 bumps, or the fake's own."""
    if kind == "bumps":
        return [np.round(np.exp(true_curve(rng)), 4) for _ in range(users)]
    return [np.array(fake.true_engagement_curve(f"learning-{seed}-{n}")) for n in range(users)]


def make_population(fake: FakeBlotato, policy: str, platforms: list[str], zone: str) -> list[SimUser]:
    """A Django user per index, each with their own Blotato key and one account on their platform."""
    population = []
    for index, platform in enumerate(platforms):
        key = f"blt_learning_{policy}_{index}=="
        account_id = str(100_000 * (POLICIES.index(policy) + 1) + index)
        fake.add_key(key, [{"id": account_id, "platform": platform, "fullname": "Sim", "username": f"sim{index}"}])
        owner = User.objects.create_user(f"{policy}-{index}")
        owner.profile.timezone, owner.profile.blotato_api_key = zone, key
        owner.profile.save()
        account = SocialAccount.objects.create(
            owner=owner, platform=platform, blotato_account_id=account_id, username=f"sim{index}"
        )
        population.append(SimUser(index, policy, platform, owner, account))
    return population


def naive_order(user: SimUser, slots: list[Slot], tz: ZoneInfo, now: datetime) -> list[Slot]:
    """Hours ranked by their mean engagement so far; hours never tried after them, best default first."""
    history = history_for(user.owner, user.platform, tz, now=now)
    engagement = history.likes + history.comments + history.shares + history.saves
    hour = history.hour.astype(np.int64)  # History.empty() holds floats
    count = np.bincount(hour, minlength=24)
    mean = np.bincount(hour, engagement, minlength=24) / np.maximum(count, 1)
    return sorted(slots, key=lambda s: (count[s.local.hour] == 0, -mean[s.local.hour]))


def chips(user: SimUser, day, tz: ZoneInfo, now: datetime, defaults: dict) -> list[Slot]:
    if user.policy == "mediaposter":
        answer = engine_answer(user.owner, user.platform, tz, now=now)
        return free_slots(user.owner, user.platform, day, tz, answer, now=now)[:CHIPS_PER_PLATFORM]
    slots = free_slots(user.owner, user.platform, day, tz, defaults[user.platform], now=now)
    if user.policy == "naive":
        slots = naive_order(user, slots, tz, now)
    return slots[:CHIPS_PER_PLATFORM]


def publish_due(at: datetime) -> None:
    dispatch.run_once(at=at)
    for post_id in ScheduledPost.objects.filter(status=Status.SUBMITTED).values_list("pk", flat=True):
        reconcile.poll_submitted(post_id)


def regret(curve: np.ndarray, weekday: int, hour: int) -> float:
    row = curve[weekday]
    return float((row.max() - row[hour]) / (row.max() - row.mean()))


def simulate(args) -> tuple[dict[str, list[list[float]]], dict]:
    tz = ZoneInfo(args.zone)
    rng = np.random.default_rng(args.seed)
    regrets: dict[str, list[list[float]]] = {policy: [] for policy in POLICIES}
    problems: list[str] = []
    start = START.replace(tzinfo=tz)
    with FakeBlotato() as fake, time_machine.travel(start, tick=False) as clock:
        fake.set_knobs(rate_limits=None, analytics_noise=args.noise, analytics_timezone=args.zone)
        settings.BLOTATO_API_URL, settings.BLOTATO_API_KEY, settings.BLOTATO_SANDBOX = fake.url, "", False
        curves = hidden_curves(args.curves, args.users, rng, fake, args.seed)
        platforms = [PLATFORMS[n] for n in rng.integers(len(PLATFORMS), size=args.users)]
        populations = {policy: make_population(fake, policy, platforms, args.zone) for policy in POLICIES}
        fake.set_knobs(
            analytics_curves={
                u.account.blotato_account_id: curves[u.index].tolist() for pop in populations.values() for u in pop
            }
        )
        defaults = {platform: recommend(platform, History.empty()) for platform in PLATFORMS}
        for week in range(args.weeks):
            week_start = (START + timedelta(weeks=week)).replace(tzinfo=tz)
            clock.move_to(week_start)
            plan_week(populations, week, week_start, tz, rng, args.follow, defaults)
            run_week(clock, week_start, tz, problems)
            for policy, population in populations.items():
                regrets[policy].append(score_week(population, curves, week_start, tz))
        facts = {
            "posts": ScheduledPost.objects.filter(status=Status.PUBLISHED).count(),
            "harvested": sum(
                len(history_for(u.owner, u.platform, tz, now=week_start)) for u in populations["mediaposter"]
            ),
            "problems": problems,
            "hours_tried": {policy: hours_tried(populations[policy], tz) for policy in POLICIES},
            "checked": all(
                fake.true_engagement_curve(u.account.blotato_account_id) == curves[u.index].tolist()
                for u in populations["mediaposter"][:3]
            ),
        }
    return regrets, facts


def plan_week(populations: dict, week: int, week_start: datetime, tz: ZoneInfo, rng, follow: float, defaults) -> None:
    """Each user picks 3-7 days and the same chip rank for all three policies; the posts are scheduled."""
    for index in range(len(populations["mediaposter"])):
        days = sorted(rng.choice(7, size=rng.integers(3, 8), replace=False))
        takes = [0 if rng.random() < follow else int(rng.integers(1, CHIPS_PER_PLATFORM)) for _ in days]
        for population in populations.values():
            user = population[index]
            for offset, take in zip(days, takes, strict=True):
                offered = chips(user, (week_start + timedelta(days=int(offset))).date(), tz, week_start, defaults)
                lifecycle.schedule_posts(
                    user.owner,
                    plans=[lifecycle.PostPlan(user.platform, user.account)],
                    clip=None,
                    caption=f"week {week + 1} day {offset} of {user.owner.username}",
                    scheduled_time=offered[min(take, len(offered) - 1)].at,
                )


def score_week(population: list[SimUser], curves: list[np.ndarray], week_start: datetime, tz: ZoneInfo) -> list[float]:
    """Regret of every post the population published this week, at the hour it really went out."""
    owners = {u.owner.pk: u for u in population}
    posts = ScheduledPost.objects.filter(
        owner__in=owners, scheduled_time__gte=week_start, scheduled_time__lt=week_start + timedelta(weeks=1)
    )
    regrets = []
    for owner_id, published_at, status in posts.values_list("owner", "published_at", "status"):
        assert status == Status.PUBLISHED, status
        local = published_at.astimezone(tz)
        regrets.append(regret(curves[owners[owner_id].index], local.weekday(), local.hour))
    return regrets


def hours_tried(population: list[SimUser], tz: ZoneInfo) -> float:
    """Distinct local hours a user of this population published at over the run, on average."""
    published = ScheduledPost.objects.filter(owner__in=[u.owner for u in population], status=Status.PUBLISHED)
    hours: dict[int, set[int]] = {}
    for owner_id, at in published.values_list("owner", "published_at"):
        hours.setdefault(owner_id, set()).add(at.astimezone(tz).hour)
    return float(np.mean([len(h) for h in hours.values()]))


def run_week(clock, week_start: datetime, tz: ZoneInfo, problems: list[str]) -> None:
    """Publish each post at its exact time and harvest every 12 hours, in time order."""
    week_end = week_start + timedelta(weeks=1)
    due = set(
        ScheduledPost.objects.filter(status=Status.SCHEDULED, scheduled_time__lt=week_end).values_list(
            "scheduled_time", flat=True
        )
    )
    harvests = set()
    moment = week_start + HARVEST_OFFSET
    while moment < week_end:
        harvests.add(moment.astimezone(tz))
        moment = (moment + HARVEST_EVERY).astimezone(tz)
    for at in sorted(due | harvests):
        clock.move_to(at)
        if at in due:
            publish_due(at)
        if at in harvests:
            report = harvest(at=at)
            problems.extend(report.problems)


def table(regrets: dict[str, list[list[float]]]) -> tuple[list[str], list[tuple[float, float, float]]]:
    means = [tuple(float(np.mean(regrets[p][w])) for p in POLICIES) for w in range(len(regrets["mediaposter"]))]
    lines = ["| week | MediaPoster | defaults | naive | MediaPoster / defaults |", "|---:|---:|---:|---:|---:|"]
    for week, (ours, default, naive) in enumerate(means, start=1):
        lines.append(f"| {week} | {ours:.3f} | {default:.3f} | {naive:.3f} | {ours / default:.2f} |")
    return lines, means


def verdict(means: list[tuple[float, float, float]]) -> str:
    half = [w for w, (ours, default, _) in enumerate(means, start=1) if w > 6 and ours > 0.5 * default]
    naive = [w for w, (ours, _, naive) in enumerate(means, start=1) if ours >= naive]
    parts = [
        "at most half the defaults' regret after week 6: "
        + ("not measured (under 7 weeks)" if len(means) <= 6 else "yes" if not half else f"NO (weeks {half})"),
        "below the naive method every week: " + ("yes" if not naive else f"NO (weeks {naive})"),
    ]
    met = not half and not naive and len(means) > 6
    return ("target met" if met else "target NOT met") + ": " + "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=25, help="simulated users per policy")
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--curves", choices=["bumps", "fake"], default="bumps")
    parser.add_argument("--follow", type=float, default=1.0, help="share of posts at the first chip")
    parser.add_argument("--noise", type=float, default=0.25, help="the fake's analytics_noise (log-normal sigma)")
    parser.add_argument("--zone", default="America/New_York")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # a line per post, and a warning per "not synced yet" read

    with connection.cursor() as cursor:  # a throwaway database: a crash may lose it, waiting on disk is waste
        cursor.execute("SET synchronous_commit TO off")
    started = time.perf_counter()
    regrets, facts = simulate(args)
    elapsed = time.perf_counter() - started
    lines, means = table(regrets)
    print(machine())
    print(
        f"setup: {args.users} users per policy x 3 policies, {args.weeks} weeks from {START:%Y-%m-%d}, "
        f"3-7 posts a user a week, first chip taken {args.follow:.0%} of the time, curves '{args.curves}', "
        f"noise {args.noise}, zone {args.zone}, seed {args.seed}; PostgreSQL + fake Blotato, harvest every 12 h"
    )
    print(
        f"{facts['posts']} posts published; MediaPoster users' history at the end: "
        f"{facts['harvested'] / args.users:.1f} harvested rows a user; hidden curves read back: {facts['checked']}; "
        f"harvest problems: {len(facts['problems'])} {facts['problems'][:3]}"
    )
    tried = ", ".join(f"{policy} {hours:.1f}" for policy, hours in facts["hours_tried"].items())
    print(f"distinct hours a user published at over the run: {tried}")
    print("mean normalised regret of the published hours (0 = best hour of the day, 1 = random hour)")
    print("\n".join(lines))
    print(verdict(means))
    print(f"runtime {elapsed:.0f} s")


if __name__ == "__main__":
    main()
