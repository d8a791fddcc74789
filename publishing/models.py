from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from .encryption import EncryptedTextField
from .platforms import Platform, shown_options


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
    # "Add to queue" keeps at least this long between two posts on one account (publishing/queue.py).
    queue_gap_minutes = models.PositiveIntegerField(default=settings.DEFAULT_QUEUE_GAP_MINUTES)
    # The browser's zone is offered once, to a user still on the default zone; accepted or
    # dismissed, it is not offered again (choosing a zone in Settings counts as an answer).
    zone_offer_answered = models.BooleanField(default=False)

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


class HostingState(models.TextChoices):
    """Where an uploaded clip's file stands on its way to Blotato's media host (media_hosting.py)."""

    NONE = "", "Not started"  # a clip typed as a URL never needs hosting; an upload waits for its first post
    WAITING = "waiting", "Waiting for media upload"
    HOSTING = "hosting", "Uploading to Blotato"
    HOSTED = "hosted", "Uploaded to Blotato"
    FAILED = "failed", "Media upload failed"


class ClipQuerySet(OwnedQuerySet):
    def owned_by(self, user) -> ClipQuerySet:
        """The user's clips, without the covers made from them (covers.py): those are not clips to pick."""
        return super().owned_by(user).filter(cover_of__isnull=True)


class Clip(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="clips")
    title = models.CharField(max_length=200)
    # The URL Blotato fetches. A clip typed as a URL has it from the start; an uploaded clip
    # (file below) gets it once the file is hosted on Blotato, and waits until then.
    media_url = models.URLField(max_length=2000, blank=True, default="")
    thumbnail_url = models.URLField(max_length=2000, blank=True, default="")
    duration_s = models.FloatField(null=True, blank=True)
    # An uploaded file, kept under MEDIA_ROOT (or the configured storage), and what we learnt of it.
    file = models.FileField(upload_to="clips/%Y/%m/", max_length=500, blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="")  # sha256 hex, for dedupe
    content_type = models.CharField(max_length=100, blank=True, default="")
    size_bytes = models.BigIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.FileField(upload_to="thumbnails/%Y/%m/", max_length=500, blank=True, default="")
    # Hosting the uploaded file on Blotato (media_hosting.py): claimed with a token and a lease like
    # a post, retried at next_attempt_at, and media_url set once Blotato answers with the hosted URL.
    hosting_state = models.CharField(max_length=16, choices=HostingState.choices, blank=True, default="")
    hosting_token = models.UUIDField(null=True, blank=True)
    hosting_lease_until = models.DateTimeField(null=True, blank=True)
    hosting_attempts = models.PositiveSmallIntegerField(default=0)
    hosting_next_attempt_at = models.DateTimeField(null=True, blank=True)
    hosting_error = models.TextField(blank=True, default="")
    hosted_at = models.DateTimeField(null=True, blank=True)
    # A cover image made from a frame of another (uploaded) clip (covers.py): hosted like any upload,
    # never listed among the owner's clips. One per clip and instant, shared by the posts using it.
    cover_of = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="covers")
    cover_at_s = models.FloatField(null=True, blank=True)
    facts_note = models.CharField(max_length=300, blank=True, default="")  # what could not be read of the file
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cover_of", "cover_at_s"], name="one_cover_per_clip_frame"),
            # The same file uploaded twice by one user is one clip (media_upload.store_upload).
            models.UniqueConstraint(
                fields=["owner", "content_hash"], condition=~Q(content_hash=""), name="one_clip_per_file_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def waits_for_hosting(self) -> bool:
        """An uploaded file Blotato does not host yet (and has not refused for good)."""
        return bool(self.file) and not self.media_url and self.hosting_state != HostingState.FAILED

    @property
    def hosting_failed(self) -> bool:
        return bool(self.file) and not self.media_url and self.hosting_state == HostingState.FAILED

    @property
    def media_kind(self) -> str:
        """ "image" or "video": an upload's sniffed type, else the URL's file name (else video)."""
        if self.content_type:
            return self.content_type.partition("/")[0]
        return "image" if urlsplit(self.media_url).path.lower().endswith(IMAGE_EXTENSIONS) else "video"

    @property
    def aspect_ratio(self) -> float | None:
        """Width over height (0.5625 for 9:16), when known."""
        return round(self.width / self.height, 4) if self.width and self.height else None


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


class PostingSlot(models.Model):
    """One weekly time at which the account's queue posts: a weekday and a wall-clock time in the
    owner's zone (publishing/posting_slots.py turns it into instants, DST included)."""

    account = models.ForeignKey(SocialAccount, models.CASCADE, related_name="posting_slots")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday
    local_time = models.TimeField()

    class Meta:
        ordering = ["account", "weekday", "local_time"]
        constraints = [
            models.UniqueConstraint(fields=["account", "weekday", "local_time"], name="slot_once_per_account"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="slot_weekday_0_to_6"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_weekday_display()} {self.local_time:%H:%M}"

    def get_weekday_display(self) -> str:
        return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[self.weekday]


class CalendarFeedToken(models.Model):
    """The secret in a user's calendar subscription URL. Only its SHA-256 is stored; it is shown once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed ({self.prefix}…) of {self.user}"

    @classmethod
    def issue(cls, user) -> str:
        """A new secret for `user`, replacing any earlier one (which stops working)."""
        token = "cal_" + secrets.token_urlsafe(32)
        with transaction.atomic():
            cls.objects.filter(user=user).delete()
            cls.objects.create(user=user, token_hash=ApiToken.hash(token), prefix=token[:10])
        return token


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


def unhosted_uploads() -> Q:
    """Clips whose uploaded file Blotato does not host yet and has not refused for good."""
    return ~Q(file="") & Q(media_url="") & ~Q(hosting_state=HostingState.FAILED)


def due_at(at) -> Q:
    """A scheduled post's time has come and nothing holds it: no backoff, no pause, no media still
    on its way to Blotato (status apart). A clip whose hosting failed does not hold its posts:
    they are claimed and failed with the reason (dispatch.publish), never sent without media.

    Every caller also requires status scheduled, so a draft is never due, whatever its time.
    """
    return (
        Q(scheduled_time__lte=at)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))
        & ~Exists(PublishingPause.objects.holding(OuterRef("owner")))
        & ~Exists(waiting_media())
    )


def waiting_media():
    """The post's clip or cover, when it is an upload still on its way to Blotato (one subquery:
    the claim runs it for every post sent, so it is kept to one)."""
    return Clip.objects.filter(unhosted_uploads()).filter(Q(pk=OuterRef("clip_id")) | Q(pk=OuterRef("cover_id")))


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
    # A cover chosen as a frame of the clip (covers.py): Instagram's reel cover, YouTube's thumbnail.
    cover = models.ForeignKey(Clip, models.PROTECT, null=True, blank=True, related_name="covered_posts")
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
    # Missed because a pause held it past its grace (pause.py): listed to be rescheduled together.
    missed_in_pause = models.ForeignKey(
        "PublishingPause", models.SET_NULL, null=True, blank=True, related_name="missed_posts"
    )

    # An occurrence of a recurring post (publishing/series.py): its series, its place in it and the
    # time the rule gave it. `series_detached` once edited alone: series edits pass it by.
    series = models.ForeignKey("Series", models.SET_NULL, null=True, blank=True, related_name="posts")
    occurrence_index = models.PositiveIntegerField(null=True, blank=True)
    occurrence_time = models.DateTimeField(null=True, blank=True)
    series_detached = models.BooleanField(default=False)

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
            # Two runs of the series job at once, or a job racing the series' creation, can never
            # create one occurrence twice: the second insert fails here.
            models.UniqueConstraint(
                fields=["series", "occurrence_index", "platform"],
                condition=Q(series__isnull=False),
                name="occurrence_once_per_series",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} post {self.pk} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        if kwargs.get("update_fields") is not None:  # auto_now only applies to the fields saved
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    @property
    def waits_for_media(self) -> bool:
        """Scheduled, and its clip's file (or cover) is still on its way to Blotato: it goes once hosted."""
        if self.status != Status.SCHEDULED:
            return False
        return any(media is not None and media.waits_for_hosting for media in (self.clip, self.cover))

    @property
    def shown_options(self) -> list[tuple[str, str]]:
        """The post page's list of the options it goes out with (labels, and defaults that decide)."""
        return shown_options(self.platform, self.options)

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


class Series(models.Model):
    """A recurring post: what each occurrence posts (the schedule dialog's choices) and when (a
    recurrence.Rule in `timezone`). Occurrences are ScheduledPosts created ahead by series.extend."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="series")
    clip = models.ForeignKey(Clip, models.PROTECT, null=True, blank=True, related_name="series")
    caption = models.TextField(blank=True, default="")
    # [{"platform": "tiktok", "account": <SocialAccount pk>, "options": {...}}, ...] in platform order.
    targets = models.JSONField(default=list)

    frequency = models.CharField(max_length=8)  # recurrence.FREQUENCIES
    interval = models.PositiveSmallIntegerField(default=1)
    weekdays = models.JSONField(default=list, blank=True)  # 0 = Monday; weekly rules only
    start_day = models.DateField()  # local, in `timezone`
    local_time = models.TimeField()
    # The zone the rule is read in: the owner's when the series began, so a later change of the
    # owner's zone never moves a series already running.
    timezone = models.CharField(max_length=64)
    until = models.DateField(null=True, blank=True)  # local, inclusive
    count = models.PositiveIntegerField(null=True, blank=True)

    paused = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Every occurrence below this index has been created or recorded as skipped; `next_time` is the
    # instant of occurrence `next_index` (null once the series has none left), so the Beat job
    # reads only the series with something due within the horizon.
    next_index = models.PositiveIntegerField(default=0)
    next_time = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(condition=Q(interval__gte=1), name="series_interval_positive"),
            models.CheckConstraint(condition=Q(count__isnull=True) | Q(count__gte=1), name="series_count_positive"),
            models.CheckConstraint(
                condition=Q(frequency__in=["daily", "weekly", "monthly"]), name="series_frequency_known"
            ),
        ]
        indexes = [
            models.Index(fields=["next_time"], name="series_running", condition=Q(ended_at__isnull=True, paused=False))
        ]

    def __str__(self) -> str:
        return f"series {self.pk} of {self.owner}"


class SeriesSkip(models.Model):
    """Occurrences a series passed over without creating them (their time had gone, or an account
    was not connected): one row per run of them, so a long pause is one line, not thousands."""

    series = models.ForeignKey(Series, models.CASCADE, related_name="skips")
    first_index = models.PositiveIntegerField()
    last_index = models.PositiveIntegerField()
    first_time = models.DateTimeField()
    last_time = models.DateTimeField()
    platform = models.CharField(max_length=16, blank=True, default="")  # "" = every platform
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["series", "first_index", "platform"]

    def __str__(self) -> str:
        return f"{self.series_id} occurrences {self.first_index}-{self.last_index} skipped: {self.reason}"


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


class PauseQuerySet(models.QuerySet):
    def open(self) -> PauseQuerySet:
        return self.filter(ended_at__isnull=True)

    def holding(self, owner) -> PauseQuerySet:
        """The open pauses that hold `owner`'s posts: their own, or the whole install's."""
        return self.open().filter(Q(owner=owner) | Q(owner__isnull=True))


class PublishingPause(models.Model):
    """A person held publishing: one user's posts (owner) or every post of the install (no owner).

    While a pause is open (no ended_at) the dispatcher sends none of the posts it holds; the rows
    stay afterwards, so the posts that fell due while paused can be found and rescheduled together.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="publishing_pauses"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.CharField(max_length=150, blank=True, default="")
    ended_by = models.CharField(max_length=150, blank=True, default="")

    objects = PauseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # At most one open pause per user and one for the install (no owner: 0 in the index).
            models.UniqueConstraint(
                Coalesce("owner", Value(0)), condition=Q(ended_at__isnull=True), name="one_open_pause_per_owner"
            ),
        ]

    def __str__(self) -> str:
        whose = f"publishing of {self.owner}" if self.owner_id else "all publishing"
        until = f" until {self.ended_at:%Y-%m-%d %H:%M}" if self.ended_at else " (still paused)"
        return f"{whose} paused at {self.started_at:%Y-%m-%d %H:%M}{until}"


# --- Knowing when something goes wrong (notifications.py, webhooks.py) ----------------------------


class NotificationKind(models.TextChoices):
    POST_FAILED = "post_failed", "A post failed"
    POST_MISSED = "post_missed", "A post was missed"
    POST_NEEDS_REVIEW = "post_needs_review", "A post needs your review"
    PUBLISHER_DOWN = "publisher_down", "The publisher stopped"
    KEY_REFUSED = "key_refused", "Blotato refused your key"
    WEBHOOK_DISABLED = "webhook_disabled", "A webhook was switched off"
    MEDIA_FAILED = "media_failed", "A clip could not be uploaded to Blotato"


def every_notification_kind() -> list[str]:
    return list(NotificationKind.values)


class NotificationPreference(models.Model):
    """Which kinds of notification a user sees in the app and receives by email (all, by default)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notification_preference")
    in_app = models.JSONField(default=every_notification_kind, blank=True)
    email = models.JSONField(default=every_notification_kind, blank=True)

    def __str__(self) -> str:
        return f"notification choices of {self.user}"


class Notification(models.Model):
    """Something its owner should hear about; emailed in a digest, so a burst is one email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    message = models.TextField()
    post = models.ForeignKey(ScheduledPost, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    in_app = models.BooleanField(default=True)  # listed on the notifications page
    read_at = models.DateTimeField(null=True, blank=True)
    email_due = models.BooleanField(default=False)  # waiting for the next digest
    email_batch = models.UUIDField(null=True, blank=True)  # the digest that took it
    emailed_at = models.DateTimeField(null=True, blank=True)
    # One notice per problem (an outage, a refused key), however many processes see it.
    dedupe_key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="notification_list"),
            models.Index(fields=["user"], name="notification_unread", condition=Q(in_app=True, read_at__isnull=True)),
            models.Index(fields=["user"], name="notification_email_due", condition=Q(email_due=True)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once_per_problem"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user}: {self.message[:60]}"


class WebhookEndpoint(models.Model):
    """A URL of the user's that receives signed JSON for the post events it subscribed to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    secret = EncryptedTextField()  # signs every delivery; shown once, at creation
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"webhook {self.url} of {self.owner}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Given up"


class WebhookDelivery(models.Model):
    """One event for one endpoint: sent until a 2xx answers it, with the same event id each time."""

    endpoint = models.ForeignKey(WebhookEndpoint, models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4)
    event_type = models.CharField(max_length=32)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True, default="")  # the start of the receiver's answer
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="webhook_delivery_due", condition=Q(state__in=["pending", "sending"])
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once_per_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to {self.endpoint_id}: {self.state}"


class ImportState(models.TextChoices):
    CHECKED = "checked"  # read and dry-run: waiting for the owner to commit or drop it
    QUEUED = "queued"  # committing in a worker (a big file)
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"  # a row had errors when committed (something changed since the dry run)
    FAILED = "failed"  # the worker could not finish (nothing was written)


class ImportJob(models.Model):
    """An uploaded bulk-import file, from its dry run to its commit (publishing/import_jobs.py).

    The file is kept as text until it is committed, so the commit reads exactly what was checked.
    While a worker commits, rows done live in Redis (the commit's transaction hides this row's
    updates until it ends); `rows_done` here is the count once it has.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="import_jobs")
    file_name = models.CharField(max_length=200, blank=True, default="")
    kind = models.CharField(max_length=8)  # csv or json
    content = models.TextField(blank=True, default="")
    state = models.CharField(max_length=8, choices=ImportState.choices, default=ImportState.CHECKED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    posts_created = models.PositiveIntegerField(default=0)
    # What refused the commit: [{"row": 3, "column": "time", "message": "..."}], or one file-level item.
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # the commit began
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.file_name or self.pk} ({self.state})"
