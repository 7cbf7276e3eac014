# dangjian: two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY      := .venv/bin/python
PIP     := .venv/bin/pip
PG_URL  ?= postgres://postgres@127.0.0.1:5432/dangjian
HOST    ?= 127.0.0.1
PORT    ?= 8000
# `make run` serves the demo as users see it (DEBUG=0, DANGJIAN_DEMO=1); `DEBUG=1 make run` for development.
DEBUG   ?= 0
# Two cores: one xdist worker per core.
WORKERS ?= 2

.PHONY: help setup system venv assets keys migrate demo run test test-sqlite test-postgres test-shuffle lint bench clean install-prod bundle

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

system: ## Install the Debian packages the project needs (idempotent)
	@bash scripts/system-deps.sh

.venv/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv .venv
	@$(PIP) install -q --upgrade pip >/dev/null
	@$(PIP) install -q -r requirements-dev.txt
	@touch $@

venv: .venv/.installed ## Create .venv and install the pinned Python packages

# A server needs the runtime packages only: no test runner, no browser, no linter. BUNDLE=dir installs
# from an offline bundle (`make bundle`) with no registry at all.
install-prod: ## Production install: requirements.txt only (BUNDLE=dir: offline, from its wheels)
	@test -x $(PY) || python3 -m venv .venv
	@if [ -n "$(BUNDLE)" ]; then \
	  $(PIP) install -q --no-index --find-links "$(BUNDLE)/wheels" -r requirements.txt; \
	else \
	  $(PIP) install -q -r requirements.txt; \
	fi

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	@cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.installed: frontend/node_modules/.installed scripts/vendor-assets.sh
	@bash scripts/vendor-assets.sh
	@touch $@

assets: static/vendor/.installed ## Install front-end packages from npm into static/vendor

var/dev-keys.env: | .venv/.installed
	@mkdir -p var
	@$(PY) scripts/make_dev_keys.py $@

keys: var/dev-keys.env ## Generate the local development keys (git-ignored)

setup: system venv assets keys ## Everything `run` and `test` need

migrate: setup ## Migrate the embedded SQLite database
	@$(PY) manage.py migrate --noinput -v 0

demo: migrate ## Load the demo deployment (once)
	@$(PY) manage.py demo_load

run: demo ## Set up, migrate, load demo data and serve http://127.0.0.1:8000 (with the task worker)
	@$(PY) manage.py prepare_fonts -v 0
	@$(PY) manage.py demo_accounts
	@$(PY) manage.py files_sweep -v 0
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C to stop; background tasks such as big imports run in a worker)"
	@export DEBUG=$(DEBUG) DANGJIAN_DEMO=1; \
	  $(PY) manage.py run_worker --queue-name '*' --no-reload -v 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# A test tool, not an asset: an S3 server that enforces presigned URL expiry (core/tests/test_object_storage.py).
tests/s3rver/node_modules/.installed: tests/s3rver/package.json tests/s3rver/package-lock.json
	@cd tests/s3rver && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: setup tests/s3rver/node_modules/.installed ## Set up, then run the whole suite on SQLite and on PostgreSQL
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite: tests/s3rver/node_modules/.installed
	@echo "== tests on SQLite =="
	@env -u DATABASE_URL $(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

test-postgres: tests/s3rver/node_modules/.installed
	@echo "== tests on PostgreSQL =="
	@if $(PY) scripts/pg_ready.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL) and CI=true: failing."; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): skipped (set CI=true to make this a failure)."; \
	fi

test-shuffle: setup ## The suite on SQLite in a random order (SEED=n repeats one, DIST=loadscope|worksteal) to find order-dependent tests
	@echo "== tests on SQLite, shuffled =="
	@env -u DATABASE_URL $(PY) -m pytest -n $(WORKERS) --dist $${DIST:-load} -p randomly \
	  $${SEED:+--randomly-seed=$$SEED} $(PYTEST_ARGS)

bundle: venv assets ## Offline bundle in dist/dangjian-bundle: wheels, built static files, font, source, SHA256SUMS
	@bash scripts/bundle.sh

lint: venv ## ruff, the floors (import-linter, pyproject.toml) and the migrations check
	@.venv/bin/ruff check .
	@$(PY) scripts/check_floors.py
	@.venv/bin/lint-imports --no-cache
	@$(PY) manage.py makemigrations --check --dry-run

bench: setup ## Install the peers and run every bench/ script against PostgreSQL
	@$(PIP) install -q -r requirements-bench.txt
	@for f in bench/*.py; do echo "== $$f =="; DATABASE_URL="$${DATABASE_URL:-$(PG_URL)}" $(PY) $$f $(BENCH_ARGS) || exit 1; done

clean: ## Remove the virtualenv, vendored assets and local database
	rm -rf .venv frontend/node_modules static/vendor staticfiles var/*.sqlite3
