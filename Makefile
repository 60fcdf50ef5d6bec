# Commands that matter: `make test` (the README's), `make dist` (what a user installs, checked) and
# `make demo` (the kill switch against the simulator).
#
# A lane = one Airflow version on one Python, in its own virtualenv, installed from a constraints
# file frozen in this repo. The provider under test is always the *built wheel*, installed
# non-editable; lint and type checks run over the sources.
#
#   AIRFLOW / PYV   venv               constraints                      runs
#   3.3  / 3.11     .venv-af3          constraints/airflow-3.3.txt        lint + the whole suite
#   2.11 / 3.11     .venv-af2          constraints/airflow-2.11.txt       the whole suite
#   3.3  / 3.12     .venv-af3-py3.12   constraints/airflow-3.3.txt        all but the long scenarios (-m "not scenario")
#   3.3  / 3.13     .venv-af3-py3.13   constraints/airflow-3.3-py3.13.txt all but the long scenarios
#   lowest / 3.11   .venv-lowest       constraints/airflow-lowest.txt     all but the scenarios and the dag.test() suite
# (A lane uses constraints/airflow-$(AIRFLOW)-py$(PYV).txt when its Python's freeze differs, else
# constraints/airflow-$(AIRFLOW).txt. The whole suite = unit, end-to-end dag.test() and reliability.)
#
# `make test-lane AIRFLOW=3.3 PYV=3.12` runs one lane; `make test-lane AIRFLOW=lowest` the lowest one.
AIRFLOW ?= 3.3
PYV ?= 3.11
PIP_VERSION := 26.3
PYENV_ROOT ?= $(HOME)/.pyenv
# An interpreter for Python X.Y: pyenv's install first (its shims may not expose every version), then PATH.
find_python = $(firstword $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python$(1)) $(shell command -v python$(1) 2>/dev/null))
PYTHON := $(call find_python,$(PYV))

LANE := $(AIRFLOW)-py$(PYV)
VENV := $(if $(filter lowest,$(AIRFLOW)),.venv-lowest,.venv-af$(firstword $(subst ., ,$(AIRFLOW)))$(if $(filter-out 3.11,$(PYV)),-py$(PYV)))
PY := $(VENV)/bin/python
CONSTRAINTS := $(firstword $(wildcard constraints/airflow-$(AIRFLOW)-py$(PYV).txt) constraints/airflow-$(AIRFLOW).txt)
STAMP := $(VENV)/.installed-$(LANE)
WHEEL_STAMP := $(VENV)/.wheel-$(LANE)

VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' airflow_provider_campaigns/version.py)
WHEEL := dist/airflow_provider_campaigns-$(VERSION)-py3-none-any.whl
SDIST := dist/airflow_provider_campaigns-$(VERSION).tar.gz
# Everything the sdist and the wheel are built from: files git tracks or would track.
DIST_SOURCES := $(wildcard $(shell git ls-files --cached --others --exclude-standard -- airflow_provider_campaigns tests example_dags docs \
	constraints scripts benchmarks pyproject.toml MANIFEST.in README.md CHANGELOG.md LICENSE Makefile 2>/dev/null))
TOOLS := .venv-tools
TOOLS_PY := $(TOOLS)/bin/python
DIST_VENV := .work/dist-venv

# What a lane's pytest runs (override with SUITE=...). The long `scenario` tests (tests/conftest.py SCENARIOS: the
# docs' DAGs and test pages, subprocess pytest runs, the fault matrix, the drill) depend on the Airflow version, not
# on Python's: both Python 3.11 lanes (Airflow 3.3 and 2.11) run them, the 3.12 and 3.13 lanes and the lowest lane
# leave them out. The lowest lane also skips the dag.test() suite.
SCENARIO_LANES := 3.3-py3.11 2.11-py3.11
SUITE ?= $(if $(filter lowest,$(AIRFLOW)),tests -m "not e2e and not scenario",$(if $(filter $(LANE),$(SCENARIO_LANES)),tests,tests -m "not scenario"))

export AIRFLOW_HOME := $(CURDIR)/.work/airflow-home-$(LANE)
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: test test-lane lanes lint unit demo simulator benchmarks benchmarks-ceilings benchmarks-eta benchmarks-10k venv wheel dist tools freeze clean docs docs-html e2e e2e-venv

## make test: lint and type-check once, then every lane against the built wheel.
test:
	@$(MAKE) --no-print-directory lanes LINT_FIRST=1

# Each lane prints its wall time (install + suite) for the CI budget.
timed_lane = { start=$$(date +%s); $(MAKE) --no-print-directory test-lane AIRFLOW=$(1) PYV=$(2) && echo "lane $(1) / Python $(2): $$(( $$(date +%s) - start )) s"; }

# The lanes run in two streams side by side (a lane's suite waits on sockets and subprocesses about
# half of its time, so two share the machine's cores well). Each stream's output goes to a log, printed
# whole when the stream ends; `make lanes` fails if either stream does.
LANE_LOGS := .work/lanes
lanes: $(WHEEL) $(TOOLS)/.installed
	@mkdir -p $(LANE_LOGS)
	@start=$$(date +%s); \
	( $(if $(LINT_FIRST),$(MAKE) --no-print-directory lint AIRFLOW=3.3 PYV=3.11 && )$(call timed_lane,3.3,3.11) && $(call timed_lane,3.3,3.13) ) > $(LANE_LOGS)/stream-1.log 2>&1 & one=$$!; \
	( $(call timed_lane,2.11,3.11) && $(call timed_lane,3.3,3.12) && $(call timed_lane,lowest,3.11) ) > $(LANE_LOGS)/stream-2.log 2>&1 & two=$$!; \
	wait $$one; rc1=$$?; echo "== $(if $(LINT_FIRST),lint then )lanes 3.3 / Python 3.11, 3.3 / Python 3.13 (exit $$rc1)"; cat $(LANE_LOGS)/stream-1.log; \
	wait $$two; rc2=$$?; echo "== lanes 2.11 / Python 3.11, 3.3 / Python 3.12, lowest / Python 3.11 (exit $$rc2)"; cat $(LANE_LOGS)/stream-2.log; \
	echo "lanes: $$(( $$(date +%s) - start )) s"; test $$rc1 -eq 0 && test $$rc2 -eq 0

test-lane: venv unit

## venv: the lane's dependencies (from the frozen constraints), then the current wheel, non-editable.
venv: $(WHEEL_STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS) | $(WHEEL)
	@test -n "$(PYTHON)" || { echo "no Python $(PYV) found (looked in $(PYENV_ROOT)/versions and on PATH)" >&2; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -c 'import sys; v = "%d.%d" % sys.version_info[:2]; assert v == "$(PYV)", f"{sys.executable} is Python {v}, not $(PYV)"'
	$(PY) -m pip install -q "pip==$(PIP_VERSION)"
	$(PY) -m pip install -q -c $(CONSTRAINTS) --group test --group lint $(WHEEL)
	$(PY) -m pip check
	touch $(STAMP)

$(WHEEL_STAMP): $(STAMP) $(WHEEL)
	$(PY) -m pip install -q --no-deps --force-reinstall $(WHEEL)
	touch $(WHEEL_STAMP)

## lint: ruff and mypy --strict over the sources (once, in the Airflow 3.3 / Python 3.11 lane).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## unit: pytest from the repo, importing the installed wheel: PYTHONSAFEPATH keeps the working
## directory off sys.path (also in the subprocesses the tests start), and tests/conftest.py refuses
## to run if the package under test is not the installed, non-editable distribution.
unit: venv
	PYTHONSAFEPATH=1 CAMPAIGNS_TEST_INSTALLED=1 CAMPAIGNS_TEST_LOWEST=$(if $(filter lowest,$(AIRFLOW)),1,0) \
		$(PY) -m pytest -q -p no:cacheprovider $(SUITE)

## wheel/sdist: built by scripts/build_dist.py from a clean copy of the sources, file lists checked.
wheel: $(WHEEL)

$(WHEEL) $(SDIST) &: $(DIST_SOURCES) | $(TOOLS)/.installed
	$(TOOLS_PY) scripts/build_dist.py --outdir dist

tools: $(TOOLS)/.installed

$(TOOLS)/.installed: pyproject.toml constraints/tools.txt
	rm -rf $(TOOLS)
	$(call find_python,3.11) -m venv $(TOOLS)
	$(TOOLS_PY) -m pip install -q "pip==$(PIP_VERSION)"
	$(TOOLS_PY) -m pip install -q -c constraints/tools.txt --group release
	touch $@

## make dist: build and check the sdist and the wheel, install the wheel alone into a fresh
## virtualenv from the frozen constraints and smoke-test it from outside the source tree.
dist: $(WHEEL) $(SDIST)
	rm -rf $(DIST_VENV)
	$(call find_python,3.11) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install -q "pip==$(PIP_VERSION)"
	$(DIST_VENV)/bin/python -m pip install -q -c constraints/airflow-3.3.txt $(WHEEL)
	$(DIST_VENV)/bin/python -m pip check
	$(TOOLS_PY) scripts/smoke_wheel.py --venv $(DIST_VENV) --version $(VERSION)

## freeze: rewrite the lane's constraints file from its (green) virtualenv (leading comments kept).
FROZEN = constraints/airflow-$(AIRFLOW)$(if $(filter-out 3.11,$(PYV)),-py$(PYV)).txt
freeze: venv
	{ grep '^#' $(FROZEN) 2>/dev/null || true; $(PY) -m pip freeze --exclude airflow-provider-campaigns; } > $(FROZEN).new
	mv $(FROZEN).new $(FROZEN)

## make demo: start the simulator, seed campaigns at all four vendors, run the kill-switch DAG.
demo: venv
	$(PY) scripts/demo.py

simulator: venv
	$(PY) -m airflow_provider_campaigns.simulator --port 8765

benchmarks: venv
	$(PY) -m benchmarks.run

## benchmarks-ceilings: the kill switch at the vendors' rate limits (~4 min; not part of `make benchmarks`)
benchmarks-ceilings: venv
	$(PY) -m benchmarks.ceilings

## benchmarks-eta: the dry run's ETA against the measured stop at the vendors' rate limits (~2 min; not part of `make benchmarks`)
benchmarks-eta: venv
	$(PY) -m benchmarks.eta

## benchmarks-10k: 10,000 campaigns in one kill switch: time to silence, memory, XCom, journal, trigger (~2 min)
benchmarks-10k: venv
	$(PY) -m benchmarks.bulk10k

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

## make e2e: the provider on a real Airflow 3.3 deployment (PostgreSQL, api-server, scheduler,
## dag-processor, triggerer; then CeleryExecutor with Redis and two workers), the simulator as every
## vendor, a headless Chromium for the connection forms. Installs what it needs (apt, pip).
E2E_VENV := .venv-e2e
E2E_PY := $(E2E_VENV)/bin/python
E2E_CONSTRAINTS := constraints/e2e-airflow-3.3.txt
E2E_STAMP := $(E2E_VENV)/.installed-e2e
E2E_BUDGET ?= 1200
# One scenario while developing: make e2e E2E_SUITE=tests/deployment/test_1_kill_switch_rest.py
E2E_SUITE ?= tests/deployment

e2e-venv: $(E2E_STAMP)

# Like every lane, the deployment runs the built wheel, installed non-editable.
$(E2E_STAMP): pyproject.toml $(E2E_CONSTRAINTS) $(WHEEL)
	test -x $(E2E_PY) || $(PYTHON) -m venv $(E2E_VENV)
	$(E2E_PY) -m pip install -q "pip==$(PIP_VERSION)"
	$(E2E_PY) -m pip install -q -c $(E2E_CONSTRAINTS) "apache-airflow[postgres,celery]==3.3.2" psycopg2-binary playwright pytest pytest-timeout \
		apache-airflow-providers-common-messaging apache-airflow-providers-redis aiosmtpd $(WHEEL)
	$(E2E_PY) -m pip install -q --no-deps --force-reinstall $(WHEEL)
	touch $(E2E_STAMP)

e2e:
	@start=$$(date +%s); \
	bash tests/deployment/harness/system-packages.sh && $(MAKE) --no-print-directory e2e-venv || exit 1; \
	echo "e2e: installs took $$(( $$(date +%s) - start )) s"; \
	PYTHONSAFEPATH=1 CAMPAIGNS_TEST_INSTALLED=1 CAMPAIGNS_E2E=1 E2E_COMMAND="make e2e" E2E_BUDGET=$(E2E_BUDGET) timeout --signal=INT --kill-after=60 $$(( $(E2E_BUDGET) + 60 )) \
	  $(E2E_PY) -m pytest $(E2E_SUITE) -p no:cacheprovider -q -s --timeout 600 --durations=25; rc=$$?; \
	$(E2E_PY) tests/deployment/harness/reap.py .work/e2e/pids.jsonl; \
	echo "e2e: make e2e took $$(( $$(date +%s) - start )) s (exit $$rc)"; exit $$rc

clean:
	rm -rf .venv-af3 .venv-af2 .venv-af3-py3.12 .venv-af3-py3.13 .venv-lowest .venv-e2e $(TOOLS) .work dist build
