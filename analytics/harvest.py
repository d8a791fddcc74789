"""The loop that learns from what we publish: Blotato's engagement snapshots into the history.

Runs from beat (twice a day) and from `manage.py sync_metrics`. Per Blotato key, inside the key's
read budget (the bucket status checks use):

1. each published post is found in Blotato's published-post list by its URL (analytics know a
   post only by that list's id), and looked for again on later runs while it is not listed yet;
2. its snapshots are read when a checkpoint has passed since the last read, and each is stored
   once (EngagementSnapshot); a post whose every checkpoint is in is never asked again;
3. its engagement figure at a fixed age becomes its PostMetric row, which the engine reads
   beside imported rows (one row per post, however it arrived).

A 404 "not yet" and a platform without analytics are normal. A key Blotato refuses, or whose
plan has no analytics, is recorded once (shown on the settings page) and not asked again until
the user changes it; anything else (a 5xx, a timeout) ends this key's run and the next run retries.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from publishing import notifications, rate_limit
from publishing.blotato import AuthRejected, BlotatoError
from publishing.blotato_analytics import PAGE_SIZE, AnalyticsUnavailable, Snapshot, post_snapshots, published_posts
from publishing.blotato_clients import api_key_for, client_for
from publishing.models import ScheduledPost, Status
from publishing.platforms import RULES

from . import engagement_figures
from .models import EngagementSnapshot, HarvestedPost, HarvestStatus, MetricSource, PostMetric
from .post_urls import canonical_post_url

logger = logging.getLogger(__name__)

# Day 1, 7, 14 and 30 on every plan. Some plans also read at 6 h; that reading comes with the
# day-1 read's history, so asking for it separately would spend a read that mostly finds nothing.
CHECKPOINT_DAYS = (1.0, 7.0, 14.0, 30.0)
WITH_ANALYTICS = [platform for platform, rules in RULES.items() if rules.engagement is not None]


class OutOfBudget(Exception):
    """This key's reads are spent for now; the next run carries on."""


@dataclass
class HarvestReport:
    users: int = 0
    found: int = 0  # posts whose published-post id this run found
    not_listed: int = 0  # posts not in Blotato's published list yet
    asked: int = 0  # analytics reads
    new_snapshots: int = 0
    not_yet: int = 0  # reads answered "no snapshot yet"
    completed: int = 0  # posts whose last checkpoint came in
    out_of_budget: int = 0  # keys whose read budget ran out before the end
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.users} user(s): {self.found} post(s) found on Blotato, {self.not_listed} not listed yet, "
            f"{self.asked} read(s), {self.new_snapshots} new snapshot(s), {self.not_yet} not synced yet, "
            f"{self.completed} complete, {self.out_of_budget} key(s) out of budget, {len(self.problems)} problem(s)"
        )


def key_fingerprint(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def current_problem(user) -> str:
    """What stopped the harvest for this user's key, while they still use that key; else ""."""
    status = HarvestStatus.objects.filter(user=user).exclude(problem="").first()
    if status is None or status.problem_key != key_fingerprint(api_key_for(user)):
        return ""
    return status.problem


def harvest(
    users=None, *, at: datetime, days: int | None = None, progress: Callable[[str], None] | None = None
) -> HarvestReport:
    """Harvest every user (or those given) whose posts went out in the last `days` days."""
    days = days or settings.HARVEST_LOOKBACK_DAYS
    if users is None:
        users = get_user_model().objects.filter(posts__status=Status.PUBLISHED).distinct()
    users = list(users)
    report = HarvestReport(users=len(users))
    by_key = defaultdict(list)
    for user in users:
        if key := api_key_for(user):
            by_key[key].append(user)
    for api_key, owners in by_key.items():
        _harvest_key(api_key, owners, at=at, days=days, report=report, progress=progress)
    return report


def _harvest_key(api_key: str, owners: list, *, at: datetime, days: int, report: HarvestReport, progress) -> None:
    fingerprint = key_fingerprint(api_key)
    client = client_for(api_key)
    for owner in owners:
        status, _ = HarvestStatus.objects.get_or_create(user=owner)
        if status.problem and status.problem_key == fingerprint:
            continue  # reported once; tried again when the user changes the key
        try:
            _harvest_owner(owner, client, api_key, at=at, days=days, report=report, progress=progress)
        except (AuthRejected, AnalyticsUnavailable) as refused:
            problem = _problem_text(refused)
            HarvestStatus.objects.filter(user__in=owners).update(problem=problem, problem_key=fingerprint)
            HarvestStatus.objects.bulk_create(
                [HarvestStatus(user=o, problem=problem, problem_key=fingerprint) for o in owners],
                ignore_conflicts=True,
            )
            report.problems.append(f"{owner}: {problem}")
            logger.warning("harvest: key of %s refused: %s", owner, problem)
            if isinstance(refused, AuthRejected):
                for told in owners:
                    notifications.key_refused(told.pk, api_key, refused.message or "unauthorised")
            return
        except OutOfBudget:
            report.out_of_budget += 1
            return
        except BlotatoError as error:
            report.problems.append(f"{owner}: {error.message} (tried again next run)")
            logger.warning("harvest for %s stopped: %s", owner, error.message)
            return
        HarvestStatus.objects.filter(user=owner).update(last_run_at=at, problem="", problem_key="")


def _problem_text(refused: BlotatoError) -> str:
    if isinstance(refused, AnalyticsUnavailable):
        return (
            "Blotato has no analytics for this key (its plan may not include them); best times learn from imports only."
        )
    return f"Blotato refused the key when reading analytics ({refused.message}); save a working key to resume."


def _harvest_owner(owner, client, api_key: str, *, at: datetime, days: int, report: HarvestReport, progress) -> None:
    posts = list(
        ScheduledPost.objects.filter(
            owner=owner,
            status=Status.PUBLISHED,
            platform__in=WITH_ANALYTICS,
            published_at__gte=at - timedelta(days=days),
        )
        .exclude(harvest__complete=True)
        .order_by("published_at")
    )
    HarvestedPost.objects.bulk_create([HarvestedPost(post=p) for p in posts], ignore_conflicts=True)
    harvested = {h.post_id: h for h in HarvestedPost.objects.filter(post__in=posts)}
    unresolved = [p for p in posts if not harvested[p.pk].published_id]
    if unresolved:
        _find_published_ids(owner, client, api_key, unresolved, harvested, report)
    for post in posts:
        record = harvested[post.pk]
        if record.published_id and _checkpoint_passed(post.published_at, record.last_asked_at, at):
            _read_snapshots(owner, client, api_key, post, record, at=at, report=report)
            if progress:
                progress(f"{post.platform} post of {post.published_at:%Y-%m-%d %H:%M}")


def _spend(api_key: str) -> None:
    if rate_limit.take_check_slot(api_key):
        raise OutOfBudget


def _find_published_ids(owner, client, api_key: str, posts: list, harvested: dict, report: HarvestReport) -> None:
    """Page Blotato's published posts (newest first) back to the oldest post we look for."""
    urls = {p.pk: canonical_post_url(p.platform_url) for p in posts}
    wanted = {urls[p.pk]: p for p in posts if urls[p.pk]}
    oldest = min(p.published_at for p in posts) - timedelta(days=1)
    offset = 0
    while wanted:
        _spend(api_key)
        page, total = published_posts(client, offset=offset)
        for item in page:
            post = wanted.pop(canonical_post_url(item.post_url), None)
            if post is None:
                continue
            record = harvested[post.pk]
            record.published_id = item.id
            record.save(update_fields=["published_id"])
            report.found += 1
            # The list carries the readings so far: store them now, a read saved.
            _store(owner, post, item.id, item.snapshots, report)
        offset += len(page)
        times = [item.created_at for item in page if item.created_at]
        if len(page) < PAGE_SIZE or (total is not None and offset >= total) or (times and min(times) < oldest):
            break
    for post in wanted.values():
        HarvestedPost.objects.filter(post=post).update(searches=harvested[post.pk].searches + 1)
    report.not_listed += len(wanted) + sum(1 for url in urls.values() if not url)


def _checkpoint_passed(published_at: datetime, last_asked_at: datetime | None, at: datetime) -> bool:
    """A checkpoint (plus Blotato's delay) fell between the last read and now."""
    slack = timedelta(seconds=settings.HARVEST_CHECKPOINT_DELAY_SECONDS)
    for days in CHECKPOINT_DAYS:
        due = published_at + timedelta(days=days) + slack
        if due <= at and (last_asked_at is None or last_asked_at < due):
            return True
    return False


def _read_snapshots(owner, client, api_key: str, post, record: HarvestedPost, *, at: datetime, report) -> None:
    _spend(api_key)
    snapshots = post_snapshots(client, record.published_id)
    report.asked += 1
    record.last_asked_at = at
    if snapshots is None:
        report.not_yet += 1
    else:
        _store(owner, post, record.published_id, snapshots, report)
    readings = list(EngagementSnapshot.objects.filter(post=post).values_list("fetched_at", "metrics"))
    past_last = at - post.published_at > timedelta(days=engagement_figures.LAST_CHECKPOINT_DAYS + 1)
    if engagement_figures.all_checkpoints_in(post.published_at, readings) or past_last:
        record.complete = True
        report.completed += 1
    record.save(update_fields=["last_asked_at", "complete"])


def _store(owner, post, published_id: str, snapshots: list[Snapshot], report: HarvestReport) -> None:
    if not snapshots:
        return
    stored = EngagementSnapshot.objects.filter(post=post)
    before = stored.count()
    EngagementSnapshot.objects.bulk_create(
        [
            EngagementSnapshot(
                owner=owner,
                post=post,
                platform=post.platform,
                published_id=published_id,
                fetched_at=s.fetched_at,
                metrics=s.metrics,
            )
            for s in snapshots
        ],
        ignore_conflicts=True,
    )
    added = stored.count() - before
    report.new_snapshots += added
    if added:
        record_figure(post)


def record_figure(post: ScheduledPost) -> PostMetric | None:
    """The post's comparable figure as its one PostMetric row (shared with an import of its URL)."""
    readings = list(EngagementSnapshot.objects.filter(post=post).values_list("fetched_at", "metrics"))
    found = engagement_figures.figure(post.platform, post.published_at, readings)
    if found is None:
        return None
    url = canonical_post_url(post.platform_url)
    same_post = Q(post=post) | Q(post_url=url) if url else Q(post=post)
    rows = list(PostMetric.objects.filter(owner=post.owner_id, platform=post.platform).filter(same_post))
    # An import of this post's URL and an earlier harvested row are the same post: one row stays.
    PostMetric.objects.filter(pk__in=[row.pk for row in rows[1:]]).delete()
    metric = rows[0] if rows else PostMetric(owner_id=post.owner_id, platform=post.platform)
    metric.post, metric.post_url, metric.posted_at = post, url, post.published_at
    metric.views, metric.likes, metric.comments = found.views, found.likes, found.comments
    metric.shares, metric.saves = found.shares, found.saves
    metric.source, metric.measured_at_age_days, metric.maturity = MetricSource.BLOTATO, found.age_days, found.maturity
    metric.save()
    return metric


@dataclass(frozen=True)
class LearningSources:
    """Where a user's history on one platform comes from, for the analytics page."""

    from_blotato: int
    imported: int
    young: int  # harvested posts still short of their fixed-age reading
    last_harvest: datetime | None


def learning_sources(user, platform: str, *, since: datetime) -> LearningSources:
    harvested = Q(source=MetricSource.BLOTATO)
    counts = PostMetric.objects.filter(owner=user, platform=platform, posted_at__gte=since).aggregate(
        from_blotato=Count("pk", filter=harvested),
        imported=Count("pk", filter=Q(source=MetricSource.IMPORT)),
        young=Count("pk", filter=harvested & Q(maturity__lt=1.0)),
    )
    last_harvest = HarvestStatus.objects.filter(user=user).values_list("last_run_at", flat=True).first()
    return LearningSources(**counts, last_harvest=last_harvest)
