"""The engine's arrays read from the database: publishing times to the microsecond, local hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from analytics.history import history_for
from analytics.models import PostMetric

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_ages_come_from_the_database_exactly_as_python_would_compute_them(alice):
    posted = [
        NOW - timedelta(days=d, hours=h, microseconds=m) for d, h, m in ((0, 1, 7), (3, 5, 123456), (89, 23, 999999))
    ]
    PostMetric.objects.bulk_create(
        PostMetric(owner=alice, platform="instagram", posted_at=at, likes=10, post_url=f"https://i.example/{n}")
        for n, at in enumerate(posted)
    )
    history = history_for(alice, "instagram", ZoneInfo("Europe/Paris"), now=NOW)
    expected = sorted((NOW.timestamp() - at.timestamp()) / 86400.0 for at in posted)
    assert np.array_equal(np.sort(history.age_days), expected)
    local = sorted(
        (at.astimezone(ZoneInfo("Europe/Paris")).hour, at.astimezone(ZoneInfo("Europe/Paris")).weekday())
        for at in posted
    )
    assert sorted(zip(history.hour.tolist(), history.weekday.tolist(), strict=True)) == local
