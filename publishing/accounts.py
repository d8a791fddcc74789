"""Connected social accounts, as Blotato knows them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .blotato import BlotatoClient
from .dispatch import api_key_for, client_for
from .models import SocialAccount
from .platforms import Platform

logger = logging.getLogger(__name__)


def sync_accounts(user) -> list[SocialAccount]:
    """Mirror the user's Blotato accounts, with a default Page/board where a platform needs one.

    Accounts that disappeared from Blotato are kept (posts point at them) but marked inactive.
    """
    client = client_for(api_key_for(user))
    remote = [a for a in client.accounts() if a.platform in Platform.values]
    pages = {a.id: client.subaccounts(a.id) for a in remote if a.platform in ("facebook", "linkedin")}
    boards = {a.id: client.pinterest_boards(a.id) for a in remote if a.platform == "pinterest"}
    now = timezone.now()
    with transaction.atomic():
        for account in remote:
            first_page = pages.get(account.id, [])[:1]
            first_board = boards.get(account.id, [])[:1]
            SocialAccount.objects.update_or_create(
                owner=user,
                blotato_account_id=account.id,
                defaults={
                    "platform": account.platform,
                    "name": account.fullname or account.username or "",
                    "username": account.username or "",
                    "is_active": True,
                    "synced_at": now,
                    # Facebook needs a Page; LinkedIn posts to the profile unless a Page is set.
                    "page_id": first_page[0].id if first_page and account.platform == "facebook" else "",
                    "board_id": first_board[0].id if first_board else "",
                },
            )
        SocialAccount.objects.owned_by(user).exclude(blotato_account_id__in=[a.id for a in remote]).update(
            is_active=False
        )
    logger.info("synced %d accounts for user %s", len(remote), user.pk)
    return list(SocialAccount.objects.owned_by(user))


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
