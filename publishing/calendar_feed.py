"""The calendar out of MediaPoster: an iCalendar (ICS) file, a CSV file, and the private feed.

Every post is one event: its UID is the post's id, so a calendar app that refreshes the feed
updates the event when the post moves instead of adding another. Times are UTC (DTSTART with a
Z): the app shows them in its own zone. A post lasts POST_DURATION in the calendar, a mark
rather than a meeting.

The subscription URL carries a secret (CalendarFeedToken): only its hash is stored, so the URL
is shown once; regenerating it or revoking it makes the old one answer 404.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from .models import ApiToken, CalendarFeedToken, ScheduledPost, Status
from .platforms import Platform

POST_DURATION = timedelta(minutes=15)
SUMMARY_TEXT = 60  # characters of the title or caption in an event's summary
# What the subscription shows: recent history and everything ahead, never a cancelled post.
FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=366)
CSV_COLUMNS = [
    "post_id",
    "scheduled_time_utc",
    "local_time",
    "platform",
    "account",
    "status",
    "title",
    "caption",
    "post_page",
    "platform_url",
]


def post_title(post: ScheduledPost) -> str:
    """The clip's title, else the caption's first line, shortened for a summary."""
    text = post.clip.title if post.clip_id else (post.caption.strip().splitlines() or [""])[0]
    text = text.strip() or "(no caption)"
    return text if len(text) <= SUMMARY_TEXT else text[: SUMMARY_TEXT - 1].rstrip() + "…"


def summary(post: ScheduledPost) -> str:
    state = "" if post.status == Status.SCHEDULED else f" ({post.get_status_display().lower()})"
    return f"{post_title(post)} · {Platform(post.platform).label}{state}"


def ics(posts: Iterable[ScheduledPost], *, link: Callable[[ScheduledPost], str], now: datetime, name: str) -> bytes:
    """An iCalendar file with one event per post; `link` gives each post's page as an absolute URL."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//MediaPoster//Posting schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for post in posts:
        start = post.scheduled_time.astimezone(UTC).replace(microsecond=0)
        page = link(post)
        event = icalendar.Event()
        event.add("uid", f"{post.pk}@mediaposter")
        event.add("dtstamp", stamp)
        event.add("last-modified", post.updated_at.astimezone(UTC).replace(microsecond=0))
        event.add("dtstart", start)
        event.add("dtend", start + POST_DURATION)
        event.add("summary", summary(post))
        event.add("description", f"{post.caption}\n\n{Platform(post.platform).label}, {post.status}: {page}".strip())
        event.add("url", page)
        event.add("categories", [Platform(post.platform).label])
        event.add("status", "CANCELLED" if post.status == Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def csv_text(posts: Iterable[ScheduledPost], *, link: Callable[[ScheduledPost], str], tz: ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for post in posts:
        writer.writerow(
            [
                str(post.pk),
                post.scheduled_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                post.scheduled_time.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                post.platform,
                str(post.account),
                post.status,
                _inert(post_title(post)),
                _inert(post.caption),
                link(post),
                post.platform_url,
            ]
        )
    return out.getvalue()


def _inert(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (a caption may start with = or @)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def feed_owner(token: str):
    """The user whose subscription URL carries `token`, or None (revoked, replaced or made up)."""
    feed = CalendarFeedToken.objects.select_related("user").filter(token_hash=ApiToken.hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def feed_posts(owner, *, now: datetime):
    return (
        ScheduledPost.objects.owned_by(owner)
        .exclude(status=Status.CANCELLED)
        .filter(scheduled_time__gte=now - FEED_PAST, scheduled_time__lt=now + FEED_AHEAD)
        .select_related("clip", "account")
        .order_by("scheduled_time")
    )
