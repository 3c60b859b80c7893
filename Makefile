# Two commands do everything, on a fresh clone:  make book  |  make test
# Both create the virtual environment first if it is missing (or older than its inputs).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c .ci/constraints.txt
CHAPTERS := $(sort $(basename $(notdir $(wildcard notebooks/*.py))))

.PHONY: book test env lock notebooks clean check-browser bench

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

## book: execute every chapter at book scale with papermill, then render _build/html
book: $(VENV)/.installed-test-book
	rm -rf book/executed _build
	mkdir -p book/executed
	@failed=""; \
	for ch in $(CHAPTERS); do \
	  start=$$(date +%s); \
	  if $(BIN)/papermill notebooks/$$ch.ipynb book/executed/$$ch.ipynb --cwd notebooks \
	       --no-progress-bar --log-level WARNING 2> >(grep -v "without encryption" >&2); then \
	    echo "chapter $$ch: ok in $$(( $$(date +%s) - start )) s"; \
	  else \
	    echo "chapter $$ch: FAILED after $$(( $$(date +%s) - start )) s (a cell raised or a claim did not hold; see above)"; \
	    failed="$$failed $$ch"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "make book: failed chapters:$$failed" >&2; exit 1; fi
	$(BIN)/jupyter-book build --all -W --keep-going --quiet .
	$(BIN)/python -m pytest -m site -q tests/test_site.py
	@echo "The book is in _build/html/index.html"

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
	rm -rf _build book/executed notebooks/results
