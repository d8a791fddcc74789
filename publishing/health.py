"""Publisher health: is anything actually sending posts? (`/healthz`, and the pages' red banner)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from redis.exceptions import RedisError

from . import heartbeat
from .models import ScheduledPost

# Posts this far past due and still waiting mean the dispatcher is not keeping up.
PILING_UP_AFTER = timedelta(minutes=2)


@dataclass
class Health:
    problems: list[str]
    dispatcher_seen: float | None
    overdue: int

    @property
    def ok(self) -> bool:
        return not self.problems


def check() -> Health:
    problems = []
    try:
        seen = heartbeat.last_beat("dispatcher")
    except RedisError:
        seen = None
        problems.append("Redis does not answer: start Redis (the Celery broker).")
    allowed_silence = max(30.0, settings.DISPATCH_INTERVAL_SECONDS * 5)
    if seen is None or time.time() - seen > allowed_silence:
        problems.append(
            "The dispatcher has not run recently: start Celery beat and a worker "
            "(`celery -A mediaposter beat` and `celery -A mediaposter worker`)."
        )
    overdue = ScheduledPost.objects.due(timezone.now() - PILING_UP_AFTER).count()
    if overdue:
        problems.append(f"{overdue} due post(s) are waiting to be sent.")
    return Health(problems, seen, overdue)


def healthz(request):
    health = check()
    body = {
        "ok": health.ok,
        "problems": health.problems,
        "dispatcher_last_run": health.dispatcher_seen,
        "overdue_posts": health.overdue,
    }
    return JsonResponse(body, status=200 if health.ok else 503)
