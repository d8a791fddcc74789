#!/usr/bin/env bash
# `make bench`: every benchmark, against the same services the tests use. Results go in README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
exports=$(.venv/bin/python tests/services.py)
eval "$exports"
export REDIS_URL=redis://127.0.0.1:6379/14
export DEBUG="${DEBUG:-1}"  # local settings, as `make run` uses
for bench in dispatch calendar_page recurrences import_posts optimal_times_speed optimal_times_api optimal_times_eval learning_loop load sustained_dispatch; do
  echo "== bench/$bench.py"
  .venv/bin/python "bench/$bench.py"
done
