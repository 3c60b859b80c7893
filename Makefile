# Two commands do everything, on a fresh clone:  make book  |  make test
# Both create the virtual environment first if it is missing (or older than its inputs).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c .ci/constraints.txt

.PHONY: book test env lock notebooks clean check-browser bench robustness

# One virtual environment, installed in layers: `make test` needs only the test layer;
# `make book` adds Jupyter Book and papermill; `make check-browser` adds Playwright.
$(VENV)/.installed-%: pyproject.toml .ci/constraints.txt
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e ".[$(subst -,$(comma),$*)]"
	touch $@

comma := ,
env: $(VENV)/.installed-test-book

## test: unit tests, every chapter at smoke scale (nbval), pair sync, bad-input errors
test: $(VENV)/.installed-test
	REGLAB_SCALE=smoke $(BIN)/python -m pytest

## book: execute every chapter at book scale (in parallel, only what changed), then render _build/html
## FORCE=1 executes every chapter again (CI does); JOBS=N sets the processes (default: cores)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
book: $(VENV)/.installed-test-book
	$(if $(FORCE),rm -rf book/executed)
	$(BIN)/python book/_ext/execute.py --jobs $(JOBS) $(if $(FORCE),--force)
	$(BIN)/jupyter-book build --all -W --keep-going --quiet .
	$(BIN)/python -m pytest -m site -q tests/test_site.py
	@echo "The book is in _build/html/index.html"

## robustness: every chapter at book scale at unseen seed offsets -> book/robustness.json
## (long: not part of test or CI; run it before resolving a chapter and commit the JSON;
##  CHAPTERS="a b" reruns some chapters and keeps the others' rows)
OFFSETS ?= 1000 2000 3000
robustness: $(VENV)/.installed-test-book
	$(BIN)/python book/_ext/execute.py --jobs $(JOBS) --offsets $(OFFSETS) $(if $(CHAPTERS),--chapters $(CHAPTERS))

## check-browser: the built site in headless Chromium (installs Debian's chromium if missing)
check-browser: $(VENV)/.installed-test-book-browser
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	$(BIN)/python -m pytest -m browser -q tests/test_browser.py
	@echo "Screenshots of every page are in _build/screenshots/"

## bench: benchmarks and chapter budgets, not part of `make test` (timings on a shared
## machine are noise); runs `make book` too; writes book/benchmarks.json
bench: $(VENV)/.installed-test-book
	$(BIN)/python tests/benchmarks.py

## notebooks: regenerate each .ipynb from its .py source (explicit direction, never --sync)
notebooks: $(VENV)/.installed-test
	$(BIN)/jupytext --to ipynb --update notebooks/*.py

## lock: re-pin .ci/constraints.txt from the current environment
lock: $(VENV)/.installed-test-book-browser
	{ echo "# Exact versions CI installs (make lock). torch is the CPU wheel on these machines."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^reglab' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; \
	} > .ci/constraints.txt

clean:
	rm -rf _build book/executed notebooks/results/*/smoke notebooks/results/*/book
