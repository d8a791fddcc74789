"""Publisher health: is anything actually sending posts? (`/healthz`, and the pages' red banner).

Whether the dispatcher runs is install-wide and anyone may see it. How many posts wait is not:
a signed-in user's banner counts only their own posts, and /healthz (for monitoring, without a
login) only says whether any post has waited too long, never how many or whose.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from redis.exceptions import RedisError

from . import heartbeat, notifications
from .models import ScheduledPost

# Posts this far past due and still waiting mean the dispatcher is not keeping up.
PILING_UP_AFTER = timedelta(minutes=2)


@dataclass
class Health:
    problems: list[str]
    dispatcher_seen: float | None
    posts_piling_up: bool

    @property
    def ok(self) -> bool:
        return not self.problems


def check(user=None) -> Health:
    """The install's health; with a user, the waiting posts counted are that user's alone."""
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
        if seen is not None:  # it ran, then stopped (a fresh install that never ran is only bannered)
            notifications.publisher_stopped(seen)
    overdue = ScheduledPost.objects.due(timezone.now() - PILING_UP_AFTER)
    if user is None:
        piling_up = overdue.exists()
        if piling_up:
            problems.append("Due posts are waiting to be sent: some have waited over 2 minutes.")
    else:
        mine = overdue.owned_by(user).count()
        piling_up = bool(mine)
        if mine:
            problems.append(f"{mine} of your posts {'is' if mine == 1 else 'are'} overdue and waiting to be sent.")
    return Health(problems, seen, piling_up)


def healthz(request):
    health = check()
    body = {
        "ok": health.ok,
        "problems": health.problems,
        "dispatcher_last_run": health.dispatcher_seen,
        "posts_piling_up": health.posts_piling_up,
    }
    return JsonResponse(body, status=200 if health.ok else 503)
