# Volunteer Ledger — developer entry points.
#   make run    serve the office console at http://127.0.0.1:8000/ and the API (an empty store first gets the demo year and an admin)
#   make test   lint + types + import layers + the whole test suite
# Everything runs from a repo-local .venv, created on demand from constraints.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VL     := $(BIN)/volunteer-ledger
STAMP  := $(VENV)/.installed

PYTEST_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help install run test lint fmt bench health lock clean

help:
	@echo "make run    - serve the office console on http://127.0.0.1:8000/ and the API (empty store: demo year + admin)"
	@echo "make test   - ruff, ruff format --check, mypy, lint-imports, pytest (PYTEST_ARGS=...)"
	@echo "make lint   - the static checks only"
	@echo "make fmt    - ruff format + ruff check --fix"
	@echo "make bench  - run the benchmarks (python -m bench)"
	@echo "make health - code health figures: complexity, long functions, long files (tools/health.py)"
	@echo "make lock   - regenerate constraints.txt from pyproject.toml in a scratch venv"
	@echo "make clean  - remove .venv, caches and build output (keeps ./var data)"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV) && $(BIN)/pip install -q --upgrade pip && $(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(VL) serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

health: $(STAMP)
	$(BIN)/python -m tools.health

# Resolve the newest versions allowed by pyproject.toml in a throwaway venv and pin them.
lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install -q --upgrade pip; \
	"$$tmp/venv/bin/pip" install -q -e '.[dev]'; \
	{ \
	  echo "# Exact pins for volunteer-ledger's runtime and dev dependencies (Python 3.11)."; \
	  echo "# Used as \`pip install -c constraints.txt -e '.[dev]'\` (Makefile) and in the Dockerfile."; \
	  echo "# Do not edit by hand: regenerate with \`make lock\` after changing pyproject.toml."; \
	  "$$tmp/venv/bin/pip" freeze --exclude-editable \
	    | grep -viE '^(pip|setuptools|wheel|distribute|volunteer[-_]ledger)(==| @)'; \
	} > constraints.txt.new; \
	mv constraints.txt.new constraints.txt; \
	echo "constraints.txt: $$(grep -cv '^#' constraints.txt) pins"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache \
	       .hypothesis .import_linter_cache
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
