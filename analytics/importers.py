"""Importing post metrics: CSV or JSON rows, all checked before any is written.

Columns: platform, posted_at, views, likes, comments, shares, saves[, followers, post_url].
`posted_at` with an offset is that instant; without one it is the user's local time. A bad row
rejects the whole upload with every bad row named; re-importing a row updates it. A post is its
URL in one spelling (post_urls.py), so a row for a post we published and harvested from Blotato
is that post's row: it keeps Blotato's figure, taken at a fixed age, and is not counted twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from publishing.models import ScheduledPost
from publishing.platforms import normalise_platform
from publishing.timeparse import BadTime, parse_instant

from .models import MetricSource, PostMetric
from .post_urls import canonical_post_url

COUNTS = ("views", "likes", "comments", "shares", "saves")
COLUMNS = ("platform", "posted_at", *COUNTS, "followers", "post_url")
REQUIRED = ("platform", "posted_at", *COUNTS)
MAX_ROWS = 200_000
MAX_REPORTED_ERRORS = 50
LARGEST_COUNT = 2**63 - 1  # the counts are PostgreSQL bigints


class BadRows(Exception):
    """Rows that cannot be imported: {row number: {column: problem}}; nothing was written."""

    def __init__(self, problems: dict[int, dict[str, str]], message: str | None = None):
        super().__init__(message or f"{len(problems)} row(s) cannot be imported; nothing was imported.")
        self.problems = problems


@dataclass
class ImportResult:
    imported: int
    updated: int
    already_harvested: int = 0  # rows for posts whose figure comes from Blotato: left as they are


def rows_from_csv(text: str) -> list[dict]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise BadRows({1: dict.fromkeys(missing, "missing column")}, "The CSV header lacks required columns.")
        reader.fieldnames = header
        return [{k: v for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as error:
        raise BadRows({1: {"csv": str(error)}}, "The file is not readable as CSV.") from None


def import_metrics(
    owner, rows: list[dict], tz: ZoneInfo, *, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Check every row, then upsert all of them in one transaction (or none)."""
    if len(rows) > MAX_ROWS:
        raise BadRows({}, f"At most {MAX_ROWS} rows per upload; this one has {len(rows)}.")
    metrics, problems = [], {}
    for number, row in enumerate(rows, start=1):
        try:
            metrics.append(_metric(owner, row, tz))
        except BadRows as bad:
            if len(problems) < MAX_REPORTED_ERRORS:
                problems[number] = bad.problems[0]
            else:
                problems.setdefault(0, {"more": "further bad rows not listed"})
        if progress and number % 1000 == 0:
            progress(number)
    if problems:
        raise BadRows(problems)
    metrics = list({_key(m): m for m in metrics}.values())  # the last of duplicate rows wins
    _link_to_published_posts(owner, metrics)
    with transaction.atomic():
        existing = _existing(owner, metrics)
        new = [m for m in metrics if _key(m) not in existing]
        changed, harvested = [], 0
        for metric in metrics:
            if (found := existing.get(_key(metric))) is None:
                continue
            pk, source = found
            if source == MetricSource.BLOTATO:
                harvested += 1
                continue
            metric.pk = pk
            changed.append(metric)
        PostMetric.objects.bulk_create(new, batch_size=2000)
        PostMetric.objects.bulk_update(changed, [*COUNTS, "followers", "posted_at", "post"], batch_size=2000)
    if progress:
        progress(len(rows))
    return ImportResult(imported=len(new), updated=len(changed), already_harvested=harvested)


def _link_to_published_posts(owner, metrics: list[PostMetric]) -> None:
    """A metric whose URL is one of the user's published posts belongs to that post."""
    if not any(m.post_url for m in metrics):
        return
    published = ScheduledPost.objects.owned_by(owner).exclude(platform_url="")
    posts = {canonical_post_url(url): pk for url, pk in published.values_list("platform_url", "pk")}
    for metric in metrics:
        metric.post_id = posts.get(metric.post_url)


def _key(metric: PostMetric) -> tuple:
    return (metric.platform, "url", metric.post_url) if metric.post_url else (metric.platform, "at", metric.posted_at)


def _existing(owner, metrics: Iterable[PostMetric]) -> dict[tuple, tuple[int, str]]:
    platforms = {m.platform for m in metrics}
    found = PostMetric.objects.filter(owner=owner, platform__in=platforms).values_list(
        "pk", "platform", "post_url", "posted_at", "source"
    )
    return {
        ((platform, "url", url) if url else (platform, "at", posted_at)): (pk, source)
        for pk, platform, url, posted_at, source in found
    }


def _metric(owner, row: dict, tz: ZoneInfo) -> PostMetric:
    if not isinstance(row, dict):
        raise BadRows({0: {"row": "must be an object with the metric columns"}})
    problems: dict[str, str] = {}
    for name, value in row.items():
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL text cannot hold NUL
            problems[str(name)] = "contains a NUL character"
    if problems:
        raise BadRows({0: problems})
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        problems["columns"] = f"unknown column(s): {', '.join(map(str, unknown))}"
    platform = normalise_platform(str(row.get("platform") or ""))
    if platform is None:
        problems["platform"] = f"unknown platform {row.get('platform')!r}"
    posted_at = _posted_at(row.get("posted_at"), tz, problems)
    values = {name: _count(row.get(name), name, problems, required=True) for name in COUNTS}
    followers = _count(row.get("followers"), "followers", problems, required=False)
    post_url = str(row.get("post_url") or "").strip()
    if post_url:
        try:
            URLValidator(schemes=["http", "https"])(post_url)
        except ValidationError:
            problems["post_url"] = "not a URL"
        post_url = canonical_post_url(post_url) or post_url
    if problems:
        raise BadRows({0: problems})
    return PostMetric(
        owner=owner, platform=platform, posted_at=posted_at, followers=followers, post_url=post_url, **values
    )


def _posted_at(value: object, tz: ZoneInfo, problems: dict) -> datetime | None:
    try:
        return parse_instant(value if not isinstance(value, str) else value.strip(), tz)
    except BadTime as error:
        problems["posted_at"] = str(error)
        return None


def _count(value: object, name: str, problems: dict, *, required: bool) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems[name] = "required"
        return None
    if isinstance(value, bool):
        problems[name] = "must be a whole number"
        return None
    try:
        number = _whole_number(value)
    except (ValueError, TypeError, OverflowError):
        problems[name] = "must be a whole number"
        return None
    if number < 0:
        problems[name] = "must not be negative"
        return None
    if number > LARGEST_COUNT:
        problems[name] = f"must be at most {LARGEST_COUNT}"
        return None
    return number


def _whole_number(value: object) -> int:
    """An int from a number or text ("12", "12.0", "1e3"); ValueError if it is not a whole one."""
    if isinstance(value, str):
        try:
            return int(value.strip())  # exactly, where a float would round a long count
        except ValueError:
            value = float(value)
    if not isinstance(value, (int, float)) or value != int(value):
        raise ValueError
    return int(value)
