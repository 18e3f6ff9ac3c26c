"""The Budget page's two charts, painted with the report chart kit (app/reports/chart_kit.py)
so they look like the other reports: the cost burn-up against the budget line, and CPI and
SPI per closed sprint against the 1.0 line. Each paint returns its :class:`ChartLayout`
(the anchors of the drawn points) for tooltips and tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from app.metrics.evm import EvmPoint
from app.metrics.points import format_points
from app.reports.chart_kit import (
    ChartColors,
    ChartLayout,
    Frame,
    LegendEntry,
    circle_marker,
    line_swatch,
    square_marker,
)

if TYPE_CHECKING:
    from app.services.budget import BudgetOverviewDTO

MAX_DAYS = 400  # a longer history is drawn from its last MAX_DAYS days


def money_tick(value: float, step: float) -> str:
    """An axis label for an amount of money: thousands separated, whole units when the
    ticks are whole (``12,500``), else cents (``0.50``)."""
    if float(step).is_integer():
        return f"{round(value):,}"
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,}"


class MoneyFrame(Frame):
    """The report kit's frame with money on the y axis (wider labels: "1,250,000")."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.y_labels: list[str] = []
        widest = self.metrics.horizontalAdvance(money_tick(self.y_max, self.y_step))
        plain = max(
            self.metrics.horizontalAdvance(format_points(self.y_max, places=1)),
            self.metrics.horizontalAdvance("00"),
        )
        if widest > plain:  # make room on the left for the separators
            self.plot.setLeft(min(self.plot.left() + widest - plain, self.plot.right() - 10))

    def y_axis(self, layout: ChartLayout, title: str) -> None:
        """Gridlines and money labels at each step, and the axis title (kept for tests)."""
        painter, line, plot, rect = self.painter, self.line, self.plot, self.rect
        grid_pen = QPen(self.colors.grid, self.unit * 0.8, Qt.PenStyle.DotLine)
        self.y_labels = []
        self.y_title = title
        steps = round(layout.y_max / layout.y_step)
        for i in range(steps + 1):
            value = i * layout.y_step
            y = layout.y_at(value)
            painter.setPen(grid_pen)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(self.colors.text)
            label = money_tick(value, layout.y_step)
            self.y_labels.append(label)
            painter.drawText(
                QRectF(rect.left(), y - line / 2, plot.left() - line * 0.4 - rect.left(), line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        painter.save()
        painter.translate(rect.left() + line * 0.7, plot.center().y())
        painter.rotate(-90)
        painter.drawText(
            QRectF(-plot.height() / 2, -line / 2, plot.height(), line),
            Qt.AlignmentFlag.AlignCenter,
            title,
        )
        painter.restore()


def burnup_days(o: BudgetOverviewDTO) -> list[dt.date]:
    """The days the burn-up spans: first log to the later of the last log and today."""
    if not o.burnup:
        return []
    first = o.burnup[0].day
    last = max(o.burnup[-1].day, min(o.today, o.burnup[-1].day + dt.timedelta(days=60)))
    first = max(first, last - dt.timedelta(days=MAX_DAYS - 1))
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def paint_cost_burnup(
    painter: QPainter,
    rect: QRectF,
    o: BudgetOverviewDTO,
    palette: QPalette,
    axis: list[str] | None = None,
) -> ChartLayout:
    """Cost to date stepping up day by day, the budget line and the 80% line. ``axis``
    receives the y axis' labels as drawn, bottom up, then its title."""
    axis = [] if axis is None else axis
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colors = ChartColors.from_palette(palette)
        u = max(painter.fontMetrics().height() / 16.0, 1.0)
        cost_pen = QPen(colors.remaining, u * 2.4)
        budget_pen = QPen(colors.added, u * 2.0, Qt.PenStyle.DashLine)
        warn_pen = QPen(colors.ideal, u * 1.4, Qt.PenStyle.DotLine)
        legend: list[LegendEntry] = [
            (
                "Cost to date",
                line_swatch(cost_pen, circle_marker(colors.remaining, colors.background, u * 3)),
            ),
        ]
        if o.budget is not None:
            legend.append(("Budget", line_swatch(budget_pen)))
            legend.append(("80% of budget", line_swatch(warn_pen)))
        days = burnup_days(o)
        top = max([float(o.budget or 0), float(o.cost_to_date), 1.0])
        title = f"Cost against budget ({o.currency})"
        frame = MoneyFrame(painter, rect, palette, title, legend, top, x_rows=1)
        n = max(len(days), 1)
        base = frame.layout("cost", 0, n)
        frame.background()
        frame.y_axis(base, f"Cost ({o.currency})")
        axis[:] = [*frame.y_labels, frame.y_title]
        if days:
            frame.day_axis(base, days, weekdays=False, gridlines=False)
        frame.axes()
        if o.budget is not None:
            for value, pen in ((float(o.budget), budget_pen), (float(o.budget) * 0.8, warn_pen)):
                painter.setPen(pen)
                y = base.y_at(value)
                painter.drawLine(QPointF(frame.plot.left(), y), QPointF(frame.plot.right(), y))
        anchors: list[QPointF] = []
        if days:
            spent = {b.day: float(b.cost) for b in o.burnup}
            before = [float(b.cost) for b in o.burnup if b.day < days[0]]
            running = before[-1] if before else 0.0
            path = QPainterPath(QPointF(base.x_at(0), base.y_at(running)))
            for i, day in enumerate(days):
                if day in spent:
                    running = spent[day]
                    path.lineTo(base.x_at(i + 0.5), path.currentPosition().y())
                    path.lineTo(base.x_at(i + 0.5), base.y_at(running))
                    anchors.append(QPointF(base.x_at(i + 0.5), base.y_at(running)))
                if day > o.today:
                    break
            path.lineTo(base.x_at(min(n, (o.today - days[0]).days + 1)), base.y_at(running))
            painter.setPen(cost_pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            marker = circle_marker(colors.remaining, colors.background, u * 3)
            for point in anchors:
                marker(painter, point)
        else:
            painter.setPen(colors.text)
            painter.drawText(frame.plot, Qt.AlignmentFlag.AlignCenter, "No time logged yet.")
        frame.paint_legend()
        return frame.layout("cost", 0, n, (), anchors)
    finally:
        painter.restore()


def paint_indices(
    painter: QPainter, rect: QRectF, points: Sequence[EvmPoint], palette: QPalette
) -> ChartLayout:
    """CPI and SPI per closed sprint, with the 1.0 line (above it: under budget / ahead)."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colors = ChartColors.from_palette(palette)
        u = max(painter.fontMetrics().height() / 16.0, 1.0)
        cpi_pen = QPen(colors.remaining, u * 2.4)
        spi_pen = QPen(colors.added, u * 2.0, Qt.PenStyle.DashLine)
        one_pen = QPen(colors.ideal, u * 1.4, Qt.PenStyle.DotLine)
        legend: list[LegendEntry] = [
            (
                "CPI (cost)",
                line_swatch(cpi_pen, circle_marker(colors.remaining, colors.background, u * 3)),
            ),
            ("SPI (schedule)", line_swatch(spi_pen, square_marker(colors.added, u * 3))),
            ("1.0: on plan", line_swatch(one_pen)),
        ]
        values = [float(v) for p in points for v in (p.cpi, p.spi) if v is not None]
        top = max([*values, 1.2])
        frame = Frame(painter, rect, palette, "CPI and SPI per sprint", legend, top, x_rows=1)
        n = max(len(points), 1)
        base = frame.layout("indices", 0, n)
        frame.background()
        frame.y_axis(base, "index")
        frame.axes()
        painter.setPen(one_pen)
        painter.drawLine(
            QPointF(frame.plot.left(), base.y_at(1.0)), QPointF(frame.plot.right(), base.y_at(1.0))
        )
        metrics = painter.fontMetrics()
        painter.setPen(colors.text)
        slot = frame.plot.width() / n
        for i, p in enumerate(points):
            label = metrics.elidedText(p.sprint, Qt.TextElideMode.ElideRight, int(slot))
            painter.drawText(
                QRectF(base.x_at(i), frame.plot.bottom() + frame.line * 0.2, slot, frame.line),
                Qt.AlignmentFlag.AlignCenter,
                label,
            )
        anchors: list[QPointF] = []
        for attr, pen, marker in (
            ("cpi", cpi_pen, circle_marker(colors.remaining, colors.background, u * 3)),
            ("spi", spi_pen, square_marker(colors.added, u * 3)),
        ):
            drawn = [
                (i, float(getattr(p, attr)))
                for i, p in enumerate(points)
                if getattr(p, attr) is not None
            ]
            path = QPainterPath()
            for j, (i, value) in enumerate(drawn):
                point = QPointF(base.x_at(i + 0.5), base.y_at(value))
                if j == 0:
                    path.moveTo(point)
                else:
                    path.lineTo(point)
                if attr == "cpi":
                    anchors.append(point)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            for i, value in drawn:
                marker(painter, QPointF(base.x_at(i + 0.5), base.y_at(value)))
        if not points:
            painter.setPen(colors.text)
            painter.drawText(frame.plot, Qt.AlignmentFlag.AlignCenter, "No sprint has closed yet.")
        frame.paint_legend()
        return frame.layout("indices", 0, n, (), anchors)
    finally:
        painter.restore()


class ChartWidget(QWidget):
    """A widget that paints one of the charts above from the data it is given."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind
        self._data: object = None
        self._layout: ChartLayout | None = None
        self.y_axis_text: list[str] = []  # the cost chart's y labels as last drawn, then title
        self.setMinimumHeight(220)
        self.setMouseTracking(True)

    def set_data(self, data: object) -> None:
        self._data = data
        self.update()

    def chart_layout(self) -> ChartLayout | None:
        return self._layout

    def paintEvent(self, _event: object) -> None:
        if self._data is None:
            return
        painter = QPainter(self)
        try:
            rect = QRectF(self.rect())
            if self._kind == "cost":
                self._layout = paint_cost_burnup(
                    painter,
                    rect,
                    self._data,  # type: ignore[arg-type]
                    self.palette(),
                    self.y_axis_text,
                )
            else:
                self._layout = paint_indices(painter, rect, self._data, self.palette())  # type: ignore[arg-type]
        finally:
            painter.end()

    def mouseMoveEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        layout, data = self._layout, self._data
        if layout is None or data is None:
            return
        pos = event.position()
        index = layout.hit_at(pos.x(), pos.y())
        if index is None:
            QToolTip.hideText()
            return
        if self._kind == "cost":
            point = data.burnup[-len(layout.anchors) :][index]  # type: ignore[attr-defined]
            text = f"{point.day.isoformat()}: {point.cost:,.2f} spent to date"
        else:
            p = [q for q in data if q.cpi is not None][index]  # type: ignore[attr-defined]
            text = f"{p.sprint}: CPI {_fmt(p.cpi)}, SPI {_fmt(p.spi)} – {p.reading}"
        QToolTip.showText(event.globalPosition().toPoint(), text, self)


def _fmt(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
