"""The page tests' clock: Wednesday 25 November 2026, 10:00 in Paris, standing still."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}  # what htmx sends with each of its requests


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield
