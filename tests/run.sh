#!/usr/bin/env bash
# `make test`: find (or start) PostgreSQL and Redis, then run the whole suite against them.
set -euo pipefail
cd "$(dirname "$0")/.."
exports=$(.venv/bin/python tests/services.py)
eval "$exports"
exec .venv/bin/python -m pytest "$@"
