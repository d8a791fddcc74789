# The two commands: `make run` (set up, then web + worker + beat) and `make test` (set up, run all tests).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# ffmpeg/ffprobe describe uploaded videos (duration, size, a thumbnail); without them (no root to
# install) uploads still work, with those facts missing (docs/media.md).
setup: $(STAMP)
	mkdir -p var
	@command -v ffprobe >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null) \
		|| echo "ffmpeg is not installed and could not be (not root?): uploaded videos will have no duration or thumbnail."

# DEBUG is off unless asked for (a server must never have it); `make run` is local, so it asks.
run: setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_local

test: setup
	bash tests/run.sh

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: setup
	bash bench/run.sh

clean:
	rm -rf $(VENV) var
