"""The Budget page (Ctrl+6): what a project manager answers for every week.

A warning banner at 80% and 100% of the project's (or an epic's) budget; a summary line
(spent of budget, burn rate of the last closed sprints, the date the budget runs out at that
rate); the *Cost* tab: the burn-up of cost against the budget line and the cost per sprint,
per person and per epic; the *Earned value* tab: a release (or the whole project), its
AgileEVM table per closed sprint with each sprint's plain reading, and a chart of CPI and SPI.
The buttons *Set budget…*, *Epic budgets…* and *Release…*, and *Edit release…* and *Delete
release* beside the release chooser, edit the money (app/ui/budget/editing.py: one undoable
command each; the budget is also in *Project › Settings* and
``sprintdeck budget set``). Refreshes when the board store reloads or a card changes, and
each time it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.metrics.evm import EvmPoint
from app.services import Services
from app.services.events import Change, ChangeKind
from app.ui.budget.charts import ChartWidget
from app.ui.budget.editing import (
    AddReleaseCommand,
    BudgetDialog,
    DeleteReleaseCommand,
    EditReleaseCommand,
    EpicBudgetDialog,
    ReleaseDialog,
    SetBudgetCommand,
    SetEpicBudgetCommand,
)
from app.ui.commands import CommandContext, ServiceCommand
from app.ui.mainwindow.registry import PageContext
from app.ui.store import BoardStore

if TYPE_CHECKING:  # DTOs only: the service module itself is SQL
    from app.services.budget import BudgetOverviewDTO, CostLine, EvmTableDTO, ReleaseDTO

WHOLE_PROJECT = "Whole project (its budget)"
EVM_COLUMNS = (
    "Sprint",
    "PPC",
    "APC",
    "PV",
    "EV",
    "AC",
    "CV",
    "SV",
    "CPI",
    "SPI",
    "EAC",
    "ETC",
    "VAC",
    "Reading",
)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def money(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def percent(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def index(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


class BudgetView(QWidget):
    """The page's widgets on a board store. ``commands`` and ``push`` are the window's
    (its undo stack); without them the view keeps an undo stack of its own."""

    def __init__(
        self,
        services: Services,
        store: BoardStore,
        parent: QWidget | None = None,
        commands: CommandContext | None = None,
        push: Callable[[ServiceCommand], bool] | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("budgetPage")
        self._services = services
        self._store = store
        self.undo_stack: QUndoStack | None = None
        if commands is None or push is None:
            self.undo_stack = QUndoStack(self)
            commands = CommandContext(services, self._show_error)
            push = self._push_here
        self._commands = commands
        self._push = push
        self.overview: BudgetOverviewDTO | None = None
        self.evm: EvmTableDTO | None = None
        self._releases: list[ReleaseDTO] = []

        self.banner = QLabel()
        self.banner.setObjectName("budgetWarning")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.summary = QLabel()
        self.summary.setObjectName("budgetSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.cost_chart = ChartWidget("cost")
        self.sprint_table = _table(("Sprint", "Hours", "Cost"))
        self.person_table = _table(("Person", "Hours", "Cost"))
        self.epic_table = _table(("Epic", "Hours", "Cost", "Budget"))
        tables = QWidget()
        row = QHBoxLayout(tables)
        row.setContentsMargins(0, 0, 0, 0)
        for title, table in (
            ("Per sprint", self.sprint_table),
            ("Per person", self.person_table),
            ("Per epic", self.epic_table),
        ):
            box = QVBoxLayout()
            caption = QLabel(f"<b>{title}</b>")
            box.addWidget(caption)
            box.addWidget(table)
            row.addLayout(box)
        cost_tab = QSplitter(Qt.Orientation.Vertical)
        cost_tab.addWidget(self.cost_chart)
        cost_tab.addWidget(tables)
        cost_tab.setSizes([360, 240])

        self.release_box = QComboBox()
        self.release_box.setObjectName("releaseBox")
        release_label = QLabel("&Release:")
        release_label.setBuddy(self.release_box)
        self.evm_caption = QLabel()
        self.evm_caption.setObjectName("evmCaption")
        self.evm_caption.setWordWrap(True)
        self.evm_table = _table(EVM_COLUMNS)
        self.index_chart = ChartWidget("indices")
        self.edit_release_button = QPushButton("Ed&it release…")
        self.edit_release_button.setObjectName("editReleaseButton")
        self.edit_release_button.clicked.connect(self.edit_release)
        self.delete_release_button = QPushButton("Delete release")
        self.delete_release_button.setObjectName("deleteReleaseButton")
        self.delete_release_button.clicked.connect(self.delete_release)
        top = QHBoxLayout()
        top.addWidget(release_label)
        top.addWidget(self.release_box, 1)
        top.addWidget(self.edit_release_button)
        top.addWidget(self.delete_release_button)
        evm_tab = QWidget()
        evm_layout = QVBoxLayout(evm_tab)
        evm_layout.addLayout(top)
        evm_layout.addWidget(self.evm_caption)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.evm_table)
        split.addWidget(self.index_chart)
        split.setSizes([220, 320])
        evm_layout.addWidget(split, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(cost_tab, "&Cost")
        self.tabs.addTab(evm_tab, "&Earned value")
        self.budget_button = QPushButton("Set bu&dget…")
        self.budget_button.setObjectName("setBudgetButton")
        self.budget_button.clicked.connect(self.set_budget)
        self.epic_button = QPushButton("Epic bud&gets…")
        self.epic_button.setObjectName("epicBudgetsButton")
        self.epic_button.clicked.connect(self.set_epic_budget)
        self.release_button = QPushButton("Re&lease…")
        self.release_button.setObjectName("releaseButton")
        self.release_button.clicked.connect(self.add_release)
        actions = QHBoxLayout()
        for button in (self.budget_button, self.epic_button, self.release_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addLayout(actions)
        layout.addWidget(self.tabs, 1)

        self._shown_before = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self.release_box.currentIndexChanged.connect(self._refresh_evm)
        store.board_reset.connect(self._schedule)
        # Work logs and rates change no card: their kind comes on the bus itself.
        services.bus.subscribe(self._on_change)
        self.destroyed.connect(lambda *_: services.bus.unsubscribe(self._on_change))
        for signal in (store.card_added, store.card_removed, store.card_changed, store.card_moved):
            signal.connect(self._schedule)
        self.refresh()

    def _schedule(self, *_args: object) -> None:
        self._timer.start()

    def _on_change(self, change: Change) -> None:
        project = self._store.project
        if change.kind is ChangeKind.WORKLOG_CHANGED and (
            project is None or change.project_id in (None, project.id)
        ):
            self._schedule()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        if self._shown_before:  # time logged by another process shows when it is reopened
            self._schedule()
        self._shown_before = True

    # --- filling ---------------------------------------------------------------------------

    def refresh(self) -> None:
        project = self._store.project
        if project is None:
            return
        budget = self._services.budget
        try:
            releases = budget.list_releases(project.id)
        except DomainError as exc:
            self.summary.setText(str(exc))
            return
        wanted = self.release_box.currentData()
        self.release_box.blockSignals(True)
        self.release_box.clear()
        self.release_box.addItem(WHOLE_PROJECT, None)
        for r in releases:
            self.release_box.addItem(
                f"{r.name} – {r.planned_sprints} sprints, BAC {money(r.bac)}, {r.scope_text}",
                r.name,
            )
        at = self.release_box.findData(wanted) if wanted is not None else -1
        if at < 0 and wanted is None and len(releases) == 1:
            at = 1
        self.release_box.setCurrentIndex(max(at, 0))
        self.release_box.blockSignals(False)
        self._releases = releases
        name = self.release_box.currentData()
        self._enable_release_buttons()
        try:
            # One read for both: the logs are costed once (the page's main cost at scale).
            o, table = budget.overview_and_evm(project.id, name, project_wide=name is None)
        except DomainError as exc:
            self.summary.setText(str(exc))
            self._show_evm(exc)
            return
        self.overview = o
        self._show_overview(o)
        self._show_evm(table)

    # --- editing ---------------------------------------------------------------------------

    def _push_here(self, command: ServiceCommand) -> bool:
        assert self.undo_stack is not None
        self.undo_stack.push(command)
        return command.error is None

    def _show_error(self, text: str) -> None:
        QMessageBox.warning(self, "Budget", text)

    def _run(self, dialog: QDialog, make: Callable[[], ServiceCommand | str]) -> bool:
        """Show ``dialog`` until its change is accepted by the service or it is cancelled;
        a refusal (or ``make``'s own message) is shown in the dialog, nothing is written."""
        try:
            while dialog.exec() == QDialog.DialogCode.Accepted:
                command = make()
                if isinstance(command, str):
                    dialog.error.setText(command)  # type: ignore[attr-defined]
                    continue
                command.quiet = True
                self._push(command)
                if command.error is None:
                    self.refresh()
                    return True
                dialog.error.setText(command.error)  # type: ignore[attr-defined]
            return False
        finally:
            dialog.deleteLater()  # the window is the active one again (its shortcuts work)

    def _epics(self, project_id: int) -> list[tuple[str, str]]:
        return [
            (c.key, c.title)
            for c in self._services.cards.list_cards(project_id)
            if c.type == "epic"
        ]

    def set_budget(self) -> None:
        """*Set budget…*: the project's budget (empty: none)."""
        project = self._store.project
        if project is None or self.overview is None:
            return
        old = self.overview.budget
        dialog = BudgetDialog(self, old, self.overview.currency)
        self._run(
            dialog,
            lambda: SetBudgetCommand(self._commands, project.id, dialog.amount.text(), old),
        )

    def set_epic_budget(self) -> None:
        """*Epic budgets…*: one epic's own budget (empty: none)."""
        project = self._store.project
        if project is None or self.overview is None:
            return
        budgets = {e.key: e.budget for e in self._services.budget.epic_budgets(project.id)}
        dialog = EpicBudgetDialog(self, self._epics(project.id), budgets, self.overview.currency)

        def make() -> ServiceCommand | str:
            key = dialog.epic_key()
            if key is None:
                return "This project has no epics yet."
            return SetEpicBudgetCommand(
                self._commands, project.id, key, dialog.amount.text(), dialog.old_budget()
            )

        self._run(dialog, make)

    def add_release(self) -> None:
        """*Release…*: define a release for earned value, then show its figures."""
        project = self._store.project
        if project is None or self.overview is None:
            return
        dialog = ReleaseDialog(self, self._epics(project.id), self.overview.currency)

        def make() -> ServiceCommand | str:
            values = dialog.values()
            if dialog.chosen.isChecked() and not values["epic_keys"]:
                return "Tick at least one epic, or choose the whole backlog."
            return AddReleaseCommand(self._commands, project.id, values)

        if self._run(dialog, make):
            at = self.release_box.findData(dialog.name.text().strip())
            if at >= 0:
                self.release_box.setCurrentIndex(at)
                self.tabs.setCurrentIndex(1)

    def _chosen_release(self) -> ReleaseDTO | None:
        name = self.release_box.currentData()
        return next((r for r in self._releases if r.name == name), None)

    def edit_release(self) -> None:
        """*Edit release…*: change the chosen release's name, sprints, BAC or scope."""
        project = self._store.project
        release = self._chosen_release()
        if project is None or release is None or self.overview is None:
            return
        dialog = ReleaseDialog(self, self._epics(project.id), self.overview.currency, release)

        def make() -> ServiceCommand | str:
            values = dialog.values()
            if dialog.chosen.isChecked() and not values["epic_keys"]:
                return "Tick at least one epic, or choose the whole backlog."
            return EditReleaseCommand(self._commands, project.id, release, values)

        if self._run(dialog, make):
            at = self.release_box.findData(dialog.name.text().strip())
            if at >= 0:
                self.release_box.setCurrentIndex(at)

    def delete_release(self) -> None:
        """*Delete release*: remove the chosen release (undoable; its epics stay)."""
        project = self._store.project
        release = self._chosen_release()
        if project is None or release is None:
            return
        command = DeleteReleaseCommand(self._commands, project.id, release)
        self._push(command)
        if command.error is None:
            self.refresh()

    # --- showing ---------------------------------------------------------------------------

    def _show_overview(self, o: BudgetOverviewDTO) -> None:
        if o.warnings:
            worst = max(w.level for w in o.warnings)
            colour = "#b71c1c" if worst >= 100 else "#8a5a00"
            back = "#fdecea" if worst >= 100 else "#fff4e0"
            self.banner.setStyleSheet(
                f"QLabel#budgetWarning {{ background: {back}; color: {colour}; "
                f"border: 1px solid {colour}; border-radius: 4px; padding: 6px; }}"
            )
            self.banner.setText("\n".join(f"⚠ {w.text}" for w in o.warnings))
            self.banner.show()
        else:
            self.banner.hide()
            self.banner.clear()
        cur = o.currency
        if o.budget is None:
            spent = f"Spent {money(o.cost_to_date)} {cur}; no budget set (Set budget…)."
        else:
            spent = (
                f"Spent {money(o.cost_to_date)} of {money(o.budget)} {cur} "
                f"({percent(o.spent_share)}); {money(o.budget - o.cost_to_date)} left."
            )
        rate = ""
        if o.burn_rate_per_sprint is not None:
            rate = (
                f" Burn rate {money(o.burn_rate_per_sprint)} {cur} a sprint over the last "
                f"{len(o.burn_sprints)} closed ({', '.join(o.burn_sprints)})."
            )
        self.summary.setText(f"{spent}{rate} {o.runs_out_text}")
        self.cost_chart.set_data(o)
        _fill(self.sprint_table, o.per_sprint, False)
        _fill(self.person_table, o.per_person, False)
        _fill(self.epic_table, o.per_epic, True)

    def _enable_release_buttons(self) -> None:
        chosen = self.release_box.currentData() is not None
        self.edit_release_button.setEnabled(chosen)
        self.delete_release_button.setEnabled(chosen)

    def _refresh_evm(self, *_args: object) -> None:
        self._enable_release_buttons()
        project = self._store.project
        if project is None:
            return
        try:
            name = self.release_box.currentData()
            table = self._services.budget.evm(project.id, release=name, project_wide=name is None)
        except DomainError as exc:
            self._show_evm(exc)
            return
        self._show_evm(table)

    def _show_evm(self, table: EvmTableDTO | DomainError) -> None:
        if isinstance(table, DomainError):
            self.evm = None
            self.evm_caption.setText(str(table))
            self.evm_table.setRowCount(0)
            self.index_chart.set_data(())
            return
        self.evm = table
        head = (
            f"{table.release} ({table.scope}): BAC {money(table.bac)} {table.currency} "
            f"over {table.planned_sprints} sprints."
        )
        if table.note and not table.bac:
            head = table.note  # no budget to speak of: say only what is missing
        elif table.note:
            head += " " + table.note
        elif table.points:
            last = table.points[-1]
            head += f" After {last.sprint}: {last.reading}."
        self.evm_caption.setText(head)
        self.evm_table.setRowCount(len(table.points))
        for r, p in enumerate(table.points):
            for c, text in enumerate(_evm_cells(p)):
                item = QTableWidgetItem(text)
                if 0 < c < len(EVM_COLUMNS) - 1:
                    item.setTextAlignment(_RIGHT)
                why = _why(p, EVM_COLUMNS[c].lower())
                if why:
                    item.setToolTip(why)
                self.evm_table.setItem(r, c, item)
        self.evm_table.resizeColumnsToContents()
        self.index_chart.set_data(table.points)


def _evm_cells(p: EvmPoint) -> list[str]:
    return [
        p.sprint,
        percent(p.ppc),
        percent(p.apc),
        money(p.pv),
        money(p.ev),
        money(p.ac),
        money(p.cv),
        money(p.sv),
        index(p.cpi),
        index(p.spi),
        money(p.eac),
        money(p.etc),
        money(p.vac),
        p.reading,
    ]


def _why(p: EvmPoint, name: str) -> str:
    reason = p.reasons.get(name)
    return f"Cannot be computed: {reason}." if reason else ""


def _table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.setAlternatingRowColors(True)
    return table


def _fill(table: QTableWidget, lines: tuple[CostLine, ...], budgets: bool) -> None:
    table.setRowCount(len(lines))
    for r, line in enumerate(lines):
        cells = [line.label, f"{line.hours:,.2f}", money(line.cost)]
        if budgets:
            cells.append("" if line.budget is None else money(line.budget))
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c:
                item.setTextAlignment(_RIGHT)
            if budgets and line.budget is not None and line.cost > line.budget:
                item.setToolTip(f"Over its budget by {money(line.cost - line.budget)}.")
                item.setForeground(Qt.GlobalColor.red)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)  # the name takes the room; the figures fit
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, table.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)


class BudgetPage(BudgetView):
    """The registered page: a :class:`BudgetView` built from the window's PageContext."""

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx.services, ctx.store, ctx.window, ctx.commands, ctx.push)
