#!/usr/bin/env bash
# `make test`: find (or start) PostgreSQL and Redis, then run the whole suite against them.
set -euo pipefail
cd "$(dirname "$0")/.."
# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Uploaded videos are described by Debian's ffprobe/ffmpeg (docs/media.md); the tests make MP4s with it.
if ! command -v ffprobe >/dev/null 2>&1 || ! command -v ffmpeg >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null
fi
exports=$(.venv/bin/python tests/services.py)
eval "$exports"
# DEBUG for the suite (and the workers it starts) is set by tests/environment.py (pytest.ini).
exec .venv/bin/python -m pytest "$@"
