# Each target installs what it needs into $(VENV) first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Corpus tests and benchmarks read the DCC reference frames from COMMSHUB_RTDS_DIR; when it is
# unset, use a copy beside this checkout if there is one.
COMMSHUB_RTDS_DIR ?= $(firstword $(foreach d,../shared/rtds /work/shared/rtds,$(if $(wildcard $(d)/RTDS-4.5.0),$(abspath $(d)))))
export COMMSHUB_RTDS_DIR

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,hil]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/commshub run

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
