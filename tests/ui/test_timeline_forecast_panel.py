"""The Timeline's forecast panel: a click on a bar or a diamond shows its dates, odds and
histogram (the service's own figures), ↑/↓ walk the selection, Esc clears it, and an epic
the history cannot forecast says why in one line."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from app.models import Milestone, MilestoneScope
from app.reports.forecast_painting import bin_tooltip, short_day
from app.ui.timeline.forecast_panel import HINT
from app.ui.timeline.page import FORECAST_SEED, FORECAST_TRIALS, TimelinePage
from tests.helpers import Clock, working_days


@pytest.fixture
def history(services):  # type: ignore[no-untyped-def]
    """A Kanban project with a month of history (one or three cards finished a working
    day), an epic Login with 6 open cards, an epic Legacy whose only card is done, and a
    milestone Beta on Login on Friday 18 April; today is Monday 14 April 2025."""
    clock = Clock(dt.datetime(2025, 3, 2, 10, tzinfo=dt.UTC))
    services.context.clock = clock
    project = services.projects.create_project("TF", "Forecast", "kanban")
    done = next(c.id for c in services.workflow.list_columns(project.id) if c.category == "done")
    login = services.cards.create_card(project.id, "Login", type="epic")
    legacy = services.cards.create_card(project.id, "Legacy", type="epic")
    old = services.cards.create_card(project.id, "Old form", parent_id=legacy.id)
    for i in range(6):
        services.cards.create_card(project.id, f"Login {i}", parent_id=login.id)
    finished = [services.cards.create_card(project.id, f"Done {i}").id for i in range(60)]
    for n, day in enumerate(working_days(dt.date(2025, 3, 3), 30)):
        clock.now = dt.datetime.combine(day, dt.time(15), dt.UTC)
        for card_id in finished[2 * n : 2 * n + (1 if n % 2 else 3)]:
            services.board.move_card(card_id, done)
    services.board.move_card(old.id, done)
    clock.now = dt.datetime(2025, 4, 14, 9, tzinfo=dt.UTC)
    # The project row is dated by the database (today), so the milestone goes in directly.
    with services.context.writer() as session:
        row = Milestone(project_id=project.id, name="Beta", day=dt.date(2025, 4, 18))
        session.add(row)
        session.flush()
        session.add(MilestoneScope(milestone_id=row.id, card_id=login.id))
        session.commit()
        beta_id = row.id
    beta = services.plans.get_milestone(beta_id)
    return services, project, login, legacy, beta


def open_timeline(window, qtbot, key: str = "TF") -> TimelinePage:  # type: ignore[no-untyped-def]
    window.select_project(key)
    qtbot.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    page = window.pages.page("timeline")
    assert isinstance(page, TimelinePage)
    return page


def click(qtbot, page: TimelinePage, kind: str, ident: int) -> None:  # type: ignore[no-untyped-def]
    item = page.canvas.layout_.find(kind, ident)
    qtbot.mouseClick(page.canvas, Qt.MouseButton.LeftButton, pos=item.rect.center().toPoint())


def test_clicking_a_bar_shows_its_dates_and_histogram(history, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, project, login, _legacy, _beta = history
    page = open_timeline(make_window(services), qtbot)
    panel = page.panel
    assert panel.message.isVisible() and panel.message.text() == HINT
    assert not panel.histogram.isVisible()
    click(qtbot, page, "epic", login.id)
    expected = services.forecasts.timeline(
        project.id, seed=FORECAST_SEED, trials=FORECAST_TRIALS
    ).epics[login.id]
    assert panel.title.text() == "TF-1 Login"
    assert panel.cards.text() == "6 open cards"
    for confidence in (50, 70, 85, 95):
        assert panel.dates[confidence].text() == short_day(expected.dates[confidence])
        assert panel.days[confidence].text().startswith(f"in {expected.days[confidence]} ")
    assert panel.dates[85].isVisible() and not panel.message.isVisible()
    assert not panel.odds.isVisible()  # an epic has no date to make
    histogram = panel.histogram
    assert histogram.isVisible() and histogram.bins == expected.bins
    assert sum(b.trials for b in histogram.bins) == FORECAST_TRIALS
    assert histogram.p85 == (expected.days[85], expected.dates[85])
    histogram.grab()  # paints it: one bar a bin, each with its tooltip
    assert len(histogram.chart.regions) == len(expected.bins)
    assert bin_tooltip(histogram.bins, 0, FORECAST_TRIALS).endswith(
        f"{expected.bins[0].trials:,} of 2,000 trials finish ({expected.bins[0].trials / 2000:.0%})"
    )
    # The bar is drawn selected; a click on an empty day clears it.
    assert page.canvas.selection == ("epic", login.id)
    layout = page.canvas.layout_
    empty = QPoint(5, int(layout.height) - 3)  # below the last bar, before the first
    assert layout.item_at(QPointF(empty)) is None
    qtbot.mouseClick(page.canvas, Qt.MouseButton.LeftButton, pos=empty)
    assert page.canvas.selection is None and panel.message.text() == HINT


def test_a_milestone_shows_its_odds_and_its_date_on_the_histogram(
    history, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    services, project, _login, _legacy, beta = history
    page = open_timeline(make_window(services), qtbot)
    click(qtbot, page, "milestone", beta.id)
    assert page.canvas.selected == beta.id
    expected = services.forecasts.timeline(
        project.id, seed=FORECAST_SEED, trials=FORECAST_TRIALS
    ).milestones[beta.id]
    panel = page.panel
    assert panel.title.text() == "◆ Beta, 18 Apr 2025"
    assert panel.odds.isVisible()
    assert panel.odds.text() == f"{round(expected.chance * 100)}% chance by 18 Apr 2025"
    assert 0 < expected.chance < 1  # 6 cards at one or three a day: Friday is a coin toss
    assert panel.dates[95].text() == short_day(expected.dates[95])
    assert panel.histogram.deadline == (4, dt.date(2025, 4, 18), "Beta")


def test_up_and_down_walk_the_selection_and_esc_clears_it(history, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, _project, login, legacy, beta = history
    page = open_timeline(make_window(services), qtbot)
    canvas = page.canvas
    click(qtbot, page, "milestone", beta.id)
    assert canvas.hasFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    assert canvas.selection == ("epic", login.id)
    assert page.panel.title.text() == "TF-1 Login"
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    assert canvas.selection == ("epic", legacy.id)
    qtbot.keyClick(canvas, Qt.Key.Key_Down)  # the last one stays selected
    assert canvas.selection == ("epic", legacy.id)
    qtbot.keyClick(canvas, Qt.Key.Key_Up)
    qtbot.keyClick(canvas, Qt.Key.Key_Up)
    assert canvas.selection == ("milestone", beta.id)
    assert page.panel.odds.isVisible()
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.selection is None
    assert page.panel.message.text() == HINT and not page.panel.odds.isVisible()
    qtbot.keyClick(canvas, Qt.Key.Key_Down)  # from nothing: the first
    assert canvas.selection == ("milestone", beta.id)


def test_an_epic_with_nothing_left_says_why_in_one_line(history, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, project, _login, legacy, _beta = history
    page = open_timeline(make_window(services), qtbot)
    click(qtbot, page, "epic", legacy.id)
    panel = page.panel
    reason = services.forecasts.timeline(project.id).why_not("epic", legacy.id)
    assert reason == "Every card of this epic is done: nothing left to forecast."
    assert panel.title.text() == "TF-2 Legacy"
    assert panel.cards.text() == "0 open cards"
    assert panel.message.isVisible() and panel.message.text() == reason
    assert not panel.dates[50].isVisible() and not panel.histogram.isVisible()


def test_without_history_the_panel_says_what_the_service_says(services, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(dt.datetime(2025, 3, 2, 10, tzinfo=dt.UTC))
    services.context.clock = clock
    project = services.projects.create_project("NH", "No history")
    epic = services.cards.create_card(project.id, "Epic", type="epic")
    services.cards.create_card(project.id, "Open", parent_id=epic.id)
    clock.now = dt.datetime(2025, 3, 20, 9, tzinfo=dt.UTC)  # 13 working days, none finished
    page = open_timeline(make_window(services), qtbot, "NH")
    click(qtbot, page, "epic", epic.id)
    note = services.forecasts.timeline(project.id).note
    assert note.startswith("No card was finished in the last")
    assert page.panel.message.text() == note
    assert "\n" not in note and not page.panel.histogram.isVisible()


def test_a_deleted_milestone_leaves_the_panel_with_the_hint(history, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    services, _project, _login, _legacy, beta = history
    page = open_timeline(make_window(services), qtbot)
    click(qtbot, page, "milestone", beta.id)
    qtbot.keyClick(page.canvas, Qt.Key.Key_Delete)
    assert page.canvas.layout_.of_kind("milestone") == []
    assert page.canvas.selection is None and page.panel.message.text() == HINT


def test_the_splitter_sizes_the_panel_and_the_next_window_keeps_it(
    history, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    services = history[0]
    window = make_window(services, scope=None)
    window.resize(1280, 720)
    page = open_timeline(window, qtbot)
    splitter = page.splitter
    qtbot.waitUntil(lambda: page.panel.width() > 0)
    before = page.panel.width()
    handle = splitter.handle(1)
    middle = QPointF(handle.rect().center())

    def send(kind: QEvent.Type, at: QPointF, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(kind, at, handle.mapToGlobal(at), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(handle, event)

    # A person drags the handle 150 pixels to the left: the panel widens by as much.
    send(QEvent.Type.MouseButtonPress, middle, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseMove, middle - QPointF(150, 0), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, middle - QPointF(150, 0), Qt.MouseButton.NoButton)
    assert page.panel.width() == pytest.approx(before + 150, abs=2)
    wider = splitter.sizes()
    window.close()
    again = make_window(services, scope=None)
    again.resize(1280, 720)
    page = open_timeline(again, qtbot)
    qtbot.waitUntil(lambda: page.panel.width() > 0)
    assert page.splitter.sizes() == wider


def test_a_refused_forecast_is_said_on_the_panel(history, make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.errors import ValidationError

    services, _project, login, _legacy, _beta = history

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError("The history window is 30 to 90 working days, not 7.")

    monkeypatch.setattr(services.forecasts, "timeline", refuse)
    page = open_timeline(make_window(services), qtbot)
    click(qtbot, page, "epic", login.id)
    assert page.panel.message.text() == "The history window is 30 to 90 working days, not 7."
    assert page.canvas.layout_.find("epic", login.id).marks == ()  # a plain bar, no guess
