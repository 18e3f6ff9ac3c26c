"""The Team and Labels tabs of *Project › Settings* (app/ui/dialogs/project_settings.py).

Each change is pushed at once as its own undoable step (app/ui/dialogs/settings_commands.py);
the dialog then re-reads what is saved and hands it back through ``show_data``.

(~650 lines: the two tabs, each a widget with its table and its buttons, used only by that
dialog.)
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QUndoCommand,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QColorDialog,
    QCompleter,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.dto import LabelDTO, LabelUsageDTO, TeamMemberDTO
from app.ui.commands import CommandContext
from app.ui.dialogs.card_dialog import color_swatch
from app.ui.dialogs.settings_commands import (
    AddLabelCommand,
    AddMemberCommand,
    DeleteLabelCommand,
    MergeLabelsCommand,
    RecolorLabelCommand,
    RenameLabelCommand,
    active_command,
    hours_command,
    rename_member_command,
    role_command,
)

if TYPE_CHECKING:
    from app.services import Services

Push = Callable[[QUndoCommand], bool]
Index = QModelIndex | QPersistentModelIndex

HOURS_MAX = 24.0
DEFAULT_HOURS = 6.0
_ID_ROLE = Qt.ItemDataRole.UserRole
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# Team table columns
T_NAME, T_ROLE, T_HOURS, T_CARDS, T_ACTIVE = range(5)
# Labels table columns
L_NAME, L_COLOR, L_CARDS = range(3)


def hours_text(value: Decimal) -> str:
    """7.5, 6, 0: hours as a person writes them."""
    return f"{value.normalize():f}" if value else "0"


def cards_text(count: int) -> str:
    return f"{count} card" if count == 1 else f"{count} cards"


class Messages(Protocol):
    """Where a tab says what it did or why it was refused (the dialog's one line)."""

    def show_error(self, message: str) -> None: ...

    def show_status(self, message: str) -> None: ...

    def clear_error(self) -> None: ...


class EntryLineEdit(QLineEdit):
    """A line edit whose Enter adds what was typed (``returnPressed``) and goes no further:
    without this the dialog's default button (OK) would also take it and close the dialog."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """QWidget::keyPressEvent."""
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class _HoursDelegate(QStyledItemDelegate):
    """Hours per day edited with a spin box, 0 to 24 in half hours (any hundredth typed)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        """QAbstractItemDelegate::createEditor."""
        editor = QDoubleSpinBox(parent)
        editor.setRange(0, HOURS_MAX)
        editor.setDecimals(2)
        editor.setSingleStep(0.5)
        editor.setAccessibleName("Hours per day")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        """QAbstractItemDelegate::setEditorData."""
        assert isinstance(editor, QDoubleSpinBox)
        try:
            editor.setValue(float(str(index.data() or "0")))
        except ValueError:
            editor.setValue(0)

    def setModelData(self, editor: QWidget, model: object, index: Index) -> None:
        """QAbstractItemDelegate::setModelData."""
        assert isinstance(editor, QDoubleSpinBox)
        value = Decimal(str(round(editor.value(), 2)))
        model.setData(index, hours_text(value))  # type: ignore[attr-defined]


def _shortcut(widget: QWidget, keys: QKeySequence.StandardKey, handler: Callable[[], None]) -> None:
    """A key that works while ``widget`` has the focus (Delete on a table)."""
    action = QAction(widget)
    action.setShortcut(QKeySequence(keys))
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(lambda _checked=False: handler())
    widget.addAction(action)


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
    )
    return table


def _read_only(item: QTableWidgetItem) -> QTableWidgetItem:
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class SettingsTab(QWidget):
    """What both tabs share: the services, the step runner and the dialog's callbacks."""

    def __init__(
        self,
        services: Services,
        project_id: int,
        context: CommandContext,
        push: Push,
        messages: Messages,
        refresh: Callable[[], None],
        refresh_later: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._project_id = project_id
        self._context = context
        self._push = push
        self._messages = messages
        self._refresh = refresh
        self._refresh_later = refresh_later
        self.table: QTableWidget
        self._build()

    def _build(self) -> None:
        raise NotImplementedError

    def is_editing(self) -> bool:
        """A cell is being typed in: refilling the table now would throw the typing away."""
        return self.table.state() == QAbstractItemView.State.EditingState

    def _push_from_table(self, command: QUndoCommand) -> None:
        """Run an in-place edit's step. The table is refilled after this signal is done
        (not inside the table's own itemChanged); what the next edit is based on is read
        now, so an edit typed straight after this one starts from what this one saved."""
        self._push(command)
        try:
            self._reload_data()
        except DomainError as exc:
            self._messages.show_error(str(exc))
        # Refilled even when refused: the cell must show what is saved, not what was typed.
        self._refresh_later()

    def _reload_data(self) -> None:
        raise NotImplementedError


class TeamTab(SettingsTab):
    """The project's people: add (people are shared by projects), edit in place, remove."""

    def _build(self) -> None:
        self.members: list[TeamMemberDTO] = []
        layout = QVBoxLayout(self)

        self.name_edit = EntryLineEdit()
        self.name_edit.setObjectName("personNameEdit")
        self.name_edit.setPlaceholderText("Name (people from other projects are offered)")
        self.name_edit.setMaxLength(100)
        self.name_edit.setAccessibleName("Name of the person to add")
        self._people = QCompleter([], self.name_edit)
        self._people.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._people.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_edit.setCompleter(self._people)
        self.role_edit = EntryLineEdit()
        self.role_edit.setObjectName("personRoleEdit")
        self.role_edit.setPlaceholderText("Role (optional)")
        self.role_edit.setMaxLength(100)
        self.role_edit.setAccessibleName("Role of the person to add")
        self.hours_spin = QDoubleSpinBox()
        self.hours_spin.setObjectName("personHoursSpin")
        self.hours_spin.setRange(0, HOURS_MAX)
        self.hours_spin.setDecimals(2)
        self.hours_spin.setSingleStep(0.5)
        self.hours_spin.setValue(DEFAULT_HOURS)
        self.hours_spin.setSuffix(" h/day")
        self.hours_spin.setAccessibleName("Hours per day of the person to add")
        self.add_button = QPushButton("Add &person")
        self.add_button.setObjectName("addPersonButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_person)
        for edit in (self.name_edit, self.role_edit):
            edit.returnPressed.connect(self.add_person)
            edit.textChanged.connect(self.update_buttons)
        add_row = QHBoxLayout()
        caption = QLabel("Add:")
        caption.setBuddy(self.name_edit)
        add_row.addWidget(caption)
        add_row.addWidget(self.name_edit, 3)
        add_row.addWidget(self.role_edit, 2)
        add_row.addWidget(self.hours_spin)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)

        self.table = _table(["Name", "Role", "Hours per day", "Assigned", "In the team"])
        self.table.setObjectName("teamTable")
        self.table.setItemDelegateForColumn(T_HOURS, _HoursDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(T_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(T_ROLE, QHeaderView.ResizeMode.Stretch)
        for column in (T_HOURS, T_CARDS, T_ACTIVE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self.update_buttons)
        layout.addWidget(self.table, 1)

        self.show_former_check = QCheckBox("Show &former members")
        self.show_former_check.setObjectName("showFormerCheck")
        self.show_former_check.toggled.connect(lambda _on: self._fill())
        self.remove_button = QPushButton("Re&move from project")
        self.remove_button.setObjectName("removePersonButton")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.toggle_person)
        hint = QLabel(
            "Double-click or F2 to edit. People are shared by projects: a new name is "
            "changed everywhere. Removed people keep their cards and history."
        )
        hint.setWordWrap(True)
        below = QHBoxLayout()
        below.addWidget(self.show_former_check)
        below.addWidget(hint, 1)
        below.addWidget(self.remove_button)
        layout.addLayout(below)
        _shortcut(self.table, QKeySequence.StandardKey.Delete, self.toggle_person)

    def show_data(self, members: list[TeamMemberDTO], people: list[str]) -> None:
        """The team (former members too) and everyone known, for the name completion."""
        self.members = members
        in_team = {m.display_name.lower() for m in members if m.active}
        self._people.model().setStringList(  # type: ignore[attr-defined]
            [name for name in people if name.lower() not in in_team]
        )
        self._fill()

    def _reload_data(self) -> None:
        self.members = self._services.team.list_team(self._project_id, include_inactive=True)

    def _fill(self) -> None:
        selected = self.selected_member()
        shown = [m for m in self.members if m.active or self.show_former_check.isChecked()]
        table = self.table
        former = QBrush(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        italic = QFont(table.font())
        italic.setItalic(True)
        table.blockSignals(True)
        try:
            table.setRowCount(len(shown))
            for row, member in enumerate(shown):
                cards = _read_only(QTableWidgetItem(cards_text(member.assigned_cards)))
                cards.setTextAlignment(_RIGHT)
                cards.setToolTip("Live cards of this project assigned to them")
                active = _read_only(QTableWidgetItem("yes" if member.active else "former member"))
                active.setFlags(active.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                active.setCheckState(
                    Qt.CheckState.Checked if member.active else Qt.CheckState.Unchecked
                )
                hours = QTableWidgetItem(hours_text(member.hours_per_day))
                hours.setTextAlignment(_RIGHT)
                cells = (
                    QTableWidgetItem(member.display_name),
                    QTableWidgetItem(member.role),
                    hours,
                    cards,
                    active,
                )
                for column, item in enumerate(cells):
                    item.setData(_ID_ROLE, member.member_id)
                    if not member.active:
                        item.setForeground(former)
                        item.setFont(italic)
                    table.setItem(row, column, item)
                if selected is not None and member.member_id == selected.member_id:
                    table.selectRow(row)
        finally:
            table.blockSignals(False)
        self.update_buttons()

    def selected_member(self) -> TeamMemberDTO | None:
        row = self.table.currentRow()
        if row < 0 or not self.table.selectionModel().hasSelection():
            return None
        item = self.table.item(row, T_NAME)
        member_id = item.data(_ID_ROLE) if item is not None else None
        return next((m for m in self.members if m.member_id == member_id), None)

    def select_member(self, member_id: int | None) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, T_NAME)
            if item is not None and item.data(_ID_ROLE) == member_id:
                self.table.selectRow(row)
                return

    def add_person(self) -> None:
        name = self.name_edit.text()
        if not name.strip():
            self._messages.show_error("Type the name of the person to add.")
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._messages.clear_error()
        hours = Decimal(str(round(self.hours_spin.value(), 2)))
        command = AddMemberCommand(
            self._context, self._project_id, name, self.role_edit.text(), hours
        )
        if not self._push(command):
            return
        # setText, not clear(): clearing is a text edit of its own that Ctrl+Z would undo.
        self.name_edit.setText("")
        self.role_edit.setText("")
        self._refresh()
        self.select_member(command.member_id)
        self._messages.show_status(f"{command.text()}; Undo takes it back.")
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def toggle_person(self) -> None:
        """Remove the selected person from the project, or bring a former member back."""
        member = self.selected_member()
        if member is None:
            return
        self._messages.clear_error()
        if not self._push(active_command(self._context, member, not member.active)):
            return
        if member.active:
            count = member.assigned_cards
            note = f" (their {cards_text(count)} keep them)" if count else ""
            self._messages.show_status(
                f"Removed {member.display_name} from the team{note}; Undo brings them back."
            )
        else:
            self._messages.show_status(f"{member.display_name} is in the team again.")
        self._refresh()
        self.select_member(member.member_id)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        member = next((m for m in self.members if m.member_id == item.data(_ID_ROLE)), None)
        if member is None:
            return
        self._messages.clear_error()
        column, text = item.column(), item.text().strip()
        if column == T_NAME and text != member.display_name:
            command = rename_member_command(self._context, member, item.text())
        elif column == T_ROLE and text != member.role:
            command = role_command(self._context, member, item.text())
        elif column == T_HOURS and not _same_hours(text, member.hours_per_day):
            command = hours_command(self._context, member, text)
        elif column == T_ACTIVE and (item.checkState() == Qt.CheckState.Checked) != member.active:
            command = active_command(self._context, member, not member.active)
        else:
            return
        self._push_from_table(command)

    def update_buttons(self) -> None:
        member = self.selected_member()
        self.remove_button.setEnabled(member is not None)
        former = member is not None and not member.active
        self.remove_button.setText("&Bring back to project" if former else "Re&move from project")
        self.add_button.setEnabled(bool(self.name_edit.text().strip()))


def _same_hours(text: str, hours: Decimal) -> bool:
    try:
        return Decimal(text) == hours
    except InvalidOperation:
        return False


class LabelsTab(SettingsTab):
    """The project's labels with their colours and card counts: add, rename, recolour,
    merge into another, delete."""

    def _build(self) -> None:
        self.labels: list[LabelUsageDTO] = []
        layout = QVBoxLayout(self)
        self.name_edit = EntryLineEdit()
        self.name_edit.setObjectName("newLabelEdit")
        self.name_edit.setPlaceholderText("New label: one word, such as frontend or tech-debt")
        self.name_edit.setMaxLength(50)
        self.name_edit.setAccessibleName("Name of the new label")
        self.name_edit.returnPressed.connect(self.add_label)
        self.name_edit.textChanged.connect(self.update_buttons)
        self.add_button = QPushButton("A&dd label")
        self.add_button.setObjectName("addLabelButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_label)
        add_row = QHBoxLayout()
        caption = QLabel("Add:")
        caption.setBuddy(self.name_edit)
        add_row.addWidget(caption)
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)

        self.table = _table(["Label", "Colour", "Cards"])
        self.table.setObjectName("labelsTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(L_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(L_COLOR, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(L_CARDS, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self.update_buttons)
        self.table.itemDoubleClicked.connect(self._on_double_clicked)

        self.rename_button = QPushButton("Re&name")
        self.rename_button.setToolTip("Rename the label in place (F2)")
        self.rename_button.clicked.connect(self.rename_label)
        self.color_button = QPushButton("C&olour…")
        self.color_button.clicked.connect(self.recolor_label)
        self.merge_button = QPushButton("&Merge into")
        self.merge_button.setToolTip(
            "Fold this label into another: its cards get the other one, this one goes"
        )
        self.merge_menu = QMenu(self.merge_button)
        self.merge_menu.setObjectName("mergeMenu")
        self.merge_menu.aboutToShow.connect(self._fill_merge_menu)
        self.merge_button.setMenu(self.merge_menu)
        self.delete_button = QPushButton("D&elete…")
        self.delete_button.clicked.connect(self.delete_label)
        side = QVBoxLayout()
        for button in (
            self.rename_button,
            self.color_button,
            self.merge_button,
            self.delete_button,
        ):
            button.setAutoDefault(False)
            side.addWidget(button)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        layout.addLayout(body, 1)
        _shortcut(self.table, QKeySequence.StandardKey.Delete, self.delete_label)

    def show_data(self, labels: list[LabelUsageDTO]) -> None:
        self.labels = labels
        self._fill()

    def _reload_data(self) -> None:
        self.labels = self._services.team.list_labels(self._project_id)

    def _fill(self) -> None:
        selected = self.selected_label()
        table = self.table
        table.blockSignals(True)
        try:
            table.setRowCount(len(self.labels))
            for row, label in enumerate(self.labels):
                name = QTableWidgetItem(color_swatch(label.color, 14), label.name)
                color = _read_only(QTableWidgetItem(label.color))
                color.setToolTip("Colour… (or double-click) to change it")
                cards = _read_only(QTableWidgetItem(cards_text(label.cards)))
                cards.setTextAlignment(_RIGHT)
                for column, item in enumerate((name, color, cards)):
                    item.setData(_ID_ROLE, label.id)
                    table.setItem(row, column, item)
                if selected is not None and label.name.lower() == selected.name.lower():
                    table.selectRow(row)
        finally:
            table.blockSignals(False)
        self.update_buttons()

    def selected_label(self) -> LabelUsageDTO | None:
        row = self.table.currentRow()
        if row < 0 or not self.table.selectionModel().hasSelection():
            return None
        item = self.table.item(row, L_NAME)
        label_id = item.data(_ID_ROLE) if item is not None else None
        return next((lb for lb in self.labels if lb.id == label_id), None)

    def select_label(self, name: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, L_NAME)
            if item is not None and item.text().lower() == name.lower():
                self.table.selectRow(row)
                return

    def add_label(self) -> None:
        name = self.name_edit.text()
        if not name.strip():
            self._messages.show_error("Type the name of the label to add.")
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._messages.clear_error()
        command = AddLabelCommand(self._context, self._project_id, name)
        if not self._push(command):
            return
        self.name_edit.setText("")
        self._refresh()
        if command.label is not None:
            self.select_label(command.label.name)
        self._messages.show_status(f"{command.text()}; Undo takes it back.")

    def rename_label(self) -> None:
        """Start renaming the selected label in place (as F2 or a double-click does)."""
        row = self.table.currentRow()
        item = self.table.item(row, L_NAME) if row >= 0 else None
        if item is not None:
            self.table.setCurrentItem(item)
            self.table.editItem(item)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != L_NAME:
            return
        label = next((lb for lb in self.labels if lb.id == item.data(_ID_ROLE)), None)
        if label is None or item.text().strip() == label.name:
            return
        self._messages.clear_error()
        self._push_from_table(
            RenameLabelCommand(self._context, self._project_id, _plain(label), item.text())
        )

    def _on_double_clicked(self, item: QTableWidgetItem) -> None:
        if item.column() == L_COLOR:
            self.recolor_label()

    def recolor_label(self) -> None:
        label = self.selected_label()
        if label is None:
            return
        chosen = QColorDialog.getColor(QColor(label.color), self, f"Colour of label {label.name}")
        if not chosen.isValid() or chosen.name().lower() == label.color.lower():
            return
        self._messages.clear_error()
        command = RecolorLabelCommand(self._context, self._project_id, _plain(label), chosen.name())
        if self._push(command):
            self._refresh()
            self._messages.show_status(f"{command.text()}; Undo takes it back.")

    def _fill_merge_menu(self) -> None:
        self.merge_menu.clear()
        source = self.selected_label()
        if source is None:
            return
        for target in self.labels:
            if target.id != source.id:
                action = self.merge_menu.addAction(color_swatch(target.color, 14), target.name)
                action.triggered.connect(lambda _checked=False, t=target: self.merge_label(t))

    def merge_label(self, target: LabelUsageDTO) -> None:
        """Merge the selected label into ``target`` (one undoable step)."""
        source = self.selected_label()
        if source is None or source.id == target.id:
            return
        self._messages.clear_error()
        command = MergeLabelsCommand(
            self._context, self._project_id, _plain(source), _plain(target)
        )
        if not self._push(command):
            return
        self._refresh()
        self.select_label(target.name)
        moved = len(command.merge.moved_card_ids) if command.merge else 0
        self._messages.show_status(
            f"Merged {source.name} into {target.name} ({cards_text(moved)} relabelled); "
            "Undo splits them again."
        )

    def delete_label(self) -> None:
        label = self.selected_label()
        if label is None:
            return
        verb = "carries" if label.cards == 1 else "carry"
        carried = (
            f"{cards_text(label.cards)} {verb} it; it is taken off them."
            if label.cards
            else "No card carries it."
        )
        answer = QMessageBox.question(
            self,
            "Delete label",
            f"Delete the label {label.name}? {carried} Undo (Ctrl+Z) puts it back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._messages.clear_error()
        if self._push(DeleteLabelCommand(self._context, self._project_id, _plain(label))):
            self._refresh()
            self._messages.show_status(f"Deleted the label {label.name}; Undo puts it back.")

    def update_buttons(self) -> None:
        label = self.selected_label()
        for button in (self.rename_button, self.color_button, self.delete_button):
            button.setEnabled(label is not None)
        self.merge_button.setEnabled(label is not None and len(self.labels) > 1)
        self.add_button.setEnabled(bool(self.name_edit.text().strip()))


def _plain(label: LabelUsageDTO) -> LabelDTO:
    return LabelDTO(label.id, label.name, label.color)
