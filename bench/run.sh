#!/usr/bin/env bash
# `make bench`: the benchmarks, against the same services the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
exports=$(.venv/bin/python tests/services.py)
eval "$exports"
export REDIS_URL=redis://127.0.0.1:6379/14
.venv/bin/python bench/dispatch.py "$@"
