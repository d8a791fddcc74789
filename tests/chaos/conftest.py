"""The chaos run's summary table, printed at the end of the session whether or not it passed."""

from __future__ import annotations

from tests.chaos.harness import ROWS, table


def pytest_terminal_summary(terminalreporter) -> None:
    if ROWS:
        terminalreporter.write_sep("=", "chaos run")
        terminalreporter.write_line(table(ROWS))
