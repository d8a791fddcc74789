"""Connected social accounts, as Blotato knows them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .blotato import BlotatoClient
from .blotato_clients import api_key_for, client_for
from .models import SocialAccount
from .platforms import RULES, Platform

logger = logging.getLogger(__name__)


def sync_accounts(user) -> list[SocialAccount]:
    """Mirror the user's Blotato accounts, with a default Page/board where a platform needs one.

    Accounts that disappeared from Blotato are kept (posts point at them) but marked inactive.
    """
    client = client_for(api_key_for(user))
    remote = [a for a in client.accounts() if a.platform in Platform.values]
    places = {a.id: _pages_or_boards(client, a) for a in remote if RULES[a.platform].destination}
    now = timezone.now()
    with transaction.atomic():
        for account in remote:
            SocialAccount.objects.update_or_create(
                owner=user,
                blotato_account_id=account.id,
                defaults={
                    "platform": account.platform,
                    "name": account.fullname or account.username or "",
                    "username": account.username or "",
                    "is_active": True,
                    "synced_at": now,
                    **_place_fields(account.platform, places.get(account.id, [])),
                },
            )
        SocialAccount.objects.owned_by(user).exclude(blotato_account_id__in=[a.id for a in remote]).update(
            is_active=False
        )
    logger.info("synced %d accounts for user %s", len(remote), user.pk)
    return list(SocialAccount.objects.owned_by(user))


def _pages_or_boards(client: BlotatoClient, account) -> list:
    if RULES[account.platform].destination.is_board:
        return client.pinterest_boards(account.id)
    return client.subaccounts(account.id)


def _place_fields(platform: str, places: list) -> dict:
    """page_id and board_id as sync stores them: the first Page/board where one is required.

    An optional one stays empty: LinkedIn posts to the profile unless the user sets a Page.
    """
    fields = {"page_id": "", "board_id": ""}
    destination = RULES[platform].destination
    if destination and destination.required_because and places:
        fields[destination.account_field] = places[0].id
    return fields


def check_key(api_key: str) -> int:
    """How many accounts Blotato lists for this key; raises the client's error when it cannot.

    A throwaway client, not `client_for`'s cache: keys typed into the settings page may be wrong,
    and a wrong key should not stay in the process's memory.
    """
    client = BlotatoClient(
        api_key,
        settings.BLOTATO_API_URL,
        connect_timeout=settings.BLOTATO_CONNECT_TIMEOUT,
        read_timeout=settings.BLOTATO_READ_TIMEOUT,
    )
    try:
        return len(client.accounts())
    finally:
        client.close()
