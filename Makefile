# Studio Tracker — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test pytest lint fmt migrations-check bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing into $(VENV) (log: $(VENV)/install.log)…"
	@$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt > $(VENV)/install.log 2>&1 \
		|| { tail -n 30 $(VENV)/install.log; exit 1; }
	@touch $(INSTALLED)

install: $(INSTALLED) ## Create .venv and install everything

run: $(INSTALLED) ## Migrate, load the demo, start the web app and a worker with beat (Ctrl-C stops both)
	@DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput -v 0
	@DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo --if-empty
	@DEBUG=$${DEBUG:-true} bin/run

test: lint pytest ## Install and run everything CI checks: lint, migrations check, the whole suite

pytest: $(INSTALLED) ## Run the test suite only (pytest's "no tests collected", exit 5, counts as a pass)
	@# A broker folder of the run's own: no message from an earlier run or from `make run`.
	@export CELERY_BROKER_DIR=$$(mktemp -d); $(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

lint: $(INSTALLED) ## ruff check, ruff format --check, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

fmt: $(INSTALLED) ## Format and autofix the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(INSTALLED) ## Run the benchmarks in bench/ and print their tables
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean: ## Remove the local database, broker folder and screenshots (keeps .venv)
	rm -rf var/
