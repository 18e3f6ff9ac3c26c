"""Starting a sprint, as Jira does: confirm or change its name, goal and dates first.

The start defaults to today (in the project's time zone) and the end keeps the planned
number of working days (``SprintService.start_preview``); cards without an estimate are
named in the dialog itself, so starting is one decision, not two message boxes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.metrics.points import format_points
from app.ui.sprint.sprint_dialog import DatesEditor, day_text
from app.words import plural

if TYPE_CHECKING:
    from app.services.sprints import SprintStartDTO

# The unestimated cards named in the warning; more are counted.
KEYS_SHOWN = 5
WARNING_COLOUR = "#b54708"  # amber: a caution, not a refusal (refusals are red)


def commitment_text(preview: SprintStartDTO) -> str:
    """ "12 cards, 29 points become the commitment." """
    if not preview.card_count:
        return "The sprint has no cards yet: its commitment will be 0 points."
    points = format_points(preview.points, empty="0")
    unit = "point" if preview.points == 1 else "points"
    return f"{plural(preview.card_count, 'card')}, {points} {unit} become the commitment."


def unestimated_text(preview: SprintStartDTO) -> str:
    keys = preview.unestimated_keys
    if not keys:
        return ""
    shown = ", ".join(keys[:KEYS_SHOWN])
    if len(keys) > KEYS_SHOWN:
        shown += f" and {len(keys) - KEYS_SHOWN} more"
    verb = "has" if len(keys) == 1 else "have"
    it = "it counts" if len(keys) == 1 else "they count"
    return (
        f"⚠ {plural(len(keys), 'card')} {verb} no estimate ({shown}): {it} as 0 points in "
        "the commitment. Start anyway, or cancel and estimate first."
    )


def planned_text(preview: SprintStartDTO) -> str:
    sprint = preview.sprint
    if sprint.start_date is None or sprint.end_date is None:
        return "Planned without dates: two weeks from the start."
    days = preview.planned_working_days or 0
    return (
        f"Planned: {day_text(sprint.start_date)} – {day_text(sprint.end_date, year=True)} "
        f"({plural(days, 'working day')}). The end keeps that length until you change it."
    )


class StartSprintDialog(QDialog):
    """``submit(preview, values)`` starts the sprint (returns None) or refuses (returns the
    message to show, and may hand back a fresh preview through :meth:`update_preview`)."""

    def __init__(
        self,
        previews: Sequence[SprintStartDTO],
        submit: Callable[[SprintStartDTO, dict[str, Any]], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if not previews:
            raise ValueError("StartSprintDialog needs a planned sprint")
        self._previews = list(previews)
        self._submit = submit
        self.setWindowTitle("Start sprint")
        self.setMinimumWidth(520)
        first = self._previews[0]
        form = QFormLayout()
        self.sprint_combo = QComboBox()
        for p in self._previews:
            self.sprint_combo.addItem(p.sprint.name, p.sprint.id)
        self.sprint_combo.setVisible(len(self._previews) > 1)
        self._sprint_caption = QLabel("S&print:")
        self._sprint_caption.setBuddy(self.sprint_combo)
        if len(self._previews) > 1:
            form.addRow(self._sprint_caption, self.sprint_combo)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        form.addRow("&Name:", self.name_edit)
        self.goal_edit = QPlainTextEdit()
        self.goal_edit.setPlaceholderText("What the team wants to achieve in this sprint")
        self.goal_edit.setTabChangesFocus(True)
        self.goal_edit.setFixedHeight(70)
        form.addRow("&Goal:", self.goal_edit)
        self.dates = DatesEditor(first.calendar, first.start, first.end)
        self.start_edit, self.end_edit = self.dates.start_edit, self.dates.end_edit
        self.span_label = self.dates.span_label
        form.addRow("Dates:", self.dates.row())
        form.addRow("", self.span_label)
        self.planned_label = QLabel()
        self.planned_label.setObjectName("hintLabel")
        self.planned_label.setWordWrap(True)
        self.commitment_label = QLabel()
        self.commitment_label.setWordWrap(True)
        self.warning_label = QLabel()
        self.warning_label.setObjectName("warningLabel")
        self.warning_label.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.warning_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.start_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.start_button.setText("Start sprint")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.planned_label)
        layout.addWidget(self.commitment_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.sprint_combo.currentIndexChanged.connect(self._on_sprint_chosen)
        self._show(first)

    @property
    def preview(self) -> SprintStartDTO:
        """The chosen sprint's preview (the one the dialog will start)."""
        return self._previews[max(self.sprint_combo.currentIndex(), 0)]

    def _on_sprint_chosen(self, index: int) -> None:
        if 0 <= index < len(self._previews):
            self.error_label.hide()
            self._show(self._previews[index])

    def _show(self, preview: SprintStartDTO) -> None:
        self.name_edit.setText(preview.sprint.name)
        self.goal_edit.setPlainText(preview.sprint.goal)
        self.dates.set_dates(preview.start, preview.end)
        self._show_facts(preview)

    def _show_facts(self, preview: SprintStartDTO) -> None:
        self.planned_label.setText(planned_text(preview))
        self.commitment_label.setText(commitment_text(preview))
        warning = unestimated_text(preview)
        self.warning_label.setText(warning)
        self.warning_label.setVisible(bool(warning))

    def update_preview(self, preview: SprintStartDTO) -> None:
        """Fresher facts about the chosen sprint (its cards changed meanwhile); what the
        person typed stays."""
        index = next(
            (i for i, p in enumerate(self._previews) if p.sprint.id == preview.sprint.id), None
        )
        if index is None:
            return
        self._previews[index] = preview
        if index == self.sprint_combo.currentIndex():
            self._show_facts(preview)

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name_edit.text().strip(),
            "goal": self.goal_edit.toPlainText().strip(),
            "start": self.dates.start,
            "end": self.dates.end,
        }

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def accept(self) -> None:
        """QDialog::accept: only once the service has started the sprint."""
        error = self._submit(self.preview, self.values())
        if error:
            self.show_error(error)
            return
        super().accept()
