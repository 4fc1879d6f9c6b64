# Everything runs from the project's own virtualenv, created on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=

.PHONY: venv venv-dev system-deps run test lint format typecheck bench validate-exports clean distclean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file is newer than the stamp of its last install.
$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $(RUNTIME_STAMP) $@

venv: $(RUNTIME_STAMP)

venv-dev: $(DEV_STAMP)

system-deps:
	bash scripts/system_deps.sh

run: venv
	$(PY) app.py

test: system-deps venv-dev
	bash scripts/test.sh $(PYTEST_ARGS)

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: venv-dev
	$(VENV)/bin/mypy

bench: venv-dev
	$(PY) -m bench

validate-exports: venv-dev
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/validate_exports.sh

clean:
	-bash scripts/pg.sh stop
	rm -rf .cache .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
