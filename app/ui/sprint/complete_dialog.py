"""Completing a sprint: where its unfinished cards go."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.metrics.points import format_points
from app.services.dto import CardDTO, SprintDTO
from app.ui.sprint.sprint_dialog import day_text

CHOICES = ("backlog", "next", "sprint", "new")


class CompleteSprintDialog(QDialog):
    """Lists the unfinished cards and asks where they go; the caller does the completing."""

    def __init__(
        self,
        sprint: SprintDTO,
        unfinished: Sequence[CardDTO],
        planned: Sequence[SprintDTO],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Complete {sprint.name}")
        self._planned = [s for s in planned if s.state == "planned" and s.id != sprint.id]
        layout = QVBoxLayout(self)
        total = sum((c.points or Decimal(0) for c in unfinished), Decimal(0))
        one = len(unfinished) == 1
        them = "it" if one else "them"
        if unfinished:
            what = "card is" if one else "cards are"
            unit = "point" if total == 1 else "points"
            where = "Where should it go?" if one else "Where should they go?"
            text = (
                f"{len(unfinished)} {what} not done ({format_points(total, empty='0')} {unit}). "
                + where
            )
        else:
            text = f"Every card of {sprint.name} is done. The sprint will be closed."
        self.summary_label = QLabel(text)
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)

        self.cards_list = QTreeWidget()
        self.cards_list.setColumnCount(3)
        self.cards_list.setHeaderLabels(["Key", "Title", "Points"])
        self.cards_list.setRootIsDecorated(False)
        self.cards_list.setAccessibleName("Unfinished cards")
        for card in unfinished:
            item = QTreeWidgetItem([card.key, card.title, format_points(card.points, empty="–")])
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.cards_list.addTopLevelItem(item)
        header = self.cards_list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.cards_list.setVisible(bool(unfinished))
        layout.addWidget(self.cards_list)

        self.group = QButtonGroup(self)
        self.backlog_radio = QRadioButton(f"Move {them} to the &backlog")
        next_name = self._planned[0].name if self._planned else None
        self.next_radio = QRadioButton(
            f"Move {them} to the &next planned sprint ({next_name})"
            if next_name
            else f"Move {them} to the next planned sprint (there is none)"
        )
        self.sprint_radio = QRadioButton(f"Move {them} to a &planned sprint:")
        self.sprint_combo = QComboBox()
        for s in self._planned:
            dates = ""
            if s.start_date and s.end_date:
                dates = f" ({day_text(s.start_date)} – {day_text(s.end_date)})"
            self.sprint_combo.addItem(s.name + dates, s.id)
        self.new_radio = QRadioButton(f"Move {them} to a ne&w sprint")
        for i, radio in enumerate(
            (self.backlog_radio, self.next_radio, self.sprint_radio, self.new_radio)
        ):
            self.group.addButton(radio, i)
        self.next_radio.setEnabled(bool(self._planned))
        self.sprint_radio.setEnabled(bool(self._planned))
        self.sprint_combo.setEnabled(False)
        self.sprint_radio.toggled.connect(self.sprint_combo.setEnabled)
        self.backlog_radio.setChecked(True)
        layout.addWidget(self.backlog_radio)
        layout.addWidget(self.next_radio)
        row = QHBoxLayout()
        row.addWidget(self.sprint_radio)
        row.addWidget(self.sprint_combo, 1)
        layout.addLayout(row)
        layout.addWidget(self.new_radio)
        for radio in (self.backlog_radio, self.next_radio, self.sprint_radio, self.new_radio):
            radio.setVisible(bool(unfinished))
        self.sprint_combo.setVisible(bool(unfinished))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Complete sprint")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(560, 420 if unfinished else 160)

    def choice(self) -> tuple[str, int | None]:
        """("backlog"|"next"|"sprint"|"new", the chosen planned sprint's id for "sprint")."""
        checked = self.group.checkedId()
        kind = CHOICES[checked] if 0 <= checked < len(CHOICES) else "backlog"
        if kind == "sprint":
            sprint_id = self.sprint_combo.currentData()
            return ("sprint", int(sprint_id)) if sprint_id is not None else ("backlog", None)
        if kind == "next":
            return "next", self._planned[0].id if self._planned else None
        return kind, None
