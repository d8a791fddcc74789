"""From the database to the engine's arrays: the only place the engine's inputs touch the ORM.

Local hour and weekday are computed by the database in the user's zone (AT TIME ZONE on
PostgreSQL), so DST is right for every row without a Python loop over timezone conversions. The
publishing time comes back as seconds since the epoch, a plain float: turning thousands of
timestamps into datetime objects and back was most of an optimal-times request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection
from django.db.models import FloatField, Func, IntegerField
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay

from .models import PostMetric
from .optimal_times import History

WINDOW_DAYS = 90
COLUMNS = ("views", "likes", "comments", "shares", "saves", "followers", "maturity")


class EpochSeconds(Func):
    """A timestamp as seconds since 1970-01-01 UTC, computed by the database."""

    output_field = FloatField()
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS DOUBLE PRECISION)"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


def history_for(owner, platform: str, tz: ZoneInfo, *, now: datetime, window_days: int = WINDOW_DAYS) -> History:
    query = (
        PostMetric.objects.filter(owner=owner, platform=platform, posted_at__gte=now - timedelta(days=window_days))
        .annotate(
            local_hour=Cast(ExtractHour("posted_at", tzinfo=tz), IntegerField()),
            iso_day=Cast(ExtractIsoWeekDay("posted_at", tzinfo=tz), IntegerField()),
            posted=EpochSeconds("posted_at"),
        )
        .values_list("local_hour", "iso_day", "posted", *COLUMNS)
    )
    # Every column is a plain number the driver already returns as int or float: skip the ORM's
    # per-row converters, which cost more than the query for thousands of rows.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return History.empty()
    hour, iso_day, posted, views, likes, comments, shares, saves, followers, maturity = zip(*rows, strict=True)
    return History(
        hour=np.array(hour, dtype=np.int64),
        weekday=np.array(iso_day, dtype=np.int64) - 1,  # ISO Monday=1 → Python weekday() Monday=0
        age_days=(now.timestamp() - np.array(posted, dtype=float)) / 86400.0,
        views=np.array(views, dtype=float),
        likes=np.array(likes, dtype=float),
        comments=np.array(comments, dtype=float),
        shares=np.array(shares, dtype=float),
        saves=np.array(saves, dtype=float),
        followers=np.array([np.nan if f is None else f for f in followers], dtype=float),
        maturity=np.array(maturity, dtype=float),
    )
