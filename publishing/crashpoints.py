"""Deterministic crash points for the worker tests (tests/publishing/test_workers.py).

With TESTING_FAULTS on and MEDIAPOSTER_CRASH_AT="<point>:<marker>", a worker kills itself with
SIGKILL at that point of the first attempt of any post whose caption contains the marker. It
reproduces the "worker died mid-publish" window every time, without timing luck. Off by
default, and inert unless both settings are present.
"""

from __future__ import annotations

import os
import signal

from django.conf import settings


def reach(point: str, post) -> None:
    if not getattr(settings, "TESTING_FAULTS", False):
        return
    wanted = os.environ.get("MEDIAPOSTER_CRASH_AT", "")
    if not wanted:
        return
    name, _, marker = wanted.partition(":")
    if name == point and marker and marker in post.caption and post.attempts == 1:
        os.kill(os.getpid(), signal.SIGKILL)
