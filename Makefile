# Two commands matter: `make demo` (the kill switch against the simulator) and `make test`.
# Each Airflow lane has its own virtualenv, installed from a constraints file frozen in this repo.
PYTHON ?= python3
AIRFLOW ?= 3.3
VENV := .venv-af$(firstword $(subst ., ,$(AIRFLOW)))
PY := $(VENV)/bin/python
CONSTRAINTS := constraints/airflow-$(AIRFLOW).txt
STAMP := $(VENV)/.installed-$(AIRFLOW)
export AIRFLOW_HOME := $(CURDIR)/.work/airflow-home-$(AIRFLOW)
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False

.PHONY: test test-lane lint unit demo simulator benchmarks venv docs docs-html clean

## make test: lint, type-check and the whole suite on Airflow 3.3, then again on Airflow 2.11.
test:
	$(MAKE) test-lane AIRFLOW=3.3
	$(MAKE) test-lane AIRFLOW=2.11

test-lane: venv lint unit

venv: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	$(PY) -m pip install -q -c $(CONSTRAINTS) -e ".[test]"
	touch $(STAMP)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

unit: venv
	$(PY) -m pytest -q -p no:cacheprovider

## make demo: start the simulator, seed campaigns at all four vendors, run the kill-switch DAG.
demo: venv
	$(PY) scripts/demo.py

simulator: venv
	$(PY) -m airflow_provider_campaigns.simulator --port 8765

benchmarks: venv
	$(PY) -m benchmarks.run

## make docs: the documentation site (Sphinx + MyST, autodoc; warnings are errors) into .work/docs-html.
## It builds in the Airflow 3.3 virtualenv, where autodoc imports the provider.
docs:
	$(MAKE) docs-html AIRFLOW=3.3

docs-html: venv $(VENV)/.installed-docs
	rm -rf .work/docs-html .work/docs-doctrees
	$(PY) -m sphinx -W --keep-going -n -q -b html -d .work/docs-doctrees docs .work/docs-html
	@echo "docs: open .work/docs-html/index.html"

$(VENV)/.installed-docs: docs/requirements.txt $(STAMP)
	$(PY) -m pip install -q -c $(CONSTRAINTS) -r docs/requirements.txt
	touch $@

clean:
	rm -rf .venv-af3 .venv-af2 .work
