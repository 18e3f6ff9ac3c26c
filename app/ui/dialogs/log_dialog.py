"""Logging time: the small "Log time…" dialog and the card editor's Time tab.

Neither writes anything itself: the dialog hands its values to ``submit`` (an undo command
through the window's stack, app/ui/timer.py) and shows the refusal on one line while
keeping what the person typed; the tab lists the card's logs from ``services.time`` and
refreshes when a log changes (``worklog_changed`` on the bus).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.metrics.points import format_points
from app.services.dto import CardDTO, MemberDTO
from app.services.events import Change, ChangeKind

if TYPE_CHECKING:
    from app.services import Services
    from app.services.time import CardTimeDTO, WorkLogDTO

ERROR_STYLE = "color: #b3261e;"
LogSubmit = Callable[[dict[str, Any]], "str | None"]


def _hours(value: Decimal | None) -> str:
    return "–" if value is None else f"{format_points(value, places=2)} h"


def default_member(members: Sequence[MemberDTO], me: str, card: CardDTO | None) -> int | None:
    """Who a log or a timer is for unless chosen: the person "You are" names when they are
    in the team, else the card's assignee, else nobody (the person must choose)."""
    active = [m for m in members if m.active]
    for m in active:
        if m.display_name.lower() == me.strip().lower():
            return m.id
    if card is not None and any(m.id == card.assignee_id for m in active):
        return card.assignee_id
    return None


class LogDialog(QDialog):
    """Log time on one card: who, how long ("1.5h", "90m", "1h30m"), which day, a note."""

    def event(self, event: QEvent) -> bool:
        """QWidget::event: Return and Enter are the dialog's own (they press its default
        button), never the window's shortcuts behind it ("Open card" is Return there)."""
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in (  # type: ignore[attr-defined]
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            event.accept()
            return True
        return super().event(event)

    def __init__(
        self,
        *,
        card: CardDTO,
        members: Sequence[MemberDTO],
        today: dt.date,
        submit: LogSubmit,
        member_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setObjectName("logDialog")
        self.setWindowTitle(f"Log time on {card.key}")
        title = card.title if len(card.title) <= 60 else card.title[:59] + "…"
        heading = QLabel()
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setText(f"<b>{card.key}</b> " + _escape(title))

        self.member_combo = QComboBox()
        self.member_combo.setObjectName("logMember")
        for m in members:
            if m.active:
                self.member_combo.addItem(m.display_name, m.id)
        if member_id is not None:
            index = self.member_combo.findData(member_id)
            if index >= 0:
                self.member_combo.setCurrentIndex(index)
        self.duration_edit = QLineEdit()
        self.duration_edit.setObjectName("logDuration")
        self.duration_edit.setPlaceholderText("1.5h, 90m or 1h30m")
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setObjectName("logDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("logNote")
        self.note_edit.setMaxLength(2000)
        self.note_edit.setPlaceholderText("What was done (optional)")

        form = QFormLayout()
        form.addRow("&Person:", self.member_combo)
        form.addRow("&Time spent:", self.duration_edit)
        form.addRow("&Day:", self.date_edit)
        form.addRow("&Note:", self.note_edit)

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Log")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.duration_edit.setFocus()

    def values(self) -> dict[str, Any]:
        d = self.date_edit.date()
        return {
            "member_id": self.member_combo.currentData(),
            "minutes": self.duration_edit.text(),
            "day": dt.date(d.year(), d.month(), d.day()),
            "note": self.note_edit.text(),
        }

    def accept(self) -> None:
        """QDialog::accept: only once the log was written; else the refusal is shown."""
        values = self.values()
        if values["member_id"] is None:
            self.show_error("Choose who spent the time (add people in Project › Settings).")
            return
        error = self._submit(values)
        if error:
            self.show_error(error)
            return
        super().accept()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class TimeTab(QWidget):
    """The card editor's Time tab: the card's logs (date, person, hours, note, cost), the
    total against the original estimate and what remains; "Log time…" and "Delete log"."""

    COLUMNS = ("Date", "Person", "Hours", "Note", "Cost")

    def __init__(
        self,
        *,
        services: Services,
        card: CardDTO,
        log_time: Callable[[QWidget], None],
        delete_log: Callable[[WorkLogDTO], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("timeTab")
        self._services = services
        self._card = card
        self._delete_log = delete_log
        self._logs: tuple[WorkLogDTO, ...] = ()

        self.summary_label = QLabel()
        self.summary_label.setObjectName("timeSummary")
        self.summary_label.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("timeTable")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel("No time logged on this card yet.")
        self.empty_label.setObjectName("timeEmpty")
        self.empty_label.setStyleSheet("color: #5e6c84;")

        self.log_button = QPushButton("&Log time…")
        self.log_button.setObjectName("logTimeButton")
        self.log_button.setToolTip("Log time spent on this card (Ctrl+L)")
        self.log_button.clicked.connect(lambda: log_time(self))
        self.delete_button = QPushButton("Delete lo&g")
        self.delete_button.setObjectName("deleteLogButton")
        self.delete_button.setToolTip("Delete the selected log (Delete; Ctrl+Z undoes)")
        self.delete_button.clicked.connect(self._on_delete)
        self.table.itemSelectionChanged.connect(self._on_selection)
        # Delete on the table deletes the log, never the card (the board's Delete key):
        # the table claims the key before any shortcut sees it.
        self.table.installEventFilter(self)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=lambda: log_time(self))

        buttons = QHBoxLayout()
        buttons.addWidget(self.log_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)

        services.bus.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: services.bus.unsubscribe(self._on_change))
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """QObject::eventFilter: the Delete key on the table deletes the selected log."""
        if watched is self.table and event.type() in (
            QEvent.Type.ShortcutOverride,
            QEvent.Type.KeyPress,
        ):
            key_event = event  # a QKeyEvent
            if key_event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):  # type: ignore[attr-defined]
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    self._on_delete()
                return event.type() == QEvent.Type.KeyPress
        return super().eventFilter(watched, event)

    def close_tab(self) -> None:
        """Stop listening (the dialog closes)."""
        self._services.bus.unsubscribe(self._on_change)

    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.WORKLOG_CHANGED, ChangeKind.RELOADED) and (
            change.project_id in (None, self._card.project_id)
        ):
            self.refresh()

    @property
    def logs(self) -> tuple[WorkLogDTO, ...]:
        return self._logs

    def refresh(self) -> None:
        """Read the card's logs and totals again."""
        time: CardTimeDTO = self._services.time.card_time(self._card.id)
        self._logs = time.logs
        self.table.setRowCount(len(time.logs))
        for row, log in enumerate(time.logs):
            cost = "–" if log.rate is None else f"{log.cost:,.2f}"
            cells = (log.day.isoformat(), log.member_name, _hours(log.hours), log.note, cost)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (2, 4):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if col == 4 and log.rate is not None:
                    item.setToolTip(f"{log.rate:,.2f} {log.currency}/h")
                elif col == 4:
                    item.setToolTip("No hourly rate applied on this day")
                self.table.setItem(row, col, item)
        self.table.setVisible(bool(time.logs))
        self.empty_label.setVisible(not time.logs)
        remaining = _hours(time.remaining_hours)
        self.summary_label.setText(
            f"Logged <b>{_hours(time.logged_hours)}</b> · original estimate "
            f"<b>{_hours(time.estimate_hours)}</b> · remaining <b>{remaining}</b> · "
            f"cost <b>{time.cost:,.2f} {time.currency}</b>"
        )
        self._on_selection()

    def selected_log(self) -> WorkLogDTO | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._logs):
            return None
        return self._logs[rows[0].row()]

    def _on_selection(self) -> None:
        self.delete_button.setEnabled(self.selected_log() is not None)

    def _on_delete(self) -> None:
        log = self.selected_log()
        if log is not None:
            self._delete_log(log)


__all__ = ["LogDialog", "TimeTab", "default_member"]
