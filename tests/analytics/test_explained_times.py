"""Every number in the time chips explains itself, and close calls go to hours we know little about."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pytest
import time_machine
from django.utils import timezone

from analytics import importers
from analytics.optimal_times import History, recommend
from analytics.scheduling import Slot, _explore_among_the_best
from publishing.zones import user_zone

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def slot(hour: int, score: float, posts: int, relative: float = 100.0, upside: float = 100.0) -> Slot:
    at = datetime(2026, 11, 27, hour, tzinfo=UTC)
    return Slot(at=at, local=at, score=score, posts_here=posts, relative=relative, upside=upside)


def test_close_calls_go_to_the_hour_with_little_data_never_to_a_clearly_worse_one():
    slots = [slot(18, 100, 12), slot(12, 98, 0, relative=97), slot(9, 90, 0, relative=60, upside=150)]
    ordered = _explore_among_the_best(slots, SimpleNamespace(source="blended"))
    assert [s.local.hour for s in ordered] == [12, 18, 9]
    assert [s.worth_trying for s in ordered] == [True, False, False]


def test_an_unexplored_hour_whose_upside_reaches_the_best_goes_first_unless_it_is_clearly_worse():
    known_best = slot(18, 100, 12)
    promising = slot(12, 80, 0, relative=85, upside=130)  # outside the close-call margin, little data
    poor = slot(9, 60, 0, relative=55, upside=160)  # a big upside, but clearly worse as it stands
    ordered = _explore_among_the_best([known_best, promising, poor], SimpleNamespace(source="historical"))
    assert [s.local.hour for s in ordered] == [12, 18, 9] and ordered[0].worth_trying
    alone = _explore_among_the_best([known_best, poor], SimpleNamespace(source="historical"))
    assert [s.local.hour for s in alone] == [18, 9] and not any(s.worth_trying for s in alone)


def test_without_any_history_nothing_is_called_worth_trying():
    slots = [slot(18, 100, 0), slot(12, 99, 0)]
    assert _explore_among_the_best(slots, SimpleNamespace(source="default")) == slots


def test_relative_engagement_is_a_share_of_the_best_slot():
    rng = np.random.default_rng(3)
    n = 120
    hour = rng.integers(0, 24, n)
    likes = np.where(hour == 18, 400.0, 100.0) * rng.lognormal(0, 0.2, n)
    zeros = np.zeros(n)
    history = History(
        hour=hour, weekday=rng.integers(0, 7, n), age_days=rng.uniform(1, 80, n),
        views=zeros, likes=likes, comments=zeros, shares=zeros, saves=zeros, followers=np.full(n, np.nan),
    )  # fmt: skip
    answer = recommend("instagram", history)
    assert answer.slot_relative.max() == pytest.approx(100.0)
    assert answer.slot_relative.min() > 0
    assert answer.slot_relative[:, 18].mean() > answer.slot_relative[:, 4].mean()


def test_the_chips_say_what_the_percentage_means_and_what_it_rests_on(browser, alice):
    rows = [
        {"platform": "instagram", "posted_at": (NOW - timedelta(days=d)).isoformat(), "views": 900}
        | {"likes": 50 + d, "comments": 2, "shares": 1, "saves": 1}
        for d in range(1, 31)
    ]
    importers.import_metrics(alice, rows, user_zone(alice))
    with time_machine.travel(NOW, tick=False):
        body = browser.get("/calendar/new/times", {"date": "2026-11-27", "platforms": ["instagram"]}).content.decode()
    assert "% of your best slot's expected engagement" in body
    assert "rests on 30 posts of the last 90 days (0 published through MediaPoster)" in body
    assert "blended with Instagram defaults" in body or "your history alone" in body
    assert "of the engagement your best Instagram slot can expect" in body


def test_a_chip_worth_trying_says_so_and_the_optimal_time_says_what_its_percentage_means():
    from django.template.loader import render_to_string

    tried, untried = slot(18, 100, 12, relative=100), replace(slot(12, 98, 1, relative=97), worth_trying=True)
    row = {"label": "Instagram", "chips": [untried, tried], "source": "blended", "sample": 37, "from_blotato": 24}
    with timezone.override(UTC):  # the slots' instants, shown in the zone the page is rendered in
        html = render_to_string(
            "publishing/partials/_time_suggestions.html", {"rows": [row], "best": untried, "day": untried.local}
        )
    text = " ".join(html.split()).replace("&#x27;", "'")
    assert "Use optimal time: 12:00 <small>(97% of the best slot's expected engagement)</small>" in text
    assert text.count("worth trying: few posts here yet") == 1  # on the untried hour's chip only
    assert '12:00 · 97% <em class="explore">worth trying: few posts here yet</em>' in text
    assert "18:00 · 100%</button>" in text
    assert (
        "rests on 37 posts of the last 90 days (24 published through MediaPoster), blended with Instagram defaults"
        in text
    )


def test_the_analytics_page_says_where_its_posts_come_from_and_what_waits_for_day_7(browser, alice):
    from analytics.models import HarvestStatus, MetricSource, PostMetric

    def metric(days_ago: float, source: str, maturity: float = 1.0, url: str = "") -> PostMetric:
        return PostMetric(
            owner=alice, platform="instagram", posted_at=NOW - timedelta(days=days_ago), likes=40, source=source,
            maturity=maturity, post_url=url,
        )  # fmt: skip

    PostMetric.objects.bulk_create(
        [metric(d, MetricSource.BLOTATO, url=f"https://instagram.com/p/{d}") for d in (10, 12, 20)]
        + [metric(2, MetricSource.BLOTATO, maturity=0.4, url="https://instagram.com/p/young")]
        + [metric(d, MetricSource.IMPORT) for d in (30, 31)]
    )
    HarvestStatus.objects.create(user=alice, last_run_at=datetime(2026, 11, 25, 6, 30, tzinfo=UTC))
    with time_machine.travel(NOW, tick=False):
        text = " ".join(browser.get("/analytics/instagram/").content.decode().split())
    assert (
        "Learned from 4 posts published through MediaPoster (engagement read from Blotato; "
        "1 still waiting for their day-7 reading) and 2 imported." in text
    )
    assert "Last read from Blotato 25 Nov 07:30 (Europe/Paris)." in text
