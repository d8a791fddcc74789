"""How long a post waits before another try, and how many tries it gets."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings

from .models import ScheduledPost


def retry_delay(attempt_number: int, *, at_least: float = 0.0) -> timedelta:
    """Exponential backoff with full jitter, never shorter than what Blotato asked for."""
    ceiling = min(settings.RETRY_CAP_SECONDS, settings.RETRY_BASE_SECONDS * 2 ** max(0, attempt_number - 1))
    return timedelta(seconds=max(at_least, random.uniform(0, ceiling)))


def attempts_left(post: ScheduledPost) -> bool:
    """The budget counts from the owner's last retry, so a retried post gets a full one."""
    return post.attempts - post.attempts_at_retry < settings.PUBLISH_MAX_ATTEMPTS
