"""Telling a user what went wrong: in the app (the notifications page, the header's count) and by email.

A notification is one row, made where the problem is noticed: a post ending failed, missed or
needs_review (post_outcomes.py), a Blotato key refused (dispatch.py, analytics/harvest.py), the
publisher falling silent (health.py), a webhook switched off (webhook_delivery.py). Each user's
NotificationPreference says which kinds are listed in the app and which are emailed.

Email goes out in digests: every few minutes (beat) each user with notifications waiting gets ONE
email listing them, so a burst of 200 failures is one email, not 200. A digest takes its rows with
one conditional UPDATE, so two digest runs never send the same notification twice.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from .models import Notification, NotificationKind, NotificationPreference, ScheduledPost, Status
from .redis_connection import shared_redis

logger = logging.getLogger(__name__)

Kind = NotificationKind
KIND_OF_POST_STATUS = {
    Status.FAILED: Kind.POST_FAILED,
    Status.MISSED: Kind.POST_MISSED,
    Status.NEEDS_REVIEW: Kind.POST_NEEDS_REVIEW,
}
# A digest claimed this long ago and still not sent belongs to a process that died: taken again.
DIGEST_CLAIM_EXPIRES = timedelta(minutes=10)
DIGEST_LINES = 50  # an email lists this many; the rest are counted, and all are on the page


def choices(user_id: int) -> tuple[set[str], set[str]]:
    """(kinds shown in the app, kinds emailed) for this user; everything when they never chose."""
    row = NotificationPreference.objects.filter(user_id=user_id).values_list("in_app", "email").first()
    if row is None:
        return set(Kind.values), set(Kind.values)
    return set(row[0]), set(row[1])


def notify(user_id: int, kind: str, message: str, *, post_id=None, dedupe_key: str = "") -> Notification | None:
    """Record a notification as the user's choices say; None when they want neither, or it was made before."""
    in_app, email = choices(user_id)
    if kind not in in_app and kind not in email:
        return None
    notification = Notification(
        user_id=user_id,
        kind=kind,
        message=message[:4000],
        post_id=post_id,
        in_app=kind in in_app,
        email_due=kind in email,
        dedupe_key=dedupe_key,
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:  # the same problem, already noticed by another process
        return None
    return notification


def post_ended(post: ScheduledPost, why: str) -> Notification | None:
    """A post arrived in failed, missed or needs_review (called by post_outcomes)."""
    kind = KIND_OF_POST_STATUS[post.status]
    when = post.scheduled_time.strftime("%Y-%m-%d %H:%M UTC")
    message = f"{post.get_platform_display()} post for {when} {post.get_status_display().lower()}: {why}"
    return notify(post.owner_id, kind, message, post_id=post.pk)


def key_refused(user_id: int, api_key: str, reason: str) -> Notification | None:
    """Blotato refused the user's key: said once per key (by its hash), however many posts it stops."""
    message = f"Blotato refused your API key ({reason}). Save a working key in Settings."
    fingerprint = hashlib.sha256(api_key.encode()).hexdigest()[:40]
    return notify(user_id, Kind.KEY_REFUSED, message, dedupe_key=f"key-refused:{fingerprint}")


def publisher_stopped(last_seen: float) -> int:
    """The dispatcher's heartbeat went silent after `last_seen`: tell every user, once per outage.

    The digest is sent at once, by whichever process noticed (a web page or /healthz): the
    workers that would send it later may be exactly what stopped.
    """
    outage = f"publisher-down:{int(last_seen)}"
    try:
        first = shared_redis().set(f"mediaposter:noticed:{outage}", 1, nx=True, ex=7 * 24 * 3600)
    except RedisError:
        return 0  # the banner already says Redis does not answer
    if not first:
        return 0
    since = datetime.fromtimestamp(last_seen, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    message = (
        f"Posts are not going out: the dispatcher has not run since {since}. Start Celery beat and a "
        "worker (`celery -A mediaposter beat`, `celery -A mediaposter worker`)."
    )
    told = [
        user_id
        for user_id in get_user_model().objects.filter(is_active=True).values_list("pk", flat=True)
        if notify(user_id, Kind.PUBLISHER_DOWN, message, dedupe_key=outage)
    ]
    for user_id in told:
        send_digest(user_id)
    logger.warning("publisher silent since %s: %d user(s) notified", since, len(told))
    return len(told)


# --- The app's list --------------------------------------------------------------------------


def listed(user):
    return Notification.objects.filter(user=user, in_app=True).select_related("post")


def unread_count(user) -> int:
    return listed(user).filter(read_at__isnull=True).count()


def mark_read(user, notification_id: int) -> bool:
    """True if it is the user's; marking twice is harmless."""
    mine = listed(user).filter(pk=notification_id)
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return mine.exists()


def mark_all_read(user) -> int:
    return listed(user).filter(read_at__isnull=True).update(read_at=timezone.now())


# --- Email digests ---------------------------------------------------------------------------


def send_digests() -> int:
    """One email per user with notifications waiting (beat, every few minutes); how many were sent."""
    now = timezone.now()
    Notification.objects.filter(
        email_due=True, email_batch__isnull=False, emailed_at__lt=now - DIGEST_CLAIM_EXPIRES
    ).update(email_batch=None, emailed_at=None)
    waiting = Notification.objects.filter(email_due=True, email_batch__isnull=True)
    return sum(send_digest(user_id) for user_id in waiting.values_list("user_id", flat=True).distinct())


def send_digest(user_id: int) -> bool:
    """Take every notification waiting for this user's email and send them as one; True if sent."""
    batch = uuid.uuid4()
    taken = Notification.objects.filter(user_id=user_id, email_due=True, email_batch__isnull=True).update(
        email_batch=batch, emailed_at=timezone.now()
    )
    if not taken:
        return False
    in_batch = Notification.objects.filter(email_batch=batch)
    address = get_user_model().objects.filter(pk=user_id).values_list("email", flat=True).first()
    if not address:  # nowhere to send it; the page still lists them
        in_batch.update(email_due=False, emailed_at=None)
        return False
    subject, body = digest_text(list(in_batch.order_by("created_at", "id")))
    try:
        send_mail(subject, body, None, [address])
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("notification email to user %s not sent (tried again next run): %s", user_id, error)
        in_batch.update(email_batch=None, emailed_at=None)
        return False
    in_batch.update(email_due=False, emailed_at=timezone.now())
    return True


def digest_text(notifications: list[Notification]) -> tuple[str, str]:
    count = len(notifications)
    subject = (
        f"MediaPoster: {notifications[0].get_kind_display().lower()}"
        if count == 1
        else f"MediaPoster: {count} things need your attention"
    )
    lines = [f"- {n.created_at:%Y-%m-%d %H:%M} UTC  {n.message}" for n in notifications[:DIGEST_LINES]]
    if count > DIGEST_LINES:
        lines.append(f"... and {count - DIGEST_LINES} more.")
    link = settings.SITE_URL.rstrip("/") + "/notifications/"
    body = "\n".join(
        [
            f"{count} notification{'s' if count != 1 else ''} since the last email:",
            "",
            *lines,
            "",
            f"All of them: {link}",
            f"Choose what is emailed in Settings: {settings.SITE_URL.rstrip('/')}/settings/#notifications",
        ]
    )
    return subject, body
