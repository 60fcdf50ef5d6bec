"""The logger shape the provider writes to: the standard library's, or Airflow's structlog-based task logger."""

from __future__ import annotations

from typing import Any, Protocol


class Logger(Protocol):
    """Anything with the standard logging methods (``logging.Logger``, Airflow's ``self.log``)."""

    def debug(self, msg: Any, /, *args: Any) -> Any:
        """Log at DEBUG."""
        ...

    def info(self, msg: Any, /, *args: Any) -> Any:
        """Log at INFO."""
        ...

    def warning(self, msg: Any, /, *args: Any) -> Any:
        """Log at WARNING."""
        ...

    def error(self, msg: Any, /, *args: Any) -> Any:
        """Log at ERROR."""
        ...
