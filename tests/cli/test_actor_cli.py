"""``--as NAME``: the name a command's history events record (SPRINTDECK_USER's default);
``card history KEY``: who did what to a card."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import as_json, make_runtime, ok, run_cli, usage_error


def actors(path: Path, key: str) -> list[str]:
    runtime = make_runtime(path)
    try:
        services = runtime.services
        project = services.projects.find_project(key.split("-")[0])
        card = next(c for c in services.board.load_board(project.id).cards if c.key == key)
        return [event.actor for event in services.cards.history(card.id)]
    finally:
        runtime.close()


def test_as_names_the_history_of_that_command_only(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    ok(run_cli("init", db=db))
    ok(run_cli("project", "add", "SD", "--name", "Sprintdeck", db=db))
    key = ok(run_cli("card", "add", "--project", "SD", "--title", "One", db=db)).strip()
    ok(run_cli("card", "move", key, "--to", "In Progress", "--as", "Ana Lima", db=db))
    ok(run_cli("--as", "Bo", "card", "move", key, "--to", "Done", db=db))
    ok(run_cli("card", "move", key, "--to", "To Do", db=db, env={"SPRINTDECK_USER": "script"}))
    assert actors(db, key) == ["tester", "Ana Lima", "Bo", "script"]


def test_a_name_too_long_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    ok(run_cli("init", db=db))
    result = run_cli("project", "list", "--as", "x" * 101, db=db)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "longer than 100" in result.stderr
    assert "Traceback" not in result.stderr


def test_as_needs_a_name(tmp_path: Path) -> None:
    usage_error(run_cli("project", "list", "--as"))


def test_card_history_names_who_did_it(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    ok(run_cli("init", db=db))
    ok(run_cli("project", "add", "SD", "--name", "Sprintdeck", db=db))
    key = ok(run_cli("card", "add", "--project", "SD", "--title", "One", db=db)).strip()
    ok(run_cli("card", "move", key, "--to", "In Progress", "--as", "Ana Lima", db=db))
    lines = ok(run_cli("card", "history", key, db=db)).splitlines()
    assert len(lines) == 2
    assert "tester" in lines[0] and lines[0].endswith("Created in To Do")
    assert "Ana Lima" in lines[1] and lines[1].endswith("Moved from To Do to In Progress")
    rows = as_json(run_cli("card", "history", key, "--json", db=db))
    assert [(r["actor"], r["kind"]) for r in rows] == [("tester", "created"), ("Ana Lima", "moved")]
    assert rows[1]["what"] == ["Moved from To Do to In Progress"]
    assert rows[0]["at"].endswith("+00:00")


def test_card_history_of_no_card_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    ok(run_cli("init", db=db))
    result = run_cli("card", "history", "SD-9", db=db)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
