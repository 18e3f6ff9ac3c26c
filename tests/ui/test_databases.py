"""Databases from the window: the welcome page of an empty one, File › New database… and
Open database…, Open Recent, and the start-up dialog's New database…."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from app.bootstrap import StartupSupport, open_runtime
from app.ui import application
from app.ui.application import run_gui
from app.ui.dialogs import startup_dialog
from app.ui.dialogs.startup_dialog import StartupDialog
from tests.helpers import make_runtime


def test_an_empty_database_shows_the_welcome_page(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(services)
    assert window.pages.currentWidget() is window.welcome
    assert not window.filter_toolbar.isVisible()
    assert not window.new_card_action.isEnabled()
    assert not any(a.isEnabled() for a in window.page_actions.values())
    assert set(window.welcome.buttons) == {"project", "demo", "import", "open"}

    qtbot.mouseClick(window.welcome.buttons["demo"], Qt.MouseButton.LeftButton)
    assert window.store.project is not None and window.store.project.key == "DEMO"
    assert window.pages.currentWidget() is window.board
    assert window.filter_toolbar.isVisible()
    assert sum(m.rowCount() for _c, _h, ms in window.board.column_parts() for m in ms) > 0
    assert not window.demo_project_action.isEnabled()  # there is one now
    assert window.windowTitle().startswith("Payments Platform")


def test_new_project_from_the_welcome_page(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialogButtonBox

    from tests.ui.helpers import with_dialog

    window = make_window(services)

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        qtbot.keyClicks(dialog.name_edit, "Website relaunch")
        dialog.key_edit.selectAll()
        qtbot.keyClicks(dialog.key_edit, "WEB")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    seen = with_dialog(fill)
    qtbot.mouseClick(window.welcome.buttons["project"], Qt.MouseButton.LeftButton)
    assert seen
    assert window.store.project is not None and window.store.project.key == "WEB"
    assert window.pages.currentWidget() is window.board
    assert window.windowTitle() == "Website relaunch — Sprintdeck"
    assert window.page_actions["backlog"].isEnabled()


def test_new_database_asks_for_a_new_file_and_never_overwrites(
    demo, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages: list[str]
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    asked: list[str] = []
    window.database_requested.connect(asked.append)
    target = tmp_path / "team"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    window.new_database_action.trigger()
    assert asked == [str(tmp_path / "team.db")]  # the .db suffix added

    existing = tmp_path / "notes.db"
    existing.write_text("precious")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(existing), ""))
    )
    window.new_database_action.trigger()
    assert asked == [str(tmp_path / "team.db")]
    assert "never writes over a file" in messages[-1]
    assert existing.read_text() == "precious"


def test_open_database_and_recent_files_switch_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp, messages: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """run_gui opens the first file; File › Open database… closes that window and opens one
    on the chosen file; File › Open Recent then offers the first file."""
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    rt = make_runtime(first, demo=True)
    rt.close()
    rt = make_runtime(second)
    rt.services.projects.create_project("WEB", "Website relaunch")
    rt.close()
    seen: list[tuple[str, str | None, list[str]]] = []

    def scripted_exec() -> int:
        window = next(
            w for w in QApplication.topLevelWidgets() if w.isVisible() and hasattr(w, "store")
        )
        window.recent_menu.aboutToShow.emit()
        recent = [a.text() for a in window.recent_menu.actions()]
        project = window.store.project.key if window.store.project else None
        seen.append((window.windowTitle(), project, recent))
        if len(seen) == 1:
            monkeypatch.setattr(
                QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(second), ""))
            )
            window.open_database_action.trigger()
        else:
            window.close()
        return 0

    monkeypatch.setattr(application, "app_exec", scripted_exec)
    assert run_gui("sqlite:///" + str(first), open_runtime, StartupSupport()) == 0
    assert [(title, project) for title, project, _r in seen] == [
        ("Payments Platform (demo) — first.db — Sprintdeck", "DEMO"),
        ("Website relaunch — second.db — Sprintdeck", "WEB"),
    ]
    assert any(str(first) in text for text in seen[1][2])  # Open Recent offers the first
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets())


def test_startup_dialog_new_database_creates_an_empty_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp, messages: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """A first start that cannot use its file: New database… makes an empty database where
    the person says (no demo in it), and the window opens on it."""
    fresh = tmp_path / "fresh.db"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(fresh), ""))
    )
    dialogs: list[StartupDialog] = []

    def click_new(self: StartupDialog) -> int:
        dialogs.append(self)
        assert self.new_button.isEnabled()
        self.new_button.click()
        return 1

    monkeypatch.setattr(startup_dialog.StartupDialog, "exec", click_new)
    titles: list[str] = []

    def scripted_exec() -> int:
        window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "store"))
        titles.append(window.windowTitle())
        assert window.store.project is None and window.pages.currentWidget() is window.welcome
        return 0

    monkeypatch.setattr(application, "app_exec", scripted_exec)
    missing = "sqlite:///" + str(tmp_path / "gone" / "x.db")
    assert run_gui(missing, open_runtime, StartupSupport(), demo_url=missing) == 0
    assert len(dialogs) == 1 and "does not exist" in dialogs[0].message.text()
    assert titles == ["fresh.db — Sprintdeck"]
    assert fresh.is_file() and not (tmp_path / "gone").exists()


def test_startup_dialog_new_database_refuses_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp
) -> None:  # type: ignore[no-untyped-def]
    existing = tmp_path / "mine.db"
    existing.write_text("precious")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(existing), ""))
    )
    dialog = StartupDialog("The folder is missing.", [], can_read_only=False)
    dialog.new_button.click()
    assert dialog.path is None and "already exists" in dialog.message.text()
    assert existing.read_text() == "precious"
    dialog.close()
