from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from publishing.platforms import Platform


class MetricSource(models.TextChoices):
    IMPORT = "import", "Imported"
    BLOTATO = "blotato", "From Blotato"


class PostMetric(models.Model):
    """One post's performance: imported from a CSV/JSON export, or harvested from Blotato's analytics
    for a post we published (analytics/harvest.py). One row per post: a URL met both ways is one."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="post_metrics")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    posted_at = models.DateTimeField()
    views = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    comments = models.PositiveBigIntegerField(default=0)
    shares = models.PositiveBigIntegerField(default=0)
    saves = models.PositiveBigIntegerField(default=0)
    followers = models.PositiveBigIntegerField(null=True, blank=True)
    post_url = models.URLField(max_length=2000, blank=True, default="")
    post = models.ForeignKey("publishing.ScheduledPost", models.SET_NULL, null=True, blank=True, related_name="metrics")
    source = models.CharField(max_length=8, choices=MetricSource.choices, default=MetricSource.IMPORT)
    # Harvested rows: the age of the snapshot the counts come from, and how much the engine should
    # believe them (1 from the fixed age on; less for a post still young).
    measured_at_age_days = models.FloatField(null=True, blank=True)
    maturity = models.FloatField(default=1.0)

    class Meta:
        ordering = ["-posted_at"]
        indexes = [
            # analytics.history reads one owner's platform over the last 90 days.
            models.Index(fields=["owner", "platform", "posted_at"], name="metric_owner_platform_time"),
        ]
        constraints = [
            # Re-importing the same rows updates them: a post is its URL, or its time when it has none.
            models.UniqueConstraint(
                fields=["owner", "platform", "post_url"], condition=~Q(post_url=""), name="metric_once_per_url"
            ),
            models.UniqueConstraint(
                fields=["owner", "platform", "posted_at"], condition=Q(post_url=""), name="metric_once_per_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform} post at {self.posted_at:%Y-%m-%d %H:%M}"


class HarvestedPost(models.Model):
    """What the harvest knows of one post we published: its published-post id, how far it got."""

    post = models.OneToOneField("publishing.ScheduledPost", models.CASCADE, related_name="harvest")
    # Blotato's published-post id: analytics take it, and only the post's URL links it to ours.
    published_id = models.CharField(max_length=64, blank=True, default="")
    searches = models.PositiveIntegerField(default=0)  # runs that looked for it in the published list
    last_asked_at = models.DateTimeField(null=True, blank=True)  # analytics last read
    complete = models.BooleanField(default=False)  # every checkpoint is in: never asked again

    def __str__(self) -> str:
        return f"harvest of {self.post_id}"


class EngagementSnapshot(models.Model):
    """One reading of a published post's metrics as Blotato took it: stored once, never changed.

    Blotato returns the same reading as the latest, inside the history and on every later call;
    the unique key makes all of those one row.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    post = models.ForeignKey("publishing.ScheduledPost", models.CASCADE, related_name="snapshots")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    published_id = models.CharField(max_length=64)
    fetched_at = models.DateTimeField()
    metrics = models.JSONField()  # raw, as Blotato sent it: counts are strings, absent is not zero
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "fetched_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "published_id", "fetched_at"], name="snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.published_id} at {self.fetched_at:%Y-%m-%d %H:%M}"


class HarvestStatus(models.Model):
    """A user's last harvest, and the problem with their key if it stopped working (shown once)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="harvest_status")
    last_run_at = models.DateTimeField(null=True, blank=True)
    problem = models.TextField(blank=True, default="")
    # The key the problem was met with (SHA-256): a new key is tried again, the same one is not.
    problem_key = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"harvest status of {self.user}"
