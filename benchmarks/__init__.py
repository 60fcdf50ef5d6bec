"""Benchmarks of the "kill switch at scale" issue: ``python -m benchmarks.run`` (see README.md)."""
