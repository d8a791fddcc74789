"""One fake Blotato for the whole module tree, reset before each test. No Django needed."""

from __future__ import annotations

import pytest

from publishing.fake_blotato import FakeBlotato
from tests.fake_blotato.calls import KEY


@pytest.fixture(scope="session")
def running_fake():
    with FakeBlotato() as fake:
        yield fake


@pytest.fixture
def fake(running_fake):
    """A clean fake: sandbox accounts for KEY, default knobs but no rate limits (tests opt in)."""
    running_fake.reset()
    running_fake.add_sandbox_key(KEY)
    running_fake.set_knobs(rate_limits=None)
    yield running_fake
    running_fake.clear_faults()
