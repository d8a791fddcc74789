from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from .encryption import EncryptedTextField
from .platforms import Platform


class Profile(models.Model):
    """What we know about a user beyond Django's auth: their zone and their Blotato key."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile")
    timezone = models.CharField(max_length=64, default="UTC")
    blotato_api_key = EncryptedTextField(blank=True, default="")
    late_grace_minutes = models.PositiveIntegerField(default=settings.DEFAULT_LATE_GRACE_MINUTES)
    # A post whose send may have reached Blotato but cannot be found there is handed to the user
    # (needs_review). With this on it is sent once more instead: a possible duplicate, the user's
    # choice over a possible missing post. Off by default; the settings page states the risk.
    resend_unconfirmed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"profile of {self.user}"

    @property
    def late_grace(self) -> timedelta:
        return timedelta(minutes=self.late_grace_minutes)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="API token")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.user}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str = "API token") -> tuple[ApiToken, str]:
        token = "mp_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, token_hash=cls.hash(token), prefix=token[:10]), token


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user) -> OwnedQuerySet:
        return self.filter(owner=user)


# What a media URL ends in tells how long Blotato may take to process it (dispatch.verify_window).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp")


class Clip(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="clips")
    title = models.CharField(max_length=200)
    media_url = models.URLField(max_length=2000)
    thumbnail_url = models.URLField(max_length=2000, blank=True, default="")
    duration_s = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def media_kind(self) -> str:
        """ "image" or "video", from the URL's file name (a clip without one is taken as video)."""
        return "image" if urlsplit(self.media_url).path.lower().endswith(IMAGE_EXTENSIONS) else "video"


class SocialAccount(models.Model):
    """A social account connected in Blotato, as last synced from Blotato's account list."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="social_accounts")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    blotato_account_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True, default="")
    username = models.CharField(max_length=200, blank=True, default="")
    # Facebook/LinkedIn page (subaccount) and Pinterest board used when a post names none.
    page_id = models.CharField(max_length=64, blank=True, default="")
    board_id = models.CharField(max_length=64, blank=True, default="")
    is_active = models.BooleanField(default=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["platform", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "blotato_account_id"], name="account_once_per_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} @{self.username or self.blotato_account_id}"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    SUBMITTED = "submitted", "Submitted"
    VERIFYING = "verifying", "Verifying"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    MISSED = "missed", "Missed"
    NEEDS_REVIEW = "needs_review", "Needs review"
    CANCELLED = "cancelled", "Cancelled"


# Only the tests that wait for every post to settle read SETTLED; it stays beside RETRYABLE so a
# new status is classed here, in one place.
SETTLED = [Status.PUBLISHED, Status.FAILED, Status.MISSED, Status.NEEDS_REVIEW, Status.CANCELLED]
RETRYABLE = [Status.FAILED, Status.MISSED, Status.NEEDS_REVIEW]
# What a person may still change (caption, clip, options, account, time): nothing has been sent.
EDITABLE = [Status.SCHEDULED, Status.DRAFT]


# updated_at is a change stamp as well as a time: every write moves it forward, at least by a
# microsecond, even when the clock has not moved (a frozen test clock, two writes in one
# microsecond). The API reports it, and the calendar answer's cache key and ETag are the list of
# its rows' updated_at (api.calendar_version), so a write that left it alone would be invisible.
STAMP_STEP = timedelta(microseconds=1)


class ChangeStampField(models.DateTimeField):
    """Like auto_now, but never the same value twice for one row."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        now = timezone.now()
        before = getattr(model_instance, self.attname)
        value = now if add or before is None else max(now, before + STAMP_STEP)
        setattr(model_instance, self.attname, value)
        return value


def next_stamp() -> Greatest:
    """The new updated_at of every row an .update() writes (see ChangeStampField)."""
    return Greatest(Value(timezone.now()), F("updated_at") + STAMP_STEP)


def due_at(at) -> Q:
    """A scheduled post's time has come and no backoff holds it (the status is checked apart).

    Every caller also requires status scheduled, so a draft is never due, whatever its time.
    """
    return Q(scheduled_time__lte=at) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))


class PostQuerySet(OwnedQuerySet):
    def update(self, **changes) -> int:
        changes.setdefault("updated_at", next_stamp())
        return super().update(**changes)

    def due(self, at) -> PostQuerySet:
        return self.filter(due_at(at), status=Status.SCHEDULED)


class ScheduledPost(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="posts")
    group_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    clip = models.ForeignKey(Clip, models.PROTECT, null=True, blank=True, related_name="posts")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    account = models.ForeignKey(SocialAccount, models.PROTECT, related_name="posts")
    caption = models.TextField(blank=True, default="")
    # Blotato `target` fields the user chose for this platform (TikTok privacy, YouTube title...).
    options = models.JSONField(default=dict, blank=True)
    # UTC; shown in the owner's zone. Only a draft may have none: it waits in the calendar's
    # "unscheduled" tray until its owner gives it a time (a constraint below holds everyone else).
    scheduled_time = models.DateTimeField(null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # `attempts` when the owner last pressed retry: the attempt budget counts from here.
    attempts_at_retry = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    # Dispatch bookkeeping (publishing/dispatch.py).
    claim_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    hinted_at = models.DateTimeField(null=True, blank=True)
    unconfirmed_resends = models.PositiveSmallIntegerField(default=0)
    verify_until = models.DateTimeField(null=True, blank=True)
    verify_searches = models.PositiveIntegerField(default=0)  # Blotato list reads for this unknown outcome

    blotato_submission_id = models.CharField(max_length=100, blank=True, default="")
    platform_post_id = models.CharField(max_length=200, blank=True, default="")
    platform_url = models.URLField(max_length=2000, blank=True, default="")
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = ChangeStampField()

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_time"]
        indexes = [
            # dispatch.claim_due_posts and the missed-post sweep read only this.
            models.Index(fields=["scheduled_time"], name="post_due", condition=Q(status="scheduled")),
            # The reconcile sweep (reconcile.py): leases, polls and verifications in flight.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="post_in_flight",
                condition=Q(status__in=["publishing", "submitted", "verifying"]),
            ),
            # The calendar: one owner's posts in a date range.
            models.Index(fields=["owner", "scheduled_time"], name="post_owner_time"),
        ]
        constraints = [
            # choices= is only checked by forms; this stops .update() from writing junk.
            models.CheckConstraint(condition=Q(status__in=Status.values), name="post_status_known"),
            models.CheckConstraint(
                condition=~Q(status="publishing") | Q(lease_until__isnull=False, claim_token__isnull=False),
                name="post_publishing_has_lease",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(scheduled_time__isnull=False),
                name="post_time_unless_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} post {self.pk} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        if kwargs.get("update_fields") is not None:  # auto_now only applies to the fields saved
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    @property
    def live_url(self) -> str:
        """The platform link, only if it is a web address (never a javascript: or data: URL)."""
        return web_url(self.platform_url)


def web_url(value: str | None) -> str:
    """`value` if it is an http(s) URL with a host, else "": what we store and link to."""
    if not value or not isinstance(value, str):
        return ""
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("https", "http") and parts.hostname else ""


class PostEvent(models.Model):
    """One line of a post's story on its page: what happened, to which status, and who decided."""

    post = models.ForeignKey(ScheduledPost, models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, blank=True, default="")
    message = models.TextField()
    # A person's decision (retry, "it is live", "send it"); empty for what the publisher did.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["post", "at"], name="post_event_story")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.at:%Y-%m-%d %H:%M:%S}: {self.message[:60]}"


class AttemptState(models.TextChoices):
    PREPARED = "prepared", "Prepared (not sent)"
    SENT = "sent", "Sent, waiting for Blotato"
    ACCEPTED = "accepted", "Accepted by Blotato"
    REJECTED = "rejected", "Rejected by Blotato"
    RATE_LIMITED = "rate_limited", "Rate limited"
    NOT_SENT = "not_sent", "Could not reach Blotato"
    UNKNOWN = "unknown", "Outcome unknown"


class PublishAttempt(models.Model):
    """Every call to Blotato's create-post leaves one row: the audit trail and the duplicate guard."""

    post = models.ForeignKey(ScheduledPost, models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()  # = post.attempts at claim time
    claim_token = models.UUIDField()
    state = models.CharField(max_length=16, choices=AttemptState.choices, default=AttemptState.PREPARED)
    started_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    submission_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["post", "number"]
        constraints = [
            # A redelivered task for the same claim cannot send twice.
            models.UniqueConstraint(fields=["post", "number"], name="attempt_once_per_claim"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.post_id}: {self.state}"
