"""Sprint planning figures: each member's capacity against the work assigned, the team's
total, and the commitment against the velocity. Capacity is edited in place."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.metrics.points import format_points
from app.services.sprints import SprintPlanDTO, SprintService

OVER = QColor("#b42318")
COLUMNS = (
    "Member",
    "Days off",
    "Capacity (h)",
    "Capacity (pts)",
    "Assigned (pts)",
    "Assigned (h)",
    "Cards",
    "Status",
)
EDITABLE = {1: "days_off", 2: "hours", 3: "points"}


class PlanningDialog(QDialog):
    """Capacity planning for one planned or active sprint."""

    capacity_changed = Signal()

    def __init__(
        self, sprints: SprintService, sprint_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._sprints = sprints
        self._sprint_id = sprint_id
        self._plan: SprintPlanDTO | None = None
        self._filling = False
        self.setMinimumSize(900, 420)
        layout = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("planSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(70)
        self.table.itemChanged.connect(self._on_item_changed)
        layout.addWidget(self.table)
        hint = QLabel(
            "Capacity in hours defaults to hours per day × working days less days "
            "off; type a number to override it, clear it to go back to the default."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hintLabel")
        layout.addWidget(hint)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.reload()

    @property
    def plan(self) -> SprintPlanDTO | None:
        return self._plan

    def reload(self) -> None:
        try:
            plan = self._sprints.sprint_plan(self._sprint_id)
        except DomainError as exc:
            self.show_error(str(exc))
            return
        self._plan = plan
        self.setWindowTitle(f"Plan {plan.sprint.name}")
        self._filling = True
        self.table.setRowCount(len(plan.members))
        for row, member in enumerate(plan.members):
            values = (
                member.display_name,
                str(member.days_off),
                format_points(member.capacity_hours),
                format_points(member.capacity_points),
                format_points(member.assigned_points),
                format_points(member.assigned_hours),
                str(member.assigned_count),
                "Over capacity" if member.over_capacity else "OK",
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if column in EDITABLE:
                    flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)
                if column > 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if member.over_capacity and column in (4, 5, 7):
                    item.setForeground(QBrush(OVER))
                if column == 2 and not member.hours_explicit:
                    item.setToolTip(
                        f"{format_points(member.hours_per_day)} h/day × "
                        f"{member.working_days - member.days_off} working days"
                    )
                self.table.setItem(row, column, item)
        self._filling = False
        self.summary_label.setText(self._summary(plan))

    @staticmethod
    def _summary(plan: SprintPlanDTO) -> str:
        team = (
            f"Team capacity <b>{format_points(plan.capacity_hours)} h</b> for "
            f"<b>{format_points(plan.assigned_hours)} h</b> of estimated work assigned"
        )
        if plan.capacity_points is not None:
            team += f"; {format_points(plan.capacity_points)} pts of capacity"
        commitment = (
            f"Commitment <b>{format_points(plan.commitment)} pts</b> in {plan.card_count} cards"
        )
        if plan.unestimated_count:
            commitment += f" ({plan.unestimated_count} unestimated)"
        if plan.velocity is None:
            velocity = "no velocity yet (no closed sprints)"
        else:
            history = ", ".join(format_points(v) for v in plan.velocity_history)
            velocity = (
                f"velocity <b>{format_points(plan.velocity)} pts</b> (last closed: {history})"
            )
        warn = []
        if plan.over_velocity:
            warn.append("the commitment is above the velocity")
        names = [m.display_name for m in plan.over_capacity_members]
        if names:
            warn.append("over capacity: " + ", ".join(names))
        if plan.unassigned_count:
            warn.append(
                f"{plan.unassigned_count} card(s) unassigned "
                f"({format_points(plan.unassigned_points)} pts)"
            )
        text = (
            f"{plan.sprint.name} · {plan.working_days} working days<br>{team}.<br>"
            f"{commitment} against {velocity}."
        )
        if warn:
            text += f"<br><span style='color:{OVER.name()}'>⚠ " + "; ".join(warn) + "</span>"
        return text

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or self._plan is None or item.column() not in EDITABLE:
            return
        member = self._plan.members[item.row()]
        text = item.text().strip()
        hours: object = None if not member.hours_explicit else member.capacity_hours
        points: object = member.capacity_points
        days_off: object = member.days_off
        field = EDITABLE[item.column()]
        if field == "hours":
            hours = text or None
        elif field == "points":
            points = text or None
        else:
            days_off = text or 0
            if isinstance(days_off, str) and days_off.lstrip("-").isdigit():
                days_off = int(days_off)
        try:
            self._sprints.set_capacity(
                self._sprint_id,
                member.member_id,
                hours=hours,
                points=points,
                days_off=days_off,
                expected_version=member.version,
            )
        except DomainError as exc:
            self.show_error(str(exc))
        else:
            self.error_label.hide()
            self.capacity_changed.emit()
        self.reload()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
