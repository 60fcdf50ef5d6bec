"""A task that writes, reads and deletes a stop journal through Airflow Variables, as a stop task does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, task

with DAG("e2e_journal", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):

    @task
    def round_trip(ti: Any = None) -> dict[str, Any]:
        from airflow_provider_campaigns.engine.journal import Journal, journal_for
        from airflow_provider_campaigns.engine.results import entry

        try:  # Airflow 3: a Variable read hands values to the secrets masker, which warns once about short ones
            from airflow.sdk._shared.secrets_masker.secrets_masker import SecretsMasker

            SecretsMasker._has_warned_short_secret = False
        except ImportError:
            SecretsMasker = None
        journal = journal_for({"ti": ti})
        assert journal is not None, "a real task instance has the ids a journal needs"
        journal.plan("bsg:bsg_default", ["1", "2"])
        journal.record("bsg:bsg_default", entry("bsg", "bsg_default", {"id": 1}, "1", "stopped"))
        journal.flush(force=True)
        again = Journal(journal.key)
        planned, done = again.earlier("bsg:bsg_default")
        again.close(finished=True)
        return {
            "planned": sorted(planned),
            "done": sorted(done),
            "after_delete": Journal(journal.key).earlier("bsg:bsg_default")[0] == set(),
            "masker_warned": bool(SecretsMasker and SecretsMasker._has_warned_short_secret),
        }

    round_trip()
