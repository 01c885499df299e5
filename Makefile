# PledgeDesk: `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
N ?= 100000
ARTIFACTS ?= $(CURDIR)/artifacts

.PHONY: pdf-deps run test lint translations migrate seed e2e-deps bench unit integration e2e clean test-postgres extract-messages load fuzz

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	@if ls complaints/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile -d complaints/translations 2>&1 | grep -v "^compiling" || true; \
	fi

# Refresh the catalogs from the source (run after adding or changing user-facing strings).
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -o complaints/translations/messages.pot .
	$(BIN)/pybabel update -i complaints/translations/messages.pot -d complaints/translations --no-fuzzy-matching

migrate: $(VENV)/.installed
	mkdir -p instance
	$(BIN)/flask db upgrade

run: pdf-deps translations migrate
	$(BIN)/flask seed-demo
	SCHEDULER_ENABLED=1 $(BIN)/flask run --host $(HOST) --port $(PORT) --no-reload

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check complaints tests config.py wsgi.py
	$(BIN)/ruff format --check complaints tests config.py wsgi.py

# The mediation agreement's PDF (WeasyPrint) needs Debian's pango and CJK fonts; install them when missing.
pdf-deps:
	@if ! dpkg -s libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk >/dev/null 2>&1; then \
	  echo "installing pango and CJK fonts for the agreement PDF with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk >/dev/null; \
	fi

# Browser tests drive Debian's chromium; install it (and CJK fonts for the screenshots) when missing.
e2e-deps:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
	  echo "installing chromium and CJK fonts with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

test: $(VENV)/.dev-installed translations lint e2e-deps pdf-deps
	mkdir -p $(ARTIFACTS)/screenshots
	@echo "screenshots of the main pages go to $(ARTIFACTS)/screenshots"
	SCREENSHOT_DIR=$(ARTIFACTS)/screenshots $(BIN)/pytest -n 2 -q tests

unit: $(VENV)/.dev-installed
	$(BIN)/pytest -q tests/unit

integration: $(VENV)/.dev-installed translations pdf-deps
	$(BIN)/pytest -n 2 -q tests/integration

e2e: $(VENV)/.dev-installed translations e2e-deps pdf-deps
	mkdir -p $(ARTIFACTS)/screenshots
	SCREENSHOT_DIR=$(ARTIFACTS)/screenshots $(BIN)/pytest -q tests/e2e

clean:
	rm -rf $(VENV) .venv-peer artifacts .pytest_cache .ruff_cache

# Seeds N complaints with their pledge clocks (default 100000; N=1000000 works), serves them with
# gunicorn, prints p50/p95 beside the peer's filing and a profile of the slowest page.
# DB=sqlite (default), DB=postgres (a throwaway cluster, installed when missing) or DB=both.
# RUNS: timed requests per page, after 10 warm-up ones (200, as issue 9 measured the peer).
DB ?= sqlite
RUNS ?= 200
bench: $(VENV)/.dev-installed translations
	@if [ "$(DB)" != sqlite ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "installing postgresql with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi
	PYTHONPATH=. $(BIN)/python tests/bench/calendar_bench.py
	$(BIN)/python tests/bench/run_bench.py --complaints $(N) --db $(DB) --runs $(RUNS)

# The integration suite against a throwaway PostgreSQL on 127.0.0.1:54329 (installed when missing).
PG_URL := postgresql+psycopg://postgres@127.0.0.1:54329/pledgedesk_test
test-postgres: $(VENV)/.dev-installed translations
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "installing postgresql with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi
	tests/postgres/cluster.sh start
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -q tests/integration; status=$$?; \
	  tests/postgres/cluster.sh stop; exit $$status

# The hostile-input fuzz test at length: FUZZ_EXAMPLES random examples for every URL, method and
# role (make test runs 4 fixed ones each).
FUZZ_EXAMPLES ?= 200
fuzz: $(VENV)/.dev-installed translations
	FUZZ_RANDOM=1 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -n 2 -q tests/integration/test_fuzz.py

# 50 consumers filing and replying while 10 agents work and the sweep runs, against gunicorn
# (2 workers) on 127.0.0.1; checks every acknowledged write landed exactly once and no 5xx.
load: $(VENV)/.dev-installed translations
	$(BIN)/python tests/load/run_load.py
