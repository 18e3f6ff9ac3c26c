"""The sprint view driven as a person drives it: looking, starting, completing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.services import Services
from app.services.chart_data import ChartService
from app.ui.sprint.complete_dialog import CompleteSprintDialog
from app.ui.sprint.start_dialog import StartSprintDialog
from app.ui.sprint.view import KANBAN_MESSAGE, SprintView
from app.ui.store import BoardStore
from tests.helpers import Clock
from tests.ui.helpers import with_dialog


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock()
    services.context.clock = c
    return c


def scrum(services: Services, clock: Clock, start: bool = True, unestimated: bool = False):  # type: ignore[no-untyped-def]
    project = services.projects.create_project("SC", "Scrum project")
    sprint = services.sprints.create_sprint(
        project.id, "Sprint 1", "Ship the login flow", "2025-03-03", "2025-03-14"
    )
    done = next(c for c in services.workflow.list_columns(project.id) if c.category == "done")
    ids = [
        services.cards.create_card(project.id, f"Card {i}", points=p, sprint_id=sprint.id).id
        for i, p in enumerate(["5", "8", "3"])
    ]
    if unestimated:
        services.cards.create_card(project.id, "No estimate", sprint_id=sprint.id)
    late = services.cards.create_card(project.id, "Late", points="2").id
    if start:
        clock.set(3, 8)
        services.sprints.start_sprint(sprint.id)
        clock.set(4)
        services.board.move_card(ids[0], done.id)
        clock.set(5)
        services.sprints.plan_card(late, sprint.id)
        clock.set(10, 15)  # Monday of the second week
    return project, sprint, ids, done


@pytest.fixture
def make_view(qtbot, services: Services, messages):  # type: ignore[no-untyped-def]
    stores = []

    def factory(project_id: int) -> SprintView:
        store = BoardStore(services)
        store.load(project_id)
        stores.append(store)
        view = SprintView(services, ChartService(services.context), store)
        qtbot.addWidget(view)
        view.resize(1000, 600)
        view.show()
        qtbot.waitExposed(view)
        return view

    yield factory
    for store in stores:
        store.close()


def test_active_sprint_shows_goal_days_left_points_and_burndown(  # type: ignore[no-untyped-def]
    services, clock, make_view
) -> None:
    project, _sprint, _ids, _done = scrum(services, clock)
    view = make_view(project.id)
    assert view.pages.currentWidget() is view.active_page
    assert view.name_label.text() == "Sprint 1"
    assert "Ship the login flow" in view.goal_label.text()
    assert view.dates_label.text() == "Mon 3 Mar – Fri 14 Mar 2025"
    # Mon 10 to Fri 14 March: 5 working days, today included
    assert view.days_left_label.text() == "5 working days left"
    assert "Committed 16 pts" in view.points_label.text()
    assert "completed 5 pts" in view.points_label.text()
    assert "+2" in view.scope_label.text()
    series = view.chart.series
    assert series is not None
    assert series.remaining[:3] == (Decimal(16), Decimal(11), Decimal(13))
    assert series.scope_added[2] == 2
    image = view.chart.grab().toImage()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)
    }
    assert len(colours) > 10  # painted, not blank
    # a tooltip names the day and its values
    layout = view.chart._layout
    assert layout is not None
    text = view.chart.tooltip_at(QPoint(int(layout.x_at(3)), int(layout.plot.center().y())))
    assert text.startswith("Wed 05 Mar 2025") and "Remaining: 13 pts" in text
    assert "Scope added: +2 pts" in text


def test_view_refreshes_when_a_card_moves(services, clock, make_view, qtbot) -> None:  # type: ignore[no-untyped-def]
    project, _sprint, ids, done = scrum(services, clock)
    view = make_view(project.id)
    services.board.move_card(ids[1], done.id)
    qtbot.waitUntil(lambda: "completed 13 pts" in view.points_label.text())
    assert view.chart.series.remaining[7] == Decimal(5)


def step_start_day(qtbot, dialog, days: int) -> None:  # type: ignore[no-untyped-def]
    """Tab from the goal into the start date, go to its day (End) and step it with the
    arrow keys, as a person does. (A synthetic mouse press on a date edit steps its year
    offscreen, so the field is reached by keyboard.)"""
    dialog.goal_edit.setFocus()
    qtbot.keyClick(dialog.goal_edit, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.start_edit
    qtbot.keyClick(dialog.start_edit, Qt.Key.Key_End)
    for _ in range(abs(days)):
        qtbot.keyClick(dialog.start_edit, Qt.Key.Key_Up if days > 0 else Qt.Key.Key_Down)


def test_start_dialog_confirms_dates_and_warns_about_unestimated(  # type: ignore[no-untyped-def]
    services, clock, make_view, qtbot
) -> None:
    project, sprint, _ids, _done = scrum(services, clock, start=False, unestimated=True)
    clock.set(4, 9)  # Tuesday, a day after the planned start
    view = make_view(project.id)
    assert view.pages.currentWidget() is view.idle_page
    assert "No sprint is active" in view.idle_label.text()
    seen: dict[str, object] = {}

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, StartSprintDialog)
        seen["title"] = dialog.windowTitle()
        seen["combo"] = dialog.sprint_combo.isVisibleTo(dialog)
        seen["name"] = dialog.name_edit.text()
        seen["goal"] = dialog.goal_edit.toPlainText()
        seen["dates"] = (dialog.start_edit.text(), dialog.end_edit.text())
        seen["span"] = dialog.span_label.text()
        seen["planned"] = dialog.planned_label.text()
        seen["commitment"] = dialog.commitment_label.text()
        seen["warning"] = dialog.warning_label.text()
        # A start after today is refused in the dialog, which stays open.
        step_start_day(qtbot, dialog, +1)  # Wednesday 5 March
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        seen["error"] = dialog.error_label.text()
        seen["open"] = dialog.isVisible()
        # The team began on Monday: the end follows the start, keeping the length.
        step_start_day(qtbot, dialog, -2)  # Monday 3 March
        seen["moved"] = (dialog.end_edit.text(), dialog.span_label.text())
        dialog.goal_edit.setFocus()
        qtbot.keyClick(dialog.goal_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(dialog.goal_edit, ", with SSO")
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)

    changed: list[bool] = []
    view.sprints_changed.connect(lambda: changed.append(True))
    with_dialog(fill)
    qtbot.mouseClick(view.idle_start_button, Qt.MouseButton.LeftButton)
    assert seen == {
        "title": "Start sprint",
        "combo": False,
        "name": "Sprint 1",
        "goal": "Ship the login flow",
        "dates": ("2025-03-04", "2025-03-17"),
        "span": "10 working days: Tue 4 Mar – Mon 17 Mar 2025",
        "planned": "Planned: Mon 3 Mar – Fri 14 Mar 2025 (10 working days). The end keeps "
        "that length until you change it.",
        "commitment": "4 cards, 16 points become the commitment.",
        "warning": "⚠ 1 card has no estimate (SC-4): it counts as 0 points in the "
        "commitment. Start anyway, or cancel and estimate first.",
        "error": "A sprint starts today or earlier: 2025-03-05 is after today (2025-03-04). "
        "Keep it planned and start it on that day.",
        "open": True,
        "moved": ("2025-03-16", "10 working days: Mon 3 Mar – Sun 16 Mar 2025"),
    }
    started = services.sprints.get_sprint(sprint.id)
    assert (started.state, started.start_date, started.end_date) == (
        "active",
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 16),
    )
    assert started.goal == "Ship the login flow, with SSO"
    assert started.committed_points == 16 and changed
    assert view.pages.currentWidget() is view.active_page
    assert view.dates_label.text() == "Mon 3 Mar – Sun 16 Mar 2025"


def test_start_cancelled_leaves_the_sprint_planned(  # type: ignore[no-untyped-def]
    services, clock, make_view, qtbot
) -> None:
    project, sprint, _ids, _done = scrum(services, clock, start=False, unestimated=True)
    view = make_view(project.id)
    with_dialog(lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    view.start_sprint()
    assert services.sprints.get_sprint(sprint.id).state == "planned"
    assert view.pages.currentWidget() is view.idle_page


def test_start_dialog_chooses_among_planned_sprints(  # type: ignore[no-untyped-def]
    services, clock, make_view, qtbot
) -> None:
    project, first, _ids, _done = scrum(services, clock, start=False)
    second = services.sprints.create_sprint(project.id, "Sprint 2", "Harden", "2025-03-17")
    clock.set(3, 8)
    view = make_view(project.id)
    seen: dict[str, object] = {}

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        seen["names"] = [
            dialog.sprint_combo.itemText(i) for i in range(dialog.sprint_combo.count())
        ]
        seen["combo"] = dialog.sprint_combo.isVisibleTo(dialog)
        seen["first"] = (dialog.name_edit.text(), dialog.commitment_label.text())
        dialog.sprint_combo.setFocus()
        qtbot.keyClick(dialog.sprint_combo, Qt.Key.Key_Down)
        seen["second"] = (
            dialog.name_edit.text(),
            dialog.goal_edit.toPlainText(),
            dialog.commitment_label.text(),
            dialog.warning_label.isVisibleTo(dialog),
            dialog.end_edit.text(),
        )
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)

    with_dialog(fill)
    view.start_sprint()
    assert seen == {
        "names": ["Sprint 1", "Sprint 2"],
        "combo": True,
        "first": ("Sprint 1", "3 cards, 16 points become the commitment."),
        # Sprint 2 was planned for 17 to 28 March: its 10 working days from Monday 3 March.
        "second": (
            "Sprint 2",
            "Harden",
            "The sprint has no cards yet: its commitment will be 0 points.",
            False,
            "2025-03-14",
        ),
    }
    assert services.sprints.get_sprint(second.id).state == "active"
    assert services.sprints.get_sprint(first.id).state == "planned"


@pytest.mark.parametrize("choice", ["backlog", "next"])
def test_complete_sprint_through_the_dialog(  # type: ignore[no-untyped-def]
    services, clock, make_view, qtbot, choice
) -> None:
    project, sprint, ids, _done = scrum(services, clock)
    later = services.sprints.create_sprint(project.id, "Sprint 2", "", "2025-03-17", "2025-03-28")
    view = make_view(project.id)
    seen: dict[str, object] = {}

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, CompleteSprintDialog)
        seen["cards"] = [
            dialog.cards_list.topLevelItem(i).text(0)
            for i in range(dialog.cards_list.topLevelItemCount())
        ]
        seen["next_enabled"] = dialog.next_radio.isEnabled()
        (dialog.backlog_radio if choice == "backlog" else dialog.next_radio).setChecked(True)
        seen["choice"] = dialog.choice()
        dialog.accept()

    QTimer.singleShot(0, drive)
    clock.set(14, 17)
    view.complete_button.click()
    assert seen["cards"] == ["SC-2", "SC-3", "SC-4"]
    assert seen["next_enabled"] is True
    assert seen["choice"] == ((choice, None) if choice == "backlog" else ("next", later.id))
    assert services.sprints.get_sprint(sprint.id).state == "closed"
    target = None if choice == "backlog" else later.id
    for card_id in (ids[1], ids[2]):
        assert services.cards.get_card(card_id).sprint_id == target
    assert services.cards.get_card(ids[0]).sprint_id == sprint.id  # done: stays
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.idle_page)


def test_dialog_offers_planned_sprints_and_new(qtbot, services, clock) -> None:  # type: ignore[no-untyped-def]
    project, sprint, _ids, _done = scrum(services, clock)
    later = services.sprints.create_sprint(project.id, "Sprint 2", "", "2025-03-17", "2025-03-28")
    active = services.sprints.get_sprint(sprint.id)
    cards = [c for c in services.cards.list_cards(project.id) if c.sprint_id == sprint.id]
    dialog = CompleteSprintDialog(active, cards, [later])
    qtbot.addWidget(dialog)
    assert dialog.choice() == ("backlog", None)
    dialog.sprint_radio.setChecked(True)
    assert dialog.sprint_combo.isEnabled()
    assert dialog.choice() == ("sprint", later.id)
    dialog.new_radio.setChecked(True)
    assert dialog.choice() == ("new", None)
    alone = CompleteSprintDialog(active, cards, [])
    qtbot.addWidget(alone)
    assert not alone.next_radio.isEnabled() and not alone.sprint_radio.isEnabled()


def test_complete_to_a_new_sprint(services, clock, make_view, qtbot) -> None:  # type: ignore[no-untyped-def]
    project, _sprint, ids, _done = scrum(services, clock)
    view = make_view(project.id)

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, CompleteSprintDialog)
        dialog.new_radio.setChecked(True)
        dialog.accept()

    QTimer.singleShot(0, drive)
    clock.set(14, 17)
    view.complete_button.click()
    sprints = services.sprints.list_sprints(project.id)
    assert [s.state for s in sprints] == ["closed", "planned"]
    assert services.cards.get_card(ids[1]).sprint_id == sprints[1].id


def test_kanban_project_says_it_has_no_sprints(services, make_view) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("KB", "Flow", methodology="kanban")
    view = make_view(project.id)
    assert view.pages.currentWidget() is view.kanban_page
    assert view.kanban_label.text() == KANBAN_MESSAGE
    assert "no sprints" in view.kanban_label.text()
    assert not view.active_page.isVisible() and not view.idle_page.isVisible()


def test_no_planned_sprint_offers_no_start(services, clock, make_view) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("NP", "Nothing planned")
    view = make_view(project.id)
    assert view.pages.currentWidget() is view.idle_page
    assert "none is planned" in view.idle_label.text()
    assert not view.idle_start_button.isVisibleTo(view)


def test_demo_close_early_then_start_the_next_today(demo, make_window, qtbot, messages) -> None:  # type: ignore[no-untyped-def]
    """The reported case on the demo, as a person does it: complete the active sprint early
    (its unfinished cards to a new sprint), start that one today; the Sprint page shows the
    new sprint's figures and its burndown starts today with the commitment."""
    from app.metrics.points import format_points

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    demo.context.clock = lambda: now
    today = now.date()
    project = demo.projects.find_project("DEMO")
    active = demo.sprints.active_sprint(project.id)
    before = demo.sprints.sprint_summary(active.id)
    unfinished = before.planned_points - before.completed_points
    window = make_window(demo, scope="active")
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    view = window.sprint_view
    assert view.name_label.text() == active.name

    def to_a_new_sprint(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, CompleteSprintDialog)
        radio = dialog.new_radio  # clicked on its label (the row is wider than the text)
        qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(20, radio.height() // 2))
        assert dialog.choice() == ("new", None)
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
        )

    with_dialog(to_a_new_sprint)
    window.complete_sprint_action.trigger()
    assert messages == []
    assert demo.sprints.get_sprint(active.id).state == "closed"
    following = demo.sprints.find_sprint(project.id, "DEMO Sprint 5")
    assert following.state == "planned" and following.start_date > today  # after the close

    shown: dict[str, object] = {}

    def start_today(dialog) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(dialog, StartSprintDialog)
        shown["start"] = dialog.start_edit.text()
        shown["name"] = dialog.name_edit.text()
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)

    with_dialog(start_today)
    window.start_sprint_action.trigger()
    assert shown == {"start": today.isoformat(), "name": "DEMO Sprint 5"}
    qtbot.waitUntil(lambda: view.name_label.text() == "DEMO Sprint 5")
    committed = format_points(unfinished)
    assert view.points_label.text() == f"Committed {committed} pts · completed 0 pts (0%)"
    assert view.scope_label.text() == "No scope change"
    series = view.chart.series
    assert series is not None and series.days[0] == today
    assert series.remaining[0] == unfinished  # day 0: the commitment
    assert series.committed == unfinished
    image = view.chart.grab().toImage()
    assert image.width() > 0
