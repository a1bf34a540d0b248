# The two commands of the README:
#   make run    install (first time) and serve the dashboard on http://localhost:8501
#   make test   install (first time) and run every test, the browser tests included
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cat requirements.txt | sha256sum | cut -c1-16)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)

.PHONY: run test lint bench docs clean

run: $(RUNTIME_STAMP)
	$(BIN)/python scripts/serve.py

test: $(DEV_STAMP)
	scripts/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

# The code each bench is compared with in the same run: the commit before issue 15's speed work.
BENCH_ANCHOR ?= 03d2251
# The load bench serves that commit's files from a folder outside this checkout (named by it).
ANCHOR_DIR := $(or $(TMPDIR),/tmp)/thinktank-anchor-$(BENCH_ANCHOR)

bench: $(DEV_STAMP)
	$(BIN)/python bench/startup.py --before $(BENCH_ANCHOR)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/scorecard.py
	rm -rf $(ANCHOR_DIR) && mkdir -p $(ANCHOR_DIR) && git archive $(BENCH_ANCHOR) | tar -x -C $(ANCHOR_DIR)
	$(BIN)/python bench/load.py --anchor $(ANCHOR_DIR)

docs: $(RUNTIME_STAMP)
	$(BIN)/python -m thinktank docs

$(VENV)/bin/python:
	scripts/check-python $(PYTHON)
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
