"""Crash safety, the CI-sized run: a busy process killed with SIGKILL five times.

The benchmark-sized run is ``python -m bench.crash_harness --kills 200``.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from bench.crash_harness import run, verify

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def test_five_kills_leave_a_consistent_database(tmp_path: Path) -> None:
    figures = run(5, tmp_path / "crash.db", seed=7, min_delay=0.05, max_delay=0.4)
    assert figures.failures == []
    assert figures.kills == figures.survived == 5
    assert figures.operations > 0


def test_verify_notices_a_half_applied_change(tmp_path: Path) -> None:
    """The checker is not blind: a card row changed without its event is reported."""
    db = tmp_path / "crash.db"
    figures = run(1, db, seed=3, min_delay=0.2, max_delay=0.3)
    assert figures.failures == []
    connection = sqlite3.connect(db)
    connection.execute(
        "UPDATE card SET version = version + 1 WHERE id = (SELECT min(id) FROM card)"
    )
    connection.commit()
    connection.close()
    assert any("events" in problem for problem in verify(db, []))
