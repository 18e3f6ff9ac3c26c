"""The Timeline page: what it draws (through its layout's items) and dragging a milestone,
undone by Ctrl+Z."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer

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


def activate(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Give the window the focus back after a modal dialog, as a person's click would."""
    with qtbot.waitActive(window):
        window.activateWindow()


def test_new_milestone_from_the_button_then_ctrl_z(planned, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from app.ui.timeline.page import MilestoneDialog

    services, _beta = planned
    window = make_window(services)
    page = open_timeline(window, qtbot)
    shown: list[str] = []

    def first_try() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, MilestoneDialog)
        assert dialog.day.text() == "2030-01-08"  # today, to start from
        dialog.name.setText("")
        dialog.accept()
        QTimer.singleShot(0, second_try)

    def second_try() -> None:
        dialog = QApplication.activeModalWidget()
        shown.append(dialog.error.text())
        dialog.name.setText("Launch")
        dialog.day.setText("2020-01-01")
        dialog.accept()
        QTimer.singleShot(0, third_try)

    def third_try() -> None:
        dialog = QApplication.activeModalWidget()
        shown.append(dialog.error.text())
        dialog.day.setText("2030-01-31")
        dialog.description.setPlainText("Ship it")
        dialog.tick("TL-1")
        dialog.cards.setText("tl-2")
        dialog.accept()

    QTimer.singleShot(0, first_try)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert shown[0] == "The milestone name cannot be empty."
    assert "before the project TL starts" in shown[1]
    names = [m.label for m in page.canvas.layout_.of_kind("milestone")]
    assert names == ["Beta", "Launch"]
    launch = page.canvas.layout_.of_kind("milestone")[1]
    assert launch.start == dt.date(2030, 1, 31)
    assert launch.rect.center().x() == pytest.approx(
        page.canvas.layout_.x_of(dt.date(2030, 1, 31)) + page.canvas.layout_.px_per_day / 2
    )
    added = services.plans.find_milestone(page.data.project_id, "Launch")
    assert (added.description, added.scope_keys) == ("Ship it", ("TL-1", "TL-2"))
    assert window.undo_stack.undoText() == "Add milestone Launch"
    activate(window, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(page.canvas.layout_.of_kind("milestone")) == 1)
    assert [m.name for m in services.plans.list_milestones(page.data.project_id)] == ["Beta"]


def test_double_click_edits_a_milestone_and_del_deletes_it(planned, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    services, beta = planned
    window = make_window(services)
    page = open_timeline(window, qtbot)

    def rename() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog.name.text() == "Beta" and dialog.day.text() == "2030-01-24"
        dialog.name.setText("Beta 2")
        dialog.tick("TL-1")
        dialog.accept()

    centre = page.canvas.layout_.of_kind("milestone")[0].rect.center().toPoint()
    QTimer.singleShot(0, rename)
    qtbot.mouseDClick(page.canvas, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: page.canvas.layout_.of_kind("milestone")[0].label == "Beta 2")
    assert services.plans.get_milestone(beta.id).scope_keys == ("TL-1",)
    # Click selects, Del deletes, Ctrl+Z brings it back with its scope.
    activate(window, qtbot)
    qtbot.mouseClick(page.canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert page.canvas.selected == beta.id
    qtbot.keyClick(page.canvas, Qt.Key.Key_Delete)
    assert page.canvas.layout_.of_kind("milestone") == []
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(page.canvas.layout_.of_kind("milestone")) == 1)
    back = services.plans.get_milestone(beta.id)
    assert (back.name, back.scope_keys) == ("Beta 2", ("TL-1",))
    # Ctrl+Z again undoes the edit.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.canvas.layout_.of_kind("milestone")[0].label == "Beta")
    assert services.plans.get_milestone(beta.id).scope_keys == ()


def test_the_context_menu_adds_on_a_day_and_deletes_a_diamond(planned, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    services, _beta = planned
    page = open_timeline(make_window(services), qtbot)
    layout = page.canvas.layout_
    (diamond,) = layout.of_kind("milestone")
    menu = page.menu_for(diamond, diamond.start)
    assert [a.text() for a in menu.actions()] == ["Edit Beta…", "Delete Beta"]
    menu.actions()[1].trigger()
    assert page.canvas.layout_.of_kind("milestone") == []
    menu = page.menu_for(None, dt.date(2030, 2, 3))
    assert [a.text() for a in menu.actions()] == ["New milestone on 2030-02-03…"]

    def name_it() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog.day.text() == "2030-02-03"
        dialog.name.setText("Demo day")
        dialog.accept()

    QTimer.singleShot(0, name_it)
    menu.actions()[0].trigger()
    assert [m.label for m in page.canvas.layout_.of_kind("milestone")] == ["Demo day"]


def test_dragging_from_a_bar_to_another_links_them_and_a_cycle_is_refused(
    services, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    services.context.clock = lambda: NOW
    project = services.projects.create_project("TL", "Timeline")
    login = services.cards.create_card(project.id, "Login", type="epic", due_date="2030-01-20")
    pay = services.cards.create_card(project.id, "Pay", type="epic", due_date="2030-02-10")
    window = make_window(services)
    page = open_timeline(window, qtbot)
    page.set_zoom("week")
    canvas = page.canvas

    def bar(key: str):  # type: ignore[no-untyped-def]
        return next(i for i in canvas.layout_.of_kind("epic") if i.label.startswith(key))

    def drag(start: QPoint, end: QPoint, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, modifier, pos=start)
        qtbot.mouseMove(canvas, end)
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, modifier, pos=end)

    # From Login's end dot to Pay's bar.
    from app.ui.timeline.model import link_handle

    drag(link_handle(bar("TL-1")).center().toPoint(), bar("TL-2").rect.center().toPoint())
    assert [c.key for c in services.plans.links(pay.id).blocked_by] == ["TL-1"]
    (arrow,) = canvas.layout_.of_kind("link")
    assert (arrow.label, arrow.ident, arrow.other) == ("TL-1 → TL-2", login.id, pay.id)
    assert arrow.points[0].x() == pytest.approx(bar("TL-1").rect.right())
    assert arrow.points[-1].x() == pytest.approx(bar("TL-2").rect.left())
    assert window.undo_stack.undoText() == "Link TL-1 blocks TL-2"
    # Shift+drag back from Pay to Login would close a cycle: refused, named, in one line.
    drag(bar("TL-2").rect.center().toPoint(), bar("TL-1").rect.center().toPoint(),
         Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert page.message.isVisible()
    assert page.message.text() == (
        "TL-2 cannot block TL-1: that closes the cycle TL-2 → TL-1 → TL-2."
    )
    assert len(canvas.layout_.of_kind("link")) == 1
    # Ctrl+Z takes the arrow away.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: canvas.layout_.of_kind("link") == [])
    assert services.plans.links(pay.id).blocked_by == ()


def test_a_milestone_dragged_before_the_project_starts_is_refused_in_one_line(
    planned, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    services, beta = planned
    window = make_window(services)
    page = open_timeline(window, qtbot)
    canvas = page.canvas
    layout = canvas.layout_
    start = layout.of_kind("milestone")[0].rect.center().toPoint()
    first = page.data.project_start  # the day the project was created, or its first sprint
    early = first - dt.timedelta(days=1)
    end = QPoint(round(layout.x_of(early) + layout.px_per_day / 2), start.y())
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    assert page.message.isVisible()
    assert page.message.text() == (
        f"{early.isoformat()} is before the project TL starts ({first.isoformat()}); "
        "a milestone cannot come first."
    )
    assert services.plans.get_milestone(beta.id).day == dt.date(2030, 1, 24)
    assert canvas.layout_.of_kind("milestone")[0].start == dt.date(2030, 1, 24)
    assert window.undo_stack.count() == 0  # nothing to undo
