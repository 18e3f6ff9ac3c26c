"""The board controls: the toolbar row under the pages (scope, swimlanes, filters) and
what it does to the boards (the Board page's and the Sprint page's)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QToolBar, QWidget

from app.ui.board.view import GROUPINGS, BoardFilter, BoardView
from app.ui.choices import CARD_TYPES
from app.ui.store import BoardStore

FILTER_TYPES = tuple(t for t in CARD_TYPES if t != "epic")  # epics are no board cards


class BoardControls(QObject):
    """The second toolbar row, shown only with a board (Board and Sprint pages).

    ``boards()``: the boards built so far, the main one first; ``sprint_board()``: the
    Sprint page's, if built. The scope choice is remembered in ``settings``
    (``board/scope``: the active sprint or all cards).
    """

    def __init__(
        self,
        parent: QWidget,
        store: BoardStore,
        settings: QSettings,
        clear_action: QAction,
        boards: Callable[[], tuple[BoardView, ...]],
        sprint_board: Callable[[], BoardView | None],
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings
        self._boards = boards
        self._sprint_board = sprint_board
        self._parent = parent
        self._clear_action = clear_action
        self._built = False
        self.toolbar: QToolBar  # and the row's widgets: made by build_toolbar()

    def build_toolbar(self) -> QToolBar:
        """The row's widgets, made after the Board page's so that the board comes first in
        the focus chain (it has the focus when the window opens)."""
        parent = self._parent
        bar = QToolBar("Board controls", parent)
        bar.setObjectName("filterToolbar")
        bar.setMovable(False)
        self.toolbar, self._built = bar, True
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("scopeCombo")
        self.scope_combo.setAccessibleName("Cards shown")
        self.scope_combo.setToolTip("A Scrum board shows the active sprint; switch to all cards")
        self.scope_combo.currentIndexChanged.connect(self._on_scope_chosen)
        self.scope_action = bar.addWidget(self.scope_combo)
        self._scope_separator = bar.addSeparator()
        bar.addWidget(QLabel(" Group "))
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("Swimlanes")
        for grouping in GROUPINGS:
            self.group_combo.addItem(
                "No swimlanes" if grouping == "none" else f"By {grouping}", grouping
            )
        self.group_combo.currentIndexChanged.connect(self._on_grouping_chosen)
        bar.addWidget(self.group_combo)
        bar.addSeparator()
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setPlaceholderText("Filter cards (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(200)
        self.filter_edit.setAccessibleName("Filter text")
        self.filter_edit.textChanged.connect(self.apply_filter)
        bar.addWidget(self.filter_edit)
        self.assignee_combo = QComboBox()
        self.assignee_combo.setAccessibleName("Assignee filter")
        self.label_combo = QComboBox()
        self.label_combo.setAccessibleName("Label filter")
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Type filter")
        self.type_combo.addItem("All types", None)
        for card_type in FILTER_TYPES:
            self.type_combo.addItem(card_type.capitalize(), card_type)
        for combo in (self.assignee_combo, self.label_combo, self.type_combo):
            combo.currentIndexChanged.connect(self.apply_filter)
            bar.addWidget(combo)
        bar.addAction(self._clear_action)
        return bar

    @property
    def main_board(self) -> BoardView:
        return self._boards()[0]

    def follow_page(self, on_main_board: bool, on_a_board: bool) -> None:
        """The row follows the page: scope only on the Board page of a Scrum project (the
        Sprint page always shows the active sprint), the rest with either board; nothing of
        it on the Backlog, Reports or welcome pages."""
        project = self._store.project
        scrum = project is not None and project.methodology == "scrum"
        self.toolbar.setVisible(on_a_board)
        self.scope_action.setVisible(on_main_board and scrum)
        self._scope_separator.setVisible(on_main_board and scrum)

    def sync(self, board: BoardView) -> None:
        """A board built late takes the grouping and filter the others show (before the row
        is built, the first board has them already: no swimlanes, no filter)."""
        if not self._built:
            return
        board.set_grouping(str(self.group_combo.currentData() or "none"))
        board.set_filter(self.current_filter())

    # --- scope ---------------------------------------------------------------------------

    def scopes(self) -> tuple[int | None, int | None]:
        """(the main board's sprint scope, the sprint page's) for the loaded board: Scrum
        boards show the active sprint unless the person chose all cards."""
        active = self._store.active_sprint
        show_active = active is not None and self._settings.value("board/scope", "active") != "all"
        return (active.id if show_active else None), (active.id if active is not None else -1)

    def preset_scopes(self) -> None:
        """Before the boards' own handlers: a loaded board is built once, in its scope."""
        main, sprint = self.scopes()
        self.main_board.set_sprint_scope(main, rebuild=False)
        sprint_board = self._sprint_board()
        if sprint_board is not None:
            sprint_board.set_sprint_scope(sprint, rebuild=False)

    def fill_scope_combo(self) -> None:
        """Scrum boards show the active sprint by default; Kanban boards have no sprints."""
        active = self._store.active_sprint
        main = self.scopes()[0]
        self.scope_combo.blockSignals(True)
        self.scope_combo.clear()
        if active is not None:
            self.scope_combo.addItem(f"Sprint: {active.name}", active.id)
        self.scope_combo.addItem("All cards", None)
        self.scope_combo.setCurrentIndex(0 if main is not None else self.scope_combo.count() - 1)
        self.scope_combo.blockSignals(False)

    def apply_scopes(self) -> None:
        main, sprint = self.scopes()
        self.main_board.set_sprint_scope(main)
        sprint_board = self._sprint_board()
        if sprint_board is not None:
            sprint_board.set_sprint_scope(sprint)
            sprint_board.setVisible(self._store.active_sprint is not None)

    def show_all_cards(self) -> None:
        self.scope_combo.setCurrentIndex(self.scope_combo.findData(None))

    def _on_scope_chosen(self, index: int) -> None:
        if index < 0:
            return
        sprint_id = self.scope_combo.itemData(index)
        self._settings.setValue("board/scope", "all" if sprint_id is None else "active")
        self.main_board.set_sprint_scope(sprint_id)

    # --- filters and grouping ------------------------------------------------------------

    def fill_filter_combos(self) -> None:
        assignee = self.assignee_combo.currentData()
        label = self.label_combo.currentData()
        for combo in (self.assignee_combo, self.label_combo):
            combo.blockSignals(True)
            combo.clear()
        self.assignee_combo.addItem("Everyone", None)
        self.assignee_combo.addItem("Unassigned", -1)
        for member in self._store.members:
            self.assignee_combo.addItem(member.display_name, member.id)
        self.label_combo.addItem("All labels", None)
        for lb in self._store.labels:
            self.label_combo.addItem(lb.name, lb.id)
        for combo, value in ((self.assignee_combo, assignee), (self.label_combo, label)):
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        self.apply_filter()

    def current_filter(self) -> BoardFilter:
        return BoardFilter(
            text=self.filter_edit.text(),
            assignee_id=self.assignee_combo.currentData(),
            label_id=self.label_combo.currentData(),
            card_type=self.type_combo.currentData(),
        )

    def apply_filter(self) -> None:
        for board in self._boards():
            board.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        self.filter_edit.clear()
        for combo in (self.assignee_combo, self.label_combo, self.type_combo):
            combo.setCurrentIndex(0)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _on_grouping_chosen(self, index: int) -> None:
        for board in self._boards():
            board.set_grouping(self.group_combo.itemData(index))
