"""Build the sdist and the wheel as a release would, and check what went into them.

``python scripts/build_dist.py [--outdir dist]`` (``make wheel`` / ``make dist`` call it with the
tools virtualenv, which has ``build`` and ``twine``):

1. copies the files git tracks or would track (``git ls-files --cached --others --exclude-standard``;
   without git, the tree minus caches, virtualenvs and build output) into a clean staging folder, so
   nothing ignored -- ``__pycache__``, ``.work``, venvs -- can reach the sdist;
2. ``python -m build`` there: the sdist, then the wheel *from the sdist* (a file missing from the
   sdist breaks the wheel); any warning in the build output fails the script;
3. checks both file lists exactly: the sdist holds MANIFEST.in's folders whole (``tests/`` with every
   ``conftest.py``), the wheel holds the package and its metadata, nothing else;
4. checks the wheel's metadata (version from ``airflow_provider_campaigns.version.__version__``, SPDX
   license and license file, classifiers known to PyPI, runtime dependencies only) and runs ``twine check --strict``.
"""

from __future__ import annotations

import argparse
import ast
import email
import email.message
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import trove_classifiers

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "airflow_provider_campaigns"
#: MANIFEST.in: these files, and these folders whole.
SDIST_FILES = ("LICENSE", "README.md", "CHANGELOG.md", "Makefile", "pyproject.toml", "MANIFEST.in")
SDIST_FOLDERS = (PACKAGE, "tests", "example_dags", "docs", "constraints", "scripts", "benchmarks")
#: What setuptools adds to every sdist.
SDIST_GENERATED = {"PKG-INFO", "setup.cfg"}
#: Never in a distribution, whatever git says.
FORBIDDEN_PARTS = {".work", ".ci", ".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "dist", "build"}
#: Must be in the sdist (spelled out so a MANIFEST.in regression names the file it lost).
SDIST_REQUIRED = (
    "LICENSE",
    "CHANGELOG.md",
    "tests/conftest.py",
    "tests/e2e/conftest.py",
    "tests/e2e/dags/e2e_bsg.py",
    "example_dags/campaigns_kill_switch.py",
    f"{PACKAGE}/py.typed",
    f"{PACKAGE}/simulator/__main__.py",
)
CLASSIFIERS_REQUIRED = {
    "Framework :: Apache Airflow",
    "Framework :: Apache Airflow :: Provider",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Typing :: Typed",
}
RUNTIME_DEPENDENCIES = {"apache-airflow", "apache-airflow-providers-common-compat", "requests", "httpx", "pyjwt", "pendulum"}
#: Lines of build output that mean something is off (deprecations, manifest misses, ...).
WARNING = re.compile(r"warn|deprecat|no previously-included|no files found|no directories found", re.IGNORECASE)


def fail(message: str) -> None:
    """Stop with a message naming what is wrong."""
    print(f"build_dist: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def source_files() -> list[str]:
    """Relative paths of the files a release is built from."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, check=True
        ).stdout.decode()
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):  # an unpacked sdist: no git
        files = [str(p.relative_to(REPO)) for p in REPO.rglob("*") if p.is_file()]
    return sorted(
        f
        for f in files
        if (REPO / f).is_file()
        and not FORBIDDEN_PARTS.intersection(Path(f).parts)
        and not any(part.startswith(".venv") or part.endswith(".egg-info") for part in Path(f).parts)
        and not f.endswith((".pyc", ".pyo"))
    )


def version() -> str:
    """``__version__`` from the package's ``version.py``, read without importing it."""
    tree = ast.parse((REPO / PACKAGE / "version.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets):
            return str(ast.literal_eval(node.value))
    fail("no __version__ in the package's version.py")
    raise AssertionError


def build(stage: Path, outdir: Path, log: Path) -> None:
    """``python -m build`` (sdist, then the wheel from it); fail on any warning in its output."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # else setuptools warns it cannot byte-compile
    env["PIP_CONSTRAINT"] = str(REPO / "constraints" / "tools.txt")  # the pinned setuptools in build's isolated environment
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(stage)], env=env, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    log.write_text(output)
    if done.returncode != 0:
        print(output[-4000:], file=sys.stderr)
        fail(f"python -m build exited {done.returncode} (full output: {log})")
    warnings = [line for line in output.splitlines() if WARNING.search(line)]
    if warnings:
        fail("the build printed warnings:\n  " + "\n  ".join(warnings) + f"\n(full output: {log})")
    backend = next((line.strip(" -") for line in output.splitlines() if "setuptools==" in line), "setuptools")
    built = next((line for line in output.splitlines() if line.startswith("Successfully built")), "built")
    print(f"{built} ({backend}; the wheel from the sdist; no warnings)")


def expected_sdist(files: list[str]) -> set[str]:
    """The sdist's file list that MANIFEST.in promises for these sources."""
    wanted = {f for f in files if f in SDIST_FILES or f.split("/", 1)[0] in SDIST_FOLDERS}
    return wanted | SDIST_GENERATED


def check_sdist(sdist: Path, files: list[str], ver: str) -> None:
    """The sdist holds exactly MANIFEST.in's files (plus setuptools' own)."""
    root = f"{PACKAGE}-{ver}/"
    with tarfile.open(sdist) as tar:
        names = {m.name for m in tar.getmembers() if m.isfile()}
        pkg_info = email.message_from_bytes(tar.extractfile(root + "PKG-INFO").read())  # type: ignore[union-attr]
    if any(not n.startswith(root) for n in names):
        fail(f"sdist entries outside {root}")
    got = {n[len(root) :] for n in names if not n[len(root) :].startswith(f"{PACKAGE}.egg-info/")}
    want = expected_sdist(files)
    if got != want:
        fail(f"sdist file list differs: missing {sorted(want - got)}, unexpected {sorted(got - want)}")
    if missing := [f for f in SDIST_REQUIRED if f not in got]:
        fail(f"sdist lacks {missing}")
    if bad := [n for n in got if FORBIDDEN_PARTS.intersection(Path(n).parts) or n.endswith((".pyc", ".pyo"))]:
        fail(f"sdist holds generated files: {bad}")
    if pkg_info["Version"] != ver:
        fail(f"sdist PKG-INFO version {pkg_info['Version']} != __version__ {ver}")
    tests = sum(1 for n in got if n.startswith("tests/"))
    print(f"sdist: {len(names)} files, tests/ whole ({tests} files), LICENSE, CHANGELOG.md, example DAGs: ok")


def check_wheel(wheel: Path, files: list[str], ver: str) -> None:
    """The wheel holds the package (every file of it, data files too) and its metadata, nothing else."""
    info = f"{PACKAGE}-{ver}.dist-info/"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = email.message_from_bytes(zf.read(info + "METADATA"))
        entry_points = zf.read(info + "entry_points.txt").decode()
    package = {f for f in files if f.startswith(f"{PACKAGE}/")}
    metadata = {info + n for n in ("METADATA", "WHEEL", "entry_points.txt", "top_level.txt", "RECORD", "licenses/LICENSE")}
    if names != package | metadata:
        fail(f"wheel file list differs: missing {sorted((package | metadata) - names)}, unexpected {sorted(names - package - metadata)}")
    check_metadata(meta, ver)
    if "[apache_airflow_provider]" not in entry_points or f"provider_info = {PACKAGE}:get_provider_info" not in entry_points:
        fail(f"wheel entry points lack the provider: {entry_points!r}")
    data = sorted(n for n in package if not n.endswith(".py"))
    print(f"wheel: {len(package)} package files (non-Python: {', '.join(data)}), simulator included, metadata: ok")


def check_metadata(meta: email.message.Message, ver: str) -> None:
    """What a user, PyPI and a platform team read."""
    problems = []
    if meta["Version"] != ver:
        problems.append(f"Version {meta['Version']} != __version__ {ver}")
    if meta["License-Expression"] != "Apache-2.0":
        problems.append(f"License-Expression {meta['License-Expression']!r}")
    if meta.get_all("License-File") != ["LICENSE"]:
        problems.append(f"License-File {meta.get_all('License-File')}")
    if meta["License"] is not None:
        problems.append("a legacy License field next to License-Expression")
    classifiers = set(meta.get_all("Classifier") or [])
    if missing := CLASSIFIERS_REQUIRED - classifiers:
        problems.append(f"classifiers missing {sorted(missing)}")
    if unknown := sorted(c for c in classifiers if c not in trove_classifiers.classifiers):
        problems.append(f"classifiers PyPI would reject: {unknown}")
    if any(c.startswith("License ::") for c in classifiers):
        problems.append("a License :: classifier next to an SPDX expression (PEP 639 forbids it)")
    if meta["Requires-Python"] != ">=3.11":
        problems.append(f"Requires-Python {meta['Requires-Python']}")
    if meta.get_all("Provides-Extra"):
        problems.append(f"extras published: {meta.get_all('Provides-Extra')} (development tools belong in dependency groups)")
    requires = {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower() for r in meta.get_all("Requires-Dist") or []}
    if requires != RUNTIME_DEPENDENCIES:
        problems.append(f"Requires-Dist names {sorted(requires)}, expected {sorted(RUNTIME_DEPENDENCIES)}")
    if not meta["Author"] and not meta["Author-email"]:
        problems.append("no author")
    if not meta.get_all("Project-URL"):
        problems.append("no project URLs")
    if meta["Description-Content-Type"] != "text/markdown":
        problems.append(f"Description-Content-Type {meta['Description-Content-Type']}")
    if problems:
        fail("wheel metadata: " + "; ".join(problems))


def main() -> int:
    """Stage, build, check."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--outdir", type=Path, default=REPO / "dist")
    args = parser.parse_args()
    outdir = args.outdir.resolve()
    ver = version()
    files = source_files()
    work = REPO / ".work"
    work.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dist-src-", dir=work) as tmp:
        stage = Path(tmp) / f"{PACKAGE}-{ver}"
        for rel in files:
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, stage / rel)
        for old in outdir.glob(f"{PACKAGE}-*") if outdir.is_dir() else []:
            old.unlink()
        sdist = outdir / f"{PACKAGE}-{ver}.tar.gz"
        wheel = outdir / f"{PACKAGE}-{ver}-py3-none-any.whl"
        try:
            build(stage, outdir, work / "dist-build.log")
            check(sdist, wheel, files, ver, outdir)
        except SystemExit:  # never leave artifacts that failed a check where make would take them as built
            for artifact in (sdist, wheel):
                artifact.unlink(missing_ok=True)
            raise
    print(f"build_dist: ok: {sdist.relative_to(REPO) if sdist.is_relative_to(REPO) else sdist}, {wheel.name}")
    return 0


def check(sdist: Path, wheel: Path, files: list[str], ver: str, outdir: Path) -> None:
    """Both artifacts exist, hold what they should, and pass ``twine check --strict``."""
    if not sdist.is_file() or not wheel.is_file():
        fail(f"expected {sdist.name} and {wheel.name} in {outdir}, found {sorted(p.name for p in outdir.iterdir())}")
    check_sdist(sdist, files, ver)
    check_wheel(wheel, files, ver)
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "--no-color", "check", "--strict", sdist.name, wheel.name],
        cwd=outdir,
        capture_output=True,
        text=True,
    )
    print(twine.stdout.strip())
    if twine.returncode != 0:
        print(twine.stderr, file=sys.stderr)
        fail("twine check --strict")


if __name__ == "__main__":
    sys.exit(main())
