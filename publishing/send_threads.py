"""A worker's threads for sending the posts of one batch side by side.

A batch of posts due at the same instant is claimed and read with one query each
(dispatch.publish_batch); each send then spends nearly all its time waiting for Blotato, so they
wait together here instead of one after another. The threads are shared by every batch a worker
process runs and are as many as WORKER_CONCURRENCY (a worker's task threads, unless `-c` says
otherwise), so the calls in flight stay what they were with one post per task.

A batch takes room for all its sends before its posts are claimed (`room_for`). A post claimed
only to wait behind other sends would hold its lease while it waits, and would look to the
dispatcher as if it were being sent; unclaimed, it is still due, and status checks wait for it
(reconcile.checks_wait_for_sends).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import connection

Item = TypeVar("Item")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_room = threading.Condition()
_taken = 0  # sends that batches have room for right now, at most _size()


def _size() -> int:
    return max(1, settings.CELERY_WORKER_CONCURRENCY)


def _threads() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=_size(), thread_name_prefix="send")
        return _executor


@contextmanager
def room_for(count: int) -> Iterator[None]:
    """Wait until the sending threads can take `count` sends at once, and hold that room.

    Taken whole, never piece by piece: batches that each held part of what they need would wait
    for one another for ever.
    """
    global _taken
    count = min(count, _size())
    with _room:
        _room.wait_for(lambda: _taken + count <= _size())
        _taken += count
    try:
        yield
    finally:
        with _room:
            _taken -= count
            _room.notify_all()


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
