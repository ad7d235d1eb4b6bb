"""What every test may use: a fresh PostgreSQL database (``postgres_url``), and one line
in the session's summary saying where the PostgreSQL tests ran, or why they did not."""

from __future__ import annotations

import pytest

from tests import postgres
from tests.postgres import empty_postgres_url, postgres_url

__all__ = ["empty_postgres_url", "postgres_url"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once where the PostgreSQL tests ran (or that they were skipped, and why)."""
    line = postgres.summary()
    if line is not None:
        terminalreporter.write_line(line)
