"""The Team page: the workload grid a person sees, its colours, drags that reassign and
re-plan (undone by Ctrl+Z), a person's cards; and the planning dialog's over-allocated line."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt

from app.ui.board.model import card_mime_data
from app.ui.sprint.planning_dialog import PlanningDialog
from app.ui.team.model import LEVEL_COLORS, LevelRole
from app.ui.team.page import TeamPage
from tests.ui.helpers import send_drop

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def team(services):  # type: ignore[no-untyped-def]
    services.context.clock = lambda: NOW
    project = services.projects.create_project("TM", "Team work")
    services.sprints.add_holiday(project.id, dt.date(2026, 12, 10), "Founders' day")
    one = services.sprints.create_sprint(
        project.id, "Sprint 1", start="2026-12-07", end="2026-12-18"
    )
    two = services.sprints.create_sprint(
        project.id, "Sprint 2", start="2026-12-21", end="2027-01-01"
    )
    ada = services.projects.add_member(project.id, "Ada", "Developer")
    bob = services.projects.add_member(project.id, "Bob", "Developer")
    services.sprints.set_capacity(one.id, ada.id, points=10)
    services.sprints.set_capacity(one.id, bob.id, points=10)
    made = {}
    for title, points, who, sprint in (
        ("Login page", 8, ada, one),
        ("Password reset", 6, ada, one),
        ("Audit log", 3, bob, one),
        ("Exports", 5, None, one),
        ("Search", 2, bob, two),
    ):
        made[title] = services.cards.create_card(
            project.id,
            title,
            points=points,
            assignee_id=None if who is None else who.id,
            sprint_id=sprint.id,
        )
    return services, project, one, two, ada, bob, made


def open_team_page(window, qtbot) -> TeamPage:  # type: ignore[no-untyped-def]
    window.select_project("TM")
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    page = window.pages.page("team")
    assert window.current_page() == "team"
    assert isinstance(page, TeamPage)
    return page


def seen(page: TeamPage) -> dict[str, list[str]]:
    """The grid as a person reads it: row header -> the cells' texts."""
    model = page.model
    return {
        str(model.headerData(r, Qt.Orientation.Vertical)): [
            str(model.index(r, c).data()) for c in range(model.columnCount())
        ]
        for r in range(model.rowCount())
    }


def cell_pos(page: TeamPage, row: int, column: int) -> QPoint:
    return page.table.visualRect(page.model.index(row, column)).center()


def test_the_grid_a_person_sees(team, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, _project, _one, _two, _ada, _bob, _ = team
    window = make_window(services)
    page = open_team_page(window, qtbot)
    headers = [
        page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())
    ]
    assert headers == ["Sprint 1", "Sprint 2"]
    tip = page.model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Mon 7 Dec 2026 – Fri 18 Dec 2026" in tip
    assert "9 working day(s)" in tip and "Holidays: Thu 10 Dec" in tip
    # Sprint 2's points capacity is not known (no closed sprint, none typed in).
    assert seen(page) == {
        "Ada": ["14 / 10 pts", "—"],
        "Bob": ["3 / 10 pts", "2 / ? pts"],
        "Unassigned": ["5 pts · 1 card", "—"],
        "Total": ["17 / 20 pts", "2 / ? pts"],
    }
    assert "1 cell(s) over capacity" in page.heading.text()
    assert "reassign or re-plan it" in page.legend.text()
    # Colours: Ada is over (red), Bob has room (green), the unknown is grey.
    levels = {(r, c): page.model.index(r, c).data(LevelRole) for r in range(2) for c in range(2)}
    assert levels == {(0, 0): "over", (0, 1): "unknown", (1, 0): "free", (1, 1): "unknown"}
    assert LEVEL_COLORS["over"] != LEVEL_COLORS["free"]
    window.resize(1280, 720)
    page.grab().save("/tmp/team-page.png")
    image = page.table.viewport().grab().toImage()
    ada_cell = page.table.visualRect(page.model.index(0, 0))
    pixel = image.pixelColor(ada_cell.left() + 8, ada_cell.center().y() + 6)
    assert pixel == LEVEL_COLORS["over"]
    bob_cell = page.table.visualRect(page.model.index(1, 0))
    pixel = image.pixelColor(bob_cell.left() + 8, bob_cell.center().y() + 6)
    assert pixel == LEVEL_COLORS["free"]


def test_selecting_a_cell_lists_its_cards(team, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, *_ = team
    window = make_window(services)
    page = open_team_page(window, qtbot)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=cell_pos(page, 0, 0))
    lines = [page.cards.item(i).text() for i in range(page.cards.count())]
    assert [line.split("  ")[1] for line in lines] == ["Login page", "Password reset"]
    assert "Ada — Sprint 1" in page.cell_title.text()


def test_drag_to_another_person_and_sprint_then_ctrl_z(team, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, _project, one, two, ada, bob, made = team
    window = make_window(services)
    page = open_team_page(window, qtbot)
    card = made["Login page"]
    # Drop Ada's "Login page" on Bob's Sprint 2 cell: reassigned AND re-planned at once.
    send_drop(page.table.viewport(), cell_pos(page, 1, 1), card_mime_data([card.id]))
    qtbot.waitUntil(lambda: seen(page)["Bob"] == ["3 / 10 pts", "10 / ? pts"])
    assert seen(page)["Ada"] == ["6 / 10 pts", "—"]
    after = services.cards.get_card(card.id)
    assert (after.assignee_id, after.sprint_id) == (bob.id, two.id)
    assert after.version == card.version + 1  # one change, one transaction
    assert window.undo_stack.undoText() == "Give TM-1 to Bob and into Sprint 2"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: seen(page)["Ada"] == ["14 / 10 pts", "—"])
    back = services.cards.get_card(card.id)
    assert (back.assignee_id, back.sprint_id) == (ada.id, one.id)


def test_drag_to_unassigned_and_a_refused_drop(team, make_window, qtbot, messages) -> None:  # type: ignore[no-untyped-def]
    services, project, _one, _two, _ada, bob, made = team
    window = make_window(services)
    page = open_team_page(window, qtbot)
    card = made["Audit log"]
    send_drop(page.table.viewport(), cell_pos(page, 2, 0), card_mime_data([card.id]))
    qtbot.waitUntil(lambda: seen(page)["Unassigned"][0] == "8 pts · 2 cards")
    assert services.cards.get_card(card.id).assignee_id is None
    # Bob leaves the team meanwhile (another window): the drop onto him is refused,
    # with the service's message, and nothing is written.
    target = services.cards.get_card(made["Exports"].id)
    services.team.remove_member(project.id, bob.id)
    page.refresh()  # Bob keeps a row: he still has work in Sprint 2
    row = page.model.row_of(bob.id)
    assert page.drop_card(target.id, row, 0) is False
    assert messages and "not in this project's team" in messages[-1]
    assert services.cards.get_card(target.id).assignee_id is None


def test_enter_on_a_row_opens_the_persons_cards(team, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    services, _project, _one, _two, _ada, _bob, made = team
    window = make_window(services)
    page = open_team_page(window, qtbot)
    opened: list[int] = []
    monkeypatch.setattr(window.cards, "open_card", lambda card_id=None: opened.append(card_id))
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(1, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Bob's cards"
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert [t.split("  ")[1] for t in texts] == ["Audit log", "Search"]
    assert dialog.summary.text() == "2 card(s), 5 pts"
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert opened == [made["Audit log"].id]
    dialog.close()
    # A double-click on the Unassigned row's header: the cards nobody has.
    header = page.table.verticalHeader()
    y = header.sectionViewportPosition(2) + header.sectionSize(2) // 2
    qtbot.mouseDClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(10, y))
    assert page.dialog is not dialog and page.dialog.windowTitle() == "Cards nobody has"
    assert [
        page.dialog.list.item(i).text().split("  ")[1] for i in range(page.dialog.list.count())
    ] == ["Exports"]
    page.dialog.close()


def test_a_teammates_change_shows_up(team, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, project, one, _two, _ada, bob, _made = team
    window = make_window(services)
    page = open_team_page(window, qtbot)
    services.cards.create_card(project.id, "Hotfix", points=4, assignee_id=bob.id, sprint_id=one.id)
    qtbot.waitUntil(lambda: seen(page)["Bob"][0] == "7 / 10 pts")
    services.sprints.set_capacity(one.id, bob.id, points=5)
    qtbot.waitUntil(lambda: seen(page)["Bob"][0] == "7 / 5 pts")
    assert page.model.index(1, 0).data(LevelRole) == "over"


def test_kanban_team_page_has_weeks(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services.context.clock = lambda: NOW
    project = services.projects.create_project("TM", "Flow", "kanban")
    ada = services.projects.add_member(project.id, "Ada", hours_per_day=8)
    services.cards.create_card(project.id, "Ops", estimate_hours=12, assignee_id=ada.id)
    window = make_window(services)
    page = open_team_page(window, qtbot)
    assert page.model.columnCount() == 6
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "This week"
    assert page.model.headerData(1, Qt.Orientation.Horizontal) == "Week of 7 Dec"
    assert seen(page)["Ada"][0] == "12 / 40 h"
    assert "to reassign it" in page.legend.text() and "re-plan" not in page.legend.text()


def test_planning_dialog_names_the_over_allocated(team, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, project, one, _two, ada, _bob, _made = team
    dialog = PlanningDialog(services.sprints, one.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.over_label.isVisible()
    assert dialog.over_label.text() == "Over-allocated: Ada: 14 / 10 pts"
    # The same people the Team page names.
    over = services.workload.over_allocated(project.id, one.id)
    assert [o.text for o in over] == ["Ada: 14 / 10 pts"]
    services.sprints.set_capacity(one.id, ada.id, points=20)
    dialog.reload()
    assert not dialog.over_label.isVisible()
    assert services.workload.over_allocated(project.id, one.id) == []


def test_the_card_menu_gives_and_plans_without_a_mouse(team, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, _project, _one, two, _ada, bob, made = team
    window = make_window(services)
    page = open_team_page(window, qtbot)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))  # Ada, Sprint 1
    page.cards.setCurrentRow(1)  # Password reset
    menu = page.card_menu(page.cards.currentItem())
    assert menu is not None
    give, plan = (a.menu() for a in menu.actions()[:2])
    assert [a.text() for a in give.actions()] == ["Bob", "Nobody (unassigned)"]
    assert [a.text() for a in plan.actions()] == ["Sprint 2"]
    next(a for a in give.actions() if a.text() == "Bob").trigger()
    qtbot.waitUntil(lambda: seen(page)["Bob"][0] == "9 / 10 pts")
    card = services.cards.get_card(made["Password reset"].id)
    assert card.assignee_id == bob.id and card.sprint_id == made["Password reset"].sprint_id
    page.table.setCurrentIndex(page.model.index(1, 0))  # Bob, Sprint 1
    row = next(
        i for i in range(page.cards.count()) if "Password reset" in page.cards.item(i).text()
    )
    menu = page.card_menu(page.cards.item(row))
    assert menu is not None
    menu.actions()[1].menu().actions()[0].trigger()  # Plan into Sprint 2
    qtbot.waitUntil(lambda: seen(page)["Bob"] == ["3 / 10 pts", "8 / ? pts"])
    assert services.cards.get_card(card.id).sprint_id == two.id
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: seen(page)["Bob"] == ["9 / 10 pts", "2 / ? pts"])
