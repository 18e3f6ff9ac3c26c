"""The dialog that creates a card or edits every field of one.

The dialog never changes data itself: it hands a dict of field values to ``submit`` (which
calls the service, usually through an undo command) and shows the refusal, if any, while
keeping what the person typed. For an existing card only the changed fields are handed
over, so that the undo command restores exactly those.

(~630 lines in one module: one dialog, a few lines for each of the card's many fields.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.metrics.points import format_points
from app.services.dto import (
    CardDTO,
    ColumnDTO,
    HistoryEventDTO,
    LabelDTO,
    MemberDTO,
    ProjectDTO,
    SprintDTO,
)
from app.services.history_text import HistoryNames, count_events, describe_event
from app.ui.choices import (
    CARD_TYPE_LABELS,
    CARD_TYPES,
    POINT_SCALE,
    PRIORITIES,
    PRIORITY_LABELS,
    label_for,
)
from app.ui.dates import format_user_date, format_user_time

Submit = Callable[[dict[str, Any]], str | None]

_NONE = -1  # item data of the "Unassigned" / "No epic" / "Backlog" entries; ids are positive
# Sprints a card can be put into (a closed sprint takes no more cards).
_OPEN_SPRINTS = ("active", "planned")
_DATA_ROLE = Qt.ItemDataRole.UserRole
ERROR_STYLE = "color: #c9372c; font-weight: 600;"


def _same_number(text: str, value: Decimal | None) -> bool:
    """Whether the typed text means the stored number (unparseable text is a change)."""
    text = text.strip()
    if not text:
        return value is None
    if value is None:
        return False
    try:
        return Decimal(text.replace(",", ".")) == value
    except InvalidOperation:
        return False


def color_swatch(color: str, size: int = 12) -> QIcon:
    """A small filled square, so labels are recognised by the colour the board shows."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color) if QColor.isValidColorName(color) else QColor("#888888"))
    return QIcon(pixmap)


class CardDialog(QDialog):
    """Create a card (``card`` is None) or edit one; see the module docstring.

    ``sprints`` are the project's sprints (the planned and active ones are offered in the
    Sprint field, the others only name a sprint in the history); ``default_sprint_id`` is
    where a new card goes unless the person chooses otherwise (the sprint the board shows;
    None: the backlog). The Sprint field is hidden for a Kanban ``project`` and when there
    is no sprint to choose. ``project`` also gives the time zone the history is shown in
    (else the computer's).
    """

    def __init__(
        self,
        *,
        columns: Sequence[ColumnDTO],
        members: Sequence[MemberDTO],
        labels: Sequence[LabelDTO],
        epics: Sequence[CardDTO],
        submit: Submit,
        card: CardDTO | None = None,
        history: Sequence[HistoryEventDTO] = (),
        sprints: Sequence[SprintDTO] = (),
        default_sprint_id: int | None = None,
        project: ProjectDTO | None = None,
        parent: QWidget | None = None,
        comments: Any = None,
    ) -> None:
        super().__init__(parent)
        self._card = card
        self._submit = submit
        self._columns = [c for c in columns if not c.archived]
        self._members = list(members)
        self._labels = list(labels)
        self._epics = [e for e in epics if card is None or e.id != card.id]
        self._all_epics = list(epics)
        self._sprints = list(sprints)
        self._project = project
        kanban = project is not None and project.methodology == "kanban"
        self._open_sprints = [] if kanban else [s for s in sprints if s.state in _OPEN_SPRINTS]
        self._default_sprint_id = default_sprint_id
        # Shown when there is something to choose, or to show the sprint the card is in.
        self._has_sprint_field = not kanban and (
            bool(self._open_sprints) or (card is not None and card.sprint_id is not None)
        )
        self.setWindowTitle(f"Edit {card.key}" if card is not None else "New card")
        self.setObjectName("cardDialog")
        self.resize(560, 640)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_details_tab(), "&Details")
        self.tabs.addTab(self._build_description_tab(), "Description && &checklist")
        self.history_table: QTableWidget | None = None
        if card is not None:
            self.tabs.addTab(self._build_history_tab(history), "&History")
        self.comments_tab: Any = None
        if card is not None and comments is not None:
            self._add_comments_tab(comments, card, history)
            self._add_links_tab(comments, card)

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create" if card is None else "Save")
        self.ok_button.setToolTip("Save the card (Ctrl+Return)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(sequence), self, activated=self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self._load(card)
        self._on_title_edited(self.title_edit.text())
        self._on_type_changed()
        self._on_blocked_toggled(self.blocked_check.isChecked())
        self._on_no_due_toggled(self.no_due_check.isChecked())
        self.title_edit.setFocus()

    # --- building ------------------------------------------------------------------------

    def _build_details_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._details_form = form

        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("titleEdit")
        self.title_edit.setPlaceholderText("What needs doing, in a few words")
        self.title_edit.textChanged.connect(self._on_title_edited)
        form.addRow("&Title:", self.title_edit)

        self.type_combo = QComboBox()
        for value in CARD_TYPES:
            self.type_combo.addItem(label_for(value, CARD_TYPE_LABELS), value)
        self.type_combo.currentIndexChanged.connect(self._on_type_changed)
        self.priority_combo = QComboBox()
        for value in PRIORITIES:
            self.priority_combo.addItem(label_for(value, PRIORITY_LABELS), value)
        row = QHBoxLayout()
        row.addWidget(self.type_combo, 1)
        priority_label = QLabel("Pri&ority:")
        priority_label.setBuddy(self.priority_combo)
        row.addWidget(priority_label)
        row.addWidget(self.priority_combo, 1)
        form.addRow("T&ype:", row)
        # QFormLayout only sets the buddy for labels it creates from a string.
        form.labelForField(row).setBuddy(self.type_combo)

        self.points_combo = QComboBox()
        self.points_combo.setObjectName("pointsCombo")
        self.points_combo.setEditable(True)
        self.points_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.points_combo.addItem("")
        self.points_combo.addItems(list(POINT_SCALE))
        self.points_combo.lineEdit().setPlaceholderText("Not estimated")
        form.addRow("Story poi&nts:", self.points_combo)

        self.estimate_edit = QLineEdit()
        self.estimate_edit.setPlaceholderText("None")
        self.remaining_edit = QLineEdit()
        self.remaining_edit.setPlaceholderText("None")
        hours = QHBoxLayout()
        hours.addWidget(self.estimate_edit, 1)
        remaining_label = QLabel("&Remaining:")
        remaining_label.setBuddy(self.remaining_edit)
        hours.addWidget(remaining_label)
        hours.addWidget(self.remaining_edit, 1)
        form.addRow("&Estimate (h):", hours)
        form.labelForField(hours).setBuddy(self.estimate_edit)

        self.assignee_combo = self._member_combo("Unassigned")
        form.addRow("&Assignee:", self.assignee_combo)
        self.reporter_combo = self._member_combo("Nobody")
        form.addRow("Re&porter:", self.reporter_combo)

        self.epic_combo = QComboBox()
        self.epic_combo.addItem("No epic", _NONE)
        for epic in self._epics:
            self.epic_combo.addItem(f"{epic.key}  {epic.title}", epic.id)
        form.addRow("Ep&ic:", self.epic_combo)

        self.column_combo = QComboBox()
        for column in self._columns:
            self.column_combo.addItem(column.name, column.id)
        form.addRow("Colu&mn:", self.column_combo)
        form.setRowVisible(self.column_combo, self._card is None)

        self.sprint_combo = QComboBox()
        self.sprint_combo.setObjectName("sprintCombo")
        self.sprint_combo.setToolTip("The sprint the card is planned into, or the backlog")
        self.sprint_combo.addItem("Backlog", _NONE)
        for sprint in self._open_sprints:
            self.sprint_combo.addItem(sprint.name, sprint.id)
        form.addRow("&Sprint:", self.sprint_combo)
        form.setRowVisible(self.sprint_combo, self._has_sprint_field)

        self.due_edit = QDateEdit()
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_edit.setDate(QDate.currentDate())
        self.no_due_check = QCheckBox("No due date")
        self.no_due_check.toggled.connect(self._on_no_due_toggled)
        due = QHBoxLayout()
        due.addWidget(self.due_edit, 1)
        due.addWidget(self.no_due_check)
        form.addRow("D&ue date:", due)
        form.labelForField(due).setBuddy(self.due_edit)

        self.blocked_check = QCheckBox("Blocked")
        self.blocked_check.toggled.connect(self._on_blocked_toggled)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Why, and by whom")
        blocked = QHBoxLayout()
        blocked.addWidget(self.blocked_check)
        blocked.addWidget(self.reason_edit, 1)
        form.addRow("&Blocked:", blocked)
        form.labelForField(blocked).setBuddy(self.blocked_check)

        self.labels_list = QListWidget()
        self.labels_list.setObjectName("labelsList")
        for label in self._labels:
            _add_check_item(self.labels_list, label.id, label.name, color_swatch(label.color))
        self.watchers_list = QListWidget()
        self.watchers_list.setObjectName("watchersList")
        for member in self._members:
            _add_check_item(self.watchers_list, member.id, member.display_name)
        lists = QHBoxLayout()
        for caption, widget in (("&Labels", self.labels_list), ("&Watchers", self.watchers_list)):
            box = QVBoxLayout()
            caption_label = QLabel(caption)
            caption_label.setBuddy(widget)
            box.addWidget(caption_label)
            box.addWidget(widget)
            widget.setMinimumHeight(110)
            lists.addLayout(box)
        form.addRow(lists)
        return page

    def _member_combo(self, nobody: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(nobody, _NONE)
        for member in self._members:
            combo.addItem(member.display_name, member.id)
        return combo

    def _build_description_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        caption = QLabel("De&scription")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setObjectName("descriptionEdit")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("Context, acceptance criteria, links…")
        caption.setBuddy(self.description_edit)
        layout.addWidget(caption)
        layout.addWidget(self.description_edit, 3)

        checklist_caption = QLabel("Chec&klist")
        self.checklist_list = QListWidget()
        self.checklist_list.setObjectName("checklistList")
        self.checklist_list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.checklist_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        checklist_caption.setBuddy(self.checklist_list)
        self.add_item_button = QPushButton("&Add item")
        self.add_item_button.setAutoDefault(False)
        self.add_item_button.clicked.connect(self._on_add_item_clicked)
        self.remove_item_button = QPushButton("Remo&ve")
        self.remove_item_button.setAutoDefault(False)
        self.remove_item_button.clicked.connect(self._on_remove_item_clicked)
        self.checklist_list.itemSelectionChanged.connect(self._on_checklist_selection_changed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_item_button)
        buttons.addWidget(self.remove_item_button)
        buttons.addStretch(1)
        layout.addWidget(checklist_caption)
        layout.addWidget(self.checklist_list, 2)
        layout.addLayout(buttons)
        self.remove_item_button.setEnabled(False)
        return page

    def add_time_tab(self, tab: QWidget) -> None:
        """The Time tab (app/ui/dialogs/log_dialog.py TimeTab): the card's logs, totals,
        estimate and remaining hours, before the History tab."""
        index = self.tabs.count() - (1 if self._card is not None else 0)
        self.tabs.insertTab(index, tab, "&Time")

    def _build_history_tab(self, history: Sequence[HistoryEventDTO]) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        names = self.history_names()
        zone = self._project.time_zone if self._project is not None else None
        self.history_caption = QLabel(
            f"{count_events(len(history))}, the latest at the bottom"
            if history
            else "Nothing has happened to this card yet."
        )
        self.history_caption.setObjectName("historyCaption")
        layout.addWidget(self.history_caption)
        table = QTableWidget(len(history), 3)
        table.setObjectName("historyTable")
        table.setHorizontalHeaderLabels(["When", "Who", "What"])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.setWordWrap(True)
        header = table.horizontalHeader()
        for column in range(2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, event in enumerate(history):
            cells = (format_user_time(event.at, zone), event.actor, describe_event(event, names))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        table.resizeRowsToContents()
        # A long sentence wraps: the rows grow again whenever the What column's width changes.
        header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        table.selectionModel().clearCurrentIndex()  # no focus frame on the oldest change
        table.scrollToBottom()  # the latest change is what a person usually looks for
        self.history_table = table
        layout.addWidget(table, 1)
        return page

    def _add_comments_tab(
        self, setup: Any, card: CardDTO, history: Sequence[HistoryEventDTO]
    ) -> None:
        """The Comments tab (app/ui/dialogs/comments_tab.py); ``setup`` is its
        CommentsSetup (services, commands, undo stack)."""
        from app.ui.dialogs.comments_tab import CommentsTab

        zone = self._project.time_zone if self._project is not None else None
        tab = CommentsTab(
            setup,
            card,
            history,
            self.history_names(),
            [m.display_name for m in self._members],
            zone,
        )
        index = self.tabs.addTab(tab, "")

        def title(count: int) -> None:
            self.tabs.setTabText(index, f"Co&mments ({count})" if count else "Co&mments")

        tab.changed.connect(title)
        title(sum(1 for c in tab.comments if not c.deleted))
        self.comments_tab = tab

    def _add_links_tab(self, setup: Any, card: CardDTO) -> None:
        """The Links tab (app/ui/timeline/links_tab.py): blocks / blocked by (issue 18)."""
        from app.ui.timeline.links_tab import LinksTab

        self.links_tab = LinksTab(setup, card.id)
        self.tabs.addTab(self.links_tab, "Lin&ks")

    def history_names(self) -> HistoryNames:
        """The names the history sentences use, from what the dialog was given."""
        return HistoryNames(
            members={m.id: m.display_name for m in self._members},
            epics={e.id: f"{e.key} {e.title}" for e in self._all_epics},
            labels={lb.id: lb.name for lb in self._labels},
            sprints={s.id: s.name for s in self._sprints},
            format_date=format_user_date,
        )

    # --- filling in ----------------------------------------------------------------------

    def _load(self, card: CardDTO | None) -> None:
        if card is None:
            _select_data(self.type_combo, "story")
            _select_data(self.priority_combo, "medium")
            self.no_due_check.setChecked(True)
            # A default the field does not offer (closed, another project's) means the backlog.
            _select_data(self.sprint_combo, self._default_sprint_id or _NONE)
            return
        self.title_edit.setText(card.title)
        _select_data(self.type_combo, card.type, card.type)
        _select_data(self.priority_combo, card.priority, card.priority)
        self.points_combo.setCurrentText(format_points(card.points))
        self.estimate_edit.setText(format_points(card.estimate_hours))
        self.remaining_edit.setText(format_points(card.remaining_hours))
        # People who left the team, or an epic archived since, still show by name.
        _select_data(self.assignee_combo, card.assignee_id or _NONE, card.assignee_name)
        _select_data(self.reporter_combo, card.reporter_id or _NONE, card.reporter_name)
        _select_data(
            self.epic_combo,
            card.parent_id or _NONE,
            f"{card.parent_key}  {card.parent_title}" if card.parent_key else None,
        )
        _select_data(self.column_combo, card.column_id)
        # A card in a closed sprint shows it, although it cannot be put back into it.
        _select_data(self.sprint_combo, card.sprint_id or _NONE, card.sprint_name)
        if card.due_date is None:
            self.no_due_check.setChecked(True)
        else:
            self.due_edit.setDate(QDate(card.due_date))
            self.no_due_check.setChecked(False)
        self.blocked_check.setChecked(card.blocked)
        self.reason_edit.setText(card.blocked_reason)
        # A label or watcher the lists no longer offer is kept, not silently dropped.
        for label in card.labels:
            if label.id not in {lb.id for lb in self._labels}:
                self._labels.append(label)
                _add_check_item(self.labels_list, label.id, label.name, color_swatch(label.color))
        for member_id in card.watcher_ids:
            if member_id not in {m.id for m in self._members}:
                _add_check_item(self.watchers_list, member_id, f"Member #{member_id}")
        _check_items(self.labels_list, {label.id for label in card.labels})
        _check_items(self.watchers_list, set(card.watcher_ids))
        self.description_edit.setPlainText(card.description)
        for entry in card.checklist:
            self._add_checklist_item(entry.text, entry.done)

    def _add_checklist_item(self, text: str, done: bool) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsUserCheckable
        )
        item.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
        self.checklist_list.addItem(item)
        return item

    # --- reading back --------------------------------------------------------------------

    def all_values(self) -> dict[str, Any]:
        """Every field as the service's create/update methods name it."""
        card_type = self.type_combo.currentData()
        blocked = self.blocked_check.isChecked()
        values: dict[str, Any] = {
            "title": self.title_edit.text().strip(),
            "description": self.description_edit.toPlainText(),
            "type": card_type,
            "priority": self.priority_combo.currentData(),
            "points": self.points_combo.currentText().strip() or None,
            "estimate_hours": self.estimate_edit.text().strip() or None,
            "remaining_hours": self.remaining_edit.text().strip() or None,
            "assignee_id": _combo_id(self.assignee_combo),
            "reporter_id": _combo_id(self.reporter_combo),
            # An epic cannot belong to another epic.
            "parent_id": None if card_type == "epic" else _combo_id(self.epic_combo),
            "due_date": None if self.no_due_check.isChecked() else self.due_edit.date().toPython(),
            "blocked": blocked,
            "blocked_reason": self.reason_edit.text().strip() if blocked else "",
            "label_ids": _checked_ids(self.labels_list),
            "watcher_ids": _checked_ids(self.watchers_list),
            "checklist": self._checklist(),
        }
        if self._card is None:
            values["column_id"] = self.column_combo.currentData()
        if self._has_sprint_field:
            # An epic is not planned into a sprint; its cards are.
            values["sprint_id"] = None if card_type == "epic" else _combo_id(self.sprint_combo)
        return values

    def values(self) -> dict[str, Any]:
        """What OK would submit: every field for a new card, only the changed ones otherwise."""
        values = self.all_values()
        card = self._card
        if card is None:
            return values
        current: dict[str, Any] = {
            "title": card.title,
            "description": card.description,
            "type": card.type,
            "priority": card.priority,
            "assignee_id": card.assignee_id,
            "reporter_id": card.reporter_id,
            "parent_id": card.parent_id,
            "sprint_id": card.sprint_id,
            "due_date": card.due_date,
            "blocked": card.blocked,
            "blocked_reason": card.blocked_reason if card.blocked else "",
            "label_ids": sorted(label.id for label in card.labels),
            "watcher_ids": sorted(card.watcher_ids),
            "checklist": [(entry.text, entry.done) for entry in card.checklist],
        }
        numbers = {
            "points": card.points,
            "estimate_hours": card.estimate_hours,
            "remaining_hours": card.remaining_hours,
        }
        changed: dict[str, Any] = {}
        for name, value in values.items():
            if name in numbers:
                if not _same_number(value or "", numbers[name]):
                    changed[name] = value
            elif name == "description":
                if value.strip() != card.description.strip():
                    changed[name] = value
            elif value != current[name]:
                changed[name] = value
        return changed

    def _checklist(self) -> list[tuple[str, bool]]:
        items = []
        for row in range(self.checklist_list.count()):
            item = self.checklist_list.item(row)
            text = item.text().strip()
            if text:  # a blank line left behind by "Add item" is not an item
                items.append((text, item.checkState() == Qt.CheckState.Checked))
        return items

    # --- handlers ------------------------------------------------------------------------

    def accept(self) -> None:
        """Submit the values; close only when the service took them."""
        if not self.ok_button.isEnabled():
            return
        # Ctrl+Return while a checklist item is being typed: keep what was typed.
        editor = self.checklist_list.indexWidget(self.checklist_list.currentIndex())
        if editor is not None:
            self.checklist_list.commitData(editor)
        values = self.values()
        if self._card is not None and not values:
            super().accept()
            return
        error = self._submit(values)
        if error:
            self.show_error(error)
            return
        self.error_label.hide()
        super().accept()

    def show_error(self, message: str) -> None:
        """Show why the save was refused, next to the buttons, keeping the input."""
        self.error_label.setText(message)
        self.error_label.show()

    def _on_title_edited(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()))

    def _on_type_changed(self) -> None:
        is_epic = self.type_combo.currentData() == "epic"
        self._details_form.setRowVisible(self.epic_combo, not is_epic)
        self.epic_combo.setEnabled(not is_epic)
        self._details_form.setRowVisible(self.sprint_combo, self._has_sprint_field and not is_epic)
        self.sprint_combo.setEnabled(not is_epic)

    def _on_blocked_toggled(self, blocked: bool) -> None:
        self.reason_edit.setEnabled(blocked)

    def _on_no_due_toggled(self, no_due: bool) -> None:
        self.due_edit.setEnabled(not no_due)

    def _on_add_item_clicked(self) -> None:
        item = self._add_checklist_item("", False)
        self.checklist_list.setCurrentItem(item)
        self.checklist_list.setFocus()
        if self.checklist_list.isVisible():
            self.checklist_list.editItem(item)

    def _on_remove_item_clicked(self) -> None:
        for item in self.checklist_list.selectedItems():
            self.checklist_list.takeItem(self.checklist_list.row(item))

    def _on_checklist_selection_changed(self) -> None:
        self.remove_item_button.setEnabled(bool(self.checklist_list.selectedItems()))


# --- small helpers -----------------------------------------------------------------------


def _select_data(combo: QComboBox, data: Any, fallback_text: str | None = None) -> None:
    index = combo.findData(data)
    if index < 0 and fallback_text:
        combo.addItem(fallback_text, data)
        index = combo.count() - 1
    if index >= 0:
        combo.setCurrentIndex(index)


def _combo_id(combo: QComboBox) -> int | None:
    data = combo.currentData()
    return None if data is None or data == _NONE else int(data)


def _add_check_item(
    widget: QListWidget, item_id: int, text: str, icon: QIcon | None = None
) -> None:
    item = QListWidgetItem(text)
    if icon is not None:
        item.setIcon(icon)
    item.setData(_DATA_ROLE, item_id)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Unchecked)
    widget.addItem(item)


def _check_items(widget: QListWidget, ids: set[int]) -> None:
    for row in range(widget.count()):
        item = widget.item(row)
        checked = item.data(_DATA_ROLE) in ids
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


def _checked_ids(widget: QListWidget) -> list[int]:
    return sorted(
        int(widget.item(row).data(_DATA_ROLE))
        for row in range(widget.count())
        if widget.item(row).checkState() == Qt.CheckState.Checked
    )
