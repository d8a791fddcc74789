"""A token bucket per Blotato API key, shared by every worker through Redis.

Blotato allows about 30 post creations a minute per key. Celery's rate_limit is per worker, so
the bucket lives in Redis; a worker that finds it empty does not sleep, it tells the caller
when to come back (dispatch stores that in next_attempt_at).
"""

from __future__ import annotations

import hashlib
import time
from functools import cache

import redis
from django.conf import settings

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


@cache
def shared_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)


def take_post_slot(api_key: str) -> float:
    """Take one post creation from this key's budget; 0 if granted, else seconds to wait."""
    per_minute = settings.BLOTATO_POSTS_PER_MINUTE
    if per_minute <= 0:
        return 0.0
    # The bucket is named by a hash: the key itself never reaches Redis.
    name = "mediaposter:bucket:posts:" + hashlib.sha256(api_key.encode()).hexdigest()[:32]
    wait = shared_redis().eval(_TAKE, 1, name, per_minute / 60.0, settings.BLOTATO_POSTS_BURST, time.time())
    return float(wait)
