"""Each page shows its own controls; nothing hides behind the toolbar's chevron at 1280 px;
a Kanban project has no sprint pages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar, QToolButton

from tests.helpers import make_runtime


def overflowing(window) -> list[str]:  # type: ignore[no-untyped-def]
    """Toolbars whose extension (chevron) button shows: some of their items did not fit."""
    hidden = []
    for bar in window.findChildren(QToolBar):
        chevron = bar.findChild(QToolButton, "qt_toolbar_ext_button")
        if bar.isVisible() and chevron is not None and chevron.isVisible():
            hidden.append(bar.windowTitle())
    return hidden


def test_nothing_hides_behind_the_chevron_at_1280(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo, scope="active")
    window.resize(1280, 720)
    qtbot.wait(10)
    assert overflowing(window) == []
    for widget in (
        window.scope_combo,
        window.group_combo,
        window.filter_edit,
        window.assignee_combo,
        window.label_combo,
        window.type_combo,
        window.project_combo,
    ):
        assert widget.isVisible(), widget.accessibleName()


def test_board_controls_show_only_with_a_board(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo, scope="active")
    assert window.filter_toolbar.isVisible() and window.scope_combo.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "backlog"
    assert not window.filter_toolbar.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "reports"
    assert not window.filter_toolbar.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "sprint"
    # The sprint page's board always shows the active sprint: filters, no scope.
    assert window.filter_toolbar.isVisible() and window.filter_edit.isVisible()
    assert not window.scope_combo.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.scope_combo.isVisible, timeout=1000)  # the toolbar lays out


def test_a_kanban_project_has_no_sprint_pages(tmp_path, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    rt = make_runtime(tmp_path / "k.db")
    try:
        services = rt.services
        services.projects.create_project("OPS", "Operations", "kanban")
        window = make_window(services)
        assert window.store.project.methodology == "kanban"
        visible = [name for name, a in window.page_actions.items() if a.isVisible()]
        assert visible == ["board", "reports", "team", "budget", "activity", "timeline", "risks"]
        assert not window.sprint_menu.menuAction().isVisible()
        assert not window.scope_combo.isVisible()
        qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() == "board"
        window.show_page("sprint")  # a remembered page of a Scrum project, say
        assert window.current_page() == "board"
        qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() == "reports"

        services.projects.create_project("WEB", "Website", "scrum")
        window.reload_projects(select_key="WEB")
        window.select_project("WEB")
        visible = [name for name, a in window.page_actions.items() if a.isVisible()]
        assert visible == [
            "board",
            "backlog",
            "sprint",
            "reports",
            "team",
            "budget",
            "activity",
            "timeline",
            "risks",
        ]
        assert window.sprint_menu.menuAction().isVisible()
    finally:
        window.close()
        rt.close()
