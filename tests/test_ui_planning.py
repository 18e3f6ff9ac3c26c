"""Creating sprints and planning them against capacity, from the window's Sprint menu."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from app.ui.planning_dialog import PlanningDialog
from tests.ui_helpers import with_dialog


@pytest.fixture
def team(services):  # type: ignore[no-untyped-def]
    project = services.projects.create_project("PL", "Planning")
    ada = services.projects.add_member(project.id, "Ada Lovelace")
    alan = services.projects.add_member(project.id, "Alan Turing")
    return services, project, ada, alan


def test_create_a_sprint_with_defaults_and_with_dates(team, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, project, _ada, _alan = team
    window = make_window(services)
    window.select_project("PL")

    def defaults(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.goal_edit.setPlainText("Get the basics done")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert with_dialog(defaults) is not None
    window.create_sprint_action.trigger()
    first = services.sprints.list_sprints(project.id)[0]
    assert first.name == "PL Sprint 1" and first.goal == "Get the basics done"
    assert first.start_date is not None and first.end_date > first.start_date

    errors: list[str] = []

    def bad_dates(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.name_edit.setText("Hardening")
        dialog.default_dates.setChecked(False)
        start = first.end_date + dt.timedelta(days=20)
        dialog.start_edit.setDate(QDate(start.year, start.month, start.day))
        dialog.end_edit.setDate(QDate(start.year, start.month, start.day).addDays(-3))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        errors.append(dialog.error_label.text())
        assert dialog.isVisible()
        dialog.end_edit.setDate(QDate(start.year, start.month, start.day).addDays(9))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    with_dialog(bad_dates)
    window.create_sprint_action.trigger()
    assert errors and "before" in errors[0].lower()
    names = [s.name for s in services.sprints.list_sprints(project.id)]
    assert names == ["PL Sprint 1", "Hardening"]


def test_planning_shows_capacity_against_assigned_work(team, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, project, ada, alan = team
    sprint = services.sprints.create_sprint(project.id, goal="Plan me")
    for points, who in ((8, ada), (5, ada), (3, alan)):
        card = services.cards.create_card(
            project.id, f"Work {points}", points=points, assignee_id=who.id
        )
        services.sprints.plan_card(card.id, sprint.id)
    services.sprints.set_capacity(sprint.id, ada.id, points=10)
    dialog = PlanningDialog(services.sprints, sprint.id)
    qtbot.addWidget(dialog)
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    ada_row = rows["Ada Lovelace"]
    assert dialog.table.item(ada_row, 4).text() == "13"
    assert dialog.table.item(ada_row, 7).text() == "Over capacity"
    assert dialog.table.item(rows["Alan Turing"], 7).text() == "OK"
    assert "over capacity: Ada Lovelace" in dialog.summary_label.text()
    assert "16 pts" in dialog.summary_label.text()

    # Days off lower the computed hours; a negative value is refused and changes nothing.
    before = dialog.table.item(rows["Alan Turing"], 2).text()
    dialog.table.item(rows["Alan Turing"], 1).setText("2")
    after = dialog.table.item(rows["Alan Turing"], 2).text()
    assert float(after) < float(before)
    dialog.table.item(rows["Alan Turing"], 1).setText("-1")
    assert not dialog.error_label.isHidden() and "negative" in dialog.error_label.text().lower()
    assert dialog.table.item(rows["Alan Turing"], 1).text() == "2"
    plan = services.sprints.sprint_plan(sprint.id)
    assert next(m for m in plan.members if m.member_id == alan.id).days_off == 2


def test_sprint_menu_is_hidden_for_kanban(services, make_window) -> None:  # type: ignore[no-untyped-def]
    services.projects.create_project("KB", "Flow", "kanban")
    window = make_window(services)
    window.select_project("KB")
    assert not window.sprint_menu.menuAction().isVisible()
