"""Helpers for driving the GUI in tests."""

from __future__ import annotations

import warnings

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.services.dto import CardDTO, ColumnDTO
from app.ui.board.model import CardListModel
from app.ui.mainwindow import MainWindow


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
    # What the board shows first: asking the store for every card reads them all (a
    # board opens with a page of each column), which a test must not do by the way.
    for _column, _header, models in window.board.column_parts():
        for model in models:
            for card in model.cards():
                if card.key == key:
                    return card
    for card in window.store.cards():
        if card.key == key:
            return card
    raise AssertionError(f"no card {key} on the board")


def drop_card(
    window: MainWindow, key: str, column: str, row: int | None = None, lane: str | None = None
) -> None:
    """Drop a card on a column's list the way Qt delivers a drop: drag-move, then drop.

    QDrag cannot run offscreen, so the drag source's mime data is built by the source model
    and the events are sent to the target view's viewport at the pixel of ``row``. ``lane``:
    the swimlane (its title) to drop into; the first lane otherwise.
    """
    card = card_by_key(window, key)
    found = window.board.view_for(card.id)
    assert found is not None
    source_view, source_row = found
    source_model = source_view.model()
    mime = source_model.mimeData([source_model.index(source_row, 0)])
    _column, models = column_named(window, column)
    target_model = models[0 if lane is None else window.board.lane_titles().index(lane)]
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
    send_drop(viewport, pos, mime, what="the column")


def _drag_event(cls, pos: QPoint, mime: QMimeData):  # type: ignore[no-untyped-def]
    """A drag event at ``pos``, whichever point type this PySide6 version takes: 6.12
    deprecates the QPoint constructors in favour of QPointF, 6.11 and older only have QPoint."""
    args = (mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return cls(pos.toPointF(), Qt.DropAction.MoveAction, *args)
        except TypeError:
            return cls(pos, Qt.DropAction.MoveAction, *args)


def send_drop(widget: QWidget, pos: QPoint, mime: QMimeData, what: str = "the target") -> None:
    """Drag-enter, drag-move and drop at ``pos`` of a viewport, as Qt delivers them (Qt routes
    DragMove and Drop to the widget that accepted the DragEnter)."""
    enter = _drag_event(QDragEnterEvent, pos, mime)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), f"{what} refused the drag"
    move = _drag_event(QDragMoveEvent, pos, mime)
    QApplication.sendEvent(widget, move)
    assert move.isAccepted(), f"{what} refused the drag here"
    QApplication.sendEvent(widget, _drag_event(QDropEvent, pos, mime))


def select(window: MainWindow, key: str) -> None:
    card = card_by_key(window, key)
    assert window.board.select_card(card.id)


def valid(index: QModelIndex) -> bool:
    return index.isValid()


def with_dialog(fill):  # type: ignore[no-untyped-def]
    """Operate the next modal dialog as a person would, once it is open: call this, then do
    what opens the dialog (its exec() runs the event loop that calls ``fill``)."""
    from PySide6.QtCore import QTimer

    seen: list[object] = []

    def handle() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, handle)
            return
        seen.append(dialog)
        fill(dialog)

    QTimer.singleShot(0, handle)
    return seen
