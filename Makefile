# Facilitate: `make run` to try it, `make test` to check it. Everything installs into .venv.
# Both need only Python 3.11 with pip; the environment variables in the README pass through.
# `make test` also needs Chromium, nginx and openssl, which it installs through apt as root
# (scripts/test-prerequisites.sh); PostgreSQL and Redis it starts itself if none answers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed
CATALOGS := facilitate/translations

.PHONY: install run serve test soak bench bench-analysis lint typecheck pytest prerequisites catalogs messages \
	migrate demo clean

# Re-installs whenever the pins change; a missing venv is created first.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP)

# Compiles only when catalogs exist: with none, the UI shows its source strings.
# A broken catalog still fails the build.
catalogs: $(STAMP)
	@if find $(CATALOGS) -name '*.po' 2>/dev/null | grep -q .; then \
		echo "$(BIN)/pybabel compile --statistics -d $(CATALOGS) (messages, easy)"; \
		$(BIN)/pybabel compile --statistics -d $(CATALOGS) -D messages && \
		$(BIN)/pybabel compile --statistics -d $(CATALOGS) -D easy; \
	else \
		echo "No translation catalogs in $(CATALOGS) yet; nothing to compile."; \
	fi

# After changing user-facing strings: refresh the template and every catalog, then
# translate what `make messages` reports as untranslated (tests/test_translations.py checks;
# docs/translating.md has the whole workflow, the easy-Swedish catalog included).
BABEL_KEYWORDS := -k _l -k lazy_ngettext:1,2 -k plural_forms:1,2
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		-o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/python scripts/english_catalog.py

migrate: catalogs
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo --if-empty

# The demo login is printed last, just before the server says where it listens.
run: migrate
	@$(FLASK) demo --if-empty
	@exec $(BIN)/python wsgi.py

serve: migrate
	exec $(BIN)/python wsgi.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Before the install, so that a missing program is news in a second, not ten minutes on.
prerequisites:
	@scripts/test-prerequisites.sh

# One pytest worker per core, at most four (pytest-xdist): the browser and process tests
# wait on their servers, so two workers on two cores halve the wall time. Tests go out one
# by one (`--dist load`), by their place in the collection: the schemathesis tests are 19
# items under one node id each, which `loadgroup` and `loadscope` key by id and so run
# once. PYTEST_WORKERS=0 runs everything in this one process, as a plain `pytest` (or
# `pytest -p no:xdist`) does for debugging.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 4 ? n : 4 )))
pytest: prerequisites catalogs
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist load

test: prerequisites lint typecheck pytest

# The long runs, outside `make test`: 20 kill -9s per database in a storm of contributions
# and votes; -rP prints each database's counts (results and how to read them:
# docs/reliability.md); then the tests marked `soak` (the bench's scenarios and its sweep
# at a tiny scale).
SOAK_KILLS ?= 20
soak: catalogs
	SOAK_KILLS=$(SOAK_KILLS) $(BIN)/pytest tests/test_kill.py -v -rP --durations=0
	$(BIN)/pytest -m soak -v --durations=0

# The load benchmark, outside `make test`: the six scenarios of docs/performance.md at full
# scale (1,000-2,000 residents over several client processes, loopback only), then a table
# against the targets. Needs PostgreSQL and Redis for the town hall, where the tests find
# them (TEST_POSTGRES_URL, TEST_REDIS_URL; 127.0.0.1 by default): unlike the tests, the
# bench starts none. About six minutes; BENCH_ARGS picks scenarios or a scale, e.g.
# BENCH_ARGS="hall baseline", or BENCH_ARGS=--sweep for the hall storm and the baseline
# at 1,000, 2,000 and 3,000 residents as a curve.
BENCH_ARGS ?=
bench: catalogs
	mkdir -p build
	$(BIN)/python -m bench --json build/bench-results.json $(BENCH_ARGS)
	$(BIN)/python -m bench.analysis --json build/bench-analysis.json

# The perspectives analysis (seconds, no servers): 2,000 participants × 1,000 statements
# against the 2 s target, and a 30-person room; then the room's flush on those sizes stored
# in SQLite, its time on the event loop against its time in the thread pool.
bench-analysis: $(STAMP)
	mkdir -p build
	$(BIN)/python -m bench.analysis --json build/bench-analysis.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build/static
