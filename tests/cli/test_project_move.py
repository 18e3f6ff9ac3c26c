"""sprintdeck export --project KEY and import sprintdeck of it, between a laptop's file and
the team's database (SQLite or PostgreSQL, see tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import ROOT, database_rows, make_runtime, ok, refused, run_cli

FIXTURES = ROOT / "tests" / "fixtures"
KEY = "DEMO"


def seen(db: Path | str, key: str = KEY) -> dict[str, object]:
    """What the command line shows of a project: its cards, the last closed sprint's report
    and the active one's, velocity and the active sprint's burndown."""

    def run(*args: str) -> str:
        return ok(run_cli(*args, db=db))

    return {
        "cards": json.loads(run("card", "list", "--project", key, "--json", "--all")),
        "sprints": run("sprint", "list", "--project", key),
        "last report": run(
            "report", "--project", key, "--sprint", "last", "--format", "md", "-o", "-"
        ),
        "velocity": json.loads(run("metrics", "velocity", "--project", key, "--json")),
        "burndown": json.loads(run("metrics", "burndown", "--project", key, "--json")),
    }


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    """A SQLite file with the demo and a Trello board."""
    path = tmp_path / "laptop.db"
    make_runtime(path, demo=True).close()
    ok(run_cli("import", "trello", str(FIXTURES / "trello_board.json"), db=path))
    return path


@pytest.fixture
def team(db_url: str) -> str:
    """The team's database, busy with a project of its own."""
    ok(run_cli("init", db=db_url))
    ok(run_cli("project", "add", "TEAM", "--name", "The team", db=db_url))
    ok(run_cli("card", "add", "--project", "TEAM", "--title", "A card", db=db_url))
    return db_url


def history_count(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8"))["tables"]["history_event"])


def test_a_project_goes_to_the_team_and_back(laptop: Path, team: str, tmp_path: Path) -> None:
    before = seen(laptop)
    team_before = ok(run_cli("card", "list", "--project", "TEAM", "--json", db=team))
    out = ok(run_cli("export", "--project", "demo", "-o", str(tmp_path / "demo.json"), db=laptop))
    assert out.startswith("Exported the project DEMO: ") and "history event" in out
    data = json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))
    assert data["scope"] == {"project": KEY}
    assert [p["key"] for p in data["tables"]["project"]] == [KEY]

    out = ok(run_cli("import", "sprintdeck", str(tmp_path / "demo.json"), db=team))
    assert out.startswith("Added the project DEMO: ")
    assert seen(team) == before
    assert ok(run_cli("card", "list", "--project", "TEAM", "--json", db=team)) == team_before

    ok(run_cli("export", "--project", KEY, "-o", str(tmp_path / "back.json"), db=team))
    other = tmp_path / "other-laptop.db"
    ok(run_cli("init", db=other))
    ok(run_cli("import", "sprintdeck", str(tmp_path / "back.json"), db=other))
    assert seen(other) == before
    assert history_count(tmp_path / "back.json") == history_count(tmp_path / "demo.json") > 0


def test_a_second_copy_needs_another_key(laptop: Path, team: str, tmp_path: Path) -> None:
    export = str(tmp_path / "demo.json")
    ok(run_cli("export", "--project", KEY, "-o", export, db=laptop))
    ok(run_cli("import", "sprintdeck", export, db=team))
    rows = database_rows(team)
    refused(run_cli("import", "sprintdeck", export, db=team), "already has a project DEMO", "--key")
    assert database_rows(team) == rows
    out = ok(run_cli("import", "sprintdeck", export, "--key", "COPY", db=team))
    assert out.startswith("Added the project COPY: ")
    cards = json.loads(ok(run_cli("card", "list", "--project", "COPY", "--json", "--all", db=team)))
    assert cards and all(c["key"].startswith("COPY-") for c in cards)
    rows = database_rows(team)
    refused(run_cli("import", "sprintdeck", export, "--key", "a b", db=team), "not a project key")
    assert database_rows(team) == rows


def test_the_whole_database_export_is_as_before(laptop: Path, team: str, tmp_path: Path) -> None:
    export = str(tmp_path / "all.json")
    out = ok(run_cli("export", "-o", export, db=laptop))
    assert out.startswith("Exported 2 projects, ")
    assert "scope" not in json.loads(Path(export).read_text(encoding="utf-8"))
    rows = database_rows(team)
    refused(run_cli("import", "sprintdeck", export, db=team), "empty database")
    refused(run_cli("import", "sprintdeck", export, "--key", "NEW", db=team), "--key")
    assert database_rows(team) == rows


def test_an_unknown_project_is_not_exported(laptop: Path, tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    refused(run_cli("export", "--project", "NOPE", "-o", str(target), db=laptop), "no project")
    assert not target.exists()


def _broken(data: dict, how: str) -> None:
    tables = data["tables"]
    if how == "dangling":
        tables["sprint_snapshot"][0]["card_id"] = 123_456
    elif how == "duplicate id":
        tables["label"].append(dict(tables["label"][0], name="Another"))
    elif how == "missing project":
        tables["project"] = []
    elif how == "unknown table":
        tables["starship"] = [{"id": 1}]
    elif how == "newer schema":
        data["schema"] = "0042"
    elif how == "not json":
        raise ValueError


@pytest.mark.parametrize(
    ("how", "words"),
    [
        ("dangling", ["card_id", "not in the file"]),
        ("duplicate id", ["same id"]),
        ("missing project", ["project"]),
        ("unknown table", ["starship"]),
        ("newer schema", ["newer", "0042"]),
        ("not json", ["json"]),
    ],
)
def test_hostile_project_exports_write_nothing(
    laptop: Path, team: str, tmp_path: Path, how: str, words: list[str]
) -> None:
    export = tmp_path / "demo.json"
    ok(run_cli("export", "--project", KEY, "-o", str(export), db=laptop))
    data = json.loads(export.read_text(encoding="utf-8"))
    try:
        _broken(data, how)
        export.write_text(json.dumps(data), encoding="utf-8")
    except ValueError:
        export.write_text(export.read_text(encoding="utf-8")[:-20], encoding="utf-8")
    rows = database_rows(team)
    refused(run_cli("import", "sprintdeck", str(export), db=team), *words)
    assert database_rows(team) == rows
