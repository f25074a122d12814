# Self-documenting: `make help`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
# QR codes on certificates point where `make run` / `make serve` answer, unless PUBLIC_BASE_URL is set.
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

.DEFAULT_GOAL := help
.PHONY: help install fonts install-test system-deps run serve worker db-upgrade demo test test-postgres lint bench bench-scale screenshots clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e .
	@touch $@

# The pre-subset CJK document fonts, built once from Debian's Noto (rebuilt when that font changes).
fonts: $(VENV)/.installed ## Build the document fonts now rather than on the first PDF
	$(BIN)/python -c "from service_hall.documents.fonts import ensure_fonts; ensure_fonts()"

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

system-deps: ## Install missing Debian packages (CJK font, Pango) when root
	@sh scripts/system-deps.sh

install: system-deps $(VENV)/.installed fonts ## Virtual environment with the project, its pinned dependencies, fonts

install-test: install $(VENV)/.installed-test ## Plus the test tools (Chromium, poppler, zbar when root)
	@WITH_BROWSER=1 sh scripts/system-deps.sh

db-upgrade: install ## Apply migrations to the configured database
	$(FLASK) db upgrade

demo: db-upgrade ## Load the demo county, towns, accounts, power list and forms (idempotent)
	$(FLASK) demo load

run: demo ## Set everything up and serve http://127.0.0.1:5000
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

serve: install ## Serve with gunicorn (several workers; use with DATABASE_URL and REDIS_URL)
	PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/gunicorn --workers 3 --bind $(HOST):$(PORT) wsgi:app

test: install-test ## Run the whole test suite (SQLite; set TEST_DATABASE_URL for PostgreSQL)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test ## ruff, mypy on the domain packages, import-linter's layering contracts (docs/architecture.md)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# SEARCH_BENCH_POSTGRES_URL (an empty database used only for it) adds PostgreSQL to the search benchmark.
bench: install-test ## Benchmarks; writes bench/results.json
	$(BIN)/python bench/run.py

# BENCH_SCALE_DATABASE_URL (default: a fresh service_hall_bench_scale on the local PostgreSQL),
# BENCH_SCALE_CASES (default 1000000); see bench/scale.py.
bench-scale: install-test ## Generate 1M cases on PostgreSQL and measure the pages beside a hello-world
	$(BIN)/python bench/scale.py

screenshots: install-test ## Screenshots of the main pages into docs/screenshots/ (needs /usr/bin/chromium)
	$(BIN)/python scripts/screenshots.py --out docs/screenshots

worker: install ## Background worker for sweeps (with REDIS_URL set)
	$(FLASK) jobs worker

clean: ## Remove the virtual environment and caches (keeps instance/ data)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
