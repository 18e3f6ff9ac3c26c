"""Create or edit a sprint: name, goal and dates (defaults come from the service)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.dto import SprintDTO


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class SprintDialog(QDialog):
    """``submit(values)`` saves (returns None) or refuses (returns the message to show).

    A new sprint may leave the name and dates to the service: "<KEY> Sprint N", two weeks
    from the next working day of the project's calendar.
    """

    def __init__(
        self,
        submit: Callable[[dict[str, Any]], str | None],
        sprint: SprintDTO | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._sprint = sprint
        self.setWindowTitle(f"Edit {sprint.name}" if sprint else "Create sprint")
        self.setMinimumWidth(440)
        form = QFormLayout()
        self.name_edit = QLineEdit(sprint.name if sprint else "")
        self.name_edit.setPlaceholderText("Automatic: <project key> Sprint N")
        self.name_edit.setMaxLength(100)
        form.addRow("&Name:", self.name_edit)
        self.goal_edit = QPlainTextEdit(sprint.goal if sprint else "")
        self.goal_edit.setPlaceholderText("What the team wants to achieve in this sprint")
        self.goal_edit.setFixedHeight(70)
        form.addRow("&Goal:", self.goal_edit)
        self.default_dates = QCheckBox("Two weeks from the next working day")
        self.default_dates.setChecked(sprint is None)
        self.default_dates.setVisible(sprint is None)
        form.addRow("Dates:", self.default_dates)
        today = dt.date.today()
        self.start_edit = QDateEdit(
            _qdate(sprint.start_date if sprint and sprint.start_date else today)
        )
        self.end_edit = QDateEdit(
            _qdate(sprint.end_date if sprint and sprint.end_date else today + dt.timedelta(days=13))
        )
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        form.addRow("&Start:", self.start_edit)
        form.addRow("&End:", self.end_edit)
        self.default_dates.toggled.connect(self._on_default_dates_toggled)
        self._on_default_dates_toggled(self.default_dates.isChecked())

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save" if sprint else "Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _on_default_dates_toggled(self, checked: bool) -> None:
        self.start_edit.setEnabled(not checked)
        self.end_edit.setEnabled(not checked)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {"goal": self.goal_edit.toPlainText().strip()}
        name = self.name_edit.text().strip()
        if name or self._sprint is not None:
            values["name"] = name
        if not self.default_dates.isChecked() or self._sprint is not None:
            values["start"] = _pydate(self.start_edit.date())
            values["end"] = _pydate(self.end_edit.date())
        return values

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def accept(self) -> None:
        """QDialog::accept: only once the service has saved the sprint."""
        error = self._submit(self.values())
        if error:
            self.show_error(error)
            return
        super().accept()
