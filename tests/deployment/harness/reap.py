"""Kill every process group the e2e session recorded that is still alive (``make e2e`` runs this last, always)."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from harness.procs import reap

    registry = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".work/e2e/pids.jsonl")
    reaped = reap(registry)
    print(f"e2e reaper: {len(reaped)} leftover process group(s) stopped{': ' + ', '.join(reaped) if reaped else ''}")
