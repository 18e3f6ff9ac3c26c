"""The Reports view: every chart paints, tooltips tell the values, Kanban gets flow charts only."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt

from app.metrics.points import format_points
from app.reports.chart_painting import ChartLayout
from app.services import Services
from app.ui.reports.view import CHARTS, ReportsView
from app.ui.store import BoardStore
from tests.helpers import Clock
from tests.worlds import build_throughput


@pytest.fixture
def make_view(qtbot, messages):  # type: ignore[no-untyped-def]
    stores = []

    def factory(services: Services, project_id: int) -> ReportsView:
        store = BoardStore(services)
        store.load(project_id)
        stores.append(store)
        view = ReportsView(services.charts, services, store)
        qtbot.addWidget(view)
        view.resize(1100, 650)
        view.show()
        qtbot.waitExposed(view)
        return view

    yield factory
    for store in stores:
        store.close()


def painted(view: ReportsView) -> bool:
    image = view.chart.grab().toImage()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)
    }
    return len(colours) > 10


def layout_of(view: ReportsView) -> ChartLayout:
    layout = view.chart.chart_layout()
    assert layout is not None
    return layout


def demo_project(demo: Services) -> int:
    return demo.projects.find_project("DEMO").id


def test_every_chart_paints_on_the_demo(demo: Services, make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view(demo, demo_project(demo))
    for kind, _label in CHARTS:
        view.set_chart(kind)
        assert view.pages.currentWidget() is view.chart, kind
        assert view.chart.kind == kind
        assert painted(view), kind
    view.set_chart("burnup")
    view.set_unit("cards")
    assert view.chart.accessibleDescription() == "Burnup in cards · DEMO Sprint 4"
    assert painted(view)


def test_controls_follow_the_chosen_chart(demo: Services, make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view(demo, demo_project(demo))
    view.set_chart("burnup")
    assert view.sprint_box.isVisible() and view.unit_box.isVisible()
    assert not view.start_edit.isVisible()
    # The active sprint is preselected; the closed ones are offered too.
    assert view.sprint_box.currentText().endswith("(active)")
    assert view.sprint_box.count() >= 2
    view.set_chart("cfd")
    assert view.start_edit.isVisible() and not view.sprint_box.isVisible()
    start, end = view.date_range
    assert (end - start).days == 29
    view.set_chart("control")
    assert view.kind_box.isVisible()


def test_burnup_tooltip_tells_the_days_values(demo: Services, make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view(demo, demo_project(demo))
    sprints = [s for s in demo.sprints.list_sprints(demo_project(demo)) if s.state == "closed"]
    view.set_chart("burnup")
    view.set_sprint(sprints[0].id)
    layout = layout_of(view)
    series = view.chart.data
    anchor = layout.anchors[2]
    text = view.chart.tooltip_at(QPoint(int(anchor.x()), int(anchor.y())))
    assert text.startswith(series.days[2].strftime("%a %d %b %Y"))  # type: ignore[union-attr]
    assert f"Scope: {format_points(series.scope_total[2])} pts" in text  # type: ignore[union-attr]
    assert "Done: " in text and "Ideal pace: " in text
    view.set_unit("cards")
    layout = layout_of(view)
    anchor = layout.anchors[0]
    text = view.chart.tooltip_at(QPoint(int(anchor.x()), int(anchor.y())))
    assert "cards" in text
    # Outside the plot there is nothing to tell.
    assert view.chart.tooltip_at(QPoint(2, 2)) == ""


def test_velocity_cfd_and_control_tooltips(demo: Services, make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view(demo, demo_project(demo))
    view.set_chart("velocity")
    velocity = demo.charts.velocity(demo_project(demo))
    anchor = layout_of(view).anchors[0]
    text = view.chart.tooltip_at(QPoint(int(anchor.x()), int(anchor.y()) + 5))
    first = velocity.sprints[0]
    assert text.startswith(first.name)
    assert f"Committed: {format_points(first.committed)} pts" in text

    view.set_chart("cfd")
    layout = layout_of(view)
    anchor = layout.anchors[-1]
    text = view.chart.tooltip_at(QPoint(int(anchor.x()), int(layout.plot.center().y())))
    assert "To Do: " in text and "Done: " in text and "Total: " in text

    view.set_chart("control")
    chart = view.chart.data
    layout = layout_of(view)
    assert len(layout.anchors) == len(chart.points) > 0  # type: ignore[union-attr]
    anchor = layout.anchors[0]
    text = view.chart.tooltip_at(QPoint(round(anchor.x()), round(anchor.y())))
    assert "Cycle time: " in text and "days" in text and "DEMO-" in text
    view.kind_box.setCurrentIndex(view.kind_box.findData("lead"))
    view.refresh()
    assert view.chart.data.kind == "lead"  # type: ignore[union-attr]


KANBAN_CHARTS = ["Cumulative flow", "Control chart", "Throughput"]


def chart_names(view: ReportsView) -> list[str]:
    return [view.chart_box.itemText(i) for i in range(view.chart_box.count())]


def test_kanban_project_offers_only_flow_charts_and_opens_on_cumulative_flow(  # type: ignore[no-untyped-def]
    services: Services, make_view
) -> None:
    project = services.projects.create_project("KB", "Kanban board", "kanban")
    columns = services.workflow.list_columns(project.id)
    card = services.cards.create_card(project.id, "Flowing work").id
    services.board.move_card(card, columns[-1].id)
    view = make_view(services, project.id)
    assert chart_names(view) == KANBAN_CHARTS
    assert view.chart_box.currentText() == "Cumulative flow"
    assert view.pages.currentWidget() is view.chart and view.chart.kind == "cfd"
    assert painted(view)
    assert not view.sprint_box.isVisible() and view.start_edit.isVisible()
    for kind in ("control", "throughput", "cfd"):
        view.set_chart(kind)
        assert view.pages.currentWidget() is view.chart, kind
        assert painted(view), kind
    with pytest.raises(ValueError, match="no 'burndown' chart"):
        view.set_chart("burndown")


def test_scrum_project_gets_throughput_too(demo: Services, make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view(demo, demo_project(demo))
    assert chart_names(view) == [label for _kind, label in CHARTS]
    assert chart_names(view)[-1] == "Throughput"
    assert view.chart_box.currentText() == "Burndown"  # a Scrum project opens on its sprint


def test_the_chosen_chart_is_kept_per_methodology(  # type: ignore[no-untyped-def]
    services: Services, make_view, qtbot
) -> None:
    scrum = services.projects.create_project("SC", "Scrum team")
    kanban = services.projects.create_project("KB", "Support board", "kanban")
    view = make_view(services, scrum.id)
    view.chart_box.setCurrentIndex(view.chart_box.findText("Control chart"))
    view._store.load(kanban.id)  # the window's project bar does this
    qtbot.waitUntil(lambda: view.chart.kind == "cfd")
    assert chart_names(view) == KANBAN_CHARTS
    view.chart_box.setCurrentIndex(view.chart_box.findText("Throughput"))
    view._store.load(scrum.id)
    qtbot.waitUntil(lambda: view.chart.kind == "control")
    assert view.chart_box.currentText() == "Control chart"
    view._store.load(kanban.id)
    qtbot.waitUntil(lambda: view.chart.kind == "throughput")
    assert view.chart_box.currentText() == "Throughput"


def test_throughput_of_a_kanban_board_week_by_week(  # type: ignore[no-untyped-def]
    services: Services, make_view, qtbot
) -> None:
    clock = Clock(dt.datetime(2025, 2, 26, 10, tzinfo=dt.UTC))
    services.context.clock = clock
    project_id = build_throughput(services, clock)
    view = make_view(services, project_id)
    view.set_chart("throughput")
    assert view.weeks_box.isVisible() and not view.start_edit.isVisible()
    assert [w.count for w in view.chart.data.weeks] == [0, 2, 0, 2, 1]  # type: ignore[union-attr]
    title = "Throughput · cards finished, last 5 weeks (since the first card)"
    assert view.chart.accessibleDescription() == title
    assert painted(view)
    layout = layout_of(view)
    week = layout.anchors[3]  # the week of 17 March
    text = view.chart.tooltip_at(QPoint(int(week.x()), int(layout.plot.center().y())))
    assert text.splitlines()[:4] == [
        "Week of Mon 17 Mar – Sun 23 Mar 2025",
        "2 cards finished",
        "  TP-4 D",
        "  TP-2 B",
    ]
    assert "Average: 1 card/week over 4 complete weeks" in text
    running = layout.anchors[4]
    text = view.chart.tooltip_at(QPoint(int(running.x()), int(layout.plot.center().y())))
    assert text.startswith("Week of Mon 24 Mar – Sun 30 Mar 2025 (so far)\n1 card finished")
    view.weeks_box.setFocus()
    qtbot.keyClick(view.weeks_box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.weeks_box, "3")
    qtbot.waitUntil(lambda: len(view.chart.data.weeks) == 3)  # type: ignore[union-attr]
    assert [w.count for w in view.chart.data.weeks] == [0, 2, 1]  # type: ignore[union-attr]


def test_scrum_project_without_sprints_says_so(services: Services, make_view) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("NS", "No sprints yet")
    view = make_view(services, project.id)
    view.set_chart("burndown")
    assert "needs a started sprint" in view.message.text()
    view.set_chart("velocity")
    assert "needs closed sprints" in view.message.text()


def test_a_bad_range_shows_the_services_message(services: Services, make_view) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("BR", "Range")
    view = make_view(services, project.id)
    view.set_chart("cfd")
    view.set_range(dt.date(2025, 3, 9), dt.date(2025, 3, 1))
    assert view.pages.currentWidget() is view.message
    assert "ends before it starts" in view.message.text()


def test_chart_follows_card_moves(services: Services, make_view, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("MV", "Moves", methodology="kanban")
    columns = services.workflow.list_columns(project.id)
    card = services.cards.create_card(project.id, "Work").id
    view = make_view(services, project.id)
    view.set_chart("cfd")
    done_index = [c.name for c in view.chart.data.columns].index("Done")  # type: ignore[union-attr]
    assert view.chart.data.counts[done_index][-1] == 0  # type: ignore[union-attr]
    with qtbot.waitSignal(view.chart_shown, timeout=2000):
        services.board.move_card(card, columns[-1].id)
    assert view.chart.data.counts[done_index][-1] == 1  # type: ignore[union-attr]
