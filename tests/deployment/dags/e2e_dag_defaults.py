"""What every DAG of the deployment suite shares. The DAG files beside it import it: the DAG processor and the
task runner put the DAGs folder (the bundle's path) on ``sys.path``. Holding no DAG, it is skipped when DAGs are
collected.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

#: Unscheduled (the suite starts each run), active from its creation, tagged ``e2e``.
E2E_DAG_ARGS: dict[str, Any] = {
    "schedule": None,
    "start_date": datetime(2026, 1, 1),
    "catchup": False,
    "is_paused_upon_creation": False,
    "tags": ["e2e"],
}
