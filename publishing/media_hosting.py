"""Hosting uploaded clips on Blotato, once, before the first post that uses them is due.

A clip typed as a URL is fetched by Blotato itself. An uploaded clip lives on this install's disk,
which no platform can reach, so its file goes to Blotato's media host (POST /v2/media with a base64
data URI, or a presigned upload for larger files) and the hosted URL becomes the clip's media_url,
used by every post of it. Until then its posts are not due (models.due_at): they wait.

The job has a post's care, not a post's fear. It is claimed with one conditional UPDATE (a token
and a lease, so two workers never both send and a dead worker's clip is taken over), retried with
backoff on anything that proves nothing or may be transient (no connection, a timeout, 5xx, 429
with Retry-After), and failed for good on a 4xx with Blotato's reason, which its posts then carry
(dispatch.publish). A second hosted copy after a lost answer is only a second file on Blotato's
storage, never a second post, so unknown outcomes are simply tried again.
"""

from __future__ import annotations

import base64
import logging
import uuid
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from . import notifications
from .blotato import AuthRejected, HostedMedia, NotSent, RateLimited, Rejected, UnknownOutcome
from .blotato_clients import api_key_for, client_for
from .models import Clip, HostingState, NotificationKind, ScheduledPost, Status
from .retries import retry_delay

logger = logging.getLogger(__name__)

TOO_LARGE = "too large for Blotato hosting; use a public URL"


class HostingRefused(Exception):
    """We will not (or cannot) send this file: too large, or missing from storage."""


def lease() -> timedelta:
    return timedelta(seconds=settings.MEDIA_HOSTING_LEASE_SECONDS)


def claimable(at: datetime) -> Q:
    """An unhosted upload nobody holds: waiting and due for a try, or held past its lease (a dead worker)."""
    waiting = Q(hosting_state__in=[HostingState.NONE, HostingState.WAITING]) & (
        Q(hosting_next_attempt_at__isnull=True) | Q(hosting_next_attempt_at__lte=at)
    )
    abandoned = Q(hosting_state=HostingState.HOSTING, hosting_lease_until__lt=at)
    return ~Q(file="") & Q(media_url="") & (waiting | abandoned)


def claim(clip_id: uuid.UUID, *, at: datetime) -> uuid.UUID | None:
    """Take the clip for hosting; the claim token only for the caller that won."""
    token = uuid.uuid4()
    won = Clip.objects.filter(claimable(at), pk=clip_id).update(
        hosting_state=HostingState.HOSTING,
        hosting_token=token,
        hosting_lease_until=at + lease(),
        hosting_attempts=F("hosting_attempts") + 1,
    )
    return token if won else None


def ready_for_hosting(clip: Clip | None) -> bool:
    """A post using `clip` was scheduled: True when its file must go to Blotato (lifecycle then asks a worker).

    A clip whose hosting failed gets a fresh start: the person scheduling it again may have fixed
    the cause (a key, a plan), and if not, it fails again with the reason.
    """
    if clip is None or not clip.file or clip.media_url:
        return False
    Clip.objects.filter(pk=clip.pk, hosting_state=HostingState.FAILED, media_url="").update(
        hosting_state=HostingState.WAITING, hosting_attempts=0, hosting_next_attempt_at=None
    )
    return True


def clips_to_host(*, at: datetime, limit: int = 100) -> list[uuid.UUID]:
    """Unhosted uploads that a scheduled post waits for and that may be tried now: the sweep's list,
    so nothing is forgotten after a lost message or a crash."""
    scheduled = ScheduledPost.objects.filter(status=Status.SCHEDULED)
    waited_for = Q(pk__in=scheduled.values("clip_id")) | Q(pk__in=scheduled.values("cover_id"))
    due = Clip.objects.filter(claimable(at)).filter(waited_for).order_by("created_at")
    return list(due.values_list("pk", flat=True)[:limit])


def host(clip_id: uuid.UUID) -> str | None:
    """Host one clip's file if it needs it and nobody else holds it; its new state, or None if not taken."""
    now = timezone.now()
    token = claim(clip_id, at=now)
    if token is None:
        return None
    clip = Clip.objects.select_related("owner__profile").get(pk=clip_id)
    api_key = api_key_for(clip.owner)
    if not api_key:
        return _failed(clip, token, "No Blotato API key: add yours in Settings.")
    try:
        hosted = send(clip, api_key)
    except HostingRefused as refused:
        return _failed(clip, token, str(refused))
    except AuthRejected as error:
        notifications.key_refused(clip.owner_id, api_key, error.message or "unauthorised")
        return _failed(clip, token, f"Blotato rejected the API key (HTTP {error.status}): {error.message}")
    except Rejected as error:
        return _failed(clip, token, f"Blotato refused the media (HTTP {error.status}): {error.message}")
    except RateLimited as error:
        when = timezone.now() + retry_delay(clip.hosting_attempts, at_least=error.retry_after)
        return _try_later(clip, token, f"Rate limited by Blotato: {error.message}", when)
    except (NotSent, UnknownOutcome) as error:
        # Nothing sent, or a file may now be hosted twice: harmless for media, so try again.
        why = "Could not reach Blotato" if isinstance(error, NotSent) else "Blotato did not confirm the upload"
        when = timezone.now() + retry_delay(clip.hosting_attempts)
        return _try_later(clip, token, f"{why}: {error.message}", when)
    return _hosted(clip, token, hosted)


def send(clip: Clip, api_key: str) -> HostedMedia:
    """The file to Blotato: inline as a data URI when small, else through a presigned upload."""
    size = _size(clip)
    if size > settings.MEDIA_HOSTING_MAX_BYTES:
        limit = settings.MEDIA_HOSTING_MAX_BYTES // (1024 * 1024)
        raise HostingRefused(f"The file ({size / 1024 / 1024:.0f} MB) is {TOO_LARGE} (at most {limit} MB).")
    client = client_for(api_key)
    timeout = settings.MEDIA_HOSTING_READ_TIMEOUT
    content_type = clip.content_type or "application/octet-stream"
    with clip.file.open("rb") as file:
        if size <= settings.MEDIA_HOSTING_INLINE_MAX_BYTES:
            data_uri = f"data:{content_type};base64,{base64.b64encode(file.read()).decode('ascii')}"
            return client.host_media(data_uri, read_timeout=timeout)
        name = PurePosixPath(clip.file.name).name
        return client.upload_media(file, filename=name, size=size, content_type=content_type, read_timeout=timeout)


def _size(clip: Clip) -> int:
    try:
        return clip.file.size
    except (FileNotFoundError, OSError):
        raise HostingRefused("The uploaded file is missing from storage: upload it again.") from None


def _held(clip: Clip, token: uuid.UUID):
    return Clip.objects.filter(pk=clip.pk, hosting_state=HostingState.HOSTING, hosting_token=token)


def _hosted(clip: Clip, token: uuid.UUID, hosted: HostedMedia) -> str:
    done = _held(clip, token).update(
        hosting_state=HostingState.HOSTED,
        media_url=hosted.url,
        hosted_at=timezone.now(),
        hosting_error="",
        hosting_token=None,
        hosting_lease_until=None,
        hosting_next_attempt_at=None,
    )
    if not done:  # our lease ran out and another worker took over: its answer is the one kept
        return HostingState.HOSTING
    logger.info("clip %s hosted on Blotato after %d attempt(s)", clip.pk, clip.hosting_attempts)
    return HostingState.HOSTED


def due_posts_of(clip_id: uuid.UUID) -> list[uuid.UUID]:
    """Posts that came due while their media was on its way: hinted at once (tasks.host_clip), not
    at the next sweep; once hosted they go, once failed they fail with the reason."""
    due = ScheduledPost.objects.filter(
        Q(clip_id=clip_id) | Q(cover_id=clip_id), status=Status.SCHEDULED, scheduled_time__lte=timezone.now()
    )
    return list(due.values_list("pk", flat=True)[:1000])


def _try_later(clip: Clip, token: uuid.UUID, error: str, when: datetime) -> str:
    if clip.hosting_attempts >= settings.MEDIA_HOSTING_MAX_ATTEMPTS:
        return _failed(clip, token, f"Gave up after {clip.hosting_attempts} attempts: {error}")
    _held(clip, token).update(
        hosting_state=HostingState.WAITING,
        hosting_error=error[:2000],
        hosting_next_attempt_at=when,
        hosting_token=None,
        hosting_lease_until=None,
    )
    logger.info("clip %s not hosted yet (%s); next try at %s", clip.pk, error, when.isoformat())
    return HostingState.WAITING


def _failed(clip: Clip, token: uuid.UUID, error: str) -> str:
    """Refused for good: the clip's posts fail with this reason when their time comes (never sent bare)."""
    if not _held(clip, token).update(
        hosting_state=HostingState.FAILED, hosting_error=error[:2000], hosting_token=None, hosting_lease_until=None
    ):
        return HostingState.HOSTING
    logger.warning("clip %s could not be hosted on Blotato: %s", clip.pk, error)
    notifications.notify(
        clip.owner_id,
        NotificationKind.MEDIA_FAILED,
        f"The clip “{clip.title}” could not be uploaded to Blotato: {error} "
        "Its scheduled posts will not be sent without it; schedule them again after fixing this.",
    )
    return HostingState.FAILED


def failure_reason(clip: Clip) -> str:
    """What a post whose clip (or cover) could not be hosted says."""
    what = "cover image" if clip.cover_of_id else "media"
    return f"Not sent: its {what} could not be uploaded to Blotato. {clip.hosting_error}".strip()
