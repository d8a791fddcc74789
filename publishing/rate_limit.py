"""A token bucket per Blotato API key, shared by every worker through Redis.

Blotato allows about 30 post creations and 60 status checks (and 60 post-list reads) a minute per
key (docs/blotato.md). Celery's rate_limit is per worker, so the bucket lives in Redis; a worker
that finds it empty does not sleep, it tells the caller when to come back (stored in the post's
next_attempt_at).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings

from .redis_connection import shared_redis

# Atomic refill-and-take. KEYS[1] bucket; ARGV: rate per second, capacity, now. Returns the
# seconds to wait as a string: "0" when a token was taken.
_TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
return tostring(wait)
"""


def take_post_slot(api_key: str) -> float:
    """Take one post creation from this key's budget; 0 if granted, else seconds to wait."""
    return _take("posts", api_key, settings.BLOTATO_POSTS_PER_MINUTE, settings.BLOTATO_POSTS_BURST)


def take_check_slot(api_key: str) -> float:
    """Take one status check or post-list read (Blotato allows 60 a minute of each per key)."""
    return _take("checks", api_key, settings.BLOTATO_CHECKS_PER_MINUTE, settings.BLOTATO_CHECKS_BURST)


def _take(budget: str, api_key: str, per_minute: float, burst: int) -> float:
    if per_minute <= 0:
        return 0.0
    # The bucket is named by a hash: the key itself never reaches Redis.
    name = f"mediaposter:bucket:{budget}:" + hashlib.sha256(api_key.encode()).hexdigest()[:32]
    wait = shared_redis().eval(_TAKE, 1, name, per_minute / 60.0, burst, time.time())
    return float(wait)
