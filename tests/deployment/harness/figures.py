"""Figures the scenarios measure: printed at once, and kept in ``.work/e2e-figures.json``."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


class Figures:
    """Appends one record per figure to a JSON file (a list), so a failed run still keeps what it measured."""

    def __init__(self, path: Path) -> None:
        """Start a new session block in ``path`` (earlier sessions' records are kept)."""
        self.path = path
        self.session = time.strftime("%Y-%m-%dT%H:%M:%S")
        #: how the figures were produced (``make e2e`` sets it; else the pytest command line)
        self.command = os.environ.get("E2E_COMMAND") or " ".join(["pytest", *sys.argv[1:]])
        self.lines: list[str] = []

    def record(self, scenario: str, name: str, value: Any, unit: str = "", **details: Any) -> None:
        """Print ``scenario: name = value unit`` and append it to the JSON file."""
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        line = f"e2e {scenario}: {name} = {shown}{(' ' + unit) if unit else ''}"
        print(line, flush=True)
        self.lines.append(line)
        try:
            data = json.loads(self.path.read_text()) if self.path.exists() else []
        except ValueError:
            data = []
        context = {"command": self.command, "load_1m": round(os.getloadavg()[0], 2)}
        data.append({"session": self.session, "scenario": scenario, "name": name, "value": value, "unit": unit, **details, **context})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data, indent=1, default=str))
