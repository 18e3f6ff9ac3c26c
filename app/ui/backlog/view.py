"""The backlog: planned and active sprints above the ranked backlog, with an epics panel.

Every change goes through an undo command and comes back as a store notification. A card's
notification changes only the rows it affects (the selection, expansion and scroll position
stay as they are); a change of structure (sprints, the board, the epic filter, an epic
itself) rebuilds the tree from the store, restoring them.

(~730 lines: one view and the delegates and key handling of its one tree.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.services.dto import CardDTO, ColumnDTO, Figures, SprintDTO
from app.ui.backlog.model import (
    ASSIGNEE,
    COLUMNS,
    EPIC,
    POINTS,
    TITLE,
    BacklogModel,
    EpicListModel,
    Section,
)
from app.ui.choices import POINT_SCALE
from app.ui.commands import (
    CommandContext,
    CompoundCommand,
    CreateCardCommand,
    EditCardCommand,
    PlanCardsCommand,
    RankCardsCommand,
)
from app.ui.drags import drag_in_progress
from app.ui.pages import RefreshWhenShown
from app.ui.paging import RowsBeyond
from app.ui.store import BoardStore

if TYPE_CHECKING:
    from app.services import Services

Index = QModelIndex | QPersistentModelIndex
OPEN_SPRINT_STATES = ("active", "planned")
QUICK_ADD_HINT = "Add a card to the backlog… (Enter)"
KANBAN_NOTE = (
    "Kanban projects have no sprints: this is the ranked list of everything not yet done. "
    "Drag to re-rank; the board pulls work from the top."
)


class BacklogTree(QTreeView):
    """The sections and their cards. Ctrl+Home/Ctrl+End rank, Enter opens."""

    move_to_top_requested = Signal()
    move_to_bottom_requested = Signal()
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setUniformRowHeights(True)
        self.setAllColumnsShowFocus(True)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        """QAbstractItemView::startDrag, with changes from elsewhere held back meanwhile."""
        with drag_in_progress():
            super().startDrag(supported_actions)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """QWidget::keyPressEvent: the ranking keys and Enter, before the navigation keys."""
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() == Qt.Key.Key_Home:
            self.move_to_top_requested.emit()
            return
        if ctrl and event.key() == Qt.Key.Key_End:
            self.move_to_bottom_requested.emit()
            return
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            self.open_requested.emit()
            return
        super().keyPressEvent(event)


class PointsDelegate(QStyledItemDelegate):
    """An editable combo: the usual scale, empty for unestimated, or any number typed in."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        """QAbstractItemDelegate::createEditor."""
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItem("")
        combo.addItems(list(POINT_SCALE))
        combo.setAccessibleName("Story points")
        combo.setToolTip("Story points: pick or type; empty means unestimated")
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        """QAbstractItemDelegate::setEditorData."""
        assert isinstance(editor, QComboBox)
        editor.setEditText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        line = editor.lineEdit()
        if line is not None:
            line.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        """QAbstractItemDelegate::setModelData."""
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class AssigneeDelegate(QStyledItemDelegate):
    """A combo of the project's members and Unassigned."""

    def __init__(self, store: BoardStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        """QAbstractItemDelegate::createEditor."""
        combo = QComboBox(parent)
        combo.addItem("Unassigned", 0)
        for member in self._store.members:
            if member.active:
                combo.addItem(member.display_name, member.id)
        combo.setAccessibleName("Assignee")
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        """QAbstractItemDelegate::setEditorData."""
        assert isinstance(editor, QComboBox)
        found = editor.findData(index.data(Qt.ItemDataRole.EditRole) or 0)
        editor.setCurrentIndex(max(found, 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        """QAbstractItemDelegate::setModelData."""
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class BacklogView(RefreshWhenShown, QWidget):
    """Plan the work: rank the backlog, pull cards into sprints, estimate, group by epic."""

    open_requested = Signal(int)  # card id

    def __init__(
        self,
        store: BoardStore,
        services: Services,
        context: CommandContext,
        push: Callable[[QUndoCommand], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._done_for: tuple[ColumnDTO, ...] | None = None
        self._done_ids: frozenset[int] = frozenset()
        self._services = services
        self._context = context
        self._push = push
        self._sprints: list[SprintDTO] = []
        self._epic_id: int | None = None
        self._collapsed: set[int | None] = set()  # sprint ids (None: the backlog)

        self.model = BacklogModel(self)
        self.epic_model = EpicListModel(self)

        self.tree = BacklogTree(self)
        self.tree.setModel(self.model)
        # The scroll bar stands for the whole backlog, not just the pages read.
        self._bar = RowsBeyond(self.tree, self._rows_beyond, self.model.fetch_rows)
        self.tree.setAccessibleName("Backlog and sprints")
        self.tree.setItemDelegateForColumn(POINTS, PointsDelegate(self.tree))
        self.tree.setItemDelegateForColumn(ASSIGNEE, AssigneeDelegate(store, self.tree))
        self._size_columns()

        self.epic_list = QListView(self)
        self.epic_list.setModel(self.epic_model)
        self.epic_list.setAccessibleName("Epics")
        self.epic_list.setAcceptDrops(True)
        self.epic_list.setDropIndicatorShown(True)
        self.epic_list.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.epic_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.epic_list.setSpacing(2)
        # Every row two lines (the title, then key and points), elided rather than wrapped:
        # with uniform sizes the list lays out a project's thousand epics without asking
        # each one's size (the tooltip has the whole title).
        self.epic_list.setUniformItemSizes(True)
        self.epic_list.setWordWrap(False)
        self.epic_list.setTextElideMode(Qt.TextElideMode.ElideRight)

        self.kanban_note = QLabel(KANBAN_NOTE, self)
        self.kanban_note.setWordWrap(True)
        self.kanban_note.setObjectName("backlogKanbanNote")
        self.kanban_note.hide()

        self.quick_add = QLineEdit(self)
        self.quick_add.setPlaceholderText(QUICK_ADD_HINT)
        self.quick_add.setAccessibleName("Add a card to the backlog")
        self.quick_add.setClearButtonEnabled(True)

        epics_box = QWidget(self)
        epics_layout = QVBoxLayout(epics_box)
        epics_layout.setContentsMargins(0, 0, 0, 0)
        epics_title = QLabel("<b>Epics</b>", epics_box)
        epics_layout.addWidget(epics_title)
        epics_layout.addWidget(self.epic_list)
        hint = QLabel("Drop cards on an epic to add them to it.", epics_box)
        hint.setWordWrap(True)
        epics_layout.addWidget(hint)

        main = QWidget(self)
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.kanban_note)
        main_layout.addWidget(self.tree, 1)
        main_layout.addWidget(self.quick_add)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(epics_box)
        self.splitter.addWidget(main)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 900])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        self.model.drop_requested.connect(self._on_drop_requested)
        self.model.edit_requested.connect(self._on_edit_requested)
        self.epic_model.drop_requested.connect(self._on_epic_drop_requested)
        self.tree.move_to_top_requested.connect(self.move_to_top)
        self.tree.move_to_bottom_requested.connect(self.move_to_bottom)
        self.tree.open_requested.connect(self._on_open_current)
        self.tree.doubleClicked.connect(self._on_double_clicked)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self.tree.collapsed.connect(lambda i: self._collapsed.add(self._sprint_key(i)))
        self.tree.expanded.connect(lambda i: self._collapsed.discard(self._sprint_key(i)))
        self.epic_list.selectionModel().currentChanged.connect(self._on_epic_chosen)
        self.quick_add.returnPressed.connect(self._on_quick_add)

        # Hidden behind another page, the backlog only notes that it is stale and catches up
        # when shown: a board move must not pay for rebuilding a page nobody looks at.
        store.board_reset.connect(self._on_board_reset)
        store.card_added.connect(self._on_card_added)
        store.card_changed.connect(self._on_card_changed)
        store.card_moved.connect(self._on_card_changed)
        store.card_removed.connect(self._on_card_removed)
        store.figures_stale.connect(self._on_figures_stale)
        if store.project is not None:
            self.refresh()

    # --- public --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the sprints and rebuild everything (project switch, sprint changes)."""
        project = self._store.project
        self._sprints = []
        if project is not None and project.methodology != "kanban":
            self._sprints = self._services.sprints.list_sprints(
                project.id, states=OPEN_SPRINT_STATES
            )
            self._sprints.sort(key=lambda s: OPEN_SPRINT_STATES.index(s.state))
        if self._epic_id is not None and self._store.peek(self._epic_id) is None:
            self._epic_id = None
        self.kanban_note.setVisible(project is not None and project.methodology == "kanban")
        self.quick_add.setEnabled(project is not None)
        self._rebuild()

    def selected_cards(self) -> list[CardDTO]:
        """The selected cards in rank order."""
        selection = self.tree.selectionModel()
        cards = {}
        for index in selection.selectedRows(0):
            card = self.model.card_at(index)
            if card is not None:
                cards[card.id] = card
        return sorted(cards.values(), key=lambda c: c.rank)

    def select_cards(self, card_ids: list[int], reveal: bool = True) -> None:
        """Select these cards (and scroll to the first); ``reveal``: reading the backlog's
        pages down to any the tree has not read yet (else those are left out)."""
        for card_id in card_ids if reveal else ():
            if self.model.section_row_of_card(card_id) is None:
                card = self._store.peek(card_id)
                s_row = None if card is None else self._section_row_for(card)
                if card is not None and s_row is not None and self._passes(card):
                    self.model.reveal(s_row, card.rank)
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        first_index = QModelIndex()
        for card_id in card_ids:
            index = self.model.index_of(card_id)
            if index.isValid():
                selection.select(index, index.siblingAtColumn(last))
                if not first_index.isValid():
                    first_index = index
        model = self.tree.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        model.select(selection, flags.ClearAndSelect | flags.Rows)
        if first_index.isValid():
            model.setCurrentIndex(first_index, flags.NoUpdate)
            self.tree.scrollTo(first_index)

    def epic_filter(self) -> int | None:
        return self._epic_id

    def set_epic_filter(self, epic_id: int | None) -> None:
        self.epic_list.setCurrentIndex(self.epic_model.index(self.epic_model.row_of(epic_id)))
        self._epic_id = epic_id
        self._rebuild()

    def sprints(self) -> list[SprintDTO]:
        """The planned and active sprints shown, active first."""
        return list(self._sprints)

    # --- actions -------------------------------------------------------------------------

    def move_to_top(self) -> None:
        self._move_to_end(top=True)

    def move_to_bottom(self) -> None:
        self._move_to_end(top=False)

    def move_to_sprint(self, sprint_id: int | None) -> None:
        """Plan the selected cards into a sprint, or into the backlog (None)."""
        cards = [c for c in self.selected_cards() if c.sprint_id != sprint_id]
        if not cards:
            return
        name = next((s.name for s in self._sprints if s.id == sprint_id), None)
        if self._push(PlanCardsCommand(self._context, cards, sprint_id, name)):
            # Into the backlog they keep their rank, maybe far below the pages read: the
            # selection follows them only as far as the rows read.
            self.select_cards([c.id for c in cards], reveal=False)

    def context_menu(self) -> QMenu | None:
        """The menu for the selected cards (None: nothing selected)."""
        cards = self.selected_cards()
        if not cards:
            return None
        menu = QMenu(self)
        if len(cards) == 1:
            open_action = menu.addAction("Open")
            open_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
            open_action.triggered.connect(lambda: self.open_requested.emit(cards[0].id))
            menu.addSeparator()
        top = menu.addAction("Move to top")
        top.setShortcut(QKeySequence("Ctrl+Home"))
        top.triggered.connect(self.move_to_top)
        bottom = menu.addAction("Move to bottom")
        bottom.setShortcut(QKeySequence("Ctrl+End"))
        bottom.triggered.connect(self.move_to_bottom)
        if self._sprints:
            menu.addSeparator()
            sprints = menu.addMenu("Move to sprint")
            for sprint in self._sprints:
                action = QAction(f"{sprint.name} ({sprint.state})", sprints)
                action.setEnabled(any(c.sprint_id != sprint.id for c in cards))
                action.triggered.connect(lambda _=False, s=sprint.id: self.move_to_sprint(s))
                sprints.addAction(action)
            backlog = menu.addAction("Move to backlog")
            backlog.setEnabled(any(c.sprint_id is not None for c in cards))
            backlog.triggered.connect(lambda: self.move_to_sprint(None))
        return menu

    # --- building ------------------------------------------------------------------------

    def _rebuild(self) -> None:
        selected = [c.id for c in self.selected_cards()]
        current = self.model.card_at(self.tree.currentIndex())
        scroll = self.tree.verticalScrollBar().value()
        # The sections' figures from the database (one GROUP BY each for the sprints and the
        # backlog), then kept card by card as changes come (BacklogModel.account). A sprint
        # shows all its cards; the backlog (finished work left out, as in Jira) a page at a
        # time, read by rank as the tree is scrolled, with the epic filter in its query.
        sprint_ids = [s.id for s in self._sprints]
        epic_id = self._epic_id
        figures, shown = self._section_figures()
        in_sprint = self._store.sprint_cards(sprint_ids)
        sections = [
            Section(s, all_cards=in_sprint.get(s.id, []), figures_from_sql=figures.get(s.id))
            for s in self._sprints
        ]
        store = self._store
        backlog_shown = None if shown is None else shown.get(None)
        sections.append(
            Section(
                None,
                figures_from_sql=figures.get(None),
                source=lambda after, limit: store.section_page(after, limit, epic_id),
                shown_from_sql=None if backlog_shown is None else backlog_shown.count,
            )
        )
        for section in sections[:-1]:
            if epic_id is None:
                section.cards = list(section.all_cards)
            else:
                section.cards = [c for c in section.all_cards if c.parent_id == epic_id]
        members = {m.id: m.display_name for m in self._store.members}
        self.model.reset(sections, members)
        self.tree.setColumnHidden(EPIC, self._epic_id is not None)  # all the same epic
        # Expanding first only records the state (the reset left a layout pending); spanning
        # runs the pending layout, once. The other order lays out 10,000 rows per section.
        for row, section in enumerate(sections):
            index = self.model.index(row, 0)
            self.tree.setExpanded(index, section.sprint_id not in self._collapsed)
        for row in range(len(sections)):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self._rebuild_epics()
        if selected:
            self.select_cards(selected)
        if current is not None:
            index = self.model.index_of(current.id)
            if index.isValid():
                self.tree.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.NoUpdate
                )
        self._bar.refresh()
        self.tree.verticalScrollBar().setValue(scroll)

    def _section_figures(
        self,
    ) -> tuple[dict[int | None, Figures], dict[int | None, Figures] | None]:
        """The sections' totals from the database, and under the epic filter how many of
        the backlog's it lets through (None: no filter). A sprint's shown cards are all
        held: it counts those itself."""
        figures = self._store.section_figures([s.id for s in self._sprints])
        if self._epic_id is None:
            return figures, None
        return figures, self._store.section_figures([], self._epic_id)

    def _rows_beyond(self) -> int:
        """The backlog's rows below those read, if it is expanded (else none show)."""
        last = self.model.rowCount() - 1
        if last < 0 or not self.tree.isExpanded(self.model.index(last, 0)):
            return 0
        return self.model.rows_beyond()

    def _rebuild_epics(self) -> None:
        blocker = self.epic_list.selectionModel().blockSignals(True)
        try:
            self.epic_model.reset(self._store.epics, self._store.epic_progress())
            self.epic_list.setCurrentIndex(
                self.epic_model.index(self.epic_model.row_of(self._epic_id))
            )
        finally:
            self.epic_list.selectionModel().blockSignals(blocker)

    def _size_columns(self) -> None:
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        header.setSectionsMovable(False)
        metrics = self.tree.fontMetrics()
        widths = {
            "Key": metrics.horizontalAdvance("DEMO-0000") + 48,
            "Type": metrics.horizontalAdvance("Spike") + 24,
            "Epic": metrics.horizontalAdvance("Payment provider migration") + 16,
            "Points": metrics.horizontalAdvance("Points") + 24,
            "Priority": metrics.horizontalAdvance("⇈ Highest") + 24,
            "Assignee": metrics.horizontalAdvance("Katherine Johnson") + 16,
            "Labels": metrics.horizontalAdvance("backend, security") + 16,
        }
        for column, name in enumerate(COLUMNS):
            if column == TITLE:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(column, widths[name])

    # --- helpers -------------------------------------------------------------------------

    def _done_column_ids(self) -> frozenset[int]:
        columns = self._store.columns
        if columns is not self._done_for:  # the board was (re)loaded: recompute once
            self._done_for = columns
            self._done_ids = frozenset(c.id for c in columns if c.category == "done")
        return self._done_ids

    def _is_done(self, card: CardDTO) -> bool:
        return card.column_id in self._done_column_ids()

    def _passes(self, card: CardDTO) -> bool:
        return self._epic_id is None or card.parent_id == self._epic_id

    def _sprint_key(self, index: QModelIndex) -> int | None:
        section = self.model.section_at(index.row()) if not index.parent().isValid() else None
        return section.sprint_id if section is not None else -1

    def _section_of(self, card: CardDTO) -> Section | None:
        row = self.model.section_row_of_card(card.id)
        return None if row is None else self.model.section_at(row)

    def _section_row_for(self, card: CardDTO) -> int | None:
        """The row of the section a card belongs in (None: none is shown for it)."""
        if card.type == "epic":
            return None
        if card.sprint_id is None:
            if self._is_done(card):  # finished work leaves the backlog
                return None
            return self.model.section_row_of_sprint(None)
        return self.model.section_row_of_sprint(card.sprint_id)

    def _visible_rows(self, section_row: int) -> tuple[int, int] | None:
        """The first and last card rows of a section inside the viewport, or None."""
        tree = self.tree
        parent = self.model.index(section_row, 0)
        if not tree.isExpanded(parent):
            return None
        count = self.model.rowCount(parent)
        top = self._position(tree.indexAt(QPoint(1, 0)))
        if top is None:  # cannot tell: call it all visible
            return (0, count - 1) if count else None
        bottom = self._position(tree.indexAt(QPoint(1, tree.viewport().height() - 1)))
        if bottom is None:  # the rows end above the viewport's bottom
            bottom = (len(self.model.sections()), 0)
        if top[0] > section_row or bottom[0] < section_row:
            return None
        first = 0 if top[0] < section_row else max(top[1], 0)
        last = count - 1 if bottom[0] > section_row else bottom[1]
        return (first, last) if first <= last else None

    @staticmethod
    def _position(index: QModelIndex) -> tuple[int, int] | None:
        """(section row, card row) of an index; a section's own row is card row -1."""
        if not index.isValid():
            return None
        parent = index.parent()
        if not parent.isValid():
            return index.row(), -1
        return parent.row(), index.row()

    def _move_to_end(self, top: bool) -> None:
        cards = self.selected_cards()
        if not cards:
            return
        section = self._section_of(cards[0])
        if section is None:
            return
        cards = [c for c in cards if self._section_of(c) is section]
        moving = {c.id for c in cards}
        edge = self._edge(section, moving, top)
        if edge is None:
            return
        where = "top" if top else "bottom"
        what = cards[0].key if len(cards) == 1 else f"{len(cards)} cards"
        text = f"Move {what} to the {where} of {section.name}"
        if top:
            command = RankCardsCommand(self._context, cards, before_id=edge, text=text)
        else:
            command = RankCardsCommand(self._context, cards, after_id=edge, text=text)
        if self._push(command):
            # The bottom of a long backlog is not read: the cards leave the rows read.
            self.select_cards([c.id for c in cards], reveal=False)

    def _edge(self, section: Section, moving: set[int], top: bool) -> int | None:
        """The section's first (``top``) or last card that is not moving, filter aside;
        None if there is none. A paged section asks the database for its ends (its bottom
        is seldom read, and under an epic filter it holds only the epic's cards)."""
        if section.source is None:
            others = [c.id for c in section.all_cards if c.id not in moving]
            if not others:
                return None
            return others[0] if top else others[-1]
        # From that end inwards: the first that is not moving.
        ends = self._store.section_page(None, len(moving) + 1, last=not top)
        return next((c.id for c in ends if c.id not in moving), None)

    # --- handlers ------------------------------------------------------------------------

    def _on_board_reset(self) -> None:
        if not self.defer_while_hidden():
            self.refresh()

    def _on_figures_stale(self) -> None:
        """The sections' totals counted again (a change came from elsewhere: it may be in
        the figures read at the last rebuild already)."""
        if self.defer_while_hidden() or not self.model.sections():
            return
        self.model.set_figures(*self._section_figures())
        self.epic_model.set_progress(self._store.epic_progress())
        self._bar.refresh()

    def _on_card_added(self, card: CardDTO) -> None:
        self._apply(card.id, None, card)

    def _on_card_changed(self, old: CardDTO, new: CardDTO) -> None:
        self._apply(new.id, old, new)

    def _on_card_removed(self, card: CardDTO) -> None:
        self._apply(card.id, card, None)

    def _apply(self, card_id: int, old: CardDTO | None, new: CardDTO | None) -> None:
        """Change the rows one card's notification affects (a rebuild for an epic)."""
        if self.defer_while_hidden():
            return
        if (old is not None and old.type == "epic") or (new is not None and new.type == "epic"):
            self._rebuild()  # the epics panel and maybe the filter change shape
            return
        target = self._section_row_for(new) if new is not None else None
        shown = new is not None and self._passes(new)
        # A re-rank within a section permutes rows in place (see BacklogModel._permute),
        # except under an open editor, which must follow its row's geometry.
        editing = self.tree.state() == QAbstractItemView.State.EditingState
        visible = None if editing else self._visible_rows
        kept = self._spanning_selection()
        if not self.model.place(card_id, new, target, shown, visible):
            self._rebuild()
            return
        # The totals follow the card whether its section holds it or not (the backlog holds
        # the pages read): its old share out of where it was, its new one in.
        self.model.account(
            None if old is None else (self._section_row_for(old), old, self._passes(old)),
            None if new is None else (target, new, shown),
        )
        self.epic_model.update_card(old, new, self._is_done)
        self._bar.refresh()  # a card below the rows read came or went
        if kept is not None:
            self._restore_selection(*kept)

    def _spanning_selection(self) -> tuple[list[int], int | None] | None:
        """The selected card ids and current card when the selection holds a range of
        several rows (which a permutation of rows would bend), else None."""
        selection = self.tree.selectionModel().selection()
        if all(r.top() == r.bottom() for r in selection):
            return None
        current = self.model.card_at(self.tree.currentIndex())
        return [c.id for c in self.selected_cards()], current.id if current else None

    def _restore_selection(self, card_ids: list[int], current_id: int | None) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for card_id in card_ids:
            index = self.model.index_of(card_id)
            if index.isValid():
                selection.select(index, index.siblingAtColumn(last))
        model = self.tree.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        model.select(selection, flags.ClearAndSelect | flags.Rows)
        current = self.model.index_of(current_id) if current_id is not None else QModelIndex()
        if current.isValid():
            model.setCurrentIndex(current, flags.NoUpdate)

    def _on_drop_requested(self, ids: list[int], section_row: int, row: int) -> None:
        # Queued: the move resets the model, which must not happen inside the drop event.
        above, below = self.model.neighbours_for_drop(ids, section_row, row)
        section = self.model.section_at(section_row)
        if section is None:
            return
        QTimer.singleShot(0, lambda: self._drop(ids, section, above, below))

    def _drop(self, ids: list[int], section: Section, above: int | None, below: int | None) -> None:
        cards = [c for c in (self._store.peek(i) for i in ids) if c is not None]
        if not cards:
            return
        target = section.sprint_id
        to_plan = [c for c in cards if c.sprint_id != target]
        parts: list = []
        if to_plan:
            parts.append(
                PlanCardsCommand(self._context, to_plan, target, section.sprint and section.name)
            )
        if above is not None or below is not None:
            current = self._ranks_need_change(section, cards, above, below)
            if current or to_plan:
                parts.append(
                    RankCardsCommand(
                        self._context,
                        cards,
                        after_id=above,
                        before_id=below if above is None else None,
                    )
                )
        if not parts:
            return
        what = cards[0].key if len(cards) == 1 else f"{len(cards)} cards"
        verb = "Move {} to {}" if to_plan else "Rank {} in {}"
        text = verb.format(what, section.name)
        command = parts[0] if len(parts) == 1 else CompoundCommand(text, parts)
        if len(parts) == 1:
            command.setText(text)
        if self._push(command):
            self.select_cards([c.id for c in cards])

    @staticmethod
    def _ranks_need_change(
        section: Section, cards: list[CardDTO], above: int | None, below: int | None
    ) -> bool:
        """False when the cards already sit, together and in order, at the drop place."""
        ids = [c.id for c in section.cards]
        if any(c.id not in ids for c in cards):
            return True
        rows = sorted(ids.index(c.id) for c in cards)
        if rows != list(range(rows[0], rows[0] + len(rows))):
            return True
        if above is not None:
            return rows[0] == 0 or ids[rows[0] - 1] != above
        if below is not None:
            return rows[-1] + 1 >= len(ids) or ids[rows[-1] + 1] != below
        return False

    def _on_edit_requested(self, card_id: int, changes: dict) -> None:
        QTimer.singleShot(0, lambda: self._edit(card_id, changes))

    def _edit(self, card_id: int, changes: dict) -> None:
        card = self._store.peek(card_id)
        if card is not None:
            self._push(EditCardCommand(self._context, card, changes))

    def _on_epic_drop_requested(self, ids: list[int], epic_id: int | None) -> None:
        QTimer.singleShot(0, lambda: self._set_epic(ids, epic_id))

    def _set_epic(self, ids: list[int], epic_id: int | None) -> None:
        cards = [c for c in (self._store.peek(i) for i in ids) if c and c.parent_id != epic_id]
        if not cards:
            return
        epic = self._store.peek(epic_id) if epic_id is not None else None
        where = f"epic {epic.key}" if epic is not None else "no epic"
        parts = [EditCardCommand(self._context, c, {"parent_id": epic_id}) for c in cards]
        what = cards[0].key if len(cards) == 1 else f"{len(cards)} cards"
        self._push(CompoundCommand(f"Put {what} into {where}", parts))

    def _on_epic_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        epic = self.epic_model.epic_at(current.row()) if current.isValid() else None
        self._epic_id = epic.id if epic is not None else None
        self._rebuild()

    def _on_quick_add(self) -> None:
        title = self.quick_add.text().strip()
        project = self._store.project
        if not title or project is None:
            return
        values: dict[str, object] = {"title": title}
        if self._epic_id is not None:
            values["parent_id"] = self._epic_id
        command = CreateCardCommand(self._context, project.id, values)
        if self._push(command):
            self.quick_add.clear()
            if command.result is not None:  # at the bottom: select_cards reads down to it
                self.select_cards([command.result.id])

    def _on_open_current(self) -> None:
        card = self.model.card_at(self.tree.currentIndex())
        if card is not None:
            self.open_requested.emit(card.id)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        card = self.model.card_at(index)
        if card is not None and index.column() not in (POINTS, ASSIGNEE):
            self.open_requested.emit(card.id)

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        card = self.model.card_at(index)
        if card is None:
            return
        if card.id not in {c.id for c in self.selected_cards()}:
            self.select_cards([card.id])
        menu = self.context_menu()
        if menu is not None:
            menu.exec(self.tree.viewport().mapToGlobal(pos))
            menu.deleteLater()
