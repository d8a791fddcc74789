"""Which Blotato key a user's posts go out with, and one keep-alive client per key per process."""

from __future__ import annotations

from django.conf import settings

from .blotato import BlotatoClient
from .models import Profile


def api_key_for(owner) -> str:
    """The user's own key, else the install's, else the sandbox's (sandbox mode), else none."""
    try:
        own = owner.profile.blotato_api_key  # no query when the post was read with its owner's profile
    except Profile.DoesNotExist:
        own = ""
    if own:
        return own
    if settings.BLOTATO_API_KEY:
        return settings.BLOTATO_API_KEY
    return settings.BLOTATO_SANDBOX_KEY if settings.BLOTATO_SANDBOX else ""


_clients: dict[str, BlotatoClient] = {}


def client_for(api_key: str) -> BlotatoClient:
    """One client (one keep-alive session) per key per process."""
    client = _clients.get(api_key)
    if client is None:
        client = _clients[api_key] = BlotatoClient(
            api_key,
            settings.BLOTATO_API_URL,
            connect_timeout=settings.BLOTATO_CONNECT_TIMEOUT,
            read_timeout=settings.BLOTATO_READ_TIMEOUT,
            # One kept-alive connection per sending thread, so none is opened per call.
            pool_size=max(32, settings.CELERY_WORKER_CONCURRENCY),
        )
    return client
