"""The Sprint page: the active sprint's goal, figures and burndown over its own board."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from app.ui.board_view import BoardView
from app.ui.store import BoardStore

if TYPE_CHECKING:
    from app.services import Services
    from app.ui.sprint_view import SprintView


class SprintPage(QSplitter):
    """A :class:`SprintView` (built on first use: :attr:`view`) over ``board``, which shows
    the active sprint's cards (and hides while there is no active sprint)."""

    def __init__(
        self, services: Services, store: BoardStore, board: BoardView, parent: QWidget
    ) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("sprintPage")
        self._services = services
        self._store = store
        self._view: SprintView | None = None
        active = store.active_sprint
        board.set_sprint_scope(active.id if active is not None else -1, rebuild=False)
        board.rebuild()
        board.setVisible(active is not None)
        self.addWidget(board)
        self.board = board

    @property
    def view(self) -> SprintView:
        """The sprint's goal, figures and burndown, built the first time it is wanted."""
        if self._view is None:
            from app.ui.sprint_view import SprintView

            view = SprintView(self._services, self._services.charts, self._store, self)
            view.sprints_changed.connect(self._store.reload)
            self.insertWidget(0, view)
            self.setStretchFactor(0, 2)
            self.setStretchFactor(1, 3)
            self._view = view
        return self._view
