# Facilitate: `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed

.PHONY: run serve test lint typecheck pytest catalogs migrate demo bench soak clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP)

catalogs: $(STAMP)
	$(BIN)/pybabel compile -q -d facilitate/translations

migrate: catalogs
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo --if-empty

run: demo
	$(BIN)/python wsgi.py

serve: migrate
	$(BIN)/python wsgi.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: catalogs
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
