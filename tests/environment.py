"""Loaded with `-p tests.environment`, before Django's settings: the suite runs as `make run` does.

The settings default to DEBUG off, which refuses to start without a SECRET_KEY of one's own; the
tests (and the worker processes they start, which inherit this environment) run with DEBUG=1 over
plain HTTP. tests/security/test_production_settings.py loads the production settings itself.
"""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")
