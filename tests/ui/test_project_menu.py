"""The main window's Project menu: Settings… (Ctrl+,) opens the project's settings, and the
steps taken there stay on the window's undo stack after the dialog closes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.services import Services
from app.ui.dialogs.project_settings import ProjectSettingsDialog
from app.ui.mainwindow import MainWindow
from tests.ui.test_project_settings import CTRL, LEFT, combo_texts


@pytest.fixture
def window(make_window, services: Services) -> MainWindow:  # type: ignore[no-untyped-def]
    services.projects.create_project("WEB", "Website")
    return make_window(services)


def test_project_menu_opens_settings_and_keeps_the_steps_undoable(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[:3] == ["&File", "&Project", "&Edit"]
    assert window.project_settings_action.shortcut().toString() == "Ctrl+,"
    assert window.project_settings_action in window.project_menu.actions()
    assert window.new_project_action in window.project_menu.actions()
    seen: list[ProjectSettingsDialog] = []

    def use_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ProjectSettingsDialog)
        seen.append(dialog)
        dialog.name_edit.selectAll()
        qtbot.keyClicks(dialog.name_edit, "Shop")
        bar = dialog.tabs.tabBar()
        qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(2).center())
        qtbot.keyClicks(dialog.labels.name_edit, "ux")
        qtbot.keyClick(dialog.labels.name_edit, Qt.Key.Key_Return)
        qtbot.mouseClick(dialog.ok_button, LEFT)

    QTimer.singleShot(0, use_dialog)
    qtbot.keyClick(window, Qt.Key.Key_Comma, CTRL)
    assert seen and not seen[0].isVisible()
    assert window.project_combo.currentText() == "WEB — Shop"
    assert window.windowTitle().startswith("Shop")
    assert combo_texts(window.label_combo) == ["All labels", "ux"]
    # Both steps are still on the window's stack: Ctrl+Z there takes the last back.
    assert [window.undo_stack.text(i) for i in range(window.undo_stack.count())] == [
        "Add label ux",
        "Change the settings of WEB",
    ]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert window.store.project.name == "Website"
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert combo_texts(window.label_combo) == ["All labels"]
