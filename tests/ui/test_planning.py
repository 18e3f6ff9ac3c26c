"""Creating sprints and planning them against capacity, from the window's Sprint menu."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from app.ui.sprint.planning_dialog import OVER, PlanningDialog
from tests.ui.helpers import with_dialog


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


@pytest.fixture
def velocity_24(services):  # type: ignore[no-untyped-def]
    """Velocity 24 (closed sprints of 20, 24, 28 completed points); a planned sprint of 9
    working days (Mon 4 to Fri 15 Jan 2027, a holiday on the 6th). Ada: 6 h a day with a
    day off (48 h) and 29 points; Bob: 6 h a day (54 h) and 5 points; Cy: 2 h a day (18 h);
    3 points unassigned. No card has hours."""
    project = services.projects.create_project("PL", "Planning")
    done = next(c for c in services.workflow.list_columns(project.id) if c.category == "done")
    for number, completed in enumerate((20, 24, 28)):
        start = dt.date(2026, 11, 2) + dt.timedelta(days=14 * number)
        at(services, start.isoformat(), 9)
        old = services.sprints.create_sprint(
            project.id, f"Old {number + 1}", start=start, end=start + dt.timedelta(days=11)
        )
        card = services.cards.create_card(project.id, f"Old {number}", points=completed)
        services.sprints.plan_card(card.id, old.id)
        services.sprints.start_sprint(old.id)
        services.board.move_card(card.id, done.id)
        services.sprints.complete_sprint(old.id)
    at(services, "2026-12-30")
    services.sprints.add_holiday(project.id, "2027-01-06", "Epiphany")
    sprint = services.sprints.create_sprint(project.id, "New", start="2027-01-04", end="2027-01-15")
    ada = services.projects.add_member(project.id, "Ada", hours_per_day=6)
    bob = services.projects.add_member(project.id, "Bob", hours_per_day=6)
    cy = services.projects.add_member(project.id, "Cy", hours_per_day=2)
    services.sprints.set_capacity(sprint.id, ada.id, days_off=1)
    for points, who in ((13, ada), (8, ada), (8, ada), (5, bob), (3, None)):
        card = services.cards.create_card(
            project.id, f"{points} points", points=points, assignee_id=who.id if who else None
        )
        services.sprints.plan_card(card.id, sprint.id)
    return services, sprint, ada, bob, cy


def cells(dialog: PlanningDialog, name: str) -> dict[str, str]:
    """What a person reads along a row, by column title."""
    row = dialog.row_of(name)
    return {
        dialog.table.horizontalHeaderItem(c).text(): dialog.table.item(row, c).text()
        for c in range(dialog.table.columnCount())
    }


def type_into(qtbot, dialog: PlanningDialog, name: str, column: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Select a cell and type over it (the first key opens the editor), then Enter; an
    empty ``text`` opens the editor with F2 and deletes what it holds."""
    table = dialog.table
    table.setCurrentCell(dialog.row_of(name), dialog.column_of(column))
    qtbot.keyClick(table, text[0] if text else Qt.Key.Key_F2)
    editors = [e for e in table.findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1, "no cell editor opened"
    editor = editors[0]
    if text:
        qtbot.keyClicks(editor, text[1:])
    else:
        editor.selectAll()
        qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits and closes its editor in a queued call.
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def test_planning_in_points_shows_who_is_over(velocity_24, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, sprint, _ada, _bob, cy = velocity_24
    dialog = PlanningDialog(services.sprints, sprint.id)
    qtbot.addWidget(dialog)
    dialog.resize(1280, 720)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.points_button.isChecked() and not dialog.hours_button.isChecked()
    assert cells(dialog, "Ada") == {
        "Member": "Ada",
        "Days off": "1",
        "Available (h)": "48",
        "Capacity (pts)": "9.6",
        "Assigned (pts)": "29",
        "Cards": "3",
        "Status": "29 of 9.6 pts — over by 19.4",
    }
    assert cells(dialog, "Bob")["Status"] == "5 of 10.8 pts — 5.8 left"
    assert cells(dialog, "Cy")["Status"] == "0 of 3.6 pts — 3.6 left"
    assert cells(dialog, "Unassigned") == {
        "Member": "Unassigned",
        "Days off": "",
        "Available (h)": "",
        "Capacity (pts)": "",
        "Assigned (pts)": "3",
        "Cards": "1",
        "Status": "Not assigned to anyone yet",
    }
    assert cells(dialog, "Team")["Status"] == "37 of 24 pts — over by 13"
    status = dialog.table.item(dialog.row_of("Ada"), dialog.column_of("Status"))
    assert status.foreground().color() == OVER and status.font().bold()
    calm = dialog.table.item(dialog.row_of("Bob"), dialog.column_of("Status"))
    assert calm.foreground().color() != OVER and not calm.font().bold()
    tip = dialog.table.item(dialog.row_of("Ada"), dialog.column_of("Capacity (pts)")).toolTip()
    assert tip == (
        "Share of the velocity: 24 pts × 48 h / 120 h = 9.6 pts. Type a figure to set it "
        "for this sprint."
    )
    summary = dialog.summary_label.text()
    assert "Commitment <b>37 pts</b> in 5 cards against velocity <b>24 pts</b>" in summary
    assert "the commitment is 13 pts above the velocity" in summary
    assert "over capacity: Ada (over by 19.4 pts)" in summary
    assert "1 card unassigned (3 pts)" in summary
    dialog.grab().save("/tmp/sdk-plan-test.png")

    # A figure typed in for Cy wins over the share; cleared, the share comes back.
    type_into(qtbot, dialog, "Cy", "Capacity (pts)", "5")
    assert dialog.error_label.isHidden()
    assert cells(dialog, "Cy")["Capacity (pts)"] == "5"
    assert cells(dialog, "Team")["Capacity (pts)"] == "25.4"
    plan = services.sprints.sprint_plan(sprint.id)
    assert next(m for m in plan.members if m.member_id == cy.id).points_explicit
    type_into(qtbot, dialog, "Cy", "Capacity (pts)", "")
    assert cells(dialog, "Cy")["Capacity (pts)"] == "3.6"

    # Days off lower the available hours and so the share; a negative number is refused.
    type_into(qtbot, dialog, "Bob", "Days off", "3")
    assert cells(dialog, "Bob")["Available (h)"] == "36"
    # 24 x 36 / 102 = 8.47: in tenths that add up to 24 (Ada 11.3, Cy 4.2), 8.5.
    assert cells(dialog, "Bob")["Capacity (pts)"] == "8.5"
    type_into(qtbot, dialog, "Bob", "Days off", "-1")
    assert not dialog.error_label.isHidden() and "negative" in dialog.error_label.text()
    assert cells(dialog, "Bob")["Days off"] == "3"


def test_planning_switches_to_hours(velocity_24, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, sprint, _ada, _bob, _cy = velocity_24
    dialog = PlanningDialog(services.sprints, sprint.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.hours_button, Qt.MouseButton.LeftButton)
    assert dialog.hours_button.isChecked() and dialog.unit == "hours"
    assert cells(dialog, "Ada") == {
        "Member": "Ada",
        "Days off": "1",
        "Capacity (h)": "48",
        "Assigned (h)": "0",
        "Cards": "3",
        "Status": "0 of 48 h — 48 left",
    }
    assert cells(dialog, "Team")["Status"] == "0 of 120 h — 120 left"
    assert "(no card in the sprint has an estimate in hours)" in dialog.summary_label.text()
    type_into(qtbot, dialog, "Ada", "Capacity (h)", "40")
    assert cells(dialog, "Ada")["Capacity (h)"] == "40"
    dialog.points_button.setFocus()
    qtbot.keyClick(dialog.points_button, Qt.Key.Key_Space)
    assert dialog.unit == "points"
    assert cells(dialog, "Ada")["Capacity (pts)"] == "8.6"  # 24 x 40 / 112 = 8.57


def test_a_team_estimating_in_hours_plans_in_hours(services, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("HR", "Hours")
    ada = services.projects.add_member(project.id, "Ada", hours_per_day=6)
    at(services, "2026-12-04")
    sprint = services.sprints.create_sprint(project.id, "S", start="2026-12-07", end="2026-12-11")
    for hours in (20, 15):
        services.cards.create_card(
            project.id, f"{hours} h", estimate_hours=hours, assignee_id=ada.id, sprint_id=sprint.id
        )
    dialog = PlanningDialog(services.sprints, sprint.id)
    qtbot.addWidget(dialog)
    assert dialog.unit == "hours" and dialog.hours_button.isChecked()
    assert cells(dialog, "Ada")["Status"] == "35 of 30 h — over by 5"
    item = dialog.table.item(dialog.row_of("Ada"), dialog.column_of("Status"))
    assert item.foreground().color() == OVER


def test_sprint_menu_is_hidden_for_kanban(services, make_window) -> None:  # type: ignore[no-untyped-def]
    services.projects.create_project("KB", "Flow", "kanban")
    window = make_window(services)
    window.select_project("KB")
    assert not window.sprint_menu.menuAction().isVisible()
