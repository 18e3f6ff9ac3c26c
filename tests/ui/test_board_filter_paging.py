"""A filtered board without lanes stays paged (issue 19): typing in the filter box shows
each column's first page of matches, read from the database, and the header's "N of M
cards" counted there; scrolling fetches more matches; the store never reads every card;
cards edited to match or not enter and leave the lists; clearing the filter brings the
unfiltered pages back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.services import Services
from app.ui.board.model import PAGE_SIZE, CardListModel
from tests.ui.helpers import column_named, keys_in

CARDS = 250  # in To Do: every other one a "fix" card, 2 points each


@pytest.fixture
def fix_board(services: Services):  # type: ignore[no-untyped-def]
    """Project FXP: 250 cards in To Do, the odd-numbered ones titled "fix ...", and two
    "fix" cards done."""
    project = services.projects.create_project("FXP", "Filter pages")
    for i in range(1, CARDS + 1):
        title = f"fix thing {i}" if i % 2 else f"other thing {i}"
        services.cards.create_card(project.id, title, points=2)
    done = next(c for c in services.workflow.list_columns(project.id) if c.category == "done")
    for title in ("fix done early", "fix done late"):
        card = services.cards.create_card(project.id, title, points=1)
        services.board.move_card(card.id, done.id)
    return services


def todo(window) -> tuple[CardListModel, object, object]:  # type: ignore[no-untyped-def]
    column, models = column_named(window, "To Do")
    header = next(h for c, h, _m in window.board.column_parts() if c.id == column.id)
    return models[0], header, window.board.view_for_model(models[0])


def counted(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the filter's count (it comes from a worker thread)."""
    qtbot.waitUntil(lambda: not window.board.counting)


def fix_keys(first: int, last: int) -> list[str]:
    return [f"FXP-{i}" for i in range(first, last + 1) if i % 2]


def test_typing_shows_a_page_of_matches_and_exact_figures(make_window, fix_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(fix_board)
    model, header, view = todo(window)
    assert header.stats_label.text() == "250 cards · 500 pts"
    qtbot.keyClicks(window.filter_edit, "fix")
    counted(window, qtbot)
    # the first page of the matches, in rank order, and the count of all of them
    assert model.rowCount() == PAGE_SIZE
    assert keys_in(window, "To Do") == fix_keys(1, 199)
    assert header.stats_label.text() == "125 of 250 cards · 250 pts"
    assert keys_in(window, "Done") == ["FXP-252", "FXP-251"]  # newest finished first
    done_header = next(h for c, h, _m in window.board.column_parts() if c.category == "done")
    assert done_header.stats_label.text() == "2 of 2 cards · 2 pts"
    assert not window.store.complete  # no card read beyond the pages
    # scrolled to the end: the rest of the matches
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > bar.value())
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: model.rowCount() == 125)
    assert keys_in(window, "To Do") == fix_keys(1, CARDS)
    assert not model.canFetchMore(view.rootIndex())
    assert header.stats_label.text() == "125 of 250 cards · 250 pts"
    assert not window.store.complete
    # more words narrow: each anywhere in the card ("1" in its key or title)
    qtbot.keyClicks(window.filter_edit, " thing 1")
    counted(window, qtbot)
    wanted = [f"FXP-{i}" for i in range(1, CARDS + 1) if i % 2 and "1" in str(i)]
    assert keys_in(window, "To Do") == wanted
    assert header.stats_label.text() == f"{len(wanted)} of 250 cards · {2 * len(wanted)} pts"
    assert not window.store.complete


def test_clearing_the_filter_brings_the_pages_back(make_window, fix_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(fix_board)
    model, header, view = todo(window)
    qtbot.keyClicks(window.filter_edit, "other")
    counted(window, qtbot)
    assert header.stats_label.text() == "125 of 250 cards · 250 pts"
    window.filter_edit.clear()
    assert header.stats_label.text() == "250 cards · 500 pts"
    assert keys_in(window, "To Do") == [f"FXP-{i}" for i in range(1, PAGE_SIZE + 1)]
    assert model.canFetchMore(view.rootIndex())
    assert not window.store.complete and not window.board.counting


def test_the_assignee_type_and_label_filters_page_too(make_window, fix_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(fix_board)
    project = fix_board.projects.find_project("FXP")
    mei = fix_board.projects.add_member(project.id, "Mei Paged")
    for number in (7, 240):  # one on the first page, one far beyond it
        card = fix_board.cards.find_card(f"FXP-{number}")
        fix_board.cards.update_card(card.id, {"assignee_id": mei.id})
    combo = window.assignee_combo
    qtbot.waitUntil(lambda: combo.findText("Mei Paged") >= 0)
    combo.setCurrentIndex(combo.findText("Mei Paged"))
    counted(window, qtbot)
    _model, header, _view = todo(window)
    assert keys_in(window, "To Do") == ["FXP-7", "FXP-240"]
    assert header.stats_label.text() == "2 of 250 cards · 4 pts"
    window.type_combo.setCurrentIndex(window.type_combo.findData("bug"))
    counted(window, qtbot)
    assert keys_in(window, "To Do") == []
    assert header.stats_label.text() == "0 of 250 cards · 0 pts"
    assert not window.store.complete


def test_cards_edited_while_filtered_enter_and_leave_their_list(
    make_window, fix_board, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(fix_board)
    model, header, _view = todo(window)
    qtbot.keyClicks(window.filter_edit, "fix")
    counted(window, qtbot)
    # a shown match stops matching: it leaves, the count follows without a query
    leaving = fix_board.cards.find_card("FXP-3")
    with qtbot.waitSignal(model.rowsRemoved):
        fix_board.cards.update_card(leaving.id, {"title": "mended thing 3"})
    assert "FXP-3" not in keys_in(window, "To Do")
    assert header.stats_label.text() == "124 of 250 cards · 248 pts"
    # a card among the pages' range starts matching: it enters in rank order
    entering = fix_board.cards.find_card("FXP-4")
    with qtbot.waitSignal(model.rowsInserted):
        fix_board.cards.update_card(entering.id, {"title": "fix thing 4 too"})
    assert keys_in(window, "To Do")[:3] == ["FXP-1", "FXP-4", "FXP-5"]
    assert header.stats_label.text() == "125 of 250 cards · 250 pts"
    # a card further down that the board never read starts matching: counted again
    far = fix_board.cards.find_card("FXP-246")
    fix_board.cards.update_card(far.id, {"title": "fix thing 246"})
    qtbot.waitUntil(lambda: header.stats_label.text() == "126 of 250 cards · 252 pts")
    assert not window.board.counting
    assert model.rowCount() == PAGE_SIZE  # beyond the page: a later page reads it
    assert not window.store.complete


def test_a_filtered_page_passes_the_model_tester(
    make_window, fix_board, qtbot, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(fix_board)
    model, _header, view = todo(window)
    qtbot.keyClicks(window.filter_edit, "fix")
    counted(window, qtbot)
    qtmodeltester.check(model)
    model.fetchMore(view.rootIndex())
    qtmodeltester.check(model)
    assert model.index(0, 0).data(Qt.ItemDataRole.DisplayRole) == "FXP-1 fix thing 1"


def test_a_count_made_stale_by_the_next_keystroke_is_skipped(fix_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The matches are counted on one worker thread: while it counts "f", "fi" and "fix"
    are asked; "fi" is skipped when its turn comes (nobody shows it any more); "f" (under
    way) and "fix" are counted, kept and handed over (the board takes its own)."""
    import threading

    from app.services.dto import CardMatch
    from app.ui.store import BoardStore

    services = fix_board
    project = services.projects.find_project("FXP")
    real = services.board.column_figures
    entered, release = threading.Event(), threading.Event()
    counted_texts: list[str] = []

    def slow(project_id, sprint_id=None, **kw):  # type: ignore[no-untyped-def]
        text = kw["matching"].text
        if text == "f":
            entered.set()
            release.wait(10)  # the thread is busy with "f" while the others are asked
        counted_texts.append(text)
        return real(project_id, sprint_id, **kw)

    services.board.column_figures = slow  # type: ignore[method-assign]
    store = BoardStore(services)
    try:
        store.load(project.id)
        heard: list[str] = []
        store.matches_counted.connect(lambda _s, matching, _f: heard.append(matching.text))
        assert store.count_matches(None, CardMatch("f")) is None  # on its way
        assert entered.wait(10)  # the thread counts "f" now
        for text in ("fi", "fix"):
            assert store.count_matches(None, CardMatch(text)) is None
        release.set()
        qtbot.waitUntil(lambda: heard == ["f", "fix"])
        assert counted_texts == ["f", "fix"]  # "fi" skipped
        figures = store.count_matches(None, CardMatch("fix"))
        todo = services.workflow.list_columns(project.id)[0]
        assert figures is not None and figures[todo.id].count == CARDS // 2
    finally:
        store.close()
