"""Loaded with `-p tests.environment`, before Django's settings: the suite runs as `make run` does.

The settings default to DEBUG off, which refuses to start without a SECRET_KEY of one's own; the
tests (and the worker processes they start, which inherit this environment) run with DEBUG=1 over
plain HTTP. tests/security/test_production_settings.py loads the production settings itself.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DEBUG", "1")

# Uploaded files go to a directory of this run, never var/media; the workers the suite starts
# inherit it. Removed when the run ends.
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="mediaposter-test-media-")
atexit.register(shutil.rmtree, os.environ["MEDIA_ROOT"], ignore_errors=True)
