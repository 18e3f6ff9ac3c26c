"""Sprint planning against capacity, in points or in hours.

A team that estimates in points plans in points: each person's capacity is a figure typed
in for the sprint, or their share of the team's velocity (velocity x their available hours
/ the team's available hours, days off and holidays counted). A team that estimates in hours
compares hours. The dialog opens in the unit most of the sprint's estimated cards use; a
switch changes it. Capacity and days off are edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.metrics.points import format_points
from app.ui.sprint.sprint_dialog import day_text
from app.words import plural

if TYPE_CHECKING:
    from app.services.plans import PlanService
    from app.services.sprints import MemberCapacityDTO, SprintPlanDTO, SprintService

OVER = QColor("#b42318")
OVER_ROW = QColor(180, 35, 24, 28)  # a light tint of OVER behind a row that is over
UNIT_SHORT = {"points": "pts", "hours": "h"}
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    field: str | None = None  # what editing the cell changes: days_off, hours or points


COLUMNS = {
    "points": (
        Column("Member"),
        Column("Days off", "days_off"),
        Column("Available (h)", "hours"),
        Column("Capacity (pts)", "points"),
        Column("Assigned (pts)"),
        Column("Cards"),
        Column("Status"),
    ),
    "hours": (
        Column("Member"),
        Column("Days off", "days_off"),
        Column("Capacity (h)", "hours"),
        Column("Assigned (h)"),
        Column("Cards"),
        Column("Status"),
    ),
}
HINTS = {
    "points": (
        "Capacity in points is each person's share of the velocity, by available hours "
        "(hours per day × working days less days off); type a figure to set it for this "
        "sprint, clear it to go back to the share."
    ),
    "hours": (
        "Capacity in hours is hours per day × working days less days off; type a number "
        "to override it, clear it to go back to the default."
    ),
}


def number(value: Decimal | None) -> str:
    return format_points(value, places=1, empty="–")


def status_text(assigned: Decimal, capacity: Decimal | None, unit: str) -> str:
    """ "29 of 9.6 pts — over by 19.4", "6 of 9.6 pts — 3.6 left", "9.6 of 9.6 pts — full"."""
    short = UNIT_SHORT[unit]
    if capacity is None:
        return f"{number(assigned)} {short} — no capacity yet"
    head = f"{number(assigned)} of {number(capacity)} {short}"
    if assigned > capacity:
        return f"{head} — over by {number(assigned - capacity)}"
    if assigned == capacity:
        return f"{head} — full"
    return f"{head} — {number(capacity - assigned)} left"


def over_allocated_text(plan: SprintPlanDTO) -> str:
    """ "Ada: 14 / 10 pts, Bob: 50 / 42 h": the over-allocated people, most over first."""
    short = UNIT_SHORT[plan.unit]
    people = sorted(plan.over_capacity_members, key=lambda m: (-m.over_by, m.display_name))
    return ", ".join(
        f"{m.display_name}: {number(m.assigned)} / {number(m.capacity)} {short}" for m in people
    )


def cards_text(count: int, unestimated: int) -> str:
    return f"{count} ({unestimated} unestimated)" if unestimated else str(count)


class PlanningDialog(QDialog):
    """Capacity planning for one planned or active sprint."""

    capacity_changed = Signal()

    def __init__(
        self,
        sprints: SprintService,
        sprint_id: int,
        parent: QWidget | None = None,
        plans: PlanService | None = None,
    ) -> None:
        super().__init__(parent)
        self._sprints = sprints
        self._plans = plans  # dependency problems (issue 18), shown when given
        self._sprint_id = sprint_id
        self._plan: SprintPlanDTO | None = None
        self._unit: str | None = None  # None: the plan's suggestion
        self._filling = False
        self.setMinimumSize(960, 460)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("planSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.summary_label, 1)
        switch = QHBoxLayout()
        switch.setSpacing(0)
        switch.addWidget(QLabel("Plan in: "))
        self.points_button = QPushButton("&Points")
        self.hours_button = QPushButton("&Hours")
        self.unit_group = QButtonGroup(self)
        self.unit_group.setExclusive(True)
        for button, unit in ((self.points_button, "points"), (self.hours_button, "hours")):
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setToolTip(f"Compare capacity and assigned work in {unit}")
            button.setProperty("unit", unit)
            self.unit_group.addButton(button)
            switch.addWidget(button)
        self.unit_group.buttonClicked.connect(self._on_unit_clicked)
        top.addLayout(switch)
        top.setAlignment(switch, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._on_item_changed)
        layout.addWidget(self.table, 1)
        # Who is over-allocated in this sprint, as the Team page and the status report say it.
        self.over_label = QLabel()
        self.over_label.setObjectName("planOverAllocated")
        self.over_label.setWordWrap(True)
        self.over_label.setStyleSheet(f"color: {OVER.name()}; font-weight: bold;")
        layout.addWidget(self.over_label)
        self._add_dependency_label(layout)
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.hint_label.setObjectName("hintLabel")
        layout.addWidget(self.hint_label)
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

    @property
    def unit(self) -> str:
        return self._plan.unit if self._plan is not None else (self._unit or "points")

    def columns(self) -> tuple[Column, ...]:
        return COLUMNS[self.unit]

    def column_of(self, title: str) -> int:
        """The table column titled ``title`` in the current unit."""
        return [c.title for c in self.columns()].index(title)

    def row_of(self, name: str) -> int:
        """The table row whose first cell reads ``name`` (a member, Unassigned or Team)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.text() == name:
                return row
        raise KeyError(name)

    def set_unit(self, unit: str) -> None:
        self._unit = unit
        self.error_label.hide()
        self.reload()

    def _on_unit_clicked(self, button: QPushButton) -> None:
        self.set_unit(str(button.property("unit")))

    def reload(self) -> None:
        try:
            plan = self._sprints.sprint_plan(self._sprint_id, self._unit)
        except DomainError as exc:
            self.show_error(str(exc))
            return
        self._plan = plan
        self.setWindowTitle(f"Plan {plan.sprint.name}")
        (self.points_button if plan.unit == "points" else self.hours_button).setChecked(True)
        self.hint_label.setText(HINTS[plan.unit])
        self._fill(plan)
        self.summary_label.setText(self._summary(plan))
        over = over_allocated_text(plan)
        self.over_label.setText(f"Over-allocated: {over}" if over else "")
        self.over_label.setVisible(bool(over))
        self._show_dependency_flags()

    def _add_dependency_label(self, layout: QVBoxLayout) -> None:
        self.dependency_label = QLabel()
        self.dependency_label.setObjectName("planDependencies")
        self.dependency_label.setWordWrap(True)
        self.dependency_label.setStyleSheet(f"color: {OVER.name()}; font-weight: bold;")
        self.dependency_label.setVisible(False)
        layout.addWidget(self.dependency_label)

    def _show_dependency_flags(self) -> None:
        """Cards planned before (or without) a card they depend on, one line each."""
        if self._plans is None:
            return
        try:
            flags = self._plans.planning_flags(self._sprint_id)
        except DomainError as exc:
            flags, text = [], str(exc)
        else:
            text = "\n".join(f"⛔ {flag.message}" for flag in flags)
        self.dependency_label.setText(text)
        self.dependency_label.setVisible(bool(text))

    # --- the table -----------------------------------------------------------------------

    def _fill(self, plan: SprintPlanDTO) -> None:
        columns = COLUMNS[plan.unit]
        self._filling = True
        try:
            self.table.clear()
            self.table.setColumnCount(len(columns))
            self.table.setHorizontalHeaderLabels([c.title for c in columns])
            header = self.table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            # The status sentence takes the spare width; names and figures what they need.
            header.setSectionResizeMode(len(columns) - 1, QHeaderView.ResizeMode.Stretch)
            header.setMinimumSectionSize(70)
            self.table.setRowCount(len(plan.members) + 2)
            for row, member in enumerate(plan.members):
                self._fill_member(row, member, plan)
            self._fill_unassigned(len(plan.members), plan)
            self._fill_team(len(plan.members) + 1, plan)
        finally:
            self._filling = False

    def _set(
        self,
        row: int,
        column: int,
        text: str,
        *,
        editable: bool = False,
        over: bool = False,
        tip: str = "",
        font: QFont | None = None,
    ) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags)
        if 0 < column < self.table.columnCount() - 1:  # numbers; names and status read left
            item.setTextAlignment(ALIGN_RIGHT)
        if over:
            item.setBackground(QBrush(OVER_ROW))
        if tip:
            item.setToolTip(tip)
        if font is not None:
            item.setFont(font)
        self.table.setItem(row, column, item)
        return item

    def _fill_member(self, row: int, member: MemberCapacityDTO, plan: SprintPlanDTO) -> None:
        over = member.over_capacity
        available = member.working_days - member.days_off
        hours_tip = (
            "Typed in for this sprint; clear it to go back to "
            f"{number(member.hours_per_day)} h a day × {plural(available, 'working day')}."
            if member.hours_explicit
            else f"{number(member.hours_per_day)} h a day × {plural(available, 'working day')}"
        )
        values: list[tuple[str, str]] = [
            (member.display_name, ""),
            (str(member.days_off), f"of {plural(member.working_days, 'working day')}"),
            (number(member.capacity_hours), hours_tip),
        ]
        if plan.unit == "points":
            values += [
                (number(member.capacity_points), self._points_tip(member, plan)),
                (number(member.assigned_points), ""),
            ]
        else:
            values.append((number(member.assigned_hours), ""))
        values += [
            (cards_text(member.assigned_count, member.unestimated_count), ""),
            (status_text(member.assigned, member.capacity, plan.unit), ""),
        ]
        columns = COLUMNS[plan.unit]
        for column, (text, tip) in enumerate(values):
            item = self._set(
                row, column, text, editable=columns[column].field is not None, over=over, tip=tip
            )
            if over and columns[column].title.startswith(("Assigned", "Status")):
                item.setForeground(QBrush(OVER))
                bold = QFont(item.font())
                bold.setBold(True)
                item.setFont(bold)

    @staticmethod
    def _points_tip(member: MemberCapacityDTO, plan: SprintPlanDTO) -> str:
        share = member.velocity_share
        if member.points_explicit:
            also = f" (the share of the velocity would be {number(share)})" if share else ""
            return f"Typed in for this sprint{also}; clear it to use the share."
        if share is None or plan.velocity is None:
            return (
                "No velocity yet (no closed sprint before this one): type a capacity in "
                "points for this sprint."
            )
        return (
            f"Share of the velocity: {number(plan.velocity)} pts × "
            f"{number(member.capacity_hours)} h / {number(plan.capacity_hours)} h "
            f"= {number(share)} pts. Type a figure to set it for this sprint."
        )

    def _fill_unassigned(self, row: int, plan: SprintPlanDTO) -> None:
        italic = QFont(self.table.font())
        italic.setItalic(True)
        work = plan.unassigned_points if plan.unit == "points" else plan.unassigned_hours
        unestimated = plan.unestimated_count - sum(m.unestimated_count for m in plan.members)
        values = ["Unassigned", "", ""]
        if plan.unit == "points":
            values.append("")
        values += [
            number(work),
            cards_text(plan.unassigned_count, unestimated),
            "Not assigned to anyone yet" if plan.unassigned_count else "–",
        ]
        tip = "Cards in the sprint that nobody has taken yet: the team's work all the same."
        for column, text in enumerate(values):
            self._set(row, column, text, tip=tip, font=italic)

    def _fill_team(self, row: int, plan: SprintPlanDTO) -> None:
        bold = QFont(self.table.font())
        bold.setBold(True)
        over = plan.team_over_by > 0
        values = ["Team", "", number(plan.capacity_hours)]
        if plan.unit == "points":
            values.append(number(plan.capacity_points))
        values += [
            number(plan.team_work),
            cards_text(plan.card_count, plan.unestimated_count),
            status_text(plan.team_work, plan.team_capacity, plan.unit),
        ]
        for column, text in enumerate(values):
            item = self._set(row, column, text, over=over, font=bold)
            if over and column == len(values) - 1:
                item.setForeground(QBrush(OVER))

    # --- the summary ---------------------------------------------------------------------

    @staticmethod
    def _summary(plan: SprintPlanDTO) -> str:
        sprint = plan.sprint
        head = sprint.name
        if sprint.start_date and sprint.end_date:
            head += f" · {day_text(sprint.start_date)} – {day_text(sprint.end_date, year=True)}"
        head += f" · {plural(plan.working_days, 'working day')}"
        if plan.velocity is None:
            velocity = "no velocity yet (no closed sprint before this one)"
        else:
            history = ", ".join(number(v) for v in plan.velocity_history)
            velocity = (
                f"velocity <b>{number(plan.velocity)} pts</b> "
                f"(average completed of the last closed: {history})"
            )
        commitment = (
            f"Commitment <b>{number(plan.commitment)} pts</b> in {plural(plan.card_count, 'card')}"
        )
        if plan.unestimated_count:
            commitment += f" ({plan.unestimated_count} unestimated)"
        short = UNIT_SHORT[plan.unit]
        capacity = plan.team_capacity
        team = (
            f"Team capacity <b>{number(capacity)} {short}</b> for "
            f"<b>{number(plan.team_work)} {short}</b> of work"
            if capacity is not None
            else "No team capacity in points yet: type one per person"
        )
        warn = []
        if plan.over_velocity:
            warn.append(f"the commitment is {number(plan.velocity_over_by)} pts above the velocity")
        if plan.team_over_by > 0:
            warn.append(f"the team is over capacity by {number(plan.team_over_by)} {short}")
        over = plan.over_capacity_members
        if over:
            names = ", ".join(
                f"{m.display_name} (over by {number(m.over_by)} {short})" for m in over
            )
            warn.append(f"over capacity: {names}")
        if plan.unassigned_count:
            work = plan.unassigned_points if plan.unit == "points" else plan.unassigned_hours
            warn.append(
                f"{plural(plan.unassigned_count, 'card')} unassigned ({number(work)} {short})"
            )
        if plan.unit == "hours" and plan.card_count and not plan.planned_hours:
            team += " (no card in the sprint has an estimate in hours)"
        text = f"{head}<br>{commitment} against {velocity}.<br>{team}."
        if warn:
            text += f"<br><span style='color:{OVER.name()}'>⚠ " + "; ".join(warn) + "</span>"
        return text

    # --- editing -------------------------------------------------------------------------

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        plan = self._plan
        if self._filling or plan is None or item.row() >= len(plan.members):
            return
        columns = COLUMNS[plan.unit]
        if item.column() >= len(columns) or columns[item.column()].field is None:
            return
        member = plan.members[item.row()]
        text = item.text().strip()
        hours: object = None if not member.hours_explicit else member.capacity_hours
        points: object = member.capacity_points if member.points_explicit else None
        days_off: object = member.days_off
        field = columns[item.column()].field
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
