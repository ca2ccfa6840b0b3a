# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Exact, hashed versions of every runtime and test dependency, compiled from pyproject.toml.
LOCK := requirements.lock
UV := uv==0.13.9
UPGRADE ?=

.PHONY: install lock run test lint typecheck unit bench clean

$(BIN)/webstore: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || { echo "$(LOCK) does not satisfy pyproject.toml: run make lock"; exit 1; }
	touch $@

install: $(BIN)/webstore

# Solve the lock again from pyproject.toml, keeping every pin that still fits.
# UPGRADE="--upgrade-package flask" moves one dependency on; UPGRADE=--upgrade moves all.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet '$(UV)'
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
		--custom-compile-command 'make lock' --quiet --output-file $(LOCK) $(UPGRADE)

run: install
	$(BIN)/webstore serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install
	$(BIN)/mypy src

test: lint typecheck
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist src/*.egg-info
