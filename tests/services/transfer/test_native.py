"""Sprintdeck's own JSON export: everything out, and back in exactly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from app.bootstrap import Runtime
from app.errors import Conflict
from app.services.transfer import ImportRefused, TransferService
from app.services.transfer.native import tables
from tests.helpers import ROOT, make_runtime, run_cli

FIXTURES = ROOT / "tests" / "fixtures"


def all_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table but alembic's, in primary-key order."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        out = {}
        with engine.connect() as connection:
            for table in tables():
                query = select(table).order_by(*table.primary_key.columns)
                out[table.name] = [tuple(row) for row in connection.execute(query)]
        return out
    finally:
        engine.dispose()


@pytest.fixture
def full(new_db_url: Callable[[str], str]) -> str:
    """A database with the demo, a Trello board and a Jira project (comments, import refs)."""
    path = new_db_url("source")
    rt = make_runtime(path, demo=True)
    try:
        transfer = TransferService(rt.services.context)
        transfer.import_file("trello", FIXTURES / "trello_board.json")
        transfer.import_file("jira-csv", FIXTURES / "jira_export.csv")
    finally:
        rt.close()
    return path


def test_export_then_import_restores_every_row(
    full: str, tmp_path: Path, new_db_url: Callable[[str], str]
) -> None:
    export = tmp_path / "all.json"
    rt = make_runtime(full)
    try:
        counts = TransferService(rt.services.context).export_all(export, schema="0004")
    finally:
        rt.close()
    assert counts["projects"] == 3
    data = json.loads(export.read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("sprintdeck", 1)
    assert {"project", "card", "history_event", "comment", "import_ref"} <= set(data["tables"])

    target = new_db_url("target")
    rt = make_runtime(target)
    try:
        TransferService(rt.services.context).import_native(export)
    finally:
        rt.close()
    before, after = all_rows(full), all_rows(target)
    for name in before:
        assert after[name] == before[name], name
    assert sum(len(rows) for rows in before.values()) > 400


def test_card_lists_are_identical_through_the_cli(
    full: str, tmp_path: Path, new_db_url: Callable[[str], str]
) -> None:
    export = tmp_path / "all.json"
    target = new_db_url("copy")
    assert run_cli("export", "-o", str(export), db=full).returncode == 0
    result = run_cli("import", "sprintdeck", str(export), db=target)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Restored 3 projects")
    keys = [p["key"] for p in json.loads(run_cli("project", "list", "--json", db=full).stdout)]
    assert sorted(keys) == ["DEMO", "WEB", "WR"]
    for key in keys:
        args = ("card", "list", "--project", key, "--json", "--all")
        assert run_cli(*args, db=target).stdout == run_cli(*args, db=full).stdout


def test_restoring_into_a_database_with_data_is_refused(runtime: Runtime, tmp_path: Path) -> None:
    transfer = TransferService(runtime.services.context)
    runtime.services.projects.create_project("SD", "Sprintdeck")
    export = tmp_path / "one.json"
    transfer.export_all(export)
    with pytest.raises(Conflict, match="empty database"):
        transfer.import_native(export)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"format": "trello"}', ["'format'"]),
        ('{"format": "sprintdeck", "version": 7, "tables": {}}', ["version 7", "'version'"]),
        (
            '{"format": "sprintdeck", "version": 1, "tables": {"spaceship": []}}',
            ["'spaceship'", "newer"],
        ),
        ('{"format": "sprintdeck", "version": 1, "tables": {"card": [', ["line 1", "complete"]),
    ],
)
def test_bad_exports_are_refused(
    runtime: Runtime, tmp_path: Path, content: str, words: list[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        TransferService(runtime.services.context).import_native(path)
    for word in words:
        assert word in str(caught.value)


def test_preview_of_an_export(full: str, tmp_path: Path, runtime: Runtime) -> None:
    export = tmp_path / "all.json"
    assert run_cli("export", "-o", str(export), db=full).returncode == 0
    preview = TransferService(runtime.services.context).preview("sprintdeck", export)
    assert dict(preview.counts)["projects"] == 3
    assert "WR" in preview.project_key
