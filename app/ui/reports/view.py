"""The Reports view: the agile charts of one project, chosen and scoped by the user.

A Scrum project gets the sprint charts (burndown, burnup, velocity) and the flow charts; a
Kanban project, which has no sprints, only the flow charts, and opens on cumulative flow.

(One module of ~550 lines: one view class and the choices it offers; the painting itself is
app/reports.)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QDate, QPoint, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetricsF, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.clock import project_zone
from app.errors import DomainError
from app.metrics.burndown import BurndownSeries
from app.metrics.flow import (
    DEFAULT_THROUGHPUT_WEEKS,
    MAX_THROUGHPUT_WEEKS,
    ControlChart,
    CumulativeFlow,
    Throughput,
)
from app.metrics.velocity import VelocitySeries
from app.reports.chart_painting import (
    ChartLayout,
    burndown_layout,
    burnup_tooltip,
    cfd_tooltip,
    control_tooltip,
    day_tooltip,
    paint_burndown,
    paint_burnup,
    paint_cfd,
    paint_control_chart,
    paint_throughput,
    paint_velocity,
    throughput_tooltip,
    velocity_tooltip,
)
from app.services.dto import SprintDTO
from app.ui.pages import RefreshWhenShown
from app.ui.store import BoardStore
from app.words import plural

if TYPE_CHECKING:
    from app.services import Services

CHARTS = (
    ("burndown", "Burndown"),
    ("burnup", "Burnup"),
    ("velocity", "Velocity"),
    ("cfd", "Cumulative flow"),
    ("control", "Control chart"),
    ("throughput", "Throughput"),
)
SPRINT_CHARTS = {"burndown", "burnup", "velocity"}
RANGE_CHARTS = {"cfd", "control"}
# The chart a project's page opens on, per methodology, until the person picks another.
FIRST_CHART = {"scrum": "burndown", "kanban": "cfd"}
DEFAULT_RANGE_DAYS = 30


def charts_for(methodology: str) -> tuple[tuple[str, str], ...]:
    """The charts offered for a project: a Kanban board has no sprints, so no sprint charts."""
    if methodology == "kanban":
        return tuple((kind, label) for kind, label in CHARTS if kind not in SPRINT_CHARTS)
    return CHARTS


class ChartSource(Protocol):
    """What the view asks of ChartService."""

    def sprint_burndown(self, sprint_id: int) -> BurndownSeries: ...
    def burnup(self, sprint_id: int, unit: str = "points") -> BurndownSeries: ...
    def velocity(self, project_id: int, last: int = 7) -> VelocitySeries: ...
    def cumulative_flow(
        self, project_id: int, start: object = None, end: object = None
    ) -> CumulativeFlow: ...
    def control_chart(
        self, project_id: int, start: object = None, end: object = None, kind: str = "cycle"
    ) -> ControlChart: ...
    def throughput(self, project_id: int, weeks: int = 12) -> Throughput: ...


ChartData = BurndownSeries | VelocitySeries | CumulativeFlow | ControlChart | Throughput


class ChartWidget(QWidget):
    """Paints one chart (app.reports.chart_painting); a tooltip tells the values under the mouse."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = ""
        self._data: ChartData | None = None
        self._title = ""
        self._unit = "points"
        self._zone: dt.tzinfo = dt.UTC
        self._layout: ChartLayout | None = None
        self._burndown_layout = None
        self.setMouseTracking(True)
        self.setMinimumSize(420, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Chart")

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def data(self) -> ChartData | None:
        return self._data

    def set_chart(
        self,
        kind: str,
        data: ChartData | None,
        title: str = "",
        unit: str = "points",
        time_zone: dt.tzinfo = dt.UTC,
    ) -> None:
        self._kind, self._data, self._title = kind, data, title
        self._unit, self._zone = unit, time_zone
        self._layout = None
        self._burndown_layout = None
        self.setAccessibleDescription(title)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(820, 420)

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        data, title = self._data, self._title
        if data is None:
            return
        palette = self.palette()
        if self._kind == "burndown" and isinstance(data, BurndownSeries):
            self._burndown_layout = paint_burndown(painter, rect, data, palette, title)
        elif self._kind == "burnup" and isinstance(data, BurndownSeries):
            self._layout = paint_burnup(painter, rect, data, palette, title, self._unit)
        elif isinstance(data, VelocitySeries):
            self._layout = paint_velocity(painter, rect, data, palette, title)
        elif isinstance(data, CumulativeFlow):
            self._layout = paint_cfd(painter, rect, data, palette, title)
        elif isinstance(data, ControlChart):
            self._layout = paint_control_chart(painter, rect, data, palette, title, self._zone)
        elif isinstance(data, Throughput):
            self._layout = paint_throughput(painter, rect, data, palette, title)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._data is None:
                painter.setPen(self.palette().color(self.foregroundRole()))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No chart")
                return
            self.paint(painter, QRectF(self.rect()))
        finally:
            painter.end()

    def chart_layout(self) -> ChartLayout | None:
        """The layout of the last paint (painting off screen first when never painted)."""
        if self._layout is None and self._data is not None and self._kind != "burndown":
            image = QImage(self.size(), QImage.Format.Format_ARGB32)
            painter = QPainter(image)
            painter.setFont(self.font())
            try:
                self.paint(painter, QRectF(self.rect()))
            finally:
                painter.end()
        return self._layout

    def item_at(self, pos: QPoint) -> int | None:
        data = self._data
        if data is None:
            return None
        if self._kind == "burndown" and isinstance(data, BurndownSeries):
            if not data.days:
                return None
            layout = self._burndown_layout or burndown_layout(
                QRectF(self.rect()), data, QFontMetricsF(self.font()), self._title
            )
            index = layout.day_at(pos.x())
            last = data.last_index
            return None if index is None or last is None or index > last else index
        layout = self.chart_layout()
        return None if layout is None else layout.hit_at(pos.x(), pos.y())

    def tooltip_at(self, pos: QPoint) -> str:
        index = self.item_at(pos)
        data = self._data
        if index is None or data is None:
            return ""
        if self._kind == "burndown" and isinstance(data, BurndownSeries):
            return day_tooltip(data, index)
        if isinstance(data, BurndownSeries):
            return burnup_tooltip(data, index, self._unit)
        if isinstance(data, VelocitySeries):
            return velocity_tooltip(data, index)
        if isinstance(data, CumulativeFlow):
            return cfd_tooltip(data, index)
        if isinstance(data, ControlChart):
            return control_tooltip(data, index, self._zone)
        if isinstance(data, Throughput):
            return throughput_tooltip(data, index)
        return ""

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        text = self.tooltip_at(event.position().toPoint())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ReportsView(RefreshWhenShown, QWidget):
    """Burndown, burnup, velocity, cumulative flow, the control chart and throughput of the
    store's project: sprint charts for a chosen sprint, flow charts for a chosen date range,
    throughput for the last so many weeks. The choice of chart is kept per methodology while
    the window is open, so going back to a Scrum project finds the chart left there."""

    chart_shown = Signal(str)  # the chart's kind, after it was (re)computed

    def __init__(
        self,
        charts: ChartSource,
        services: Services,
        store: BoardStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._charts = charts
        self._services = services
        self._store = store
        self._project_id: int | None = None
        self._methodology: str | None = None
        self._choice = dict(FIRST_CHART)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)

        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        outer.addLayout(bar)

        self.chart_box = QComboBox()
        self.chart_box.setAccessibleName("Chart")
        bar.addWidget(QLabel("&Chart:", buddy=self.chart_box))
        bar.addWidget(self.chart_box)

        self.sprint_label = QLabel("&Sprint:")
        self.sprint_box = QComboBox()
        self.sprint_box.setAccessibleName("Sprint")
        self.sprint_box.setMinimumContentsLength(16)
        self.sprint_label.setBuddy(self.sprint_box)
        bar.addWidget(self.sprint_label)
        bar.addWidget(self.sprint_box)

        self.unit_label = QLabel("&Unit:")
        self.unit_box = QComboBox()
        self.unit_box.setAccessibleName("Burnup unit")
        self.unit_box.addItem("Story points", "points")
        self.unit_box.addItem("Card count", "cards")
        self.unit_label.setBuddy(self.unit_box)
        bar.addWidget(self.unit_label)
        bar.addWidget(self.unit_box)

        self.kind_label = QLabel("&Measure:")
        self.kind_box = QComboBox()
        self.kind_box.setAccessibleName("Control chart measure")
        self.kind_box.addItem("Cycle time", "cycle")
        self.kind_box.addItem("Lead time", "lead")
        self.kind_label.setBuddy(self.kind_box)
        bar.addWidget(self.kind_label)
        bar.addWidget(self.kind_box)

        self.from_label = QLabel("&From:")
        self.start_edit = QDateEdit()
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("yyyy-MM-dd")
        self.start_edit.setAccessibleName("Range start")
        self.from_label.setBuddy(self.start_edit)
        self.to_label = QLabel("&To:")
        self.end_edit = QDateEdit()
        self.end_edit.setCalendarPopup(True)
        self.end_edit.setDisplayFormat("yyyy-MM-dd")
        self.end_edit.setAccessibleName("Range end")
        self.to_label.setBuddy(self.end_edit)
        for widget in (self.from_label, self.start_edit, self.to_label, self.end_edit):
            bar.addWidget(widget)

        self.weeks_label = QLabel("&Weeks:")
        self.weeks_box = QSpinBox()
        self.weeks_box.setRange(2, MAX_THROUGHPUT_WEEKS)
        self.weeks_box.setValue(DEFAULT_THROUGHPUT_WEEKS)
        self.weeks_box.setAccessibleName("Weeks of throughput")
        self.weeks_box.setToolTip("How many weeks back, the running week included")
        self.weeks_label.setBuddy(self.weeks_box)
        bar.addWidget(self.weeks_label)
        bar.addWidget(self.weeks_box)
        bar.addStretch(1)

        self.pages = QStackedWidget()
        self.chart = ChartWidget()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.chart)
        self.pages.addWidget(self.message)
        outer.addWidget(self.pages, 1)

        self._reset_range()
        self.chart_box.currentIndexChanged.connect(self._on_choice_changed)
        self.sprint_box.currentIndexChanged.connect(self._schedule)
        self.unit_box.currentIndexChanged.connect(self._schedule)
        self.kind_box.currentIndexChanged.connect(self._schedule)
        self.start_edit.dateChanged.connect(self._schedule)
        self.end_edit.dateChanged.connect(self._schedule)
        self.weeks_box.valueChanged.connect(self._schedule)
        store.board_reset.connect(self._on_board_reset)
        for signal in (store.card_added, store.card_removed):
            signal.connect(self._schedule)
        for signal in (store.card_changed, store.card_moved):
            signal.connect(self._schedule)
        self._on_board_reset()

    # --- reading the choices -----------------------------------------------------------------

    @property
    def current_kind(self) -> str:
        return str(self.chart_box.currentData())

    @property
    def offered_charts(self) -> list[str]:
        """The kinds the chart box offers, in its order."""
        return [str(self.chart_box.itemData(i)) for i in range(self.chart_box.count())]

    def set_chart(self, kind: str) -> None:
        index = self.chart_box.findData(kind)
        if index < 0:
            raise ValueError(f"This project has no {kind!r} chart")
        self.chart_box.setCurrentIndex(index)
        self.refresh()

    def set_weeks(self, weeks: int) -> None:
        self.weeks_box.setValue(weeks)
        self.refresh()

    def set_sprint(self, sprint_id: int) -> None:
        index = self.sprint_box.findData(sprint_id)
        if index >= 0:
            self.sprint_box.setCurrentIndex(index)
        self.refresh()

    def set_unit(self, unit: str) -> None:
        self.unit_box.setCurrentIndex(max(self.unit_box.findData(unit), 0))
        self.refresh()

    def set_range(self, start: dt.date, end: dt.date) -> None:
        self.start_edit.blockSignals(True)
        self.end_edit.blockSignals(True)
        self.start_edit.setDate(_qdate(start))
        self.end_edit.setDate(_qdate(end))
        self.start_edit.blockSignals(False)
        self.end_edit.blockSignals(False)
        self.refresh()

    @property
    def date_range(self) -> tuple[dt.date, dt.date]:
        return _pydate(self.start_edit.date()), _pydate(self.end_edit.date())

    # --- refreshing --------------------------------------------------------------------------

    def _schedule(self, *_args: object) -> None:
        # Charts are computed for a page someone looks at; hidden, just note it.
        if not self.defer_while_hidden():
            self._refresh_timer.start()

    def _on_choice_changed(self, *_args: object) -> None:
        if self._methodology is not None and self.chart_box.currentData() is not None:
            self._choice[self._methodology] = self.current_kind
        self._update_controls()
        self.refresh()

    def _fill_charts(self, methodology: str | None) -> None:
        """Offer the charts of the project's methodology, on the one last chosen for it."""
        if methodology == self._methodology and self.chart_box.count():
            return
        self._methodology = methodology
        offered = charts_for(methodology or "scrum")
        self.chart_box.blockSignals(True)
        self.chart_box.clear()
        for kind, label in offered:
            self.chart_box.addItem(label, kind)
        wanted = self._choice.get(methodology or "scrum", offered[0][0])
        self.chart_box.setCurrentIndex(max(self.chart_box.findData(wanted), 0))
        self.chart_box.blockSignals(False)

    def _on_board_reset(self) -> None:
        project = self._store.project
        new_project = project is not None and project.id != self._project_id
        self._project_id = None if project is None else project.id
        self._fill_charts(None if project is None else project.methodology)
        self._fill_sprints(keep=not new_project)
        if new_project:
            self._reset_range()
        self._update_controls()
        self._schedule()

    def _today(self) -> dt.date:
        project = self._store.project
        return self._services.projects.today(project.time_zone if project else None)

    def _reset_range(self) -> None:
        today = self._today()
        self.start_edit.blockSignals(True)
        self.end_edit.blockSignals(True)
        self.start_edit.setDate(_qdate(today - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)))
        self.end_edit.setDate(_qdate(today))
        self.start_edit.blockSignals(False)
        self.end_edit.blockSignals(False)

    def _started_sprints(self) -> list[SprintDTO]:
        return [s for s in self._store.sprints if s.state != "planned" and s.start_date]

    def _fill_sprints(self, keep: bool) -> None:
        previous = self.sprint_box.currentData() if keep else None
        self.sprint_box.blockSignals(True)
        self.sprint_box.clear()
        sprints = self._started_sprints()
        for sprint in sprints:
            suffix = " (active)" if sprint.state == "active" else ""
            self.sprint_box.addItem(sprint.name + suffix, sprint.id)
        index = self.sprint_box.findData(previous) if previous is not None else -1
        if index < 0:
            active = next((i for i, s in enumerate(sprints) if s.state == "active"), None)
            index = active if active is not None else len(sprints) - 1
        self.sprint_box.setCurrentIndex(index)
        self.sprint_box.blockSignals(False)

    def _update_controls(self) -> None:
        kind = self.current_kind
        for widget in (self.sprint_label, self.sprint_box):
            widget.setVisible(kind in ("burndown", "burnup"))
        for widget in (self.unit_label, self.unit_box):
            widget.setVisible(kind == "burnup")
        for widget in (self.kind_label, self.kind_box):
            widget.setVisible(kind == "control")
        for widget in (self.from_label, self.start_edit, self.to_label, self.end_edit):
            widget.setVisible(kind in RANGE_CHARTS)
        for widget in (self.weeks_label, self.weeks_box):
            widget.setVisible(kind == "throughput")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.chart.set_chart("", None)
        self.pages.setCurrentWidget(self.message)

    def refresh(self) -> None:
        """Recompute the chosen chart from the services and show it (or why it cannot be)."""
        self._refresh_timer.stop()
        project = self._store.project
        kind = self.current_kind
        label = self.chart_box.currentText()
        if project is None:
            self._show_message("Open a project to see its charts.")
            return
        zone = project_zone(project.time_zone)
        try:
            if kind in ("burndown", "burnup"):
                sprint_id = self.sprint_box.currentData()
                if sprint_id is None:
                    self._show_message(
                        f"{label} needs a started sprint; start a sprint to see it here."
                    )
                    return
                name = next(
                    (s.name for s in self._store.sprints if s.id == sprint_id),
                    self.sprint_box.currentText(),
                )
                if kind == "burndown":
                    data: ChartData = self._charts.sprint_burndown(int(sprint_id))
                    self.chart.set_chart(kind, data, f"Burndown · {name}")
                else:
                    unit = str(self.unit_box.currentData())
                    data = self._charts.burnup(int(sprint_id), unit)
                    what = "story points" if unit == "points" else "cards"
                    self.chart.set_chart(kind, data, f"Burnup in {what} · {name}", unit)
            elif kind == "velocity":
                velocity = self._charts.velocity(project.id)
                if not velocity.sprints:
                    self._show_message(
                        "Velocity needs closed sprints; complete a sprint to see it here."
                    )
                    return
                closed = plural(len(velocity.sprints), "closed sprint")
                self.chart.set_chart(kind, velocity, f"Velocity · last {closed}")
            elif kind == "throughput":
                weeks = self.weeks_box.value()
                result = self._charts.throughput(project.id, weeks)
                title = f"Throughput · cards finished, last {plural(len(result.weeks), 'week')}"
                if len(result.weeks) < weeks:
                    title += " (since the first card)"
                self.chart.set_chart(kind, result, title)
            else:
                start, end = self.date_range
                period = f"{start.isoformat()} – {end.isoformat()}"
                if kind == "cfd":
                    flow = self._charts.cumulative_flow(project.id, start, end)
                    self.chart.set_chart(kind, flow, f"Cumulative flow · {period}")
                else:
                    measure = str(self.kind_box.currentData())
                    chart = self._charts.control_chart(project.id, start, end, measure)
                    what = "Cycle time" if measure == "cycle" else "Lead time"
                    self.chart.set_chart(kind, chart, f"{what} · {period}", time_zone=zone)
        except DomainError as error:
            self._show_message(str(error))
            return
        self.pages.setCurrentWidget(self.chart)
        self.chart_shown.emit(kind)


__all__ = ["CHARTS", "ChartSource", "ChartWidget", "ReportsView", "charts_for"]
