"""A long column shows a page of its cards and fetches the next as it is scrolled; the
header counts all of them (from SQL) whatever is fetched; a card further down is brought
into view when it is selected by key."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.services import Services
from app.ui.board.model import PAGE_SIZE, CardListModel
from app.ui.paging import RowsBeyond
from tests.ui.helpers import card_by_key, column_named, keys_in

CARDS = 250


@pytest.fixture
def long_board(services: Services):  # type: ignore[no-untyped-def]
    """Project LONG: 250 cards of 2 points in To Do, nothing elsewhere."""
    project = services.projects.create_project("LONG", "Long column")
    for i in range(CARDS):
        services.cards.create_card(project.id, f"card {i + 1}", points=2)
    return services


def todo(window) -> tuple[CardListModel, object, object]:  # type: ignore[no-untyped-def]
    column, models = column_named(window, "To Do")
    header = next(h for c, h, _m in window.board.column_parts() if c.id == column.id)
    return models[0], header, window.board.view_for_model(models[0])


def test_a_long_column_fetches_its_pages_as_it_scrolls(make_window, long_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(long_board)
    model, header, view = todo(window)
    assert header.stats_label.text() == "250 cards · 500 pts"
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore(view.rootIndex())
    assert not window.store.complete  # the board read a page per column, not every card
    seen = [model.rowCount()]
    stretch = view.findChild(RowsBeyond)
    while model.canFetchMore(view.rootIndex()):
        bar = view.verticalScrollBar()
        qtbot.waitUntil(lambda b=bar: stretch.real_maximum > b.value())  # laid out
        # what the wheel does at the end of the rows read: a notch into the rows beyond
        bar.setValue(stretch.real_maximum + 1)
        qtbot.waitUntil(lambda n=seen[-1]: model.rowCount() > n)
        seen.append(model.rowCount())
        assert header.stats_label.text() == "250 cards · 500 pts"
    assert seen == [100, 200, 250]
    shown = [model.index(row, 0).data(Qt.ItemDataRole.DisplayRole) for row in (0, 249)]
    assert shown == ["LONG-1 card 1", "LONG-250 card 250"]
    assert not model.canFetchMore(view.rootIndex()) and not window.store.complete


def test_a_card_on_page_three_is_selected_by_key(make_window, long_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(long_board)
    model, header, view = todo(window)
    card = long_board.cards.find_card("LONG-231")  # what a search by key finds
    assert model.rowCount() == PAGE_SIZE
    assert window.store.peek(card.id) == card and window.store.peek(-1) is None
    assert window.board.select_card(card.id)
    assert not window.store.complete
    assert model.rowCount() >= 231
    assert view.currentIndex().row() == 230
    assert window.board.current_card().key == "LONG-231"
    # moved by keys to the next column and back with undo: it comes back to its row
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert "LONG-231" in keys_in(window, "In Progress")
    assert header.stats_label.text() == "249 cards · 498 pts"
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert keys_in(window, "To Do")[230] == "LONG-231"
    assert header.stats_label.text() == "250 cards · 500 pts"


def test_changes_beyond_the_fetched_rows_change_no_row(make_window, long_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(long_board)
    model, header, _view = todo(window)
    doing = column_named(window, "In Progress")[0]
    far = long_board.cards.find_card("LONG-240")  # not read by the board yet
    with qtbot.assertNotEmitted(model.rowsRemoved):
        long_board.board.move_card(far.id, doing.id)
    assert model.rowCount() == PAGE_SIZE
    assert header.stats_label.text() == "249 cards · 498 pts"
    near = card_by_key(window, "LONG-5")
    with qtbot.waitSignal(model.rowsRemoved):
        long_board.board.move_card(near.id, doing.id)
    assert model.rowCount() == PAGE_SIZE - 1
    assert keys_in(window, "In Progress") == ["LONG-240", "LONG-5"]
    assert header.stats_label.text() == "248 cards · 496 pts"
    # back to the top of To Do: a new row among those fetched
    first = card_by_key(window, "LONG-1")
    with qtbot.waitSignal(model.rowsInserted):
        long_board.board.move_card(near.id, model.card_at(0).column_id, before_id=first.id)
    assert model.rowCount() == PAGE_SIZE and keys_in(window, "To Do")[0] == "LONG-5"


def test_the_paged_model_passes_the_model_tester(make_window, long_board, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    window = make_window(long_board)
    model, _header, view = todo(window)
    qtmodeltester.check(model)
    model.fetchMore(view.rootIndex())
    qtmodeltester.check(model)


def test_reading_all_cards_tells_the_board_what_changed(make_window, long_board, db_path) -> None:  # type: ignore[no-untyped-def]
    """A card changed by another process before the change feed says so: the board shows
    the page it read; when something reads every card, the board hears of the change."""
    from tests.helpers import make_runtime

    window = make_window(long_board)
    _model, header, _view = todo(window)
    other = make_runtime("sqlite:///" + str(db_path))
    try:
        card = other.services.cards.find_card("LONG-3")
        other.services.board.move_card(card.id, column_named(window, "Done")[0].id)
    finally:
        other.close()
    assert keys_in(window, "To Do")[2] == "LONG-3"  # not heard of yet
    window.store.cards()  # e.g. the backlog opened
    assert window.store.complete
    assert "LONG-3" not in keys_in(window, "To Do") and keys_in(window, "Done") == ["LONG-3"]
    assert header.stats_label.text() == "249 cards · 498 pts"


def test_the_board_shows_all_its_cards_to_an_export(make_window, long_board) -> None:  # type: ignore[no-untyped-def]
    """An export of the board is of every card it shows, not of the pages read."""
    window = make_window(long_board)
    model, _header, _view = todo(window)
    assert model.rowCount() == PAGE_SIZE
    keys = [c.key for c in window.board.shown_cards()]
    assert keys == [f"LONG-{i}" for i in range(1, CARDS + 1)]


def test_moving_the_last_row_read_down_reads_the_next_page(make_window, long_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(long_board)
    model, _header, view = todo(window)
    last = model.card_at(PAGE_SIZE - 1)
    assert window.board.select_card(last.id)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert keys_in(window, "To Do")[PAGE_SIZE - 1 : PAGE_SIZE + 1] == ["LONG-101", "LONG-100"]


def test_the_scroll_bar_stands_for_the_whole_column(make_window, long_board, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A page read, but the bar's range is every card's row: its thumb says how far down
    the column one is. Dragged to the end, the list reads down to the last card."""
    window = make_window(long_board)
    model, _header, view = todo(window)
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    row = view.sizeHintForRow(0)
    assert model.rowCount() == PAGE_SIZE
    whole = CARDS * row - view.viewport().height()
    assert abs(bar.maximum() - whole) <= row, (bar.maximum(), whole)
    bar.setValue(bar.maximum())  # the thumb dragged to the bottom
    assert model.rowCount() == CARDS and not window.store.complete
    last = model.index(CARDS - 1, 0)
    assert last.data(Qt.ItemDataRole.DisplayRole) == "LONG-250 card 250"
    qtbot.waitUntil(lambda: view.viewport().rect().intersects(view.visualRect(last)))
    assert abs(bar.maximum() - whole) <= row  # the same range, now of rows read


def test_move_to_the_ends_of_a_long_column_reads_no_column(make_window, long_board) -> None:  # type: ignore[no-untyped-def]
    """The card menu's "Move to bottom of column" puts a card after the column's last card,
    which the list has not read; "top" back before the first. The store stays partial."""
    window = make_window(long_board)
    model, header, _view = todo(window)
    card = model.card_at(3)
    menu = window.card_menu(card)
    bottom = next(a for a in menu.actions() if a.text() == "Move to &bottom of column")
    assert bottom.isEnabled()
    bottom.trigger()
    ranked = sorted(long_board.cards.list_cards(card.project_id), key=lambda c: c.rank)
    assert ranked[-1].id == card.id
    assert card.key not in keys_in(window, "To Do")  # below the rows read now
    assert header.stats_label.text() == "250 cards · 500 pts"
    assert not window.store.complete
    other = model.card_at(5)
    menu = window.card_menu(other)
    next(a for a in menu.actions() if a.text() == "Move to t&op of column").trigger()
    assert keys_in(window, "To Do")[0] == other.key
    assert not window.store.complete
    window.undo_action.trigger()
    window.undo_action.trigger()  # the bottom move undone: back in its row
    assert keys_in(window, "To Do")[:5] == ["LONG-1", "LONG-2", "LONG-3", "LONG-4", "LONG-5"]
