"""Finished API answers kept in Redis under a key that names exactly what they hold.

A key is a digest of everything an answer is made of (see api.calendar), so an entry is never
invalidated: a change makes a new key, and old entries expire. Redis being down or slow makes a
read slower, never wrong and never an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import caches
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Long enough to serve a busy calendar many times; short enough that old versions do not pile up.
ANSWER_TTL_S = 300


def cached_answer(key: str, build: Callable[[], bytes]) -> bytes:
    cache = caches["answers"]
    try:
        found = cache.get(key)
    except RedisError as error:
        logger.warning("Answer cache unavailable, building the answer: %s", error)
        return build()
    if found is not None:
        return found
    answer = build()
    try:
        cache.set(key, answer, ANSWER_TTL_S)
    except RedisError as error:
        logger.warning("Answer cache unavailable, answer not kept: %s", error)
    return answer
