"""The application shell: start-up errors, the exception hook, projects in the window."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.ui.application import install_exception_hook, log_path, run_gui
from tests.ui.helpers import keys_in


def test_a_file_that_is_not_a_database_is_explained_not_touched(
    tmp_path: Path, messages: list[str], qapp
) -> None:  # type: ignore[no-untyped-def]
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"these are my notes, not a database" * 100)
    before = bogus.read_bytes()
    from app.bootstrap import open_runtime

    assert run_gui("sqlite:///" + str(bogus), open_runtime) == 1
    assert messages and "not a SQLite database" in messages[-1]
    assert bogus.read_bytes() == before


def test_unexpected_errors_are_logged_and_explained(
    messages: list[str], monkeypatch: pytest.MonkeyPatch, qapp
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(sys, "__excepthook__", lambda *args: None)
    install_exception_hook()
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    text = log_path().read_text(encoding="utf-8")
    assert "boom in a slot" in text and "Traceback" in text
    assert messages and str(log_path()) in messages[-1]


def test_switching_projects_shows_that_board(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    other = demo.projects.create_project("WEB", "Website relaunch", "kanban")
    demo.cards.create_card(other.id, "Hero image")
    window = make_window(demo)
    window.reload_projects()
    window.select_project("WEB")
    assert window.store.project.key == "WEB"
    assert [c.name for c, _h, _m in window.board.column_parts()] == ["To Do", "In Progress", "Done"]
    assert keys_in(window, "To Do") == ["WEB-1"]
    assert "Website relaunch" in window.windowTitle()
    window.select_project("DEMO")
    assert len(keys_in(window, "To Do")) == 18


def test_undo_history_belongs_to_one_board(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    demo.projects.create_project("WEB", "Website relaunch")
    window = make_window(demo)
    window.reload_projects()
    key = keys_in(window, "To Do")[0]
    window.board.select_card(window.store.cards()[3].id)
    window.move_right_action.trigger()
    assert window.undo_stack.count() == 1
    window.select_project("WEB")
    assert window.undo_stack.count() == 0
    assert key
