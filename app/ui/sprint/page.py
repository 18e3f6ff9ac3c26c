"""The Sprint page: the active sprint's goal, figures and burndown over its own board."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from app.ui.board.view import BoardView
from app.ui.store import BoardStore

if TYPE_CHECKING:
    from app.services import Services


class SprintPage(QSplitter):
    """The sprint's goal, figures and burndown (:attr:`view`) over a board from
    ``new_board()`` that shows the active sprint's cards (and hides while there is no
    active sprint). Made in the order they are shown, so that Tab goes from the sprint's
    buttons to its board."""

    def __init__(
        self,
        services: Services,
        store: BoardStore,
        new_board: Callable[[], BoardView],
        parent: QWidget,
    ) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("sprintPage")
        from app.ui.sprint.view import SprintView  # not needed for the first paint

        self.view = SprintView(services, services.charts, store, self)
        self.view.sprints_changed.connect(store.reload)
        self.addWidget(self.view)
        board = new_board()
        active = store.active_sprint
        board.set_sprint_scope(active.id if active is not None else -1, rebuild=False)
        board.rebuild()
        board.setVisible(active is not None)
        self.addWidget(board)
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)
        self.board = board
