# ClauseMatch: the two everyday commands (`make run`, `make test`), `make serve` (production) and a few helpers.
# Works from a fresh clone with only python3 (>= 3.11) on PATH: the virtualenv is created in
# .venv and the project installed there; it is reinstalled only when pyproject.toml changes.

PYTHON ?= python3
PORT ?= 5000
# The application reads PORT too: links in e-mails follow it in development (clausematch/config.py).
export PORT
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium

export FLASK_APP := clausematch
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL

# Exit status 0 when the PostgreSQL server of the tests accepts a connection.
POSTGRES_ANSWERS := $(BIN)/python -c "import os, sqlalchemy as sa; \
sa.create_engine(os.environ['TEST_POSTGRES_URL'], connect_args={'connect_timeout': 3}).connect().close()" \
>/dev/null 2>&1

.DEFAULT_GOAL := help
.PHONY: help run serve lint test bench loadtest migration clean

help:
	@echo "make run                  installe, migre, charge les référentiels et la démo, puis sert sur http://127.0.0.1:$(PORT)"
	@echo "make serve                production : installe, migre, charge les référentiels, puis sert avec gunicorn (README « Production »)"
	@echo "make test                 ruff (make lint), puis toute la suite sur SQLite, puis sur PostgreSQL si un serveur répond"
	@echo "make lint                 vérifie le code avec ruff (configuration dans pyproject.toml)"
	@echo "make bench                lance les mesures de performance (benchmarks/ ; make bench only=offers : une famille)"
	@echo "make loadtest             test de charge (locust) contre make serve sur la base clausematch_scale (README « Mesures »)"
	@echo "make migration m=\"...\"    génère une migration Alembic depuis les modèles"
	@echo "make clean                supprime caches et fichiers produits (garde .venv et instance/)"

$(BIN)/python:
	$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11) and 'ClauseMatch demande Python 3.11 ou plus récent.')"
	$(PYTHON) -m venv $(VENV)

# Stamps: pip runs again only when pyproject.toml is newer than the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# Development, not production: the development SECRET_KEY is accepted (clausematch/config.py).
run migration: export CLAUSEMATCH_ENV := development
# The set-up commands never run the scheduled jobs, whatever SCHEDULER_ENABLED says (short-lived).
SETUP_FLASK := SCHEDULER_ENABLED=0 $(BIN)/flask

run: $(VENV)/.installed
	$(SETUP_FLASK) db upgrade
	$(SETUP_FLASK) ref load
	$(SETUP_FLASK) seed demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Production: never the demo; gunicorn.conf.py reads PORT, HOST and WORKERS. DATABASE_URL is
# required here (the SQLite default is a development convenience); SECRET_KEY, PUBLIC_BASE_URL
# and the SMTP server are checked by the application itself, with a French message.
serve: export CLAUSEMATCH_ENV := production
serve: $(VENV)/.installed
	@if [ -z "$$DATABASE_URL" ]; then echo "DATABASE_URL manquante : make serve est la commande de production ; indiquez la base, par exemple DATABASE_URL=postgresql+psycopg://clausematch@127.0.0.1:5432/clausematch (en développement : make run)." >&2; exit 2; fi
	$(SETUP_FLASK) db upgrade
	$(SETUP_FLASK) ref load
	exec $(BIN)/gunicorn --config gunicorn.conf.py

# Ruff's findings fail the run before any test starts (configuration: [tool.ruff] in pyproject.toml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# Both passes always run, so one report shows every failure; the exit status is non-zero if
# either failed. They run side by side (each is one process, the machine has cores for both):
# the PostgreSQL pass writes to test-logs/postgresql.log, printed when the SQLite pass ends (not
# test-results/: pytest-playwright empties that folder when a session starts).
# Under CLAUSEMATCH_STRICT=1 (CI) nothing may be left out: no PostgreSQL or no Chromium is an
# error, and tests/conftest.py turns any skipped test into a failure.
test: $(VENV)/.installed-test lint
	@status=0; pg=""; \
	if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$CLAUSEMATCH_STRICT" = 1 ]; then \
			echo "Chromium absent ($(CHROMIUM)) : erreur en mode strict." >&2; status=1; \
		else \
			echo "Chromium absent ($(CHROMIUM)) : tests navigateur ignorés"; \
		fi; \
	fi; \
	mkdir -p test-logs; rm -f test-logs/postgresql.log test-logs/postgresql.status; \
	if $(POSTGRES_ANSWERS); then \
		echo "== Tests sur PostgreSQL : lancés en parallèle, résultat après ceux de SQLite =="; \
		( $(BIN)/pytest --db postgresql -m "not browser" \
			> test-logs/postgresql.log 2>&1; echo $$? > test-logs/postgresql.status ) & pg=$$!; \
		trap 'kill $$pg 2>/dev/null' INT TERM; \
	elif [ "$$CLAUSEMATCH_STRICT" = 1 ]; then \
		echo "PostgreSQL indisponible : erreur en mode strict (TEST_POSTGRES_URL)." >&2; status=1; \
	else \
		echo "PostgreSQL indisponible : tests PostgreSQL ignorés"; \
	fi; \
	echo "== Tests sur SQLite =="; \
	$(BIN)/pytest || status=1; \
	if [ -n "$$pg" ]; then \
		wait $$pg; \
		echo "== Tests sur PostgreSQL (test-logs/postgresql.log) =="; \
		cat test-logs/postgresql.log; \
		[ "$$(cat test-logs/postgresql.status 2>/dev/null)" = 0 ] || status=1; \
	fi; \
	exit $$status

# Every benchmark (matching engine + offline evaluation, board search, people search, reports); long on purpose:
# `make bench only=offers` (or `$(BIN)/python -m benchmarks offers`) runs one family only
# (matching, offers, people, reporting). benchmarks/ is not installed: it runs from the repository.
bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks $(only)

# Load test: `make serve` (4 workers, production mode) on DATABASE_URL (default: the PostgreSQL
# database clausematch_scale filled by `flask seed scale`), locust headless with 50 users for 3
# minutes, then the French table of p50 / p95 / p99 and errors per page (loadtest/__main__.py).
# `make loadtest args="--users 20 --duration 1m --warm-up 90s"`: any option of python -m loadtest.
loadtest: $(VENV)/.installed-test
	$(BIN)/python -m loadtest $(args)

migration: $(VENV)/.installed
	@if [ -z "$(m)" ]; then echo 'Usage : make migration m="message de la migration"' >&2; exit 2; fi
	$(BIN)/flask db upgrade
	$(BIN)/flask db migrate -m "$(m)"

# Keeps .venv and instance/ (the development database): those are not build products.
clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache test-results test-logs .bench .loadtest build dist
