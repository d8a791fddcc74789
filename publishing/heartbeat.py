"""Heartbeats of the dispatcher and workers, so a silent outage shows up (see /healthz)."""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

from .redis_connection import shared_redis

logger = logging.getLogger(__name__)


def beat(component: str) -> None:
    try:
        shared_redis().set(f"mediaposter:heartbeat:{component}", time.time(), ex=24 * 3600)
    except RedisError as error:  # the heartbeat must never stop the dispatcher itself
        logger.warning("could not record the %s heartbeat: %s", component, error)


def last_beat(component: str) -> float | None:
    value = shared_redis().get(f"mediaposter:heartbeat:{component}")
    return float(value) if value else None
