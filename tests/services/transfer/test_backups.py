"""Backups through SQLite's backup API, restore, and the once-a-day automatic backup."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from app.bootstrap import Runtime
from app.errors import DatabaseProblem, DomainError
from app.services.transfer import backup_file, daily_backup, restore_file
from tests.helpers import make_runtime

pytestmark = pytest.mark.sqlite_only  # backups are of SQLite files


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


def count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def test_backup_of_a_live_database_is_consistent(runtime: Runtime, tmp_path: Path) -> None:
    """Another connection keeps writing (a project and its 3 columns per transaction)."""
    services = runtime.services
    stop = threading.Event()
    written = []

    def writer() -> None:
        n = 0
        while not stop.is_set() and n < 400:
            services.projects.create_project(f"P{n}", f"Project {n}")
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        backups = []
        for i in range(5):
            while len(written) < 5 * (i + 1) and thread.is_alive():
                time.sleep(0.001)
            backups.append(backup_file(runtime.url, tmp_path / f"copy{i}.db"))
    finally:
        stop.set()
        thread.join()
    for copy in backups:
        assert count(copy, "PRAGMA integrity_check") == "ok"
        projects = count(copy, "SELECT count(*) FROM project")
        assert projects > 0
        assert count(copy, "SELECT count(*) FROM workflow_column") == 3 * projects
        assert count(copy, "SELECT count(*) FROM alembic_version") == 1
    assert not list(tmp_path.glob(".*partial*"))


def test_backup_refuses_a_missing_database(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="no database file"):
        backup_file(url(tmp_path / "nothing.db"), tmp_path / "copy.db")


def test_restore_backs_up_the_current_file_first(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    rt = make_runtime(source)
    rt.services.projects.create_project("OLD", "Old state")
    backup_file(rt.url, tmp_path / "saved.db")
    rt.services.projects.create_project("NEW", "Made after the backup")
    rt.close()
    kept = restore_file(url(source), tmp_path / "saved.db", tmp_path / "backups")
    assert kept is not None and kept.parent == tmp_path / "backups"
    assert "before-restore" in kept.name
    assert count(kept, "SELECT count(*) FROM project") == 2
    rt = make_runtime(source)
    try:
        assert [p.key for p in rt.services.projects.list_projects()] == ["OLD"]
    finally:
        rt.close()


@pytest.mark.parametrize("kind", ["text", "foreign", "empty"])
def test_restore_refuses_what_is_not_a_sprintdeck_database(tmp_path: Path, kind: str) -> None:
    live = tmp_path / "live.db"
    make_runtime(live).close()
    bad = tmp_path / "bad.db"
    if kind == "text":
        bad.write_text("hello", encoding="utf-8")
    else:
        connection = sqlite3.connect(bad)
        if kind == "foreign":
            connection.execute("CREATE TABLE invoices (id INTEGER)")
        connection.execute("PRAGMA user_version = 1")
        connection.commit()
        connection.close()
    before = live.read_bytes()
    with pytest.raises(DatabaseProblem, match=r"not a Sprintdeck|empty database"):
        restore_file(url(live), bad, tmp_path / "backups")
    assert live.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_daily_backup_once_per_day(runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    first = daily_backup(runtime.url, folder)
    assert first is not None and first.exists() and first.name.endswith("-daily.db")
    assert daily_backup(runtime.url, folder) is None
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    # a new day: another one (named by the real clock, so it does not count for tomorrow)
    assert daily_backup(runtime.url, folder, today=tomorrow) is not None
    assert daily_backup(url(tmp_path / "missing.db"), folder) is None
