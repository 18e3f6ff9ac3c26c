"""``--as NAME``: the name a command's history events record (SPRINTDECK_USER's default)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_runtime, ok, run_cli, usage_error


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
