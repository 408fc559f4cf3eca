# Quick start: `make run` (install, migrate, seed demo data, serve) and `make test` (install, run every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
# The suite runs in parallel processes (pytest-xdist), one per core; each gets its own PostgreSQL database. The files
# are handed out in the order tests/conftest.py sorts them (the long ones first), not xdist's (by number of tests).
TEST_WORKERS ?= 2
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-dev db seed serve lint translations bench clean audit stack stack-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

db: install
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed

serve: install
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

# `make run` runs the mail worker beside gunicorn (gunicorn.conf.py starts it and stops it with gunicorn), and
# mail links point at this server unless PUBLIC_BASE_URL says otherwise.
run: export RUN_MAIL_WORKER = 1
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: seed
	$(FLASK) activate-placements
	@echo "Serving on http://$(HOST):$(PORT)  (demo accounts: see README.md); the mail worker runs beside it"
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

# The production stack on this machine (nginx + 2 app servers + PostgreSQL + Redis + worker): deploy/local-stack.sh
stack: install
	VENV=$(VENV) deploy/local-stack.sh start

stack-stop:
	deploy/local-stack.sh stop

test: install-dev
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs ".*" -k _l -k lazy_gettext -k ngettext:1,2 -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d marketplace/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d marketplace/translations

bench: install-dev
	$(BIN)/python bench/bench_matching.py

clean:
	rm -rf $(VENV) instance .pytest_cache

audit: install-dev
	$(BIN)/bandit -q -r marketplace -ll
	$(BIN)/pip-audit -r requirements.txt --no-deps --disable-pip
