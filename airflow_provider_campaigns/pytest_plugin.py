"""pytest fixtures for testing DAGs that use this provider: the simulator, connections to it, an Airflow home for ``dag.test()``.

Installed with the package (entry point ``pytest11``, name ``campaigns``; ``-p no:campaigns`` turns it
off). Loading it costs nothing: it imports neither Airflow nor the simulator, changes no setting and
starts nothing until a test requests one of its fixtures:

``campaigns_simulator``
    a running :class:`~airflow_provider_campaigns.simulator.Simulator` on 127.0.0.1 (fresh per test),
    every ``*_default`` connection pointing at it (``AIRFLOW_CONN_*`` variables, removed after the
    test), and the Airflow home below ready. ``@pytest.mark.campaigns_simulator(strict=False,
    latency=0.05, ...)`` passes keyword arguments to the simulator.
``campaigns_airflow_home``
    (session) the Airflow home ``dag.test()`` needs: a migrated metadata database and the DAGs
    folder configured. It is ``AIRFLOW_HOME`` when set, else a temporary directory (set before
    Airflow is first imported). The DAGs folder is the ini option ``campaigns_dags_folder``
    (relative to the ini file), else ``AIRFLOW__CORE__DAGS_FOLDER``, else ``dags`` beside the ini file.
``campaigns_dag``
    (session) ``campaigns_dag("dag_id")``: the DAG loaded from the DAGs folder, ready for
    ``dag.test()``; a DAG file that does not import fails the test with Airflow's error.

Airflow reads ``AIRFLOW_HOME`` once, when first imported. If a conftest or test module imports
Airflow at its top, set ``campaigns_isolated_airflow_home = true`` in the ini file: the plugin then
points ``AIRFLOW_HOME`` at a temporary directory before any conftest is loaded. The plugin never
migrates the default home (``~/airflow``): it stops with a message instead.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HOME_OPTION = "campaigns_isolated_airflow_home"
DAGS_OPTION = "campaigns_dags_folder"
_made_home: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    """Two ini options (no command-line flags, nothing else)."""
    parser.addini(HOME_OPTION, "point AIRFLOW_HOME at a temporary directory before conftests load (unless set)", type="bool", default=False)
    parser.addini(DAGS_OPTION, "the DAGs folder dag.test() runs from (relative to the ini file)", default="")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """Only with ``campaigns_isolated_airflow_home = true``: an isolated ``AIRFLOW_HOME`` before any conftest imports Airflow."""
    if early_config.getini(HOME_OPTION) and not os.environ.get("AIRFLOW_HOME"):
        _isolated_home()


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line("markers", "campaigns_simulator(**kwargs): keyword arguments for the campaigns_simulator fixture's Simulator")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the temporary Airflow home this plugin made."""
    while _made_home:
        shutil.rmtree(_made_home.pop(), ignore_errors=True)


def _isolated_home() -> str:
    home = tempfile.mkdtemp(prefix="campaigns-airflow-home-")
    _made_home.append(home)
    os.environ["AIRFLOW_HOME"] = home
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    return home


def _dags_folder(config: pytest.Config) -> Path:
    base = Path(config.inipath).parent if config.inipath else Path(config.rootpath)
    given = str(config.getini(DAGS_OPTION) or "")
    if given:
        return (base / given).resolve()
    if os.environ.get("AIRFLOW__CORE__DAGS_FOLDER"):
        return Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).resolve()
    return (base / "dags").resolve()


def _airflow_home() -> Path:
    """``AIRFLOW_HOME`` as Airflow uses it; a fresh temporary one if Airflow is not imported yet and none is set."""
    if os.environ.get("AIRFLOW_HOME"):
        return Path(os.environ["AIRFLOW_HOME"]).expanduser().resolve()
    if "airflow" not in sys.modules:
        return Path(_isolated_home())
    default = Path("~/airflow").expanduser().resolve()
    raise pytest.UsageError(
        "campaigns fixtures: Airflow was imported before AIRFLOW_HOME was set, so it uses the default home "
        f"{default} (its real database); this plugin will not migrate it. Set AIRFLOW_HOME before running pytest, "
        f"or set `{HOME_OPTION} = true` in the pytest ini file."
    )


def _set_dags_folder(conf: Any, dags: Path) -> None:
    """``[core] dags_folder`` in Airflow's config, in case Airflow read its config before the fixture.

    Airflow 2.11 on a fresh home writes no ``airflow.cfg``: its config then holds only defaults, no sections.
    """
    if not conf.has_section("core"):
        conf.add_section("core")
    conf.set("core", "dags_folder", str(dags))


@pytest.fixture(scope="session")
def campaigns_airflow_home(request: pytest.FixtureRequest) -> Path:
    """The Airflow home, with a migrated metadata database and the DAGs folder configured, for ``dag.test()``."""
    home = _airflow_home()
    dags = _dags_folder(request.config)
    if not dags.is_dir():
        raise pytest.UsageError(f"campaigns fixtures: the DAGs folder {dags} does not exist; set `{DAGS_OPTION}` in the pytest ini file.")
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(dags)
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.configuration import conf

    _set_dags_folder(conf, dags)
    from airflow.utils import db

    db.initdb()
    return home


@pytest.fixture(scope="session")
def campaigns_dag(campaigns_airflow_home: Path) -> Callable[[str], Any]:
    """``campaigns_dag("dag_id")``: the DAG from the DAGs folder (what ``dag.test()`` can run).

    The folder is parsed once, when the fixture is first set up (before the test body runs).
    """
    bag = _dag_bag(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])

    def load(dag_id: str) -> Any:
        dag = bag.get_dag(dag_id)
        if dag is None:
            errors = "".join(f"\n{path}: {error}" for path, error in bag.import_errors.items())
            pytest.fail(f"no DAG {dag_id!r} in {bag.dag_folder} (DAGs found: {', '.join(sorted(bag.dag_ids)) or 'none'}){errors}")
        return dag

    return load


def _dag_bag(folder: str) -> Any:
    """Airflow's DagBag of ``folder`` (Airflow 3: examples are off by configuration; Airflow 2: by argument)."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag as LegacyDagBag

        return LegacyDagBag(folder, include_examples=False)
    return DagBag(folder)


@pytest.fixture
def campaigns_simulator(request: pytest.FixtureRequest, campaigns_airflow_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A running simulator, every ``*_default`` connection pointing at it, and an Airflow home ready for ``dag.test()``."""
    from airflow_provider_campaigns.simulator import Simulator

    marker = request.node.get_closest_marker("campaigns_simulator")
    options: dict[str, Any] = {"port": 0, **(marker.kwargs if marker else {})}
    with Simulator(**options) as simulator:
        for key, value in simulator.connection_env().items():
            monkeypatch.setenv(key, value)
        yield simulator
