# Backprop Lab: `make run` starts the app, `make test` lints and runs the whole test suite.
# Everything is installed into .venv, made on first use from $(PYTHON) (override with
# `make PYTHON=python3.12 ...`; run `make distclean` first to rebuild an existing .venv).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Touched after a successful install; pip runs again only when pyproject.toml is newer.
STAMP := $(VENV)/.installed
PIP := $(PY) -m pip --disable-pip-version-check
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv run test lint format bench clean distclean

help:
	@echo "make run        start Backprop Lab (ARGS='...' are passed to main.py)"
	@echo "make test       ruff check, ruff format --check, then all tests offscreen"
	@echo "make venv       create .venv and install the app with its test tools"
	@echo "make lint       ruff check and ruff format --check only"
	@echo "make format     apply ruff's fixes and formatting"
	@echo "make bench      time training epochs (benchmarks/bench_epoch.py)"
	@echo "make clean      remove caches and build leftovers"
	@echo "make distclean  clean, and remove .venv too"

# Debian and Ubuntu ship python3 without ensurepip unless python3-venv is installed, and
# their pip refuses to install into the system (PEP 668) but not into a --target folder, so
# the fallback puts virtualenv (which carries its own pip) in a temporary folder and runs it
# from there. Any failure removes the half-made .venv so the next run starts clean.
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "Backprop Lab needs Python >= 3.10, and '$(PYTHON)' is missing or older." \
	    "Name another: make PYTHON=/path/to/python3.12 $(MAKECMDGOALS)" >&2; exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) -V 2>&1)"
	@$(PYTHON) -m venv $(VENV) >/dev/null 2>&1 || { \
	  echo "'$(PYTHON) -m venv' is unavailable here; creating $(VENV) with virtualenv" >&2; \
	  rm -rf $(VENV); tmp=$$(mktemp -d) && \
	  $(PYTHON) -m pip install --quiet --disable-pip-version-check --target "$$tmp" virtualenv && \
	  PYTHONPATH="$$tmp" $(PYTHON) -m virtualenv --quiet $(VENV); \
	  rc=$$?; rm -rf "$$tmp"; [ $$rc -eq 0 ] || { rm -rf $(VENV); exit $$rc; }; }
	@# Editable installs of a pyproject-only project need pip >= 21.3 (Python 3.10.0 has 21.2).
	@$(PIP) install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install -e '.[test]'
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	$(PY) main.py $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: $(STAMP)
	$(PY) -m benchmarks.bench_epoch

clean:
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
