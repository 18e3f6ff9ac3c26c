"""The sprint view: the active sprint's goal, dates, days left, points and burndown."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.metrics.burndown import BurndownSeries
from app.metrics.calendar import working_days
from app.metrics.points import format_points
from app.reports.chart_painting import BurndownLayout, burndown_layout, day_tooltip, paint_burndown
from app.services.dto import CardDTO, SprintDTO
from app.ui.pages import RefreshWhenShown
from app.ui.sprint.complete_dialog import CompleteSprintDialog
from app.ui.sprint.sprint_dialog import day_text
from app.ui.sprint.start_dialog import StartSprintDialog
from app.ui.store import BoardStore

if TYPE_CHECKING:
    from app.services import Services
    from app.services.sprints import SprintStartDTO

KANBAN_MESSAGE = (
    "This is a Kanban project. Kanban projects have no sprints: work flows through the "
    "board continuously, so there is no sprint to plan, start or burn down."
)


def scope_text(added: Decimal, removed: Decimal) -> str:
    """ "Scope change +3 pts", "−2 pts", "+3 / −2 pts" or "No scope change" (never "−0")."""
    parts = []
    if added:
        parts.append(f"+{format_points(added)}")
    if removed:
        parts.append(f"−{format_points(removed)}")
    return f"Scope change {' / '.join(parts)} pts" if parts else "No scope change"


class BurndownSource(Protocol):
    def sprint_burndown(self, sprint_id: int) -> BurndownSeries: ...


class BurndownChart(QWidget):
    """Paints a BurndownSeries (app.reports.chart_painting); a tooltip tells each day's values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._series: BurndownSeries | None = None
        self._title = ""
        self._layout: BurndownLayout | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(420, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Sprint burndown chart")

    @property
    def series(self) -> BurndownSeries | None:
        return self._series

    def set_series(self, series: BurndownSeries | None, title: str = "") -> None:
        self._series = series
        self._title = title
        self._layout = None
        if series is not None:
            last = series.last_index
            remaining = series.remaining[last] if last is not None else None
            self.setAccessibleDescription(
                f"Burndown: {format_points(series.committed, empty='0')} points committed, "
                f"{format_points(remaining, empty='0')} remaining"
            )
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(720, 360)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._series is None or not self._series.days:
                painter.setPen(self.palette().color(self.foregroundRole()))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No burndown yet")
                return
            self._layout = paint_burndown(
                painter, QRectF(self.rect()), self._series, self.palette(), self._title
            )
        finally:
            painter.end()

    def day_at(self, pos: QPoint) -> int | None:
        if self._series is None or not self._series.days:
            return None
        layout = self._layout or burndown_layout(
            QRectF(self.rect()), self._series, QFontMetricsF(self.font()), self._title
        )
        return layout.day_at(pos.x())

    def tooltip_at(self, pos: QPoint) -> str:
        index = self.day_at(pos)
        if index is None or self._series is None:
            return ""
        return day_tooltip(self._series, index)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        text = self.tooltip_at(event.position().toPoint())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)


class SprintView(RefreshWhenShown, QWidget):
    """What the team looks at during a sprint; start and complete sprints from here."""

    sprints_changed = Signal()

    def __init__(
        self,
        services: Services,
        charts: BurndownSource,
        store: BoardStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._charts = charts
        self._store = store
        self._active: SprintDTO | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)

        outer = QVBoxLayout(self)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages)

        # A Kanban project: one clear sentence, nothing empty.
        self.kanban_page = QWidget()
        kanban_layout = QVBoxLayout(self.kanban_page)
        self.kanban_label = QLabel(KANBAN_MESSAGE)
        self.kanban_label.setWordWrap(True)
        self.kanban_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        kanban_layout.addStretch(1)
        kanban_layout.addWidget(self.kanban_label)
        kanban_layout.addStretch(1)
        self.pages.addWidget(self.kanban_page)

        # A Scrum project without an active sprint.
        self.idle_page = QWidget()
        idle_layout = QVBoxLayout(self.idle_page)
        self.idle_label = QLabel()
        self.idle_label.setWordWrap(True)
        self.idle_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle_start_button = QPushButton("Start sprint…")
        self.idle_start_button.clicked.connect(self._on_start)
        idle_layout.addStretch(1)
        idle_layout.addWidget(self.idle_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.idle_start_button)
        row.addStretch(1)
        idle_layout.addLayout(row)
        idle_layout.addStretch(1)
        self.pages.addWidget(self.idle_page)

        # The active sprint.
        self.active_page = QWidget()
        active_layout = QVBoxLayout(self.active_page)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        self.name_label = QLabel()
        font = QFont(self.name_label.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.35)
        self.name_label.setFont(font)
        self.goal_label = QLabel()
        self.goal_label.setWordWrap(True)
        self.dates_label = QLabel()
        titles.addWidget(self.name_label)
        titles.addWidget(self.goal_label)
        titles.addWidget(self.dates_label)
        header.addLayout(titles, 1)
        figures = QVBoxLayout()
        self.days_left_label = QLabel()
        self.points_label = QLabel()
        self.scope_label = QLabel()
        for label in (self.days_left_label, self.points_label, self.scope_label):
            label.setAlignment(Qt.AlignmentFlag.AlignRight)
            figures.addWidget(label)
        header.addLayout(figures)
        buttons = QVBoxLayout()
        self.complete_button = QPushButton("Complete sprint…")
        self.complete_button.clicked.connect(self._on_complete)
        buttons.addWidget(self.complete_button)
        buttons.addStretch(1)
        header.addLayout(buttons)
        active_layout.addLayout(header)
        self.chart = BurndownChart()
        active_layout.addWidget(self.chart, 1)
        self.pages.addWidget(self.active_page)

        store.board_reset.connect(self.schedule_refresh)
        store.card_added.connect(self.schedule_refresh)
        store.card_changed.connect(self.schedule_refresh)
        store.card_moved.connect(self.schedule_refresh)
        store.card_removed.connect(self.schedule_refresh)
        self.refresh()

    # --- state ---------------------------------------------------------------------------

    @property
    def active_sprint(self) -> SprintDTO | None:
        return self._active

    def schedule_refresh(self, *_args: object) -> None:
        """Coalesce a burst of store signals (one transaction) into one recompute; while the
        page is hidden, wait until it is shown."""
        if not self.defer_while_hidden():
            self._refresh_timer.start()

    def refresh(self) -> None:
        self._refresh_timer.stop()
        project = self._store.project
        if project is None:
            self._active = None
            self.idle_label.setText("Open a project to see its sprint.")
            self.idle_start_button.hide()
            self.pages.setCurrentWidget(self.idle_page)
            return
        if project.methodology != "scrum":
            self._active = None
            self.pages.setCurrentWidget(self.kanban_page)
            return
        try:
            active = self._services.sprints.active_sprint(project.id)
            planned = self._planned(project.id)
        except DomainError as exc:
            self._show_error(str(exc))
            return
        self._active = active
        if active is None:
            if planned:
                names = ", ".join(s.name for s in planned[:3])
                self.idle_label.setText(
                    f"No sprint is active in {project.name}. Planned: {names}. "
                    "Start one to see its burndown here."
                )
            else:
                self.idle_label.setText(
                    f"No sprint is active in {project.name}, and none is planned. "
                    "Plan a sprint in the backlog first."
                )
            self.idle_start_button.setVisible(bool(planned))
            self.pages.setCurrentWidget(self.idle_page)
            return
        self._show_active(active)
        self.pages.setCurrentWidget(self.active_page)

    def _show_active(self, sprint: SprintDTO) -> None:
        self.name_label.setText(sprint.name)
        self.goal_label.setText(f"Goal: {sprint.goal}" if sprint.goal else "No goal set")
        if sprint.start_date and sprint.end_date:
            self.dates_label.setText(
                f"{day_text(sprint.start_date)} – {day_text(sprint.end_date, year=True)}"
            )
        else:
            self.dates_label.setText("")
        try:
            summary = self._services.sprints.sprint_summary(sprint.id)
            series = self._charts.sprint_burndown(sprint.id)
        except DomainError as exc:
            self.chart.set_series(None)
            self._show_error(str(exc))
            return
        left = self.working_days_left(sprint)
        self.days_left_label.setText(
            f"{left} working day{'' if left == 1 else 's'} left" if left is not None else ""
        )
        committed = summary.committed_points
        completed = summary.completed_points
        share = f" ({completed / committed:.0%})" if committed else ""
        self.points_label.setText(
            f"Committed {format_points(committed, empty='0')} pts · "
            f"completed {format_points(completed, empty='0')} pts{share}"
        )
        self.scope_label.setText(
            scope_text(sum(series.scope_added, Decimal(0)), sum(series.scope_removed, Decimal(0)))
        )
        self.chart.set_series(series, f"Burndown — {sprint.name}")

    def working_days_left(self, sprint: SprintDTO) -> int | None:
        """Working days from today (in the project's time zone) to the end, today included."""
        project = self._store.project
        if project is None or sprint.end_date is None:
            return None
        today = self._services.projects.today(project.time_zone)
        if sprint.start_date is not None:
            today = max(today, sprint.start_date)
        holidays = {h.day for h in self._services.sprints.list_holidays(project.id)}
        return len(working_days(today, sprint.end_date, project.working_weekdays, holidays))

    def _planned(self, project_id: int) -> list[SprintDTO]:
        return [s for s in self._services.sprints.list_sprints(project_id) if s.state == "planned"]

    # --- actions -------------------------------------------------------------------------

    def start_sprint(self) -> None:
        """Start a planned sprint (asks which, and asks again about unestimated cards)."""
        self.catch_up()
        self._on_start()

    def complete_sprint(self) -> None:
        """Complete the active sprint, asking where its unfinished cards go."""
        self.catch_up()
        self._on_complete()

    def _on_start(self) -> None:
        project = self._store.project
        if project is None:
            return
        sprints = self._services.sprints
        try:
            previews = [sprints.start_preview(s.id) for s in self._planned(project.id)]
        except DomainError as exc:
            self._show_error(str(exc))
            return
        if not previews:
            self._show_error("There is no planned sprint to start.")
            return
        dialog: StartSprintDialog

        def submit(preview: SprintStartDTO, values: dict[str, Any]) -> str | None:
            try:
                sprints.start_sprint(
                    preview.sprint.id,
                    allow_unestimated=bool(preview.unestimated_keys),
                    expected_version=preview.sprint.version,
                    **values,
                )
            except DomainError as exc:
                try:  # the cards may have changed meanwhile: show the dialog what is true now
                    dialog.update_preview(sprints.start_preview(preview.sprint.id))
                except DomainError:
                    pass
                return str(exc)
            return None

        dialog = StartSprintDialog(previews, submit, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
        finally:
            dialog.deleteLater()
        self.refresh()
        self.sprints_changed.emit()

    def unfinished_cards(self, sprint: SprintDTO) -> list[CardDTO]:
        done_columns = {c.id for c in self._store.columns if c.category == "done"}
        return [
            c
            for c in self._store.cards()
            if c.sprint_id == sprint.id and c.type != "epic" and c.column_id not in done_columns
        ]

    def _on_complete(self) -> None:
        sprint = self._active
        project = self._store.project
        if sprint is None or project is None:
            return
        try:
            planned = self._planned(project.id)
        except DomainError as exc:
            self._show_error(str(exc))
            return
        dialog = CompleteSprintDialog(sprint, self.unfinished_cards(sprint), planned, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            kind, sprint_id = dialog.choice()
        finally:
            dialog.deleteLater()
        try:
            carry_over: str | int
            if kind == "new":
                carry_over = "new"  # created in the same transaction, dated after the close
            elif kind == "sprint" and sprint_id is not None:
                carry_over = sprint_id
            elif kind == "next":
                carry_over = "next"
            else:
                carry_over = "backlog"
            self._services.sprints.complete_sprint(
                sprint.id, carry_over, expected_version=sprint.version
            )
        except DomainError as exc:
            self._show_error(str(exc))
            return
        self.refresh()
        self.sprints_changed.emit()

    def _show_error(self, message: str) -> None:
        QMessageBox.warning(self, "Sprintdeck", message)
