"""A worker's many sending threads share a few pooled PostgreSQL connections (DATABASE_POOL_SIZE)."""

from __future__ import annotations

from django.db import connection


def is_pooled() -> bool:
    return bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))


def release_while_waiting() -> None:
    """Hand this thread's connection back to the pool before a call to Blotato.

    A publish or a status poll spends nearly all of its time waiting for Blotato's answer; holding
    a connection through that wait would cap the calls in flight at the pool's size. The next
    query takes a connection from the pool again. Without a pool this does nothing: closing a
    plain connection would only mean opening a new one for the next query.
    """
    if is_pooled() and not connection.in_atomic_block:
        connection.close()
