# Two entry points (see README): `make demo` and `make test`. Both set everything up.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= demo.db
# PostgreSQL's server binaries (initdb, pg_ctl) for the tests' throwaway server
PG_BIN ?= $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin)))
export PATH := $(if $(PG_BIN),$(PG_BIN):,)$(PATH)

.PHONY: demo test check install install-dev bench clean lock serve screenshots

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) on PATH"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q --require-hashes -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: install, then ingest + extract the bundled demo corpus into $(DB) and print positions
demo: install
	rm -f $(DB)
	$(BIN)/parley run --db $(DB) examples/demo/
	$(BIN)/parley positions --db $(DB)
	@echo "database: $(DB)  (try: sqlite3 $(DB) 'select actor, issue, stance from positions')"

## make test: install with test tools, then lint (ruff), type-check (mypy, config in pyproject.toml)
## and run the whole suite
test: install-dev check
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## make check: ruff and mypy only
check: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

## make serve: the API and dashboard over $(DB) on http://127.0.0.1:8000/ (make demo first)
serve: install
	$(BIN)/parley serve --db $(DB)

## make screenshots: docs/img/ from the demo database, through the browser test (needs chromium)
screenshots: install-dev
	test -f $(DB) || $(MAKE) demo
	PARLEY_SCREENSHOT_DB=$(DB) PARLEY_SCREENSHOTS=docs/img $(BIN)/python -m pytest -q tests/test_web.py -k every_page

bench: install-dev
	$(BIN)/python benchmarks/ingest_throughput.py
	$(BIN)/python benchmarks/extract_throughput.py

## make lock: compile the hashed lock files from pyproject.toml (the one list of dependencies)
lock: | $(BIN)/python
	$(BIN)/pip install -q pip-tools
	$(BIN)/pip-compile --generate-hashes --allow-unsafe --strip-extras -q -o requirements.txt pyproject.toml
	$(BIN)/pip-compile --generate-hashes --allow-unsafe --strip-extras -q --extra train --extra dev \
		-c requirements.txt -o requirements-dev.txt pyproject.toml
	@# pip-compile drops the platform marker of an extra's requirement: put atheris's back
	sed -i 's/^atheris==\([^ ]*\) \\$$/atheris==\1 ; platform_machine == "x86_64" and sys_platform == "linux" \\/' requirements-dev.txt

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache $(DB)
