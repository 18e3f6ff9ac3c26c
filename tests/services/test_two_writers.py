"""Two writers on one database: stale edits refused, card numbers unique (on SQLite and
PostgreSQL); on a SQLite file, locks wait then report, a second window is detected (and a
crashed one never blocks)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import app.storage.sqlite
from app.bootstrap import open_runtime
from app.errors import DatabaseProblem, StaleEdit
from app.storage.sqlite import InstanceLock
from tests.helpers import ROOT, make_runtime, run_cli

ADDER = textwrap.dedent(
    """
    import sys
    from app.bootstrap import open_runtime
    rt = open_runtime(sys.argv[1])
    project = rt.services.projects.find_project("SD")
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(50):
        print(rt.services.cards.create_card(project.id, sys.argv[2] + str(i)).key, flush=True)
    rt.close()
    """
)


def test_stale_edit_from_another_process_is_refused(db_url: str) -> None:
    rt = make_runtime(db_url)
    try:
        project = rt.services.projects.create_project("SD", "Two writers")
        card = rt.services.cards.create_card(project.id, "Shared card")
        moved = run_cli("card", "move", card.key, "--to", "Done", db=db_url)
        assert moved.returncode == 0, moved.stderr
        with pytest.raises(StaleEdit) as info:
            rt.services.cards.update_card(card.id, {"title": "mine"}, expected_version=card.version)
        assert info.value.current_version == card.version + 1
        assert "changed by someone else" in str(info.value)
        with pytest.raises(StaleEdit):
            rt.services.board.move_card(card.id, card.column_id, expected_version=card.version)
        fresh = rt.services.cards.get_card(card.id)
        assert fresh.title == "Shared card" and fresh.column_id != card.column_id
        # Applying the change again deliberately, on the fresh version, works.
        again = rt.services.cards.update_card(card.id, {"title": "mine"}, fresh.version)
        assert again.title == "mine"
    finally:
        rt.close()


def test_card_numbers_unique_with_two_processes_adding_at_once(db_url: str) -> None:
    rt = make_runtime(db_url)
    project = rt.services.projects.create_project("SD", "Race")
    rt.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", ADDER, db_url, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for name in ("a", "b")
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:  # both start adding at the same moment
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    keys = [k for out, _ in outputs for k in out.split()]
    assert len(keys) == 100 and len(set(keys)) == 100
    rt = open_runtime(db_url)
    try:
        cards = rt.services.cards.list_cards(project.id)
        assert sorted(c.number for c in cards) == list(range(1, 101))
        assert len({c.rank for c in cards}) == 100
    finally:
        rt.close()


def test_locked_database_waits_then_reports(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.storage.sqlite, "BUSY_TIMEOUT_MS", 300)
    rt = make_runtime(db_path)
    try:
        project = rt.services.projects.create_project("SD", "Locked")
        card = rt.services.cards.create_card(project.id, "Waits")
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            with pytest.raises(DatabaseProblem, match="busy"):
                rt.services.cards.update_card(card.id, {"title": "blocked"})
            waited = time.monotonic() - started
            assert waited >= 0.25
            # Reading still works meanwhile (WAL).
            assert rt.services.cards.get_card(card.id).title == "Waits"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # Once the lock is gone the same call succeeds.
        assert rt.services.cards.update_card(card.id, {"title": "free"}).title == "free"
    finally:
        rt.close()


def test_busy_timeout_from_the_environment(db_path: Path) -> None:
    code = "import app.storage.sqlite as s; print(s.BUSY_TIMEOUT_MS)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, app.storage.sqlite.BUSY_TIMEOUT_ENV: "1234"},
        check=True,
    )
    assert out.stdout.strip() == "1234"


def test_second_window_detected(tmp_path: Path, db_path: Path) -> None:
    first = InstanceLock(db_path, tmp_path / "locks")
    second = InstanceLock(db_path, tmp_path / "locks")
    assert first.acquire() is None
    holder = second.acquire()
    assert holder is not None and str(os.getpid()) in holder
    first.release()
    assert second.acquire() is None
    second.release()
    assert not db_path.exists()  # the database itself is never touched


def test_stale_lock_of_a_crashed_process_does_not_block(tmp_path: Path, db_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from app.storage.sqlite import InstanceLock
        lock = InstanceLock(Path({str(db_path)!r}), Path({str(tmp_path / "locks")!r}))
        assert lock.acquire() is None
        print("held", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    lock = InstanceLock(db_path, tmp_path / "locks")
    assert lock.acquire() is not None  # the other process is alive: reported
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert lock.acquire() is None  # it crashed: its lock went with it
    lock.release()
