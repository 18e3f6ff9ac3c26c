"""The Timeline page: what it draws (through its layout's items) and dragging a milestone,
undone by Ctrl+Z."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt

from app.ui.timeline.page import TimelinePage

NOW = dt.datetime(2030, 1, 8, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def planned(services):  # type: ignore[no-untyped-def]
    services.context.clock = lambda: NOW
    project = services.projects.create_project("TL", "Timeline")
    s1 = services.sprints.create_sprint(project.id, "S1", start="2030-01-07", end="2030-01-18")
    services.sprints.create_sprint(project.id, "S2", start="2030-01-21", end="2030-02-01")
    epic = services.cards.create_card(project.id, "Login", type="epic")
    kid = services.cards.create_card(project.id, "Form", parent_id=epic.id, due_date="2030-01-25")
    services.sprints.plan_card(kid.id, s1.id)
    beta = services.plans.add_milestone(project.id, "Beta", "2030-01-24")
    return services, beta


def open_timeline(window, qtbot) -> TimelinePage:  # type: ignore[no-untyped-def]
    window.select_project("TL")
    qtbot.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "timeline"
    page = window.pages.page("timeline")
    assert isinstance(page, TimelinePage)
    return page


def test_what_the_timeline_draws(planned, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, _beta = planned
    page = open_timeline(make_window(services), qtbot)
    layout = page.canvas.layout_
    assert [i.label for i in layout.of_kind("sprint")] == ["S1", "S2"]
    (epic,) = layout.of_kind("epic")
    assert (epic.label, epic.start, epic.end) == (
        "TL-1 Login",
        dt.date(2030, 1, 7),
        dt.date(2030, 1, 25),
    )
    assert epic.rect.left() == pytest.approx(layout.x_of(dt.date(2030, 1, 7)))
    (milestone,) = layout.of_kind("milestone")
    assert milestone.label == "Beta" and "Drag" in milestone.tooltip
    (today,) = layout.of_kind("today")
    assert today.start == dt.date(2030, 1, 8)
    s1 = layout.of_kind("sprint")[0]
    assert s1.rect.left() < today.rect.left() < s1.rect.right()
    month_width = epic.rect.width()
    qtbot.mouseClick(page.zoom_buttons["week"], Qt.MouseButton.LeftButton)
    assert page.canvas.layout_.of_kind("epic")[0].rect.width() == pytest.approx(month_width * 4)
    page.window().resize(1280, 720)
    page.grab().save("/tmp/timeline_1280.png")
    page.window().resize(2560, 1440)
    page.grab().save("/tmp/timeline_2560.png")


def test_dragging_a_milestone_moves_its_date_and_ctrl_z_undoes(planned, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, beta = planned
    window = make_window(services)
    page = open_timeline(window, qtbot)
    canvas = page.canvas
    layout = canvas.layout_
    (diamond,) = layout.of_kind("milestone")
    start = diamond.rect.center().toPoint()
    end = QPoint(start.x() + round(3 * layout.px_per_day), start.y())
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    assert services.plans.get_milestone(beta.id).day == dt.date(2030, 1, 27)
    qtbot.waitUntil(lambda: canvas.layout_.of_kind("milestone")[0].start == dt.date(2030, 1, 27))
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert services.plans.get_milestone(beta.id).day == dt.date(2030, 1, 24)
    qtbot.waitUntil(lambda: canvas.layout_.of_kind("milestone")[0].start == dt.date(2030, 1, 24))


def test_planning_dialog_flags_a_card_before_its_blocker(services, qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.ui.sprint.planning_dialog import PlanningDialog

    project = services.projects.create_project("PD", "Planning")
    sprint = services.sprints.create_sprint(project.id, "S1")
    blocker = services.cards.create_card(project.id, "Blocker")
    waiting = services.cards.create_card(project.id, "Waiting", sprint_id=sprint.id)
    services.plans.link(blocker.id, waiting.id)
    dialog = PlanningDialog(services.sprints, sprint.id, plans=services.plans)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.dependency_label.isVisible()
    assert dialog.dependency_label.text() == "⛔ PD-2 waits for PD-1, which is in no sprint."
    services.sprints.plan_card(blocker.id, sprint.id)
    dialog.reload()
    assert not dialog.dependency_label.isVisible()


def test_a_forecast_draws_a_range_and_a_milestone_at_risk() -> None:
    from app.services.plans import MilestoneDTO, TimelineDTO, TimelineEpicDTO
    from app.ui.timeline.model import EpicForecast, MilestoneOdds, layout_timeline

    d = dt.date
    data = TimelineDTO(
        1,
        d(2030, 1, 8),
        d(2030, 1, 1),
        (),
        (TimelineEpicDTO(5, "SD-5", "Login", d(2030, 1, 6), d(2030, 1, 10), 4, 1),),
        (MilestoneDTO(7, 1, "Beta", d(2030, 1, 20), "", 1, 4, 1),),
    )
    forecast = {5: EpicForecast(d(2030, 1, 15), d(2030, 1, 25), d(2030, 1, 30))}
    layout = layout_timeline(data, "week", forecast, {7: MilestoneOdds(0.5, d(2030, 1, 25))})
    (epic,) = layout.of_kind("epic")
    assert epic.rect.right() == pytest.approx(layout.x_of(d(2030, 1, 31)))
    assert epic.solid.right() == pytest.approx(layout.x_of(d(2030, 1, 16)))
    assert epic.marks == (pytest.approx(layout.x_of(d(2030, 1, 26))),)
    (beta,) = layout.of_kind("milestone")
    assert beta.at_risk and beta.detail == "50%" and "50% chance" in beta.tooltip
    safe = layout_timeline(data, "week", forecast, {7: MilestoneOdds(0.95, d(2030, 1, 18))})
    assert not safe.of_kind("milestone")[0].at_risk
