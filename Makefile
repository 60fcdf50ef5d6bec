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

.PHONY: test test-lane lint unit demo simulator benchmarks venv clean e2e e2e-venv

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

## make e2e: the provider on a real Airflow 3.3 deployment (PostgreSQL, api-server, scheduler,
## dag-processor, triggerer; then CeleryExecutor with Redis and two workers), the simulator as every
## vendor, a headless Chromium for the connection forms. Installs what it needs (apt, pip).
E2E_VENV := .venv-e2e
E2E_PY := $(E2E_VENV)/bin/python
E2E_CONSTRAINTS := constraints/e2e-airflow-3.3.txt
E2E_STAMP := $(E2E_VENV)/.installed-e2e
E2E_BUDGET ?= 780

e2e-venv: $(E2E_STAMP)

$(E2E_STAMP): pyproject.toml $(E2E_CONSTRAINTS)
	test -x $(E2E_PY) || $(PYTHON) -m venv $(E2E_VENV)
	$(E2E_PY) -m pip install -q --upgrade "pip>=24"
	$(E2E_PY) -m pip install -q -c $(E2E_CONSTRAINTS) "apache-airflow[postgres,celery]==3.3.2" psycopg2-binary playwright pytest pytest-timeout -e .
	touch $(E2E_STAMP)

e2e:
	@start=$$(date +%s); \
	bash tests/deployment/harness/system-packages.sh && $(MAKE) --no-print-directory e2e-venv || exit 1; \
	echo "e2e: installs took $$(( $$(date +%s) - start )) s"; \
	CAMPAIGNS_E2E=1 E2E_BUDGET=$(E2E_BUDGET) timeout --signal=INT --kill-after=60 $$(( $(E2E_BUDGET) + 60 )) \
	  $(E2E_PY) -m pytest tests/deployment -p no:cacheprovider -q -s --timeout 600; rc=$$?; \
	$(E2E_PY) tests/deployment/harness/reap.py .work/e2e/pids.jsonl; \
	echo "e2e: make e2e took $$(( $$(date +%s) - start )) s (exit $$rc)"; exit $$rc

clean:
	rm -rf .venv-af3 .venv-af2 .work
