"""import, export, backup and restore through the real entry point (``python -m app``):
imports and exports on both backends, backup and restore of a SQLite file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import ROOT, ok, refused, run_cli, usage_error

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def db(db_url: str) -> str:
    ok(run_cli("init", db=db_url))
    return db_url


@pytest.fixture
def db_file(db_path: Path) -> Path:
    ok(run_cli("init", db=db_path))
    return db_path


def test_import_trello_prints_a_summary(db: str) -> None:
    out = ok(run_cli("import", "trello", str(FIXTURES / "trello_board.json"), db=db))
    assert out.splitlines() == [
        "Created project WR.",
        "Created 6 cards, 4 columns, 4 labels, 3 members, 0 sprints, 4 checklist items, "
        "2 comments.",
    ]
    cards = json.loads(ok(run_cli("card", "list", "--project", "WR", "--json", "--all", db=db)))
    assert [c["title"] for c in cards if not c["archived"]][:2] == [
        "Hero section 🎨",
        "Write copy for the pricing page",
    ]


def test_import_jira_into_a_named_project(db: str) -> None:
    out = ok(
        run_cli("import", "jira-csv", str(FIXTURES / "jira_export.csv"), "--project", "SHOP", db=db)
    )
    assert out.startswith("Created project SHOP.")
    assert "6 cards" in out and "2 sprints" in out and "3 comments" in out
    sprints = json.loads(ok(run_cli("sprint", "list", "--project", "SHOP", "--json", db=db)))
    assert {s["name"]: s["state"] for s in sprints} == {
        "WEB Sprint 1": "closed",
        "WEB Sprint 2": "active",
    }


def test_the_same_file_twice_is_refused_unless_told(db: str) -> None:
    board = str(FIXTURES / "trello_board.json")
    ok(run_cli("import", "trello", board, db=db))
    refused(run_cli("import", "trello", board, db=db), "imported into WR before", "--on-duplicate")
    out = ok(run_cli("import", "trello", board, "--on-duplicate", "skip", db=db))
    assert "Skipped 6 cards" in out
    out = ok(run_cli("import", "trello", board, "--on-duplicate", "update", db=db))
    assert "Merged into project WR." in out
    cards = json.loads(ok(run_cli("card", "list", "--project", "WR", "--json", "--all", db=db)))
    assert len(cards) == 6
    usage_error(run_cli("import", "trello", board, "--on-duplicate", "merge", db=db))


@pytest.mark.parametrize(
    ("kind", "name", "words"),
    [
        ("trello", "trello_member_export.json", ["member", "expected a Trello board"]),
        ("trello", "trello_truncated.json", ["line 26", "column"]),
        ("trello", "trello_board_utf16.json", ["UTF-16"]),
        ("jira-csv", "not_jira.csv", ["line 1", "Summary", "expected a Jira CSV"]),
        ("jira-csv", "jira_latin1.csv", ["not UTF-8", "line 7"]),
        ("jira-csv", "jira_truncated.csv", ["line", "complete"]),
        ("jira-csv", "missing.csv", ["there is no import file"]),
    ],
)
def test_wrong_files_exit_1_with_one_line(db: str, kind: str, name: str, words: list[str]) -> None:
    refused(run_cli("import", kind, str(FIXTURES / name), db=db), *words)
    assert json.loads(ok(run_cli("project", "list", "--json", db=db))) == []


def test_a_bad_project_key_is_refused(db: str) -> None:
    board = str(FIXTURES / "trello_board.json")
    refused(run_cli("import", "trello", board, "--project", "1X", db=db), "project key")


def test_export_and_import_sprintdeck(
    db: str, tmp_path: Path, new_db_url: Callable[[str], str]
) -> None:
    ok(run_cli("init", "--demo", db=db))
    export = tmp_path / "out.json"
    out = ok(run_cli("export", "-o", str(export), db=db))
    assert out.startswith("Exported 1 project, ")
    target = new_db_url("target")
    ok(run_cli("import", "sprintdeck", str(export), db=target))
    args = ("card", "list", "--project", "DEMO", "--json", "--all")
    assert ok(run_cli(*args, db=target)) == ok(run_cli(*args, db=db))
    refused(run_cli("import", "sprintdeck", str(export), db=target), "empty database")
    refused(
        run_cli("import", "sprintdeck", str(FIXTURES / "trello_board.json"), db=new_db_url("n")),
        "format",
    )


def test_backup_and_restore(db_file: Path, tmp_path: Path) -> None:
    db = db_file
    ok(run_cli("project", "add", "OLD", "--name", "Old", db=db))
    copy = tmp_path / "copy.db"
    assert ok(run_cli("backup", "-o", str(copy), db=db)).startswith("Backed up to")
    ok(run_cli("project", "add", "NEW", "--name", "New", db=db))
    data = tmp_path / "data"
    out = ok(run_cli("restore", str(copy), db=db, env={"SPRINTDECK_DATA_DIR": str(data)}))
    assert "The previous contents were saved as" in out
    saved = list((data / "backups").glob("*before-restore.db"))
    assert len(saved) == 1
    connection = sqlite3.connect(saved[0])
    assert connection.execute("SELECT count(*) FROM project").fetchone()[0] == 2
    connection.close()
    keys = [p["key"] for p in json.loads(ok(run_cli("project", "list", "--json", db=db)))]
    assert keys == ["OLD"]


def test_restore_refuses_a_file_that_is_not_a_sprintdeck_database(
    db_file: Path, tmp_path: Path
) -> None:
    db = db_file
    before = db.read_bytes()
    refused(run_cli("restore", str(FIXTURES / "jira_export.csv"), db=db), "not a Sprintdeck")
    refused(run_cli("restore", str(tmp_path / "nope.db"), db=db), "there is no backup")
    assert db.read_bytes() == before


def test_backup_refuses_a_missing_database(tmp_path: Path) -> None:
    refused(run_cli("backup", "-o", str(tmp_path / "c.db"), db=tmp_path / "none.db"), "no database")
    assert not (tmp_path / "none.db").exists()
