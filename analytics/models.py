from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from publishing.platforms import Platform


class PostMetric(models.Model):
    """One post's performance, imported or linked from a published post (issue 3 builds on it)."""

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
