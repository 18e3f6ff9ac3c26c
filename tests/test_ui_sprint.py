"""The sprint view driven as a person drives it: looking, starting, completing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.services import Services
from app.services.charts import ChartService
from app.ui.complete_sprint_dialog import CompleteSprintDialog
from app.ui.sprint_view import KANBAN_MESSAGE, SprintView
from app.ui.store import BoardStore


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2025, 3, 2, 10, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, day: int, hour: int = 12) -> None:
        self.now = dt.datetime(2025, 3, day, hour, tzinfo=dt.UTC)


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
    assert "03 Mar" in view.dates_label.text() and "14 Mar" in view.dates_label.text()
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


def test_start_with_unestimated_cards_asks_then_starts(  # type: ignore[no-untyped-def]
    services, clock, make_view, monkeypatch, messages
) -> None:
    project, sprint, _ids, _done = scrum(services, clock, start=False, unestimated=True)
    clock.set(3, 8)
    view = make_view(project.id)
    assert view.pages.currentWidget() is view.idle_page
    assert "No sprint is active" in view.idle_label.text()
    assert view.idle_start_button.isVisibleTo(view)
    asked: list[str] = []

    def question(_parent, _title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    with_signal = []
    view.sprints_changed.connect(lambda: with_signal.append(True))
    view.idle_start_button.click()
    assert len(asked) == 2 and "Start anyway?" in asked[1] and "no estimate" in asked[1]
    assert services.sprints.get_sprint(sprint.id).state == "active"
    assert with_signal and not messages
    assert view.pages.currentWidget() is view.active_page


def test_start_declined_leaves_the_sprint_planned(  # type: ignore[no-untyped-def]
    services, clock, make_view, monkeypatch
) -> None:
    project, sprint, _ids, _done = scrum(services, clock, start=False, unestimated=True)
    answers = iter([QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    view = make_view(project.id)
    view.idle_start_button.click()
    assert services.sprints.get_sprint(sprint.id).state == "planned"


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
