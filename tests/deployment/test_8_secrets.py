"""Scenario 8 (issue 10, scenario 6): no key, secret or token in any Airflow log, process log or the metadata databases.

Runs last: it searches what every earlier scenario left behind. The simulator is the vendor side
and prints the credentials it accepts by design: its log (and seed file) are kept apart and only
used to prove the search finds what it looks for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from harness.leaks import search_files, search_text
from harness.scenarios import run_kill_switch
from harness.simclient import tokens_in_log

#: files that hold credentials by design: the vendor side's log and seed, and the REST user's password store
BY_DESIGN = (
    "simulator-VENDOR-SIDE-prints-credentials.log",
    "slow-simulator-VENDOR-SIDE-prints-credentials.log",
    "simulator-seed.json",
    "passwords.json",
)


@pytest.mark.timeout(600)
def test_no_secret_in_logs_or_database(deployments: Any, simulator: Any, slow_simulator: Any, postgres: Any, figures: Any) -> None:
    if not deployments.all:  # run alone: give the search something to search
        run_kill_switch(deployments.get("local"), simulator.client, 5)
    deployments.stop()  # every component flushed and closed its logs
    work: Path = deployments.sup.log_dir.parent

    entries = simulator.client.requests()
    tokens = tokens_in_log(entries)
    bsg_jwts = {
        t for t in tokens if t.count(".") == 2 and any(t in str(e["headers"].get("authorization")) for e in entries if e["vendor"] == "bsg")
    }
    kore_jwts = {
        t for t in tokens if t.count(".") == 2 and any(t == str(e["headers"].get("auth")) for e in entries if e["vendor"] == "kore")
    }
    assert bsg_jwts and kore_jwts, "expected BSG bearer JWTs and Kore JWTs in the simulator's request log"
    # the fault scenarios' simulator: its credentials, and every token it saw (across its resets)
    slow_tokens = set(getattr(slow_simulator, "seen_tokens", set())) | tokens_in_log(slow_simulator.client.requests())
    provider_secrets = sorted(set(simulator.secrets()) | tokens | set(slow_simulator.secrets()) | slow_tokens)
    rest_passwords = [d.rest_password for d in deployments.all.values()]

    dumps = [postgres.dump(d.database, work / f"pg_dump-{d.database}.sql") for d in deployments.all.values()]
    files = [p for p in work.rglob("*") if p.is_file() and p.name not in BY_DESIGN and p.suffix != ".png" and p.name != "pids.jsonl"]
    task_logs = [p for p in files if "dag_id=" in str(p)]
    assert task_logs, "no task log found: the search would miss what tasks printed"
    assert all(d in files for d in dumps)
    searched, size, hits = search_files(files, [*provider_secrets, *rest_passwords])

    # The same search finds every credential where it sits by design (the vendor side's own log).
    sim_log = simulator.service.log_text()
    found_by_design = {h.secret_prefix for h in search_text("simulator log", sim_log, simulator.secrets())}
    assert len(found_by_design) == len(simulator.secrets())

    print(
        f"searched {searched} files ({size / 1e6:.1f} MB: {len(task_logs)} task logs, component and CLI logs, "
        f"{len(dumps)} pg_dumps) for {len(provider_secrets)} provider secrets ({len(simulator.secrets())} connection secrets, "
        f"{len(bsg_jwts)} BSG JWTs, {len(kore_jwts)} Kore JWTs; {len(slow_simulator.secrets())} + {len(slow_tokens)} of the fault "
        f"scenarios' simulator) and {len(rest_passwords)} REST passwords, plain and base64"
    )
    for hit in hits[:20]:
        print(f"LEAK: {hit}")
    figures.record(
        "secrets",
        "hits in logs and pg_dump",
        len(hits),
        "",
        files=searched,
        megabytes=round(size / 1e6, 1),
        task_logs=len(task_logs),
        secrets=len(provider_secrets),
        bsg_jwts=len(bsg_jwts),
        kore_jwts=len(kore_jwts),
    )
    assert hits == []
