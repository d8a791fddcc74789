"""A worker's threads for sending the posts of one batch side by side.

A batch of posts due at the same instant is claimed and read with one query each
(dispatch.publish_batch); each send then spends nearly all its time waiting for Blotato, so they
wait together here instead of one after another. The threads are shared by every batch a worker
process runs and are as many as its task threads (CELERY_WORKER_CONCURRENCY), so the calls in
flight stay what they were with one post per task.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import connection

Item = TypeVar("Item")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _threads() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=max(1, settings.CELERY_WORKER_CONCURRENCY), thread_name_prefix="send"
            )
        return _executor


def _in_own_connection(function: Callable[[Item], None], item: Item) -> None:
    try:
        function(item)
    finally:
        # Back to the pool (or closed): a sending thread keeps no connection between sends.
        connection.close()


def side_by_side(function: Callable[[Item], None], items: Iterable[Item]) -> None:
    """Call `function` on every item at once; return when all are done, raising the first error.

    A single item runs in the calling thread. The caller must hold no transaction: each call
    commits its own work (as a send does), on its thread's own connection.
    """
    items = list(items)
    if len(items) <= 1:
        for item in items:
            function(item)
        return
    futures = [_threads().submit(_in_own_connection, function, item) for item in items]
    errors = [error for error in (future.exception() for future in futures) if error is not None]
    if errors:
        raise errors[0]
