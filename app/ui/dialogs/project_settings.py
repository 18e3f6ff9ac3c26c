"""*Project › Settings*: a project's name, calendar and budget, its team and its labels.

The General tab is a form saved as one undoable step (OK or Apply). The Team and Labels
tabs change things as the person makes them, each change its own undoable step on the
main window's undo stack (``push``); the dialog has its own Undo and Redo (Ctrl+Z,
Ctrl+Shift+Z) on that stack, because the window's shortcuts do not reach a modal dialog.
What the tabs show is re-read from the services after every change, whoever made it.

(~670 lines: the dialog and its General tab, a form over every project setting.)
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAction,
    QKeyEvent,
    QKeySequence,
    QRegularExpressionValidator,
    QResizeEvent,
    QUndoCommand,
    QUndoStack,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.dto import ProjectSettings
from app.services.events import Change
from app.ui.choices import METHODOLOGIES, METHODOLOGY_LABELS, label_for
from app.ui.commands import CommandContext
from app.ui.dialogs.project_settings_tabs import LabelsTab, TeamTab
from app.ui.dialogs.settings_commands import ProjectSettingsCommand

if TYPE_CHECKING:
    from app.services import Services

Push = Callable[[QUndoCommand], bool]
Index = QModelIndex | QPersistentModelIndex

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Offered first in the currency box; any three letters may be typed.
# fmt: off
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "CNY", "INR", "CAD", "AUD", "SEK", "NOK", "DKK")
# fmt: on
EDIT_WAIT_MS = 150
ERROR_STYLE = "color: #b42318; font-weight: 600;"
_KINDS = {"members_changed", "labels_changed", "project_changed", "reloaded"}

# Holidays table columns
H_DATE, H_NAME = range(2)


class _UpperCase(QValidator):
    """Three letters, upper-cased as they are typed (currency codes)."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        text = text.upper()
        if len(text) > 3 or not all("A" <= ch <= "Z" for ch in text):
            return QValidator.State.Invalid, text, pos
        state = QValidator.State.Acceptable if len(text) == 3 else QValidator.State.Intermediate
        return state, text, pos


class _OneLineLabel(QLabel):
    """A message on one line: too long for the dialog, it ends in … and the tooltip has it
    whole (the dialog never grows sideways for a message)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_message(self, text: str) -> None:
        self._full = " ".join(text.split())
        self.setToolTip(self._full)
        self._elide()

    def message(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        """QWidget::resizeEvent."""
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, self.width()))


class _UndoFallThrough(QObject):
    """Ctrl+Z in a text field undoes its typing; with no typing left to undo there, it is
    the dialog's Undo. (A text field claims Ctrl+Z even when it has nothing to undo, so
    the shortcut alone would do nothing while the cursor is in one.)"""

    def __init__(self, undo: Callable[[], None], redo: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._undo = undo
        self._redo = redo

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """QObject::eventFilter."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        edit = watched if isinstance(watched, QLineEdit) else watched.findChild(QLineEdit)
        if edit is None:
            return False
        if event.matches(QKeySequence.StandardKey.Undo) and not edit.isUndoAvailable():
            self._undo()
            return True
        if event.matches(QKeySequence.StandardKey.Redo) and not edit.isRedoAvailable():
            self._redo()
            return True
        return False


class _DateDelegate(QStyledItemDelegate):
    """Holiday dates edited with a date field and its calendar, stored as YYYY-MM-DD."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        """QAbstractItemDelegate::createEditor."""
        editor = QDateEdit(parent)
        editor.setCalendarPopup(True)
        editor.setDisplayFormat("yyyy-MM-dd")
        editor.setAccessibleName("Holiday date")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        """QAbstractItemDelegate::setEditorData."""
        assert isinstance(editor, QDateEdit)
        day = QDate.fromString(str(index.data() or ""), "yyyy-MM-dd")
        editor.setDate(day if day.isValid() else QDate.currentDate())

    def setModelData(self, editor: QWidget, model: object, index: Index) -> None:
        """QAbstractItemDelegate::setModelData."""
        assert isinstance(editor, QDateEdit)
        model.setData(index, editor.date().toString("yyyy-MM-dd"))  # type: ignore[attr-defined]


class _ErrorSink:
    """Where the commands' refusals go: this dialog's error line while it is open, a
    message box over the window afterwards (the steps stay on the window's undo stack)."""

    def __init__(self, dialog: ProjectSettingsDialog, fallback: QWidget | None) -> None:
        self.dialog: ProjectSettingsDialog | None = dialog
        self._fallback = fallback

    def __call__(self, message: str) -> None:
        if self.dialog is not None:
            self.dialog.show_error(message)
        else:
            QMessageBox.warning(self._fallback, "Sprintdeck", message)


class ProjectSettingsDialog(QDialog):
    """General settings, team and labels of one project; see the module docstring."""

    def __init__(
        self,
        services: Services,
        project_id: int,
        push: Push,
        parent: QWidget | None = None,
        *,
        undo_stack: QUndoStack | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._project_id = project_id
        self._push = push
        self._undo_stack = undo_stack
        self._sink = _ErrorSink(self, parent)
        self._context = CommandContext(services, self._sink)
        self._loaded_form: tuple | None = None
        self._version = 0
        self._key = ""
        self._filling = False
        self._refresh_pending = False
        self.setObjectName("projectSettingsDialog")
        self.resize(820, 600)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_general(), "&General")
        shared = (
            services,
            project_id,
            self._context,
            push,
            self,
            self.refresh,
            self._refresh_soon,
        )
        self.team = TeamTab(*shared)
        self.labels = LabelsTab(*shared)
        self.tabs.addTab(self.team, "&Team")
        self.tabs.addTab(self.labels, "&Labels")
        self.tabs.currentChanged.connect(lambda _i: self.clear_error())

        # One line for both: what was just done, or (in red) why it was refused.
        self.message_label = _OneLineLabel()
        self.message_label.setObjectName("messageLabel")
        self._error = ""

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Close
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.ok_button.setToolTip("Save the General tab and close")
        self.apply_button.setToolTip("Save the General tab as one step that Undo takes back")
        self.close_button.setToolTip(
            "Close; unsaved General changes are dropped (team and label changes are saved "
            "as you make them)"
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)

        bottom = QHBoxLayout()
        self.undo_button = QPushButton("&Undo")
        self.undo_button.setObjectName("undoButton")
        self.redo_button = QPushButton("&Redo")
        self.redo_button.setObjectName("redoButton")
        for button in (self.undo_button, self.redo_button):
            button.setAutoDefault(False)
            bottom.addWidget(button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        self._connect_undo_stack()

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message_label)
        layout.addLayout(bottom)

        self._fall_through = _UndoFallThrough(self.undo, self.redo, self)
        for field in (
            *self.findChildren(QLineEdit),
            *self.findChildren(QAbstractSpinBox),
            *self.findChildren(QComboBox),
        ):
            field.installEventFilter(self._fall_through)

        services.bus.subscribe(self._on_change)
        self.finished.connect(self._on_finished)
        self.refresh()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- building ------------------------------------------------------------------------

    def _build_general(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setMaxLength(200)
        form.addRow("&Name:", self.name_edit)

        self.methodology_combo = QComboBox()
        self.methodology_combo.setObjectName("methodologyCombo")
        for value in METHODOLOGIES:
            text = label_for(value, METHODOLOGY_LABELS)
            hint = " (sprints, backlog)" if value == "scrum" else " (continuous flow, no sprints)"
            self.methodology_combo.addItem(text + hint, value)
        form.addRow("&Method:", self.methodology_combo)

        self.zone_combo = QComboBox()
        self.zone_combo.setObjectName("zoneCombo")
        self.zone_combo.setEditable(True)
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_combo.addItems(sorted(zoneinfo.available_timezones(), key=str.lower))
        self.zone_combo.setMaxVisibleItems(15)
        completer = QCompleter(self.zone_combo.model(), self.zone_combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.zone_combo.setCompleter(completer)
        self.zone_combo.setToolTip("An IANA time zone: type part of it, such as Berlin")
        self.zone_combo.lineEdit().setPlaceholderText("e.g. Europe/Berlin")
        form.addRow("Time &zone:", self.zone_combo)

        days = QHBoxLayout()
        self.weekday_boxes: list[QCheckBox] = []
        for name in WEEKDAY_NAMES:
            box = QCheckBox(name)
            box.setAccessibleName(f"{name} is a working day")
            self.weekday_boxes.append(box)
            days.addWidget(box)
            box.toggled.connect(self._on_form_edited)
        days.addStretch(1)
        form.addRow("Working days:", days)

        self.holidays_table = QTableWidget(0, 2)
        self.holidays_table.setObjectName("holidaysTable")
        self.holidays_table.setHorizontalHeaderLabels(["Date", "Holiday"])
        self.holidays_table.verticalHeader().hide()
        self.holidays_table.setItemDelegateForColumn(H_DATE, _DateDelegate(self.holidays_table))
        self.holidays_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.holidays_table.horizontalHeader()
        header.setSectionResizeMode(H_DATE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(H_NAME, QHeaderView.ResizeMode.Stretch)
        self.holidays_table.setMinimumHeight(140)
        self.holidays_table.itemChanged.connect(self._on_form_edited)
        self.holidays_table.itemSelectionChanged.connect(self._update_buttons)
        self.add_holiday_button = QPushButton("Add holi&day")
        self.add_holiday_button.clicked.connect(self.add_holiday)
        self.remove_holiday_button = QPushButton("Remo&ve holiday")
        self.remove_holiday_button.clicked.connect(self.remove_holidays)
        holiday_buttons = QVBoxLayout()
        holiday_buttons.addWidget(self.add_holiday_button)
        holiday_buttons.addWidget(self.remove_holiday_button)
        holiday_buttons.addStretch(1)
        holidays = QHBoxLayout()
        holidays.addWidget(self.holidays_table, 1)
        holidays.addLayout(holiday_buttons)
        holidays_caption = QLabel("&Holidays:")
        holidays_caption.setBuddy(self.holidays_table)
        form.addRow(holidays_caption, holidays)

        self.budget_edit = QLineEdit()
        self.budget_edit.setObjectName("budgetEdit")
        self.budget_edit.setPlaceholderText("no budget")
        self.budget_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"^\d{0,12}([.,]\d{0,2})?$"))
        )
        self.budget_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.budget_edit.setMaximumWidth(180)
        self.currency_combo = QComboBox()
        self.currency_combo.setObjectName("currencyCombo")
        self.currency_combo.setEditable(True)
        self.currency_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency_combo.addItems(CURRENCIES)
        self.currency_combo.lineEdit().setValidator(_UpperCase(self.currency_combo))
        self.currency_combo.setAccessibleName("Currency")
        self.currency_combo.setToolTip("Three letters (ISO 4217), such as EUR or USD")
        money = QHBoxLayout()
        money.addWidget(self.budget_edit)
        money.addWidget(self.currency_combo)
        money.addStretch(1)
        budget_caption = QLabel("&Budget:")
        budget_caption.setBuddy(self.budget_edit)
        form.addRow(budget_caption, money)

        for signal in (
            self.name_edit.textChanged,
            self.methodology_combo.currentIndexChanged,
            self.zone_combo.currentTextChanged,
            self.budget_edit.textChanged,
            self.currency_combo.currentTextChanged,
        ):
            signal.connect(self._on_form_edited)
        return page

    def _connect_undo_stack(self) -> None:
        stack = self._undo_stack
        if stack is None:
            self.undo_button.hide()
            self.redo_button.hide()
            return
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        # From the signals' arguments, never by asking the stack: it may be on its way out
        # with the window (its destructor clears it, which signals).
        stack.canUndoChanged.connect(self.undo_button.setEnabled)
        stack.canRedoChanged.connect(self.redo_button.setEnabled)
        stack.undoTextChanged.connect(self._show_undo_text)
        stack.redoTextChanged.connect(self._show_redo_text)
        # The window's Undo is a window shortcut, which a modal dialog does not receive.
        for keys, handler in (
            ([QKeySequence(QKeySequence.StandardKey.Undo)], self.undo),
            ([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")], self.redo),
        ):
            action = QAction(self)
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _checked=False, h=handler: h())
            self.addAction(action)
        self.undo_button.setEnabled(stack.canUndo())
        self.redo_button.setEnabled(stack.canRedo())
        self._show_undo_text(stack.undoText())
        self._show_redo_text(stack.redoText())

    # --- reading -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show what is saved now (the General form only when it holds no unsaved edits)."""
        self._refresh_pending = False
        try:
            project = self._services.projects.get_project(self._project_id)
            settings = self._services.projects.get_project_settings(self._project_id)
            team = self._services.team.list_team(self._project_id, include_inactive=True)
            labels = self._services.team.list_labels(self._project_id)
            people = self._services.team.known_people()
        except DomainError as exc:
            self.show_error(str(exc))
            return
        self._key = project.key
        self.setWindowTitle(f"Settings of {project.key} — {project.name}")
        if self._loaded_form is None or not self.form_is_dirty():
            self._fill_form(settings)
            self._version = project.version
        self.team.show_data(team, people)
        self.labels.show_data(labels)
        self._update_buttons()

    def _on_change(self, change: Change) -> None:
        if change.kind not in _KINDS or change.project_id not in (None, self._project_id):
            return
        self._refresh_soon()

    def _refresh_soon(self) -> None:
        # Later, once: a change may arrive while a table is emitting itemChanged for the
        # edit that caused it, and several changes come in a row after a merge or an undo.
        if not self._refresh_pending:
            self._refresh_pending = True
            QTimer.singleShot(0, self._refresh_if_open)

    def _refresh_if_open(self) -> None:
        if not self._refresh_pending or self._sink.dialog is None:
            return
        if self.team.is_editing() or self.labels.is_editing():
            # Refilling would close the cell being typed in (a teammate's change arrives
            # at any moment): once it is done.
            QTimer.singleShot(EDIT_WAIT_MS, self._refresh_if_open)
            return
        self.refresh()

    def _on_finished(self, _result: int) -> None:
        self._services.bus.unsubscribe(self._on_change)
        self._sink.dialog = None
        self._refresh_pending = False

    # --- the General tab -----------------------------------------------------------------

    def _fill_form(self, settings: ProjectSettings) -> None:
        self._filling = True
        try:
            self.name_edit.setText(settings.name)
            self.methodology_combo.setCurrentIndex(
                max(self.methodology_combo.findData(settings.methodology), 0)
            )
            zone = self.zone_combo.findText(settings.time_zone)
            if zone >= 0:
                self.zone_combo.setCurrentIndex(zone)
            else:
                self.zone_combo.setEditText(settings.time_zone)
            for bit, box in enumerate(self.weekday_boxes):
                box.setChecked(bool(settings.working_weekdays & (1 << bit)))
            self.holidays_table.setRowCount(0)
            for day, name in settings.holidays:
                self._add_holiday_row(day.isoformat(), name)
            self.budget_edit.setText("" if settings.budget is None else f"{settings.budget:f}")
            self.currency_combo.setCurrentText(settings.currency)
        finally:
            self._filling = False
        self._loaded_form = self._form_state()
        self._update_buttons()

    def _add_holiday_row(self, day: str, name: str) -> int:
        row = self.holidays_table.rowCount()
        self.holidays_table.insertRow(row)
        self.holidays_table.setItem(row, H_DATE, QTableWidgetItem(day))
        self.holidays_table.setItem(row, H_NAME, QTableWidgetItem(name))
        return row

    def _form_state(self) -> tuple:
        """The form as plain values, to tell whether anything was edited."""
        return (
            self.name_edit.text().strip(),
            self.methodology_combo.currentData(),
            self.zone_combo.currentText().strip(),
            self.weekdays(),
            tuple(sorted(self._holiday_rows())),
            self._budget_value(),
            self.currency_combo.currentText().strip().upper(),
        )

    def _holiday_rows(self) -> tuple[tuple[str, str], ...]:
        table = self.holidays_table
        return tuple(
            (self._cell(table, row, H_DATE), self._cell(table, row, H_NAME))
            for row in range(table.rowCount())
        )

    @staticmethod
    def _cell(table: QTableWidget, row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _budget_value(self) -> Decimal | str | None:
        text = self.budget_edit.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return text

    def weekdays(self) -> int:
        return sum(1 << bit for bit, box in enumerate(self.weekday_boxes) if box.isChecked())

    def form_is_dirty(self) -> bool:
        return self._loaded_form is not None and self._form_state() != self._loaded_form

    def settings(self) -> ProjectSettings:
        """What the General form holds, for the service to check."""
        return ProjectSettings(
            name=self.name_edit.text(),
            methodology=str(self.methodology_combo.currentData()),
            time_zone=self.zone_combo.currentText().strip(),
            working_weekdays=self.weekdays(),
            holidays=self._holiday_rows(),  # type: ignore[arg-type]  # the service parses dates
            budget=self._budget_value(),  # type: ignore[arg-type]
            currency=self.currency_combo.currentText(),
        )

    def _on_form_edited(self) -> None:
        if not self._filling:
            self._update_buttons()

    def add_holiday(self) -> None:
        """A new row for the day after the last holiday (or today), its name being typed."""
        days = [
            self._cell(self.holidays_table, r, H_DATE)
            for r in range(self.holidays_table.rowCount())
        ]
        try:
            last = max(dt.date.fromisoformat(d) for d in days if d)
            day = last + dt.timedelta(days=1)
        except ValueError:
            day = dt.date.today()
        row = self._add_holiday_row(day.isoformat(), "")
        self.holidays_table.setCurrentCell(row, H_NAME)
        self.holidays_table.editItem(self.holidays_table.item(row, H_NAME))

    def remove_holidays(self) -> None:
        rows = sorted(
            {index.row() for index in self.holidays_table.selectedIndexes()}, reverse=True
        )
        for row in rows:
            self.holidays_table.removeRow(row)
        self._update_buttons()

    def apply(self) -> bool:
        """Save the General tab as one undoable step; False (and the reason shown) if refused."""
        self.clear_error()
        if not self.form_is_dirty():
            return True
        try:
            before = self._services.projects.get_project_settings(self._project_id)
        except DomainError as exc:
            self.show_error(str(exc))
            return False
        command = ProjectSettingsCommand(
            self._context, self._project_id, self._key, before, self.settings(), self._version
        )
        if not self._push(command):
            return False
        self._loaded_form = None  # take what was saved, as the service cleaned it
        self.refresh()
        self.show_status(f"Saved the settings of {self._key}; Undo takes them back.")
        return True

    def accept(self) -> None:
        """OK: save the General tab, then close; stay open showing the refusal, if any."""
        if self.apply():
            super().accept()

    # --- undo, buttons, messages ---------------------------------------------------------

    def undo(self) -> None:
        if self._undo_stack is not None and self._undo_stack.canUndo():
            self.clear_error()
            text = self._undo_stack.undoText()
            self._undo_stack.undo()
            self.refresh()
            if not self.error_text:
                self.show_status(f"Undone: {text}")

    def redo(self) -> None:
        if self._undo_stack is not None and self._undo_stack.canRedo():
            self.clear_error()
            text = self._undo_stack.redoText()
            self._undo_stack.redo()
            self.refresh()
            if not self.error_text:
                self.show_status(f"Redone: {text}")

    def _show_undo_text(self, text: str) -> None:
        self.undo_button.setToolTip(f"Undo {text} (Ctrl+Z)" if text else "Nothing to undo")

    def _show_redo_text(self, text: str) -> None:
        self.redo_button.setToolTip(f"Redo {text} (Ctrl+Shift+Z)" if text else "Nothing to redo")

    def _update_buttons(self) -> None:
        dirty = self.form_is_dirty()
        self.apply_button.setEnabled(dirty)
        self.remove_holiday_button.setEnabled(bool(self.holidays_table.selectedIndexes()))

    @property
    def error_text(self) -> str:
        """The refusal shown now ("" when none)."""
        return self._error

    @property
    def message_text(self) -> str:
        """The line shown under the tabs: a refusal or what was just done."""
        return self.message_label.message()

    def show_error(self, message: str) -> None:
        self._error = " ".join(message.split())
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.set_message(self._error)

    def show_status(self, message: str) -> None:
        self._error = ""
        self.message_label.setStyleSheet("")
        self.message_label.set_message(message)

    def clear_error(self) -> None:
        if self._error:
            self.show_status("")
