"""The Risks page (Ctrl+9): the register and a 5×5 heat map of the active risks' residual
probability × impact.

- New risk (the toolbar's button, or Ctrl+N while the page has focus), Edit (double-click or
  Enter on a row), Delete (Del, after a confirmation) and Close: each one undoable step on
  the window's stack (Ctrl+Z, Ctrl+Shift+Z), see :mod:`app.ui.risks.commands`.
- The register shows exposure before and after the response, the owner, the status and the
  proximity date; a risk past its proximity date and still open reads "overdue" there, in
  red. A status box filters it; a heat-map click shows that cell's risks only (click it
  again to show all).
- The page reads the register again on every risk, team or plan change on the bus: this
  window's, another window's, the command line's (the change feed).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeyEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.events import Change, ChangeKind
from app.services.risks import RISK_STATUSES, RiskDTO
from app.ui.risks.commands import (
    AddRiskCommand,
    DeleteRiskCommand,
    EditRiskCommand,
    RiskVersions,
    changed_values,
)
from app.ui.risks.dialog import RiskDialog

if TYPE_CHECKING:
    from app.ui.commands import ServiceCommand
    from app.ui.mainwindow.registry import PageContext

HEADERS = ("Key", "Title", "Inherent", "Residual", "Owner", "Status", "Proximity", "Linked")
KEY, TITLE, INHERENT, RESIDUAL, OWNER, STATUS, PROXIMITY, LINKED = range(len(HEADERS))
RiskRole = Qt.ItemDataRole.UserRole + 60  # the risk's number, on every cell of its row
SortRole = Qt.ItemDataRole.UserRole
OVERDUE_COLOUR = QColor("#c62828")
ALL, ACTIVE = "All statuses", "Active (open, mitigating)"
FILTERS = (ALL, ACTIVE, *RISK_STATUSES)
# What the page reads again on (a project's risks, its team for owners, its milestones).
_KINDS = {
    ChangeKind.RISKS_CHANGED,
    ChangeKind.MEMBERS_CHANGED,
    ChangeKind.PLANS_CHANGED,
    ChangeKind.PROJECT_CHANGED,
    ChangeKind.RELOADED,
}


def heat_colour(exposure: int) -> QColor:
    """Green (low) to amber to red (high), by exposure 1..25."""
    if exposure >= 15:
        return QColor("#e57373")
    if exposure >= 8:
        return QColor("#ffb74d")
    return QColor("#aed581")


def _new_risk_key(event: QKeyEvent) -> bool:
    return event.key() == Qt.Key.Key_N and event.modifiers() == Qt.KeyboardModifier.ControlModifier


class RisksPage(QWidget):
    """The register, the heat map and their actions; see the module's docstring."""

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx.window)
        self.setObjectName("risksPage")
        self._ctx = ctx
        self.versions = RiskVersions()
        self.risks: list[RiskDTO] = []
        self.cell: tuple[int, int] | None = None  # (probability, impact) filter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)

        self.toolbar = QToolBar("Risks", self)
        self.toolbar.setObjectName("risksToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_action = self._action("&New risk…", "Add a risk to the register (Ctrl+N)")
        self.new_action.triggered.connect(self.new_risk)
        self.edit_action = self._action("&Edit…", "Edit the selected risk (Enter)")
        self.edit_action.triggered.connect(self.edit_current)
        self.close_action = self._action("&Close risk", "Mark the selected risk closed")
        self.close_action.triggered.connect(self.close_current)
        self.delete_action = self._action("&Delete…", "Delete the selected risk (Del)")
        self.delete_action.triggered.connect(self.delete_current)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(QLabel(" Show: ", self))
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("riskStatusFilter")
        self.status_filter.addItems(FILTERS)
        self.status_filter.currentIndexChanged.connect(lambda _: self._show())
        self.toolbar.addWidget(self.status_filter)
        layout.addWidget(self.toolbar)
        self.heading = QLabel(self)
        self.heading.setObjectName("risksHeading")
        layout.addWidget(self.heading)

        row = QHBoxLayout()
        left = QVBoxLayout()
        self.heat_title = QLabel("<b>Heat map</b> — active risks, residual P × I", self)
        left.addWidget(self.heat_title)
        self.heat = QTableWidget(5, 5, self)
        self.heat.setObjectName("riskHeatMap")
        self.heat.setHorizontalHeaderLabels([f"I{i}" for i in range(1, 6)])
        self.heat.setVerticalHeaderLabels([f"P{p}" for p in range(5, 0, -1)])
        self.heat.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.heat.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.heat.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.heat.setToolTip("Click a cell to show its risks; click it again to show all")
        for section in range(5):
            self.heat.setColumnWidth(section, 48)
            self.heat.setRowHeight(section, 40)
        frame = 2 * self.heat.frameWidth()
        self.heat.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.heat.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.heat.setFixedSize(
            self.heat.verticalHeader().sizeHint().width() + 5 * 48 + frame,
            self.heat.horizontalHeader().sizeHint().height() + 5 * 40 + frame,
        )
        self.heat.cellClicked.connect(self._cell_clicked)
        left.addWidget(self.heat)
        left.addWidget(QLabel("Probability ↑ · Impact →", self))
        self.details = QLabel(self)
        self.details.setObjectName("riskDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setFixedWidth(self.heat.width())
        left.addWidget(self.details, 1)
        row.addLayout(left)

        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView(self)
        self.table.setObjectName("riskRegister")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(KEY, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _: self.edit_current())
        self.table.installEventFilter(self)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._selected())
        row.addWidget(self.table, 1)
        layout.addLayout(row, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        ctx.store.board_reset.connect(self._timer.start)
        ctx.services.bus.subscribe(self._on_change)
        listener, bus = self._on_change, ctx.services.bus
        self.destroyed.connect(lambda *_: bus.unsubscribe(listener))
        self.refresh()

    def _action(self, text: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        self.toolbar.addAction(action)
        return action

    # --- keys ----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        """QWidget.event: Ctrl+N is this page's New risk while it has focus (the window's
        New card is not asked)."""
        if event.type() == QEvent.Type.ShortcutOverride and _new_risk_key(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """QWidget.keyPressEvent: Ctrl+N opens the New risk dialog."""
        if _new_risk_key(event):
            event.accept()
            self.new_risk()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """QObject.eventFilter on the register: Enter edits the current risk, Del deletes
        it."""
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if event.modifiers() in (  # type: ignore[attr-defined]
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            ):
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.edit_current()
                    return True
                if key == Qt.Key.Key_Delete:
                    self.delete_current()
                    return True
        return super().eventFilter(watched, event)

    def showEvent(self, event: Any) -> None:
        """QWidget.showEvent: the register takes the focus (so Ctrl+N, Enter, Del work)."""
        super().showEvent(event)
        self.table.setFocus()

    # --- reading -------------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        project = self._ctx.store.project
        if change.kind not in _KINDS or project is None:
            return
        if change.project_id not in (None, project.id):
            return
        try:
            self._timer.start()
        except RuntimeError:  # the page is gone
            self._ctx.services.bus.unsubscribe(self._on_change)

    def refresh(self) -> None:
        """Read the register again and show it (the selection stays on its risk)."""
        project = self._ctx.store.project
        if project is None:
            self.risks = []
        else:
            try:
                self.risks = self._ctx.services.risks.list_risks(project.id)
            except DomainError as exc:
                self.risks = []
                self.heading.setText(str(exc))
                return
        self._show()

    def _show(self) -> None:
        project = self._ctx.store.project
        if project is None:
            self.heading.setText("No project open.")
        else:
            active = [r for r in self.risks if r.active]
            overdue = sum(r.overdue for r in active)
            shown = self.status_filter.currentText()
            self.heading.setText(
                f"<b>{html.escape(project.name)}</b>: {len(active)} active "
                f"risk{'' if len(active) == 1 else 's'}, {overdue} overdue, "
                f"{len(self.risks)} in the register"
                + ("" if shown == ALL else f" — showing {html.escape(shown)}")
                + ("" if self.cell is None else f" — cell P{self.cell[0]} × I{self.cell[1]}")
            )
        self._fill_heat()
        self._fill_table()
        self._selected()

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
                    colour = colour.darker(140)
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                item.setBackground(colour)
                item.setToolTip(f"Probability {p} × impact {i} = {p * i}")
                self.heat.setItem(5 - p, i - 1, item)

    def _wanted(self, risk: RiskDTO) -> bool:
        shown = self.status_filter.currentText()
        if shown == ACTIVE and not risk.active:
            return False
        if shown not in (ALL, ACTIVE) and risk.status != shown:
            return False
        if self.cell is not None:
            return risk.active and (risk.current_probability, risk.current_impact) == self.cell
        return True

    def _fill_table(self) -> None:
        current = self.current_risk()
        self.model.removeRows(0, self.model.rowCount())
        for r in self.risks:
            if not self._wanted(r):
                continue
            proximity = r.proximity.isoformat() if r.proximity else ""
            cells = [
                (r.key, r.number),
                (r.title, r.title.lower()),
                (f"{r.exposure}  ({r.probability}×{r.impact})", r.exposure),
                (
                    f"{r.residual_exposure}  ({r.current_probability}×{r.current_impact})",
                    r.residual_exposure,
                ),
                (r.owner, r.owner.lower()),
                (r.status, RISK_STATUSES.index(r.status)),
                (f"{proximity}  overdue" if r.overdue else proximity, proximity),
                (", ".join((*r.epic_keys, *r.card_keys, *r.milestones)), len(r.linked_keys)),
            ]
            items = []
            for text, key in cells:
                item = QStandardItem(text)
                item.setData(key, SortRole)
                item.setData(r.number, RiskRole)
                items.append(item)
            if r.overdue:
                cell = items[PROXIMITY]
                cell.setForeground(OVERDUE_COLOUR)
                font = QFont(cell.font())
                font.setBold(True)
                cell.setFont(font)
                cell.setToolTip("Past its proximity date and still open")
            if not r.active:
                for item in items:
                    item.setForeground(QColor("#6b778c"))
            self.model.appendRow(items)
        if current is not None:
            self.select(current.key)

    # --- the selection -------------------------------------------------------------------

    def visible_keys(self) -> list[str]:
        """The keys of the register's rows, top to bottom."""
        return [self.proxy.index(r, KEY).data() for r in range(self.proxy.rowCount())]

    def row_of(self, key: str) -> int:
        """The register row showing ``key``; -1 when it is not shown."""
        return self.visible_keys().index(key) if key in self.visible_keys() else -1

    def select(self, key: str) -> bool:
        """Make ``key`` the current row; False when it is not shown."""
        row = self.row_of(key)
        if row < 0:
            return False
        self.table.setCurrentIndex(self.proxy.index(row, KEY))
        return True

    def current_risk(self) -> RiskDTO | None:
        """The risk of the register's current row, if any."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        number = index.data(RiskRole)
        return next((r for r in self.risks if r.number == number), None)

    def _selected(self) -> None:
        risk = self.current_risk()
        for action in (self.edit_action, self.delete_action):
            action.setEnabled(risk is not None)
        self.close_action.setEnabled(risk is not None and risk.active)
        self.new_action.setEnabled(self._ctx.store.project is not None)
        self.details.setText("" if risk is None else _details(risk))

    # --- actions -------------------------------------------------------------------------

    def _dialog(self, risk: RiskDTO | None) -> RiskDialog:
        store = self._ctx.store
        project = store.project
        assert project is not None
        try:
            milestones = [m.name for m in self._ctx.services.plans.list_milestones(project.id)]
        except DomainError:
            milestones = []
        keys = {c.key for c in store.all_cards()}
        if risk is not None:
            keys.update(risk.linked_keys)
        return RiskDialog(
            self,
            risk,
            members=[(m.id, m.display_name) for m in store.members if m.active],
            epics=[(e.key, e.title) for e in store.epics],
            milestones=milestones,
            card_keys=keys,
        )

    def _push(self, command: ServiceCommand, dialog: RiskDialog | None = None) -> bool:
        """Push ``command``; a refusal is shown on the dialog's error line (the dialog is
        shown again) or, without a dialog, as the window shows errors."""
        command.quiet = dialog is not None
        self._ctx.push(command)
        self.refresh()
        if command.error is not None and dialog is not None:
            dialog.show_error(command.error)
            return False
        return command.error is None

    def new_risk(self) -> None:
        """The New risk dialog; OK adds the risk (one undoable step) and selects it."""
        project = self._ctx.store.project
        if project is None:
            return
        dialog = self._dialog(None)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            command = AddRiskCommand(self._ctx.commands, self.versions, project.id, dialog.values())
            if self._push(command, dialog):
                if command.risk is not None and not self.select(command.risk.key):
                    self.status_filter.setCurrentText(ALL)
                    self.cell = None
                    self._show()
                    self.select(command.risk.key)
                return

    def edit_current(self) -> None:
        """The Edit dialog of the current risk; OK writes what changed (one step)."""
        risk = self.current_risk()
        if risk is None:
            return
        dialog = self._dialog(risk)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            changes = changed_values(risk, dialog.values())
            if not changes:
                return
            command = EditRiskCommand(self._ctx.commands, self.versions, risk, changes)
            if self._push(command, dialog):
                return

    def close_current(self) -> None:
        """Mark the current risk closed (one undoable step)."""
        risk = self.current_risk()
        if risk is None or not risk.active:
            return
        self._push(
            EditRiskCommand(
                self._ctx.commands, self.versions, risk, {"status": "closed"}, f"Close {risk.key}"
            )
        )

    def delete_current(self) -> None:
        """Delete the current risk after a confirmation (one undoable step)."""
        risk = self.current_risk()
        if risk is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete risk",
            f"Delete {risk.key} “{risk.title}” from the register? (Ctrl+Z brings it back.)",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("deleteRiskBox")
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(delete)
        box.exec()
        if box.clickedButton() is not delete:
            return
        self._push(DeleteRiskCommand(self._ctx.commands, self.versions, risk))

    def _cell_clicked(self, row: int, column: int) -> None:
        cell = (5 - row, column + 1)
        self.cell = None if self.cell == cell else cell
        self._show()


def _details(risk: RiskDTO) -> str:
    """The selected risk's text fields, for the panel under the heat map."""

    def line(label: str, value: object) -> str:
        if value in (None, "", ()):
            return ""
        text = ", ".join(value) if isinstance(value, tuple) else str(value)
        return f"<b>{label}:</b> {html.escape(text)}<br>"

    days = risk.schedule_days
    parts = [
        f"<b>{html.escape(risk.key)} {html.escape(risk.title)}</b><br>",
        line("Description", risk.description),
        line("Response", risk.response),
        line("Trigger", risk.trigger),
        line("Schedule impact", None if risk.schedule_days is None else f"{days} working days"),
        line("Cost impact", risk.cost_impact),
        line("Epics", risk.epic_keys),
        line("Cards", risk.card_keys),
        line("Milestones", risk.milestones),
    ]
    return "".join(parts)


__all__ = ["RiskDialog", "RisksPage", "heat_colour"]
