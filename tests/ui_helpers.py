"""Helpers for driving the GUI in tests."""

from __future__ import annotations

import warnings

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.services.dto import CardDTO, ColumnDTO
from app.ui.board_model import CardListModel
from app.ui.main_window import MainWindow


def column_named(window: MainWindow, name: str) -> tuple[ColumnDTO, list[CardListModel]]:
    for column, _header, models in window.board.column_parts():
        if column.name == name:
            return column, models
    raise AssertionError(f"no column {name}")


def keys_in(window: MainWindow, name: str) -> list[str]:
    """What a person reads down a column (all lanes, top to bottom)."""
    _column, models = column_named(window, name)
    return [card.key for model in models for card in model.cards()]


def card_by_key(window: MainWindow, key: str) -> CardDTO:
    for card in window.store.cards():
        if card.key == key:
            return card
    raise AssertionError(f"no card {key} on the board")


def drop_card(window: MainWindow, key: str, column: str, row: int | None = None) -> None:
    """Drop a card on a column's list the way Qt delivers a drop: drag-move, then drop.

    QDrag cannot run offscreen, so the drag source's mime data is built by the source model
    and the events are sent to the target view's viewport at the pixel of ``row``.
    """
    card = card_by_key(window, key)
    found = window.board.view_for(card.id)
    assert found is not None
    source_view, source_row = found
    source_model = source_view.model()
    mime = source_model.mimeData([source_model.index(source_row, 0)])
    _column, models = column_named(window, column)
    target_model = models[0]
    target_view = window.board.view_for_model(target_model)
    viewport = target_view.viewport()
    if row is None or row >= target_model.rowCount():
        target_view.scrollToBottom()
        if target_model.rowCount():
            last = target_view.visualRect(target_model.index(target_model.rowCount() - 1, 0))
            pos = QPoint(last.center().x(), min(last.bottom() + 8, viewport.height() - 2))
        else:
            pos = QPoint(viewport.width() // 2, 10)
    else:
        target_view.scrollTo(target_model.index(row, 0))
        rect = target_view.visualRect(target_model.index(row, 0))
        pos = QPoint(rect.center().x(), rect.top() + 2)
    actions = Qt.DropAction.MoveAction
    # Qt routes DragMove and Drop to the widget that accepted the DragEnter.
    with warnings.catch_warnings():
        # PySide flags QDragEnterEvent's only constructor as deprecated; Qt 6 has no other.
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(
            pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted(), "the column refused the drag"
    move = QDragMoveEvent(
        pos.toPointF(), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(
        pos.toPointF(), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, drop)


def select(window: MainWindow, key: str) -> None:
    card = card_by_key(window, key)
    assert window.board.select_card(card.id)


def valid(index: QModelIndex) -> bool:
    return index.isValid()
