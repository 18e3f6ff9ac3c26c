"""A Scrum board in the window: the active sprint by default, the sprint page, Kanban."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.helpers import card_by_key, keys_in


@pytest.fixture
def sprinting(services):  # type: ignore[no-untyped-def]
    project = services.projects.create_project("SC", "Scrum team")
    cards = [services.cards.create_card(project.id, f"Story {i}", points=3) for i in range(6)]
    sprint = services.sprints.create_sprint(project.id, goal="Ship the login page")
    for card in cards[:3]:
        services.sprints.plan_card(card.id, sprint.id)
    services.sprints.start_sprint(sprint.id)
    return services, project, sprint, cards


def all_keys(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [k for name in ("To Do", "In Progress", "Done") for k in keys_in(window, name)]


def test_scrum_board_shows_the_active_sprint_by_default(sprinting, make_window) -> None:  # type: ignore[no-untyped-def]
    services, _project, sprint, cards = sprinting
    window = make_window(services, scope=None)
    assert window.scope_combo.currentText() == f"Sprint: {sprint.name}"
    assert sorted(all_keys(window)) == sorted(c.key for c in cards[:3])
    window.scope_combo.setCurrentIndex(window.scope_combo.findText("All cards"))
    assert sorted(all_keys(window)) == sorted(c.key for c in cards)
    window.close()
    again = make_window(services, scope=None)  # the choice is remembered
    assert again.scope_combo.currentText() == "All cards"


def test_kanban_board_has_no_sprint_switch(services, make_window) -> None:  # type: ignore[no-untyped-def]
    services.projects.create_project("KB", "Flow", "kanban")
    window = make_window(services)
    window.select_project("KB")
    assert not window._scope_action.isVisible()
    window.show_page("sprint")
    assert "no sprints" in window.sprint_view.kanban_label.text().lower()


def test_ctrl_3_opens_the_sprint_page_with_its_board(sprinting, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, _project, sprint, cards = sprinting
    window = make_window(services)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "sprint"
    assert window.page_actions["sprint"].isChecked()
    assert sprint.goal in window.sprint_view.goal_label.text()
    sprint_keys = [
        card.key
        for _c, _h, models in window.sprint_board.column_parts()
        for model in models
        for card in model.cards()
    ]
    assert sorted(sprint_keys) == sorted(c.key for c in cards[:3])
    # Keyboard moves act on the board being looked at.
    assert window.sprint_board.select_card(cards[0].id)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    moved = services.cards.get_card(cards[0].id)
    assert window.store.column(moved.column_id).name == "In Progress"
    assert card_by_key(window, cards[0].key).column_id == moved.column_id
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "board"


def test_ctrl_2_opens_the_backlog_and_enter_opens_a_card(sprinting, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    services, _project, sprint, cards = sprinting
    window = make_window(services)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "backlog"
    assert sprint.name in [s.name for s in window.backlog.sprints()]
    window.backlog.select_cards([cards[4].id])
    titles: list[str] = []

    def close_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        titles.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(0, close_dialog)
    qtbot.keyClick(window.backlog.tree, Qt.Key.Key_Return)
    assert titles and cards[4].key in titles[0]
    assert window.current_page() == "backlog"


def test_file_menu_exports_the_sprint_report(sprinting, make_window, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    services, _project, sprint, _cards = sprinting
    window = make_window(services)
    target = tmp_path / "report.md"
    exported: list[bool] = []

    def export() -> None:
        dialog = QApplication.activeModalWidget()
        exported.append(dialog.export_to(str(target), "md"))
        dialog.reject()

    QTimer.singleShot(0, export)
    window.export_report_action.trigger()
    assert exported == [True]
    text = target.read_text(encoding="utf-8")
    assert sprint.name in text and "Ship the login page" in text


def test_hidden_pages_catch_up_when_shown(sprinting, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    services, _project, _sprint, cards = sprinting
    window = make_window(services)
    rebuilds: list[int] = []
    original = window.backlog._rebuild
    monkeypatch.setattr(window.backlog, "_rebuild", lambda: (rebuilds.append(1), original()))
    window.board.select_card(cards[4].id)
    window.move_right_action.trigger()  # a move on the board ...
    assert rebuilds == []  # ... costs the hidden backlog nothing
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert rebuilds  # shown: it catches up
    moved = window.backlog.model.card_at
    assert moved is not None
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "reports"
    assert not window.reports.grab().isNull()


def test_only_the_board_is_built_at_start_the_pages_when_first_shown(
    sprinting, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    """A start paints the board only; Backlog, Sprint and Reports are built on first show,
    complete, and with the board's grouping and filter where they apply."""
    services, _project, sprint, cards = sprinting
    window = make_window(services)

    def page_names() -> list[str]:
        """The first four pages' names ("" while a placeholder holds the place); the later
        pages (Team, Budget, Activity...) are never built here."""
        names = [window.pages.widget(i).objectName() for i in range(window.pages.count())]
        assert not any(names[4:]), names
        return names[:4]

    assert page_names() == ["boardPage", "", "", ""]
    window.group_combo.setCurrentIndex(window.group_combo.findData("assignee"))
    window.filter_edit.setText("Story")
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "sprint"
    assert page_names() == ["boardPage", "", "sprintPage", ""]
    assert window.pages.currentWidget().objectName() == "sprintPage"
    assert sprint.goal in window.sprint_view.goal_label.text()
    assert window.sprint_board.grouping == "assignee"
    assert window.sprint_board.board_filter.text == "Story"
    assert window.sprint_board.lane_titles()  # built with its lanes
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "backlog"
    assert window.pages.currentWidget().objectName() == "backlogPage"
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "reports"
    assert page_names() == ["boardPage", "backlogPage", "sprintPage", "reportsPage"]
    # A board action still reaches the sprint board built late (its shortcuts included).
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    window.filter_edit.clear()
    assert window.sprint_board.select_card(cards[0].id)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.store.column(services.cards.get_card(cards[0].id).column_id).name == "In Progress"


def test_the_remembered_project_is_the_only_board_loaded_at_start(
    services, make_window, settings_path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    first = services.projects.create_project("AA", "First by key")
    second = services.projects.create_project("ZZ", "Remembered")
    services.cards.create_card(first.id, "In the first")
    services.cards.create_card(second.id, "In the remembered one")
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    settings.setValue("board/project", "ZZ")
    settings.sync()
    loaded = []
    real = services.board.load_board_head
    services.board.load_board_head = lambda pid: (loaded.append(pid), real(pid))[1]
    try:
        window = make_window(services)
    finally:
        del services.board.load_board_head
    assert loaded == [second.id]
    assert window.store.project.key == "ZZ"


def test_hidden_sprint_and_reports_pages_refresh_once_when_shown(
    sprinting, make_window, qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    services, _project, _sprint, cards = sprinting
    window = make_window(services)
    for key in (Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_1):  # build both pages, then leave
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
    calls: dict[str, int] = {"sprint": 0, "reports": 0}
    for name, page in (("sprint", window.sprint_view), ("reports", window.reports)):
        original = page.refresh
        monkeypatch.setattr(
            page, "refresh", lambda n=name, f=original: (calls.__setitem__(n, calls[n] + 1), f())
        )
    for card in cards[:2]:  # changes while both pages are hidden ...
        window.board.select_card(card.id)
        window.move_right_action.trigger()
    qtbot.wait(50)
    assert calls == {"sprint": 0, "reports": 0}  # ... cost them nothing
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert calls["sprint"] == 1 and calls["reports"] == 0  # shown: caught up once
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert calls["reports"] == 1
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert calls["sprint"] == 1  # nothing changed meanwhile: no second refresh
