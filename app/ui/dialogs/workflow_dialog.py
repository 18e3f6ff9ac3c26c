"""The dialog that shapes a project's workflow: its columns, their order, categories and limits.

Column changes are calls straight to the workflow service, not undo commands: they are rare,
and archiving is itself the way back (archived columns are listed here to be restored).
After every call the table is reloaded from the service, so what is shown is what is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import Conflict, DomainError
from app.services.dto import ColumnDTO
from app.ui.choices import CATEGORIES, CATEGORY_LABELS, label_for

if TYPE_CHECKING:
    from app.services import WorkflowService

ERROR_STYLE = "color: #c9372c; font-weight: 600;"
WIP_MAX = 999
NAME_COLUMN, CATEGORY_COLUMN, WIP_COLUMN = range(3)
_ID_ROLE = Qt.ItemDataRole.UserRole


class WorkflowDialog(QDialog):
    """Edit the live columns of one project in place; restore archived ones."""

    columns_changed = Signal()

    def __init__(
        self, workflow: WorkflowService, project_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._workflow = workflow
        self._project_id = project_id
        self._columns: list[ColumnDTO] = []
        self._archived: list[ColumnDTO] = []
        self.setWindowTitle("Workflow columns")
        self.setObjectName("workflowDialog")
        self.resize(560, 480)

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("columnsTable")
        self.table.setHorizontalHeaderLabels(["Name", "Category", "WIP limit"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CATEGORY_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(WIP_COLUMN, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(CATEGORY_COLUMN, 150)
        self.table.setColumnWidth(WIP_COLUMN, 110)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)

        self.add_button = self._button("&Add column", self._on_add_clicked)
        self.up_button = self._button("Move &up", self._on_move_up_clicked)
        self.down_button = self._button("Move &down", self._on_move_down_clicked)
        self.archive_button = self._button("A&rchive…", self._on_archive_clicked)
        side = QVBoxLayout()
        for button in (self.add_button, self.up_button, self.down_button, self.archive_button):
            side.addWidget(button)
        side.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(self.table, 1)
        top.addLayout(side)

        self.archived_list = QListWidget()
        self.archived_list.setObjectName("archivedList")
        self.archived_list.setMaximumHeight(90)
        self.archived_list.itemSelectionChanged.connect(self._on_selection_changed)
        self.restore_button = self._button("R&estore", self._on_restore_clicked)
        archived_caption = QLabel("Archi&ved columns")
        archived_caption.setBuddy(self.archived_list)
        bottom = QHBoxLayout()
        bottom.addWidget(self.archived_list, 1)
        restore_box = QVBoxLayout()
        restore_box.addWidget(self.restore_button)
        restore_box.addStretch(1)
        bottom.addLayout(restore_box)

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

        hint = QLabel("Double-click a name to rename it. A WIP limit of 0 means no limit.")
        hint.setWordWrap(True)
        hint.setEnabled(False)  # drawn greyed: a hint, not content

        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(hint)
        layout.addWidget(archived_caption)
        layout.addLayout(bottom)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.reload()
        if self.table.rowCount():
            self.table.selectRow(0)
        self._on_selection_changed()

    def _button(self, text: str, handler: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)  # Return in the table must not press a side button
        button.clicked.connect(handler)
        return button

    # --- state ---------------------------------------------------------------------------

    @property
    def columns(self) -> list[ColumnDTO]:
        """The live columns as last loaded, in board order."""
        return list(self._columns)

    def selected_column(self) -> ColumnDTO | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._columns[rows[0].row()]

    def reload(self, select_id: int | None = None) -> None:
        """Show what the service holds. Rows are updated in place when the set and order of
        columns is unchanged, because a rebuild would destroy the editor that triggered it."""
        try:
            columns = self._workflow.list_columns(self._project_id)
            everything = self._workflow.list_columns(self._project_id, include_archived=True)
        except DomainError as exc:
            self._show_error(str(exc))
            return
        if select_id is None:
            current = self.selected_column()
            select_id = current.id if current else None
        same_rows = [c.id for c in columns] == [c.id for c in self._columns]
        self._columns = columns
        self.table.blockSignals(True)
        try:
            if not same_rows:
                self.table.setRowCount(0)
                self.table.setRowCount(len(columns))
                for row, column in enumerate(columns):
                    self._build_row(row, column)
            for row, column in enumerate(columns):
                self._fill_row(row, column)
        finally:
            self.table.blockSignals(False)
        if select_id is not None:
            for row, column in enumerate(columns):
                if column.id == select_id:
                    self.table.selectRow(row)
        self._archived = [c for c in everything if c.archived]
        self.archived_list.clear()
        for column in self._archived:
            item = QListWidgetItem(
                f"{column.name}  ({label_for(column.category, CATEGORY_LABELS)})"
            )
            item.setData(_ID_ROLE, column.id)
            self.archived_list.addItem(item)
        self._on_selection_changed()

    def _build_row(self, row: int, column: ColumnDTO) -> None:
        item = QTableWidgetItem()
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
        )
        self.table.setItem(row, NAME_COLUMN, item)
        for cell in (CATEGORY_COLUMN, WIP_COLUMN):
            # A plain cell under the editor widget, so the whole row shows as selected.
            background = QTableWidgetItem()
            background.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.table.setItem(row, cell, background)

        combo = QComboBox()
        for value in CATEGORIES:
            combo.addItem(label_for(value, CATEGORY_LABELS), value)
        combo.currentIndexChanged.connect(
            lambda _index, cid=column.id, box=combo: self._on_category_changed(cid, box)
        )
        self.table.setCellWidget(row, CATEGORY_COLUMN, combo)

        spin = QSpinBox()
        spin.setRange(0, WIP_MAX)
        spin.setSpecialValueText("No limit")
        spin.setKeyboardTracking(False)  # one save per finished entry, not per keystroke
        spin.setAccelerated(True)
        spin.valueChanged.connect(lambda value, cid=column.id: self._on_wip_changed(cid, value))
        self.table.setCellWidget(row, WIP_COLUMN, spin)

    def _fill_row(self, row: int, column: ColumnDTO) -> None:
        item = self.table.item(row, NAME_COLUMN)
        item.setText(column.name)
        item.setData(_ID_ROLE, column.id)
        combo = self.table.cellWidget(row, CATEGORY_COLUMN)
        spin = self.table.cellWidget(row, WIP_COLUMN)
        assert isinstance(combo, QComboBox) and isinstance(spin, QSpinBox)
        for widget, setter, value in (
            (combo, combo.setCurrentIndex, max(0, combo.findData(column.category))),
            (spin, spin.setValue, column.wip_limit or 0),
        ):
            widget.blockSignals(True)
            setter(value)
            widget.blockSignals(False)

    def _column(self, column_id: int) -> ColumnDTO | None:
        return next((c for c in self._columns if c.id == column_id), None)

    # --- calling the service -------------------------------------------------------------

    def _run(self, action: Callable[[], Any], select_id: int | None = None) -> bool:
        """Call the service; on refusal show why and put the table back to the saved state."""
        try:
            action()
        except DomainError as exc:
            self._show_error(str(exc))
            self.reload(select_id)
            return False
        self.error_label.hide()
        self.reload(select_id)
        self.columns_changed.emit()
        return True

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _update(self, column_id: int, **changes: Any) -> None:
        column = self._column(column_id)
        if column is None:
            return
        self._run(
            lambda: self._workflow.update_column(
                column_id, expected_version=column.version, **changes
            ),
            column_id,
        )

    # --- handlers ------------------------------------------------------------------------

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != NAME_COLUMN:
            return
        column = self._column(item.data(_ID_ROLE))
        if column is None or item.text() == column.name:
            return
        self._update(column.id, name=item.text())

    def _on_category_changed(self, column_id: int, combo: QComboBox) -> None:
        self._update(column_id, category=combo.currentData())

    def _on_wip_changed(self, column_id: int, value: int) -> None:
        self._update(column_id, wip_limit=value or None)

    def _on_add_clicked(self) -> None:
        names = {c.name.lower() for c in [*self._columns, *self._archived]}
        name, counter = "New column", 1
        while name.lower() in names:
            counter += 1
            name = f"New column {counter}"
        added: list[ColumnDTO] = []
        if not self._run(lambda: added.append(self._workflow.add_column(self._project_id, name))):
            return
        row = next(r for r, c in enumerate(self._columns) if c.id == added[0].id)
        self.table.selectRow(row)
        if self.table.isVisible():  # let the person type the real name straight away
            self.table.setFocus()
            self.table.editItem(self.table.item(row, NAME_COLUMN))

    def _on_move_up_clicked(self) -> None:
        self._move(-1)

    def _on_move_down_clicked(self) -> None:
        self._move(+1)

    def _move(self, step: int) -> None:
        column = self.selected_column()
        if column is None:
            return
        row = self._columns.index(column)
        target = row + step
        if not 0 <= target < len(self._columns):
            return
        self._run(lambda: self._workflow.move_column(column.id, target), column.id)

    def _on_archive_clicked(self) -> None:
        column = self.selected_column()
        if column is None:
            return
        try:
            self._workflow.archive_column(column.id)
        except Conflict as exc:
            others = [c for c in self._columns if c.id != column.id]
            if not others:
                self._show_error(str(exc))
                return
            # The column still holds cards: they need a new home first.
            target = self._ask_target_column(column, others)
            if target is None:
                return
            self._run(lambda: self._workflow.archive_column(column.id, move_cards_to=target))
            return
        except DomainError as exc:
            self._show_error(str(exc))
            self.reload()
            return
        self.error_label.hide()
        self.reload()
        self.columns_changed.emit()

    def _ask_target_column(self, column: ColumnDTO, others: list[ColumnDTO]) -> int | None:
        """Which column receives the cards of ``column``; None when the person cancels."""
        names = [c.name for c in others]
        name, ok = QInputDialog.getItem(
            self,
            "Archive column",
            f"The column {column.name!r} still holds cards.\nMove them to:",
            names,
            0,
            False,
        )
        if not ok:
            return None
        return others[names.index(name)].id

    def _on_restore_clicked(self) -> None:
        item = self.archived_list.currentItem()
        if item is None:
            return
        column_id = int(item.data(_ID_ROLE))
        self._run(lambda: self._workflow.restore_column(column_id), column_id)

    def _on_selection_changed(self) -> None:
        column = self.selected_column()
        row = self._columns.index(column) if column is not None else -1
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < len(self._columns) - 1)
        self.archive_button.setEnabled(column is not None and len(self._columns) > 1)
        self.restore_button.setEnabled(self.archived_list.currentItem() is not None)
