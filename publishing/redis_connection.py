"""The process's one connection pool to Redis, which every worker and web process shares state through."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def shared_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
