"""The recurring posts' Beat job, apart from tasks.py: series.py creates posts through lifecycle.py,
which hints due posts through tasks.py, so tasks.py importing series.py would close a loop."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import series


@shared_task(name="publishing.extend_series", ignore_result=True)
def extend_series() -> int:
    """Create every running series' occurrences within the horizon (a double run adds nothing)."""
    return series.extend_all(now=timezone.now())
