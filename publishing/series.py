"""Recurring posts: a Series and the occurrences it creates ahead, each its own ScheduledPost.

- Occurrence k's time comes from the rule and k alone (recurrence.py), never from the last run.
- `extend` creates the occurrences due within the horizon (SERIES_HORIZON_DAYS, at most
  SERIES_HORIZON_OCCURRENCES at a time) under a lock on the series row; the unique constraint on
  (series, occurrence, platform) backs it, so two runs at once never create one twice.
- An occurrence whose time has passed before it was created is never created: it is recorded as
  skipped (SeriesSkip). A paused series creates nothing; resumed, it starts at the next future
  occurrence, so a pause, an outage of the job or a disconnected account never makes a burst.
- Editing the series reaches its future occurrences still editable and not edited alone; ending
  it cancels its future occurrences, each through the lifecycle's cancel.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import lifecycle
from .lifecycle import WrongStatus
from .models import EDITABLE, Clip, ScheduledPost, Series, SeriesSkip, SocialAccount, Status
from .recurrence import Rule, first_index_at_or_after, is_within, occurrence_instant, occurrences

logger = logging.getLogger(__name__)

PASSED = "its time had passed before it was created"
WHILE_PAUSED = "the series was paused"


def rule_of(series: Series) -> Rule:
    return Rule(
        frequency=series.frequency,
        interval=series.interval,
        start_day=series.start_day,
        at=series.local_time,
        weekdays=tuple(series.weekdays),
        until=series.until,
        count=series.count,
    )


def zone_of(series: Series) -> ZoneInfo:
    return ZoneInfo(series.timezone)


def start_series(owner, wanted, tz: ZoneInfo, *, now: datetime) -> tuple[Series, list[ScheduledPost]]:
    """A series from a parsed schedule request with `repeat` (api_input.ScheduleInput), and its
    first occurrences, in one transaction."""
    rule: Rule = wanted.repeat
    with transaction.atomic():
        series = Series.objects.create(
            owner=owner,
            clip=wanted.clip,
            caption=wanted.caption,
            targets=[{"platform": p.platform, "account": p.account.pk, "options": p.options} for p in wanted.plans],
            frequency=rule.frequency,
            interval=rule.interval,
            weekdays=list(rule.weekdays),
            start_day=rule.start_day,
            local_time=rule.at,
            timezone=tz.key,
            until=rule.until,
            count=rule.count,
            next_time=occurrence_instant(rule, 0, tz),
        )
        posts = extend(series.pk, now=now)
    logger.info("series %s started (%s): %d occurrences created", series.pk, rule.describe(), len(posts))
    return series, posts


# Series handled in one transaction by the Beat job: a few statements per batch, not per series.
BATCH = 200


def extend(series_id: uuid.UUID, *, now: datetime, passed_because: str = PASSED) -> list[ScheduledPost]:
    """Create the series' occurrences due from now to the horizon; record those already past.

    Waits for the series' lock if another run holds it, then sees what that run created.
    """
    return _extend(Series.objects.filter(pk=series_id), now=now, passed_because=passed_because, skip_locked=False)


def extend_all(*, now: datetime) -> int:
    """The Beat job: every running series with an occurrence due within the horizon gets it.

    A series another run (or a person's edit) holds locked is passed over this time: that run
    fills it, and the next run looks again. Returns the number of posts created.
    """
    horizon = now + timedelta(days=settings.SERIES_HORIZON_DAYS)
    due = list(
        Series.objects.filter(paused=False, ended_at=None, next_time__lt=horizon)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created = 0
    for start in range(0, len(due), BATCH):
        batch = Series.objects.filter(pk__in=due[start : start + BATCH])
        created += len(_extend(batch, now=now, passed_because=PASSED, skip_locked=True))
    return created


def _extend(chosen, *, now: datetime, passed_because: str, skip_locked: bool) -> list[ScheduledPost]:
    with transaction.atomic():
        running = list(
            chosen.select_for_update(skip_locked=skip_locked).filter(paused=False, ended_at=None).order_by("pk")
        )
        if not running:
            return []
        accounts = SocialAccount.objects.in_bulk({t["account"] for series in running for t in series.targets})
        posts: list[ScheduledPost] = []
        skips: list[SeriesSkip] = []
        for series in running:
            rule, tz = rule_of(series), zone_of(series)
            first_future = first_index_at_or_after(rule, tz, now, from_index=series.next_index)
            skips += _passed(series, rule, tz, series.next_index, first_future, passed_because)
            made, series.next_index, missing = _occurrence_posts(series, rule, tz, first_future, accounts, now=now)
            posts += made
            skips += missing
            series.next_time = (
                occurrence_instant(rule, series.next_index, tz) if is_within(rule, series.next_index) else None
            )
            series.updated_at = timezone.now()
        Series.objects.bulk_update(running, ["next_index", "next_time", "updated_at"])
        SeriesSkip.objects.bulk_create(skips)
        lifecycle.add_occurrences(posts)
    for skip in skips:
        logger.info(
            "series %s: occurrences %d-%d skipped, %s", skip.series_id, skip.first_index, skip.last_index, skip.reason
        )
    return posts


def _passed(series: Series, rule: Rule, tz: ZoneInfo, first: int, stop: int, reason: str) -> list[SeriesSkip]:
    """The record of occurrences `first` to `stop - 1` (those in the series), passed uncreated."""
    last = _last_within(rule, first, stop - 1)
    if last < first:
        return []
    return [
        SeriesSkip(
            series=series,
            first_index=first,
            last_index=last,
            first_time=occurrence_instant(rule, first, tz),
            last_time=occurrence_instant(rule, last, tz),
            reason=reason,
        )
    ]


def _last_within(rule: Rule, low: int, high: int) -> int:
    """The last index in [low, high] inside the series (it is monotone), or low - 1 if none is."""
    if high < low or not is_within(rule, low):
        return low - 1
    while low < high:
        middle = (low + high + 1) // 2
        if is_within(rule, middle):
            low = middle
        else:
            high = middle - 1
    return low


def _occurrence_posts(
    series: Series, rule: Rule, tz: ZoneInfo, first: int, accounts: dict, *, now: datetime
) -> tuple[list[ScheduledPost], int, list[SeriesSkip]]:
    """The unsaved posts of occurrences `first`.. within the horizon, the index after them, and
    the record of targets left out: an account gone or disconnected gets no post for those
    occurrences, and never catches up later."""
    horizon = now + timedelta(days=settings.SERIES_HORIZON_DAYS)
    posts: list[ScheduledPost] = []
    missing: dict[str, list[tuple[int, datetime]]] = {}
    next_index = first
    for index, at in occurrences(rule, tz, first_index=first, end=horizon):
        if index - first >= settings.SERIES_HORIZON_OCCURRENCES:
            break
        group_id = uuid.uuid4()
        for target in series.targets:
            account = accounts.get(target["account"])
            if account is None or not account.is_active:
                missing.setdefault(target["platform"], []).append((index, at))
                continue
            posts.append(
                ScheduledPost(
                    owner_id=series.owner_id,
                    group_id=group_id,
                    clip_id=series.clip_id,
                    platform=target["platform"],
                    account=account,
                    options=target["options"],
                    caption=series.caption,
                    scheduled_time=at,
                    status=Status.SCHEDULED,
                    series=series,
                    occurrence_index=index,
                    occurrence_time=at,
                )
            )
        next_index = index + 1
    skips = [
        SeriesSkip(
            series=series,
            first_index=passed[0][0],
            last_index=passed[-1][0],
            first_time=passed[0][1],
            last_time=passed[-1][1],
            platform=platform,
            reason="its account is not connected",
        )
        for platform, passed in missing.items()
    ]
    return posts, next_index, skips


# --- a person's changes --------------------------------------------------------------------------


@dataclass
class SeriesEdit:
    """What series_input.parse_series_edit found in a request: only the keys given are changed."""

    caption: str | None = None
    clip: Clip | None = None
    clip_given: bool = False
    options: dict[str, dict] | None = None  # platform -> target fields, for the platforms named
    ends: dict | None = None  # {"until": date | None, "count": int | None}
    paused: bool | None = None


def future_occurrences(series: Series, *, now: datetime, include_detached: bool = True):
    posts = ScheduledPost.objects.filter(series=series, status__in=EDITABLE, scheduled_time__gt=now)
    return posts if include_detached else posts.filter(series_detached=False)


def edit_series(series: Series, change: SeriesEdit, *, now: datetime, by=None) -> int:
    """Apply `change` to the series and its future occurrences not edited alone. Returns how many
    posts changed. A shorter end cancels the occurrences beyond it; a longer one lets more come."""
    with transaction.atomic():
        series = Series.objects.select_for_update().get(pk=series.pk)
        post_fields: dict = {}
        if change.caption is not None:
            series.caption = post_fields["caption"] = change.caption
        if change.clip_given:
            series.clip = post_fields["clip"] = change.clip
        for target in series.targets:
            if change.options and target["platform"] in change.options:
                target["options"] = change.options[target["platform"]]
        if change.ends is not None:
            series.until, series.count = change.ends["until"], change.ends["count"]
        series.save()
        changed = 0
        for post in future_occurrences(series, now=now, include_detached=False).select_related("account", "clip"):
            fields = dict(post_fields)
            if change.options and post.platform in change.options:
                fields["options"] = change.options[post.platform]
            if fields and _edit_occurrence(post, fields, by=by):
                changed += 1
        if change.ends is not None:
            changed += _cancel_beyond_end(series, now=now, by=by)
        if change.paused is not None and change.paused != series.paused:
            set_paused(series, change.paused, now=now)
        else:
            extend(series.pk, now=now)
    logger.info("series %s edited: %d occurrences changed", series.pk, changed)
    return changed


def _edit_occurrence(post: ScheduledPost, fields: dict, *, by) -> bool:
    try:
        lifecycle.edit_post(post, by=by, from_series=True, **fields)
    except WrongStatus:  # claimed by the publisher meanwhile: it goes out as it was
        return False
    return True


def _cancel_beyond_end(series: Series, *, now: datetime, by) -> int:
    rule = rule_of(series)
    beyond = [
        post
        for post in future_occurrences(series, now=now).filter(status=Status.SCHEDULED)
        if not is_within(rule, post.occurrence_index)
    ]
    cancelled = sum(_cancel(post, by=by) for post in beyond)
    # Occurrences not yet created past the new end are simply never created (is_within).
    return cancelled


def _cancel(post: ScheduledPost, *, by) -> bool:
    try:
        lifecycle.cancel_post(post, by=by)
    except WrongStatus:
        return False
    return True


def set_paused(series: Series, paused: bool, *, now: datetime) -> None:
    """Pause (occurrences already created stay; none are added) or resume (from the next future
    occurrence on; the ones whose time passed meanwhile are recorded as skipped, never sent)."""
    Series.objects.filter(pk=series.pk).update(paused=paused, updated_at=now)
    series.paused = paused
    if not paused:
        extend(series.pk, now=now, passed_because=WHILE_PAUSED)
    logger.info("series %s %s", series.pk, "paused" if paused else "resumed")


def end_series(series: Series, *, now: datetime, by=None) -> int:
    """End the series: nothing more is created, and its future occurrences (also ones edited
    alone) are cancelled. Returns how many were. Its past posts stay as they are."""
    with transaction.atomic():
        won = Series.objects.filter(pk=series.pk, ended_at=None).update(ended_at=now, updated_at=now)
        cancelled = sum(
            _cancel(post, by=by) for post in future_occurrences(series, now=now).filter(Q(status=Status.SCHEDULED))
        )
    if won:
        logger.info("series %s ended: %d future occurrences cancelled", series.pk, cancelled)
    series.refresh_from_db()
    return cancelled


def skip_occurrence(post: ScheduledPost, *, by=None) -> list[ScheduledPost]:
    """Cancel this occurrence on every platform (the series goes on). WrongStatus if this post
    itself can no longer be cancelled; a cross-post already claimed is left alone."""
    with transaction.atomic():
        lifecycle.cancel_post(post, by=by)
        cancelled = [post]
        siblings = ScheduledPost.objects.filter(
            series_id=post.series_id, occurrence_index=post.occurrence_index, status=Status.SCHEDULED
        ).exclude(pk=post.pk)
        for sibling in siblings:
            if _cancel(sibling, by=by):
                cancelled.append(sibling)
    return cancelled


def next_occurrence(series: Series, *, now: datetime) -> datetime | None:
    """When the series posts next: its first scheduled occurrence, or the next one to create."""
    first = (
        ScheduledPost.objects.filter(series=series, status=Status.SCHEDULED, scheduled_time__gt=now)
        .order_by("scheduled_time")
        .values_list("scheduled_time", flat=True)
        .first()
    )
    if first or series.ended_at or series.paused:
        return first
    rule = rule_of(series)
    index = first_index_at_or_after(rule, zone_of(series), now, from_index=series.next_index)
    return occurrence_instant(rule, index, zone_of(series)) if is_within(rule, index) else None
