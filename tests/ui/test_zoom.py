"""Zoom for the shared screen: the keys make cards and their text bigger or smaller, the
factor is remembered for the screen the window is on, and Ctrl+0 puts it back."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence

from app.ui.board.delegate import CARD_HEIGHT
from app.ui.zoom import ZOOM_STEPS, clamp_zoom, screen_key
from tests.ui.helpers import column_named

CTRL = Qt.KeyboardModifier.ControlModifier


def card_row_height(window) -> int:  # type: ignore[no-untyped-def]
    _column, models = column_named(window, "In Progress")
    view = window.board.view_for_model(models[0])
    return view.visualRect(models[0].index(0, 0)).height()


def column_width(window) -> int:  # type: ignore[no-untyped-def]
    _column, models = column_named(window, "In Progress")
    return window.board.view_for_model(models[0]).width()


def test_keys_zoom_cards_and_text_in_and_out_and_reset(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    base_height = card_row_height(window)
    base_font = window.board.font().pointSizeF()
    assert base_height == CARD_HEIGHT

    qtbot.keyClick(window.board, Qt.Key.Key_Equal, CTRL)
    qtbot.keyClick(window.board, Qt.Key.Key_Equal, CTRL)
    assert window.zoom.factor == 1.3
    assert card_row_height(window) == round(CARD_HEIGHT * 1.3)
    assert window.board.font().pointSizeF() == base_font * 1.3
    header = window.board.column_parts()[0][1]
    assert "14.3pt" in header.name_label.styleSheet()

    qtbot.keyClick(window.board, Qt.Key.Key_Minus, CTRL)
    assert window.zoom.factor == 1.15
    assert card_row_height(window) < round(CARD_HEIGHT * 1.3)

    qtbot.keyClick(window.board, Qt.Key.Key_0, CTRL)
    assert window.zoom.factor == 1.0
    assert card_row_height(window) == base_height
    assert window.board.font().pointSizeF() == base_font


def test_the_zoom_is_in_the_view_menu(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    view_menu = window.menus["view"]
    texts = [a.text() for a in view_menu.actions()]
    assert {"Zoom &in", "Zoom &out", "&Actual size"} <= set(texts)
    zoom_in = window.named_actions["view.zoom_in"]
    assert [k.toString() for k in zoom_in.shortcuts()] == ["Ctrl+=", "Ctrl++"]
    assert window.named_actions["view.zoom_reset"].shortcuts() == [QKeySequence("Ctrl+0")]
    zoom_in.trigger()
    assert window.zoom.factor == 1.15


def test_the_zoom_is_remembered_for_the_screen(demo, make_window, settings_path, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    narrow = column_width(window)
    for _ in range(3):
        qtbot.keyClick(window.board, Qt.Key.Key_Equal, CTRL)
    assert window.zoom.factor == 1.5
    key = screen_key(window.screen())
    assert key.startswith("zoom/") and "x" in key
    window.close()
    saved = QSettings(str(settings_path), QSettings.Format.IniFormat)
    assert float(saved.value(key)) == 1.5

    again = make_window(demo)
    assert again.zoom.factor == 1.5
    assert card_row_height(again) == round(CARD_HEIGHT * 1.5)
    assert column_width(again) >= narrow  # the columns grew with their cards
    # Another screen (another name or size) keeps its own zoom: the default here.
    assert saved.value("zoom/elsewhere 640x480") is None


def test_columns_share_a_wide_window_and_scroll_below_their_minimum(
    demo, make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    window.resize(2560, 1440)
    window.show()
    widths = [
        window.board.view_for_model(m[0]).width() for _c, _h, m in window.board.column_parts()
    ]
    assert min(widths) > 560  # four columns over 2,560 px: no 420 px cap and wide gaps
    window.resize(700, 600)
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    # The cards narrowed with their lists (a card wider than its list could not be hit).
    _column, models = column_named(window, "In Progress")
    view = window.board.view_for_model(models[0])
    qtbot.waitUntil(
        lambda: view.visualRect(models[0].index(0, 0)).width() <= view.viewport().width()
    )
    scroll = window.board._scroll
    assert scroll.horizontalScrollBar().maximum() > 0  # too narrow: scroll sideways


def test_a_stored_zoom_is_read_safely() -> None:
    assert clamp_zoom("1.5") == 1.5
    assert clamp_zoom("nonsense") == 1.0
    assert clamp_zoom(None) == 1.0
    assert clamp_zoom("nan") == 1.0
    assert clamp_zoom(99) == ZOOM_STEPS[-1]
    assert clamp_zoom(-3) == ZOOM_STEPS[0]
