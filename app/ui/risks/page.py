"""The Risks page: the register (sortable, overdue flagged) and a 5x5 heat map of residual
probability x impact; clicking a cell filters the register, clicking it again clears.
Adding and editing go through undoable commands (services.risks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.risks import RiskDTO
from app.ui.commands import CommandContext, ServiceCommand

if TYPE_CHECKING:
    from app.ui.mainwindow.registry import PageContext

HEADERS = ("Key", "Title", "P", "I", "Exposure", "Residual", "Owner", "Status", "Proximity")
STATUSES = ("open", "mitigating", "closed", "happened")
RiskRole = Qt.ItemDataRole.UserRole + 60


def heat_colour(exposure: int) -> QColor:
    """Green (low) to amber to red (high), by exposure 1..25."""
    if exposure >= 15:
        return QColor("#e57373")
    if exposure >= 8:
        return QColor("#ffb74d")
    return QColor("#aed581")


class AddRiskCommand(ServiceCommand):
    def __init__(self, context: CommandContext, project_id: int, values: dict[str, Any]) -> None:
        super().__init__(context, f"Add risk {values['title']}")
        self._project = project_id
        self._values = values
        self.risk: RiskDTO | None = None

    def _redo(self) -> None:
        self.risk = self._ctx.services.risks.add_risk(self._project, **self._values)

    def _undo(self) -> None:
        if self.risk is not None:
            self._ctx.services.risks.delete_risk(self._project, self.risk.number)


class EditRiskCommand(ServiceCommand):
    def __init__(
        self, context: CommandContext, risk: RiskDTO, new: dict[str, Any], old: dict[str, Any]
    ) -> None:
        super().__init__(context, f"Edit {risk.key}")
        self._risk, self._new, self._old = risk, new, old

    def _redo(self) -> None:
        self._ctx.services.risks.update_risk(self._risk.project_id, self._risk.number, **self._new)

    def _undo(self) -> None:
        self._ctx.services.risks.update_risk(self._risk.project_id, self._risk.number, **self._old)


def _fields(risk: RiskDTO) -> dict[str, Any]:
    return {
        "title": risk.title,
        "probability": risk.probability,
        "impact": risk.impact,
        "residual_probability": risk.residual_probability,
        "residual_impact": risk.residual_impact,
        "status": risk.status,
        "proximity": risk.proximity,
        "response": risk.response,
    }


class RiskDialog(QDialog):
    """Add or edit a risk: title, probability and impact (inherent and residual), status,
    proximity and response. 0 in a residual box means "no residual"."""

    def __init__(self, parent: QWidget, risk: RiskDTO | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit risk" if risk else "Add risk")
        form = QFormLayout(self)
        self.title = QLineEdit(risk.title if risk else "", self)
        form.addRow("&Title", self.title)
        self.probability = self._spin(1, risk.probability if risk else 3)
        form.addRow("&Probability (1-5)", self.probability)
        self.impact = self._spin(1, risk.impact if risk else 3)
        form.addRow("&Impact (1-5)", self.impact)
        self.residual_probability = self._spin(0, (risk.residual_probability or 0) if risk else 0)
        form.addRow("Residual p&robability", self.residual_probability)
        self.residual_impact = self._spin(0, (risk.residual_impact or 0) if risk else 0)
        form.addRow("Residual i&mpact", self.residual_impact)
        self.status = QComboBox(self)
        self.status.addItems(STATUSES)
        self.status.setCurrentText(risk.status if risk else "open")
        form.addRow("&Status", self.status)
        self.proximity = QLineEdit(risk.proximity.isoformat() if risk and risk.proximity else "")
        self.proximity.setPlaceholderText("YYYY-MM-DD")
        form.addRow("Pro&ximity", self.proximity)
        self.response = QLineEdit(risk.response if risk else "", self)
        form.addRow("Res&ponse", self.response)
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #c62828")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _spin(self, low: int, value: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, 5)
        if low == 0:
            spin.setSpecialValueText("none")
        spin.setValue(value)
        return spin

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.text(),
            "probability": self.probability.value(),
            "impact": self.impact.value(),
            "residual_probability": self.residual_probability.value() or None,
            "residual_impact": self.residual_impact.value() or None,
            "status": self.status.currentText(),
            "proximity": self.proximity.text().strip() or None,
            "response": self.response.text(),
        }


class RisksPage(QWidget):
    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx.window)
        self.setObjectName("risksPage")
        self._ctx = ctx
        self.risks: list[RiskDTO] = []
        self.cell: tuple[int, int] | None = None  # (probability, impact) filter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.heading = QLabel(self)
        layout.addWidget(self.heading)
        row = QHBoxLayout()
        self.heat = QTableWidget(5, 5, self)
        self.heat.setHorizontalHeaderLabels([f"I{i}" for i in range(1, 6)])
        self.heat.setVerticalHeaderLabels([f"P{p}" for p in range(5, 0, -1)])
        self.heat.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.heat.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        for section in range(5):
            self.heat.setColumnWidth(section, 44)
            self.heat.setRowHeight(section, 36)
        self.heat.setFixedSize(5 * 44 + 40, 5 * 36 + 30)
        self.heat.cellClicked.connect(self._cell_clicked)
        row.addWidget(self.heat, 0, Qt.AlignmentFlag.AlignTop)
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _: self.edit_current())
        row.addWidget(self.table, 1)
        layout.addLayout(row, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add risk…", self)
        self.add_button.clicked.connect(self.add_risk)
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.clicked.connect(self.edit_current)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        ctx.services.bus.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: None)
        self.refresh()

    def _on_change(self, change: Any) -> None:
        if str(change.kind) in ("risks_changed", "reloaded", "members_changed"):
            self.refresh()

    def refresh(self) -> None:
        project = self._ctx.store.project
        if project is None:
            self.heading.setText("No project open.")
            self.risks = []
        else:
            try:
                self.risks = self._ctx.services.risks.list_risks(project.id)
            except DomainError as exc:
                self.heading.setText(str(exc))
                return
            active = [r for r in self.risks if r.active]
            overdue = sum(r.overdue for r in active)
            self.heading.setText(
                f"{project.name}: {len(active)} open risks, {overdue} overdue"
                + ("" if self.cell is None else f" — showing P{self.cell[0]} × I{self.cell[1]}")
            )
        self._fill_heat()
        self._fill_table()

    def _fill_heat(self) -> None:
        for p in range(1, 6):
            for i in range(1, 6):
                count = sum(
                    1
                    for r in self.risks
                    if r.active and (r.current_probability, r.current_impact) == (p, i)
                )
                item = QTableWidgetItem(str(count) if count else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                colour = heat_colour(p * i)
                if self.cell == (p, i):
                    colour = colour.darker(130)
                item.setBackground(colour)
                self.heat.setItem(5 - p, i - 1, item)

    def _fill_table(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for r in self.risks:
            if self.cell is not None and (r.current_probability, r.current_impact) != self.cell:
                continue
            cells = [
                (r.key, r.number),
                (r.title + ("  ⚠ overdue" if r.overdue else ""), r.title.lower()),
                (str(r.probability), r.probability),
                (str(r.impact), r.impact),
                (str(r.exposure), r.exposure),
                (str(r.residual_exposure), r.residual_exposure),
                (r.owner, r.owner.lower()),
                (r.status, r.status),
                (
                    r.proximity.isoformat() if r.proximity else "",
                    r.proximity.isoformat() if r.proximity else "",
                ),
            ]
            items = []
            for text, key in cells:
                item = QStandardItem(text)
                item.setData(key, Qt.ItemDataRole.UserRole)
                item.setData(r.number, RiskRole)
                if r.overdue:
                    item.setForeground(QColor("#c62828"))
                items.append(item)
            self.model.appendRow(items)

    def _cell_clicked(self, row: int, column: int) -> None:
        cell = (5 - row, column + 1)
        self.cell = None if self.cell == cell else cell
        self.refresh()

    def visible_keys(self) -> list[str]:
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    def add_risk(self) -> None:
        project = self._ctx.store.project
        if project is None:
            return
        dialog = RiskDialog(self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            command = AddRiskCommand(self._ctx.commands, project.id, dialog.values())
            command.quiet = True
            self._ctx.push(command)
            if command.error is None:
                return
            dialog.error.setText(command.error)

    def edit_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        number = index.data(RiskRole)
        risk = next((r for r in self.risks if r.number == number), None)
        if risk is None:
            return
        dialog = RiskDialog(self, risk)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            command = EditRiskCommand(self._ctx.commands, risk, dialog.values(), _fields(risk))
            command.quiet = True
            self._ctx.push(command)
            if command.error is None:
                return
            dialog.error.setText(command.error)
