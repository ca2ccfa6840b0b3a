# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BENCH_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Exact, hashed versions of every runtime dependency and every extra (test, docs), from pyproject.toml.
LOCK := requirements.lock
UV := uv==0.13.9
UPGRADE ?=

.PHONY: install lock run test lint typecheck unit bench docs clean screenshots cluster

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
	$(BIN)/uv pip compile pyproject.toml --all-extras --generate-hashes --python-version 3.11 \
		--custom-compile-command 'make lock' --quiet --output-file $(LOCK) $(UPGRADE)

run: install
	$(BIN)/webstore serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install
	$(BIN)/ruff check src tests benchmarks examples docs deploy
	$(BIN)/ruff format --check src tests benchmarks examples docs deploy

typecheck: install
	$(BIN)/mypy src examples deploy

test: lint typecheck
	$(BIN)/pytest

# The browser tests inject axe-core (npm) from a local copy; Chromium is Debian's (see .ci/run).
AXE := .cache/axe/node_modules/axe-core/axe.min.js
test screenshots: $(AXE)
$(AXE):
	if command -v npm >/dev/null; then npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4; \
	else echo "npm is missing: the accessibility scan will not run"; fi

screenshots: install
	$(BIN)/python -m tests.integration.browser.screenshots

unit: install
	$(BIN)/pytest tests/unit

# Two nodes behind nginx on loopback, one PostgreSQL database (WEBSTORE_DATABASE_URL, or a
# fresh one on 127.0.0.1:5432), on PORT (8080 unless given). nginx is Debian's package.
cluster: install
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update && apt-get install -y nginx; }
	$(BIN)/python -m deploy.cluster --port $(if $(filter command line environment,$(origin PORT)),$(PORT),8080) --workers $(WORKERS)

bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# The Python API reference, from the docstrings, in build/docs/ (open build/docs/index.html).
docs: install  # pdoc, the docs extra, is in the lock
	$(BIN)/python docs/reference.py build/docs

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist src/*.egg-info
