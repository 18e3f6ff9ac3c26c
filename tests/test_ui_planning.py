"""Creating sprints and planning them against capacity, from the window's Sprint menu."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from app.ui.planning_dialog import PlanningDialog
from tests.ui_helpers import with_dialog


@pytest.fixture
def team(services):  # type: ignore[no-untyped-def]
    project = services.projects.create_project("PL", "Planning")
    ada = services.projects.add_member(project.id, "Ada Lovelace")
    alan = services.projects.add_member(project.id, "Alan Turing")
    return services, project, ada, alan


def at(services, day: str, hour: int = 10) -> None:  # type: ignore[no-untyped-def]
    moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=dt.UTC)
    services.context.clock = lambda: moment


def test_create_sprint_shows_what_it_creates(team, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The reported case: on Tue 1 Dec, with the active sprint ending on Mon 7 Dec, the
    dialog showed 1 to 14 Dec and created 8 to 21 Dec. Now it shows what it creates."""
    services, project, _ada, _alan = team
    at(services, "2026-11-24", 9)
    running = services.sprints.create_sprint(project.id, "Running", "", "2026-11-24", "2026-12-07")
    services.sprints.start_sprint(running.id)
    at(services, "2026-12-01")
    window = make_window(services)
    window.select_project("PL")
    seen: dict[str, object] = {}

    def defaults(dialog) -> None:  # type: ignore[no-untyped-def]
        seen["name"] = dialog.name_edit.text()
        seen["dates"] = (dialog.start_edit.text(), dialog.end_edit.text())
        seen["span"] = dialog.span_label.text()
        seen["why"] = dialog.suggestion_label.text()
        seen["why shown"] = dialog.suggestion_label.isVisibleTo(dialog)
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.goal_edit, "Get the basics done")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    with_dialog(defaults)
    window.create_sprint_action.trigger()
    assert seen == {
        "name": "PL Sprint 2",
        "dates": ("2026-12-08", "2026-12-21"),
        "span": "10 working days: Tue 8 Dec – Mon 21 Dec 2026",
        "why": "Suggested: two weeks from the first working day after Running, which ends on "
        "Mon 7 Dec.",
        "why shown": True,
    }
    created = services.sprints.find_sprint(project.id, "PL Sprint 2")
    assert (created.goal, created.start_date, created.end_date) == (
        "Get the basics done",
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 21),
    )
    assert window.statusBar().currentMessage() == "Created PL Sprint 2"

    errors: list[str] = []

    def bad_dates(dialog) -> None:  # type: ignore[no-untyped-def]
        qtbot.keyClicks(dialog.name_edit, "Hardening")
        errors.append(dialog.end_edit.text())
        dialog.end_edit.setFocus()
        qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Home)  # the year
        qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Down)
        errors.append(dialog.span_label.text())
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        errors.append(dialog.error_label.text())
        assert dialog.isVisible()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    with_dialog(bad_dates)
    window.create_sprint_action.trigger()
    assert errors == [
        "2027-01-04",  # after PL Sprint 2, which ends on Mon 21 Dec: from Tue 22 Dec
        "The end is before the start.",
        "The sprint cannot end (2026-01-04) before it starts (2026-12-22).",
    ]
    assert [s.name for s in services.sprints.list_sprints(project.id)] == [
        "Running",
        "PL Sprint 2",
    ]


def test_edit_a_sprint_over_one_closed_early(team, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Editing to 1-14 Dec was refused because a sprint closed early on 1 Dec had been
    planned until 7 Dec: a closed sprint ends on the day it was closed."""
    services, project, _ada, _alan = team
    at(services, "2026-11-24", 9)
    running = services.sprints.create_sprint(project.id, "Running", "", "2026-11-24", "2026-12-07")
    services.sprints.start_sprint(running.id)
    following = services.sprints.create_sprint(project.id, "Later", "", "2026-12-08", "2026-12-21")
    at(services, "2026-12-01", 9)
    services.sprints.complete_sprint(running.id)
    window = make_window(services)
    window.select_project("PL")
    seen: list[str] = []

    def edit(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.start_edit.setFocus()
        qtbot.keyClick(dialog.start_edit, Qt.Key.Key_End)
        for _ in range(7):  # Tue 8 -> Tue 1 Dec; the end follows: 14 Dec
            qtbot.keyClick(dialog.start_edit, Qt.Key.Key_Down)
        seen.append(dialog.span_label.text())
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        seen.append(dialog.error_label.text() if dialog.isVisible() else "saved")

    with_dialog(edit)  # "Later" is the only open sprint: no question which
    window.edit_sprint_action.trigger()
    assert seen == ["10 working days: Tue 1 Dec – Mon 14 Dec 2026", "saved"]
    edited = services.sprints.get_sprint(following.id)
    assert (edited.start_date, edited.end_date) == (dt.date(2026, 12, 1), dt.date(2026, 12, 14))


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
