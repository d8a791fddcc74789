"""The demo user's calendar on first start in sandbox mode: a lived-in month, not an empty grid.

Two months of published posts (each with its link on the platform) are backfilled into the fake
Blotato (which makes up their engagement from a hidden weekday x hour curve), harvested like real
ones, so the analytics page and the time chips show learned times at once; plus one failed post
with the platform's reason, one that needs review and a fortnight of upcoming posts on six
platforms. Only for a user with no posts yet.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import requests
from django.conf import settings
from django.utils import timezone

from analytics.harvest import harvest

from . import timeline
from .blotato_clients import api_key_for
from .models import Clip, ScheduledPost, SocialAccount, Status
from .platforms import RULES
from .transitions import NEEDS_REVIEW_MESSAGE

HISTORY_DAYS = 60
HABITS = {"instagram": (12, 18, 20), "tiktok": (9, 19, 21), "twitter": (8, 12, 17)}
# Now and then, beside the regular habits: text posts, and a YouTube video a week.
OCCASIONAL = {
    "linkedin": (3, 10, "We are hiring a community manager: details on our site"),
    "bluesky": (4, 16, "Small thread on how we plan a month of posts"),
    "youtube": (7, 15, "Full episode: a week in the studio"),
}
CAPTIONS = [
    "Behind the scenes of this week's shoot",
    "Three tips we wish we had known earlier",
    "Customer story: how Ana doubled her bookings",
    "New drop: the autumn collection is live",
    "Quick poll: which colour should we make next?",
    "Our studio playlist for a focused afternoon",
    "Five minutes with the team",
    "What we learned shipping every Friday",
]


def seed_demo_calendar(user, *, now: datetime | None = None, seed: int = 20261130) -> dict[str, int]:
    """Fill the calendar of a user who has none; the counts of what was made (empty if skipped)."""
    if ScheduledPost.objects.filter(owner=user).exists():
        return {}
    now = now or timezone.now()
    rng = random.Random(seed)
    accounts = {a.platform: a for a in SocialAccount.objects.filter(owner=user, is_active=True)}
    clips = list(Clip.objects.filter(owner=user))
    regular = {platform: accounts[platform] for platform in HABITS if platform in accounts}
    published = _backfill_history(user, regular, clips, now=now, rng=rng)
    made = {"published": published, **_a_month_around_today(user, accounts, clips, now=now, rng=rng)}
    made["harvested"] = harvest([user], at=now, days=HISTORY_DAYS + 5).new_snapshots
    return made


def _backfill_history(user, accounts: dict, clips: list, *, now: datetime, rng: random.Random) -> int:
    key = api_key_for(user)
    made = 0
    for days_ago in range(HISTORY_DAYS, 0, -1):
        for platform, account in accounts.items():
            if rng.random() < 0.45:
                continue
            hour = rng.choice(HABITS[platform]) if rng.random() < 0.7 else rng.randint(7, 22)
            published_at = datetime.combine(now.date() - timedelta(days=days_ago), time(hour, 5), UTC)
            clip = rng.choice(clips) if clips and platform != "twitter" else None
            caption = f"{rng.choice(CAPTIONS)} #{days_ago}{platform[:2]}"
            answer = requests.post(
                f"{settings.BLOTATO_API_URL.rstrip('/')}/__fake__/backfill",
                json={
                    "key": key,
                    "account_id": account.blotato_account_id,
                    "text": caption,
                    "published_at": published_at.isoformat(),
                    "media_urls": [clip.media_url] if clip else [],
                },
                timeout=10,
            )
            answer.raise_for_status()
            post = ScheduledPost.objects.create(
                owner=user,
                platform=platform,
                account=account,
                clip=clip,
                caption=caption,
                scheduled_time=published_at,
                status=Status.PUBLISHED,
                attempts=1,
                blotato_submission_id=answer.json()["submission_id"],
                platform_url=answer.json()["public_url"] or "",
                submitted_at=published_at,
                published_at=published_at,
            )
            timeline.record(post.pk, f"Published: {post.platform_url}", status=Status.PUBLISHED)
            made += 1
    return made


def _a_month_around_today(user, accounts: dict, clips: list, *, now: datetime, rng: random.Random) -> dict[str, int]:
    """A failed post, one that needs review, and two weeks of upcoming posts."""
    clip = clips[0] if clips else None
    failed = ScheduledPost.objects.create(
        owner=user,
        platform="instagram",
        account=accounts["instagram"],
        clip=clip,
        caption="Reel: the making of our logo",
        scheduled_time=now - timedelta(days=3, hours=2),
        status=Status.FAILED,
        attempts=1,
        last_error="The platform refused the post: the video is shorter than Reels allow (3 s).",
    )
    timeline.record(failed.pk, failed.last_error, status=Status.FAILED)
    review = ScheduledPost.objects.create(
        owner=user,
        platform="twitter",
        account=accounts["twitter"],
        caption="Doors open at 9 tomorrow, see you there",
        scheduled_time=now - timedelta(days=1, hours=1),
        status=Status.NEEDS_REVIEW,
        attempts=1,
        last_error=NEEDS_REVIEW_MESSAGE,
    )
    timeline.record(review.pk, NEEDS_REVIEW_MESSAGE, status=Status.NEEDS_REVIEW)
    upcoming = 0
    for days_ahead in range(1, 15):
        for platform, account in accounts.items():
            if platform in OCCASIONAL:
                every, hour, caption = OCCASIONAL[platform]
                if days_ahead % every == 0:
                    when = datetime.combine(now.date() + timedelta(days=days_ahead), time(hour), UTC)
                    clip = clips[-1] if clips and RULES[platform].media_required else None
                    ScheduledPost.objects.create(
                        owner=user, platform=platform, account=account, clip=clip, caption=caption, scheduled_time=when
                    )
                    upcoming += 1
                continue
            if platform not in HABITS or rng.random() < 0.6:
                continue
            hour = rng.choice(HABITS[platform])
            when = datetime.combine(now.date() + timedelta(days=days_ahead), time(hour), UTC)
            ScheduledPost.objects.create(
                owner=user,
                platform=platform,
                account=account,
                clip=rng.choice(clips) if clips and platform != "twitter" else None,
                caption=rng.choice(CAPTIONS),
                scheduled_time=when,
            )
            upcoming += 1
    return {"failed": 1, "needs_review": 1, "upcoming": upcoming}
