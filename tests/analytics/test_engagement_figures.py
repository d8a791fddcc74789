"""One spelling per post URL, and one comparable figure per post from its snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.engagement_figures import all_checkpoints_in, counts, figure
from analytics.post_urls import canonical_post_url

PUBLISHED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://x.com/demo/status/123", "https://x.com/demo/status/123"),
        ("http://www.twitter.com/demo/status/123/?s=20#top", "https://x.com/demo/status/123"),
        ("mobile.twitter.com/demo/status/123", "https://x.com/demo/status/123"),
        ("https://www.instagram.com/reel/AbC123/?igsh=x", "https://instagram.com/reel/AbC123"),
        ("https://m.facebook.com/page/posts/9", "https://facebook.com/page/posts/9"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3", "https://youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", "https://youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://youtube.com/shorts/dQw4w9WgXcQ", "https://youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://www.youtube.com/watch", ""),  # a video is its id: without one, no post
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_a_post_url_has_one_spelling(url, canonical):
    assert canonical_post_url(url) == canonical


def test_two_youtube_videos_never_share_a_spelling():
    assert canonical_post_url("https://youtube.com/watch?v=aaaaaaaaaaa") != canonical_post_url(
        "https://youtube.com/watch?v=bbbbbbbbbbb"
    )


def reading(days: float, **metrics) -> tuple[datetime, dict]:
    return PUBLISHED + timedelta(days=days), {name: str(value) for name, value in metrics.items()}


def test_the_figure_is_the_reading_at_day_seven_even_when_later_ones_exist():
    readings = [reading(1, likesCount=10), reading(7.1, likesCount=30), reading(14, likesCount=35)]
    found = figure("twitter", PUBLISHED, readings)
    assert (found.likes, found.maturity) == (30, 1.0)
    assert found.age_days == pytest.approx(7.1)


def test_a_young_post_uses_its_latest_reading_and_says_it_is_young():
    found = figure("tiktok", PUBLISHED, [reading(0.25, viewsCount=50), reading(1, viewsCount=200)])
    assert (found.views, found.maturity) == (200, pytest.approx(1 / 7))


def test_replies_and_reposts_are_counted_once_per_platform():
    metrics = {"repliesCount": "4", "commentsCount": "4", "twitterRetweetsCount": "2", "twitterQuotesCount": "9"}
    assert counts("twitter", metrics)["comments"] == 4 and counts("twitter", metrics)["shares"] == 2
    assert counts("instagram", {"commentsCount": "3", "repliesCount": "3", "playsCount": "70"}) == {
        "views": 70,
        "likes": 0,
        "comments": 3,
        "shares": 0,
        "saves": 0,
    }


def test_linkedin_has_no_figure_and_unreadable_counts_are_not_counted():
    assert figure("linkedin", PUBLISHED, [reading(7, likesCount=5)]) is None
    assert counts("youtube", {"viewsCount": "lots", "likesCount": True}) == {
        "views": 0,
        "likes": 0,
        "comments": 0,
        "shares": 0,
        "saves": 0,
    }


def test_all_checkpoints_are_in_once_the_day_thirty_reading_is():
    assert not all_checkpoints_in(PUBLISHED, [reading(14, likesCount=1)])
    assert all_checkpoints_in(PUBLISHED, [reading(14, likesCount=1), reading(30, likesCount=2)])
