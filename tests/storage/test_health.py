"""Damaged and foreign databases: ``sprintdeck check`` and the services on a bad file.

Every check leaves the file's bytes as they were; every refused write leaves the data intact.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

import app.db
import app.storage.sqlite
import app.storage.sqlite_health as health
from app.bootstrap import open_runtime
from app.db import read_only_url
from app.errors import DatabaseProblem
from app.services.health import check_database
from tests.helpers import make_runtime, run_cli


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


@pytest.fixture
def good_db(db_path: Path) -> Path:
    rt = make_runtime(db_path, demo=True)
    rt.close()
    return db_path


def corrupt(path: Path) -> None:
    """Flip bytes in the middle of a few pages (not the header)."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for n in range(1, min(6, len(data) // page)):
        start = n * page + 8
        for i in range(start, start + 200):
            data[i] ^= 0xA5
    path.write_bytes(bytes(data))


def test_healthy_database(good_db: Path) -> None:
    before = digest(good_db)
    report = check_database(url(good_db))
    assert report.healthy and report.kind == "healthy"
    assert "card(s)" in report.summary and report.counts["card"] > 0
    assert digest(good_db) == before
    assert sorted(p.name for p in good_db.parent.iterdir()) == [good_db.name]


def test_cli_check_healthy(good_db: Path) -> None:
    before = digest(good_db)
    result = run_cli("check", db=good_db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("healthy: ")
    assert len(result.stdout.strip().splitlines()) == 1
    assert digest(good_db) == before


def _cases(tmp_path: Path, good: Path) -> dict[str, tuple[str, str]]:
    """name -> (url, expected words in the reason)."""
    not_db = tmp_path / "notes.db"
    not_db.write_bytes(b"Dear diary, " * 500)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(good.read_bytes())
    corrupt(damaged)
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as c:
        c.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    c.close()
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as c:
        c.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    c.close()
    return {
        "not_sqlite": (url(not_db), "not a SQLite database"),
        "corrupt": (url(damaged), "damaged"),
        "truncated": (url(truncated), "truncated"),
        "newer": (url(newer), "newer version"),
        "foreign": (url(foreign), "not a Sprintdeck"),
        "read_only": (read_only_url(good), "read-only"),
        "missing_folder": (url(tmp_path / "no" / "such.db"), "does not exist"),
    }


@pytest.mark.parametrize(
    "case",
    ["not_sqlite", "corrupt", "truncated", "newer", "foreign", "read_only", "missing_folder"],
)
def test_bad_databases_reported_and_untouched(case: str, good_db: Path, tmp_path: Path) -> None:
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    target_url, words = _cases(bad_dir, good_db)[case]
    path = app.db.sqlite_path(target_url)
    assert path is not None
    before = digest(path) if path.exists() else None
    listing = sorted(p.name for p in bad_dir.iterdir())
    report = check_database(target_url)
    assert not report.healthy
    assert words in (report.problem or ""), report
    result = run_cli("check", "--db", target_url)
    assert result.returncode == 1
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if before is not None:
        assert digest(path) == before
    assert sorted(p.name for p in bad_dir.iterdir()) == listing
    # And opening it at start refuses with a readable message, never a traceback.
    if case not in ("read_only",):
        with pytest.raises(DatabaseProblem):
            rt = open_runtime(target_url)
            rt.close()
        if before is not None:
            assert digest(path) == before


def test_full_disk_reported(good_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Usage:
        free = 1000

    monkeypatch.setattr(health.shutil, "disk_usage", lambda _p: Usage())
    report = check_database(url(good_db))
    assert report.kind == "disk_full" and "full" in (report.problem or "")


def test_full_disk_write_refused_and_data_intact(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime(db_path)
    project = rt.services.projects.create_project("SD", "Full")
    rt.close()
    with sqlite3.connect(db_path) as c:
        pages = c.execute("PRAGMA page_count").fetchone()[0]
    c.close()
    monkeypatch.setattr(app.storage.sqlite, "MAX_PAGE_COUNT", pages + 2)
    rt = open_runtime(url(db_path))
    made = []
    try:
        with pytest.raises(DatabaseProblem, match="full"):
            for i in range(2000):
                made.append(rt.services.cards.create_card(project.id, f"card {i} " + "x" * 400))
        assert made, "some cards fit before the disk filled up"
        cards = rt.services.cards.list_cards(project.id)
        assert [c.key for c in cards] == [c.key for c in made]
    finally:
        rt.close()
    monkeypatch.setattr(app.storage.sqlite, "MAX_PAGE_COUNT", None)
    assert check_database(url(db_path)).healthy


def test_read_only_runtime_refuses_changes(good_db: Path) -> None:
    before = digest(good_db)
    rt = open_runtime(read_only_url(good_db))
    try:
        project = rt.services.projects.find_project("DEMO")
        card = rt.services.cards.list_cards(project.id)[0]
        with pytest.raises(DatabaseProblem, match="read-only"):
            rt.services.cards.update_card(card.id, {"title": "changed"})
        with pytest.raises(DatabaseProblem, match="read-only"):
            rt.services.cards.create_card(project.id, "new")
        assert rt.services.cards.get_card(card.id).title == card.title
    finally:
        rt.close()
    assert digest(good_db) == before


def test_a_deleted_write_ahead_log_with_committed_data_is_told(tmp_path: Path) -> None:
    """Another program committed into the -wal, and the -wal was deleted under it: the file
    alone looks healthy, but its -shm index still counts the lost frames. check says so
    (exit 1), and no command writes on top of the old state."""
    import os

    db = tmp_path / "w.db"
    make_runtime(db, demo=True).close()
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("PRAGMA wal_autocheckpoint=0")
        other.execute("UPDATE project SET name = 'saved by the other program'")
        os.unlink(str(db) + "-wal")
        before = db.read_bytes()
        checked = run_cli("check", db=db)
        assert checked.returncode == 1
        assert "write-ahead log w.db-wal is missing" in checked.stderr
        assert "1 committed change" in checked.stderr
        added = run_cli("card", "add", "--project", "DEMO", "--title", "on the old state", db=db)
        assert added.returncode == 1 and "Nothing was written" in added.stderr
        assert len(added.stderr.strip().splitlines()) == 1
        assert db.read_bytes() == before
    finally:
        other.close()


def test_a_live_write_ahead_log_is_not_mistaken_for_a_lost_one(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    make_runtime(db, demo=True).close()
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("PRAGMA wal_autocheckpoint=0")
        for n in range(5):
            other.execute("UPDATE project SET name = ?", (f"change {n}",))
        checked = run_cli("check", db=db)
        assert checked.returncode == 0, checked.stderr
        listed = run_cli("project", "list", "--json", db=db)
        assert listed.returncode == 0 and "change 4" in listed.stdout
    finally:
        other.close()
