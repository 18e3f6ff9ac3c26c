"""The Team page (Ctrl+5): who is stretched and who has room.

The workload grid (people x sprints, or x weeks on a Kanban project) on the left; the cards
of the selected cell on the right. Drag a card from that list onto another person's cell to
reassign it, or onto another sprint's column to re-plan it: one undoable step (Ctrl+Z), the
assignee and the sprint changed in one transaction. Enter or a double-click on a person's
row opens the list of their cards; Enter there opens a card in the editor. The page follows
every change on the bus (this window's, the CLI's, a teammate's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.dto import CardDTO
from app.services.workload import WorkloadDTO, fmt, short
from app.ui.board.model import CARD_MIME, card_ids_from_mime, card_mime_data
from app.ui.commands import CommandContext, ServiceCommand
from app.ui.drags import drag_in_progress
from app.ui.team.model import LEVEL_COLORS, KindRole, LoadBarDelegate, WorkloadModel

if TYPE_CHECKING:
    from app.ui.mainwindow.registry import PageContext

CardIdRole = Qt.ItemDataRole.UserRole + 50


class ReplanCardCommand(ServiceCommand):
    """Give a card to another person and/or another sprint in one service call
    (``SprintService.replan_card``); undo gives it back to the old ones."""

    def __init__(
        self,
        context: CommandContext,
        card: CardDTO,
        text: str,
        assignee_id: int | None,
        sprint_id: int | None,
        change_sprint: bool,
    ) -> None:
        super().__init__(context, text)
        self._card = card
        self._new: dict[str, Any] = {"assignee_id": assignee_id}
        self._old: dict[str, Any] = {"assignee_id": card.assignee_id}
        if change_sprint:
            self._new["sprint_id"] = sprint_id
            self._old["sprint_id"] = card.sprint_id

    def _redo(self) -> CardDTO:
        return self._ctx.services.sprints.replan_card(
            self._card.id, expected_version=self._expected(self._card), **self._new
        )

    def _undo(self) -> CardDTO:
        return self._ctx.services.sprints.replan_card(
            self._card.id, expected_version=self._ctx.version_of(self._card), **self._old
        )


class CellCardList(QListWidget):
    """The selected cell's cards; each can be dragged onto another cell."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("teamCellCards")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def mimeTypes(self) -> list[str]:
        return [CARD_MIME]

    def mimeData(self, items: Any) -> Any:
        return card_mime_data([int(i.data(CardIdRole)) for i in items])

    def startDrag(self, actions: Qt.DropAction) -> None:
        with drag_in_progress():
            super().startDrag(actions)


class WorkloadTable(QTableView):
    """The grid; it takes card drops on people's and Unassigned cells."""

    def __init__(self, page: TeamPage) -> None:
        super().__init__(page)
        self._page = page
        self.setObjectName("teamGrid")
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setItemDelegate(LoadBarDelegate(self))
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setMinimumSectionSize(130)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(34)
        self.verticalHeader().setMinimumWidth(110)

    def _target(self, pos: QPoint) -> QModelIndex | None:
        index = self.indexAt(pos)
        if not index.isValid() or index.data(KindRole) == "total":
            return None
        return index

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(CARD_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(CARD_MIME) and self._target(event.position().toPoint()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        index = self._target(event.position().toPoint())
        ids = card_ids_from_mime(event.mimeData())
        if index is None or not ids:
            event.ignore()
            return
        event.acceptProposedAction()
        for card_id in ids:
            self._page.drop_card(card_id, index.row(), index.column())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._page.open_person(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class PersonCardsDialog(QDialog):
    """A person's cards in the grid's sprints (or weeks): Enter or a double-click opens one
    in the card editor."""

    def __init__(
        self, parent: QWidget, title: str, cards: list[CardDTO], unit: str, open_card: Any
    ) -> None:
        super().__init__(parent)
        self.setObjectName("personCardsDialog")
        self.setWindowTitle(title)
        self._open = open_card
        layout = QVBoxLayout(self)
        total = sum(((c.points if unit == "points" else c.estimate_hours) or 0) for c in cards)
        self.summary = QLabel(
            f"{len(cards)} card(s), {fmt(total) if cards else '0'} {short(unit)}"
            if cards
            else "No cards in these sprints."
        )
        layout.addWidget(self.summary)
        self.list = QListWidget(self)
        self.list.setObjectName("personCards")
        for card in cards:
            item = QListWidgetItem(_card_line(card, unit))
            item.setData(CardIdRole, card.id)
            self.list.addItem(item)
        if cards:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 360)

    def _activated(self, item: QListWidgetItem) -> None:
        self._open(int(item.data(CardIdRole)))


def _card_line(card: CardDTO, unit: str, with_sprint: bool = True) -> str:
    value = card.points if unit == "points" else card.estimate_hours
    figure = f"{fmt(value)} {short(unit)}" if value is not None else "not estimated"
    if not with_sprint:
        return f"{card.key}  {card.title}  ·  {figure}"
    where = card.sprint_name or "no sprint"
    return f"{card.key}  {card.title}  ·  {figure}  ·  {where}"


class TeamPage(QWidget):
    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx.window)
        self.setObjectName("teamPage")
        self._ctx = ctx
        self._services = ctx.services
        self._store = ctx.store
        self.grid: WorkloadDTO | None = None
        self.dialog: PersonCardsDialog | None = None
        self._dirty = False
        self._selected: tuple[int | None, str] | None = None  # (member, column key)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.heading = QLabel(self)
        self.heading.setObjectName("teamHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.legend = QLabel(self)
        self.legend.setObjectName("teamLegend")
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.model = WorkloadModel(self)
        self.table = WorkloadTable(self)
        self.table.setModel(self.model)
        split.addWidget(self.table)
        side = QWidget(split)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        self.cell_title = QLabel("Select a cell to see its cards.", side)
        self.cell_title.setObjectName("teamCellTitle")
        self.cell_title.setWordWrap(True)
        side_layout.addWidget(self.cell_title)
        self.cards = CellCardList(side)
        self.cards.itemActivated.connect(lambda item: ctx.open_card(int(item.data(CardIdRole))))
        self.cards.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.cards.customContextMenuRequested.connect(self._card_context_menu)
        self.cards.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        side_layout.addWidget(self.cards)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        self.table.selectionModel().currentChanged.connect(self._on_current)
        self.table.doubleClicked.connect(lambda index: self.open_person(index.row()))
        self.table.verticalHeader().sectionDoubleClicked.connect(self.open_person)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        for signal in (ctx.store.card_added, ctx.store.card_removed, ctx.store.board_reset):
            signal.connect(self._schedule)
        for signal in (ctx.store.card_changed, ctx.store.card_moved):
            signal.connect(self._schedule)
        self.refresh()

    # --- refreshing ----------------------------------------------------------------------

    def _schedule(self, *_: object) -> None:
        """Coalesce a burst of changes into one read of the grid (when shown)."""
        if self.isVisible():
            self._timer.start()
        else:
            self._dirty = True

    def showEvent(self, event: QEvent) -> None:  # type: ignore[override]
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        """Read the grid again, keeping the selected cell."""
        self._dirty = False
        project = self._store.project
        if project is None:
            self.grid = None
            self.model.set_grid(None)
            self.heading.setText("No project open.")
            return
        try:
            grid = self._services.workload.grid(project.id)
        except DomainError as exc:
            self.heading.setText(str(exc))
            return
        self.grid = grid
        keep = self._selected
        self.model.set_grid(grid)
        self._set_heading(project.name, grid)
        if keep is not None:
            row = self.model.row_of(keep[0])
            column = next((i for i, c in enumerate(grid.columns) if c.key == keep[1]), None)
            if column is not None:
                self.table.setCurrentIndex(self.model.index(row, column))
                self._show_cell(row, column)
                return
        self._selected = None
        self.cards.clear()
        self.cell_title.setText("Select a cell to see its cards.")

    def _set_heading(self, name: str, grid: WorkloadDTO) -> None:
        per = "sprint" if grid.methodology == "scrum" else "week"
        gesture = "reassign or re-plan it" if grid.methodology == "scrum" else "reassign it"
        self.legend.setText(
            f'<span style="background:{LEVEL_COLORS["free"].name()}">&nbsp;free&nbsp;</span> '
            "under 70% &nbsp; "
            f'<span style="background:{LEVEL_COLORS["ok"].name()}">&nbsp;ok&nbsp;</span> '
            "70–100% &nbsp; "
            f'<span style="background:{LEVEL_COLORS["over"].name()}">&nbsp;over&nbsp;</span> '
            f"over capacity &nbsp; — drag a card from the list on the right onto another cell "
            f"to {gesture} (Ctrl+Z undoes); Enter on a row: that person's cards"
        )
        over = sum(1 for r in grid.rows for c in r.cells if c.level == "over")
        stretched = f"{over} cell(s) over capacity" if over else "nobody over capacity"
        if not grid.columns:
            self.heading.setText(
                f"<b>{name}</b>: no active or planned sprint — plan one to see the workload."
            )
            return
        self.heading.setText(f"<b>{name}</b> — workload per {per} in {grid.unit}: {stretched}.")

    # --- the selected cell ---------------------------------------------------------------

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show_cell(current.row(), current.column())

    def _show_cell(self, row: int, column: int) -> None:
        grid = self.grid
        project = self._store.project
        if grid is None or project is None:
            return
        col = grid.columns[column]
        kind = self.model.kind(row)
        self.cards.clear()
        if kind == "total":
            self._selected = None
            self.cell_title.setText(
                f"<b>Total — {col.title}</b>: pick a person's cell to see cards."
            )
            return
        member = self.model.member_id(row)
        self._selected = (member, col.key)
        who = self.model.headerData(row, Qt.Orientation.Vertical)
        cards = self._services.workload.cell_cards(project.id, col.key, member)
        self.cell_title.setText(
            f"<b>{who} — {col.title}</b>: {self.model.cell_text(row, column)}"
            + ("" if cards else "<br>No cards here.")
        )
        for card in cards:
            item = QListWidgetItem(_card_line(card, grid.unit, with_sprint=False))
            item.setData(CardIdRole, card.id)
            item.setToolTip(
                f"{card.key} {card.title}\nDrag onto another cell to give it there "
                "(or the menu key: Give to / Plan into); Enter opens it."
            )
            self.cards.addItem(item)

    def card_menu(self, item: QListWidgetItem) -> QMenu | None:
        """The keyboard's way to do what a drag does, for the card ``item`` of the
        selected cell: *Give to* another person, *Plan into* another sprint."""
        grid = self.grid
        current = self.table.currentIndex()
        if grid is None or not current.isValid():
            return None
        card_id = int(item.data(CardIdRole))
        row, column = current.row(), current.column()
        menu = QMenu(self)
        give = menu.addMenu("&Give to")
        for target in range(len(grid.rows) + 1):
            if target == row:
                continue
            name = str(self.model.headerData(target, Qt.Orientation.Vertical))
            action = give.addAction(name if target < len(grid.rows) else "Nobody (unassigned)")
            action.triggered.connect(lambda _=False, t=target: self.drop_card(card_id, t, column))
        if grid.methodology == "scrum" and len(grid.columns) > 1:
            plan = menu.addMenu("&Plan into")
            for target, col in enumerate(grid.columns):
                if target == column:
                    continue
                action = plan.addAction(col.title)
                action.triggered.connect(lambda _=False, t=target: self.drop_card(card_id, row, t))
        menu.addSeparator()
        menu.addAction("&Open", lambda: self._ctx.open_card(card_id))
        return menu

    def _card_context_menu(self, pos: QPoint) -> None:
        item = self.cards.itemAt(pos) or self.cards.currentItem()
        if item is None:
            return
        menu = self.card_menu(item)
        if menu is not None:
            menu.exec(self.cards.viewport().mapToGlobal(pos))

    # --- a person's cards ----------------------------------------------------------------

    def open_person(self, row: int) -> None:
        """The person's cards in a list (the Unassigned row: the cards nobody has)."""
        grid = self.grid
        project = self._store.project
        if grid is None or project is None or row < 0 or self.model.kind(row) == "total":
            return
        member = self.model.member_id(row)
        who = self.model.headerData(row, Qt.Orientation.Vertical)
        if member is None:
            cards = [
                c
                for col in grid.columns
                for c in self._services.workload.cell_cards(project.id, col.key, None)
            ]
        else:
            cards = self._services.workload.member_cards(project.id, member)
        title = "Cards nobody has" if member is None else f"{who}'s cards"
        self.dialog = PersonCardsDialog(self, title, cards, grid.unit, self._ctx.open_card)
        self.dialog.open()

    # --- drops ---------------------------------------------------------------------------

    def drop_card(self, card_id: int, row: int, column: int) -> bool:
        """Give the card to the person of ``row`` and, on a Scrum project, the sprint of
        ``column``: one command on the window's undo stack. False if nothing changed or the
        service refused (its message is shown)."""
        grid = self.grid
        if grid is None or self.model.kind(row) == "total":
            return False
        card = self._store.card(card_id)
        if card is None:
            try:
                card = self._services.cards.get_card(card_id)
            except DomainError as exc:
                self._ctx.commands.report_error(str(exc))
                return False
        member = self.model.member_id(row)
        target = grid.columns[column]
        change_sprint = grid.methodology == "scrum" and target.sprint_id != card.sprint_id
        if member == card.assignee_id and not change_sprint:
            return False
        who = self.model.headerData(row, Qt.Orientation.Vertical)
        parts = []
        if member != card.assignee_id:
            parts.append(f"to {who}" if member is not None else "to nobody")
        if change_sprint:
            parts.append(f"into {target.title}")
        verb = "Give" if member != card.assignee_id else "Plan"
        text = f"{verb} {card.key} {' and '.join(parts)}"
        command = ReplanCardCommand(
            self._ctx.commands, card, text, member, target.sprint_id, change_sprint
        )
        done = self._ctx.push(command)
        self._timer.start()
        return done
