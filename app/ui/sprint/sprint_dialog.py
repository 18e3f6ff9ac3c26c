"""Create or edit a sprint: name, goal and dates, with their working days.

The dates a new sprint gets come from the service (``SprintService.suggest_sprint``), the
one place they are worked out: the dialog shows them filled in and sends what it shows, so
what a person sees is what is created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.dto import SprintDTO
from app.words import plural

if TYPE_CHECKING:
    from app.services.sprints import NewSprintDTO, ProjectCalendarDTO, SprintService


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def day_text(day: dt.date, year: bool = False) -> str:
    """A day as people write it: "Tue 8 Dec" (with the year: "Tue 8 Dec 2026")."""
    text = f"{day:%a} {day.day} {day:%b}"
    return f"{text} {day.year}" if year else text


def span_text(calendar: ProjectCalendarDTO, start: dt.date, end: dt.date) -> str:
    """ "10 working days: Tue 8 Dec – Mon 21 Dec 2026 (holiday: Thu 10 Dec)", on the
    project's calendar (its working weekdays and holidays)."""
    if end < start:
        return "The end is before the start."
    days = calendar.working_days(start, end)
    text = f"{plural(days, 'working day')}: {day_text(start)} – {day_text(end, year=True)}"
    holidays = calendar.holidays_between(start, end)
    if holidays:
        names = ", ".join(day_text(d) for d in holidays)
        text += f" ({'holiday' if len(holidays) == 1 else 'holidays'}: {names})"
    return text


class DatesEditor:
    """A start and an end date edit with a live line of working days below them; while the
    end has not been edited by hand it follows the start, keeping the sprint's length."""

    def __init__(self, calendar: ProjectCalendarDTO, start: dt.date, end: dt.date) -> None:
        self._calendar = calendar
        self.start_edit = QDateEdit(qdate(start))
        self.end_edit = QDateEdit(qdate(end))
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.span_label = QLabel()
        self.span_label.setObjectName("spanLabel")
        self.span_label.setWordWrap(True)
        self._length = end - start
        self._end_touched = False
        self._following = False
        self.start_edit.dateChanged.connect(self._on_start_changed)
        self.end_edit.dateChanged.connect(self._on_end_changed)
        self._update()

    def row(self) -> QHBoxLayout:
        """ "[start] to [end]" on one line, the fields as wide as a date."""
        row = QHBoxLayout()
        start_label = QLabel("&Start")
        start_label.setBuddy(self.start_edit)
        end_label = QLabel("&end")
        end_label.setBuddy(self.end_edit)
        for widget in (start_label, self.start_edit, end_label, self.end_edit):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    @property
    def start(self) -> dt.date:
        return pydate(self.start_edit.date())

    @property
    def end(self) -> dt.date:
        return pydate(self.end_edit.date())

    def set_dates(self, start: dt.date, end: dt.date) -> None:
        """New proposed dates (another sprint chosen): the end follows the start again."""
        self._following = True
        try:
            self.start_edit.setDate(qdate(start))
            self.end_edit.setDate(qdate(end))
        finally:
            self._following = False
        self._length = end - start
        self._end_touched = False
        self._update()

    def _on_start_changed(self, _date: QDate) -> None:
        if not self._end_touched and not self._following:
            self._following = True
            try:
                self.end_edit.setDate(qdate(self.start + self._length))
            finally:
                self._following = False
        self._update()

    def _on_end_changed(self, _date: QDate) -> None:
        if not self._following:
            self._end_touched = True
        self._update()

    def _update(self) -> None:
        self.span_label.setText(span_text(self._calendar, self.start, self.end))


def suggestion_text(suggestion: NewSprintDTO) -> str:
    """Why these dates: the rule the service applied, in one line."""
    if suggestion.after_sprint is not None and suggestion.after_end is not None:
        return (
            f"Suggested: two weeks from the first working day after {suggestion.after_sprint}, "
            f"which ends on {day_text(suggestion.after_end)}."
        )
    return "Suggested: two weeks from the next working day."


class SprintDialog(QDialog):
    """``submit(values)`` saves (returns None) or refuses (returns the message to show).

    A new sprint shows the service's suggestion — "<KEY> Sprint N", two weeks from the next
    working day, or after the latest sprint when that ends later — and creates what it shows.
    """

    def __init__(
        self,
        submit: Callable[[dict[str, Any]], str | None],
        calendar: ProjectCalendarDTO,
        sprint: SprintDTO | None = None,
        suggestion: NewSprintDTO | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._sprint = sprint
        self.setWindowTitle(f"Edit {sprint.name}" if sprint else "Create sprint")
        self.setMinimumWidth(480)
        form = QFormLayout()
        name = sprint.name if sprint else suggestion.name if suggestion else ""
        self.name_edit = QLineEdit(name)
        self.name_edit.setMaxLength(100)
        self.name_edit.selectAll()
        form.addRow("&Name:", self.name_edit)
        self.goal_edit = QPlainTextEdit(sprint.goal if sprint else "")
        self.goal_edit.setPlaceholderText("What the team wants to achieve in this sprint")
        self.goal_edit.setTabChangesFocus(True)
        self.goal_edit.setFixedHeight(70)
        form.addRow("&Goal:", self.goal_edit)
        start, end = self._initial_dates(calendar, sprint, suggestion)
        self.dates = DatesEditor(calendar, start, end)
        self.start_edit, self.end_edit = self.dates.start_edit, self.dates.end_edit
        form.addRow("Dates:", self.dates.row())
        form.addRow("", self.dates.span_label)
        self.span_label = self.dates.span_label
        self.suggestion_label = QLabel(suggestion_text(suggestion) if suggestion else "")
        self.suggestion_label.setObjectName("hintLabel")
        self.suggestion_label.setWordWrap(True)
        self.suggestion_label.setVisible(suggestion is not None and sprint is None)
        if sprint is not None and sprint.state == "active":
            self.suggestion_label.setText(
                "The sprint is active: its start cannot move after the day it was started."
            )
            self.suggestion_label.show()

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
        layout.addWidget(self.suggestion_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(buttons)

    @staticmethod
    def _initial_dates(
        calendar: ProjectCalendarDTO, sprint: SprintDTO | None, suggestion: NewSprintDTO | None
    ) -> tuple[dt.date, dt.date]:
        if sprint is not None and sprint.start_date and sprint.end_date:
            return sprint.start_date, sprint.end_date
        if suggestion is not None:
            return suggestion.start, suggestion.end
        return calendar.today, calendar.today + dt.timedelta(days=13)

    def values(self) -> dict[str, Any]:
        """What the dialog shows, always with its dates (an empty name: the default)."""
        values: dict[str, Any] = {
            "goal": self.goal_edit.toPlainText().strip(),
            "start": self.dates.start,
            "end": self.dates.end,
        }
        name = self.name_edit.text().strip()
        if name or self._sprint is not None:
            values["name"] = name
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


def create_sprint(
    sprints: SprintService, project_id: int, parent: QWidget | None = None
) -> SprintDTO | None:
    """*Sprint › Create sprint…*: the dialog filled with the suggestion; the new sprint, or
    None when the person cancelled (or the suggestion could not be worked out)."""
    try:
        suggestion = sprints.suggest_sprint(project_id)
    except DomainError as exc:
        QMessageBox.warning(parent, "Create sprint", str(exc))
        return None
    created: list[SprintDTO] = []

    def submit(values: dict[str, Any]) -> str | None:
        try:
            created.append(sprints.create_sprint(project_id, **values))
        except DomainError as exc:
            return str(exc)
        return None

    dialog = SprintDialog(submit, suggestion.calendar, suggestion=suggestion, parent=parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
    return created[0] if created else None


def edit_sprint(
    sprints: SprintService, sprint: SprintDTO, parent: QWidget | None = None
) -> SprintDTO | None:
    """*Sprint › Edit sprint…*: name, goal and dates of a planned or active sprint."""
    try:
        calendar = sprints.project_calendar(sprint.project_id)
    except DomainError as exc:
        QMessageBox.warning(parent, "Edit sprint", str(exc))
        return None
    saved: list[SprintDTO] = []

    def submit(values: dict[str, Any]) -> str | None:
        try:
            saved.append(
                sprints.update_sprint(sprint.id, expected_version=sprint.version, **values)
            )
        except DomainError as exc:
            return str(exc)
        return None

    dialog = SprintDialog(submit, calendar, sprint, parent=parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
    return saved[0] if saved else None
