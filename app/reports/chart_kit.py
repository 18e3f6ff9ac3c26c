"""What every painted chart shares: colours (each series also dashed, marked or hatched so a
black-and-white print tells them apart), nice axis steps, the frame (title, legend rows, y
axis, day axis), the layout a tooltip looks up, and the legend swatches. No widgets."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPalette,
    QPen,
    QPolygonF,
)

from app.metrics.points import format_points

WEEKDAY_LETTERS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def nice_step(span: float, ticks: int = 5) -> float:
    """A 1-2-5 step giving about ``ticks`` intervals over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(factor * magnitude, 0.5)
    return 10 * magnitude


@dataclass(frozen=True)
class ChartColors:
    background: QColor
    text: QColor
    grid: QColor
    axis: QColor
    ideal: QColor
    remaining: QColor
    added: QColor
    removed: QColor
    non_working: QColor

    @staticmethod
    def from_palette(palette: QPalette) -> ChartColors:
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        dark = base.lightness() < 128
        grid = QColor(text)
        grid.setAlpha(45)
        shade = QColor(text)
        shade.setAlpha(22 if dark else 16)
        ideal = QColor(text)
        ideal.setAlpha(170)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        if abs(highlight.lightness() - base.lightness()) < 60:
            highlight = QColor("#5aa9ff") if dark else QColor("#1f5fbf")
        return ChartColors(
            background=base,
            text=text,
            grid=grid,
            axis=text,
            ideal=ideal,
            remaining=highlight,
            added=QColor("#f0a030") if dark else QColor("#b35900"),
            removed=QColor("#c586ff") if dark else QColor("#7a3db8"),
            non_working=shade,
        )


def triangle(center: QPointF, size: float, up: bool) -> QPolygonF:
    h = size * 0.9
    if up:
        points = [
            QPointF(center.x(), center.y() - h),
            QPointF(center.x() - size, center.y() + h * 0.6),
            QPointF(center.x() + size, center.y() + h * 0.6),
        ]
    else:
        points = [
            QPointF(center.x(), center.y() + h),
            QPointF(center.x() - size, center.y() - h * 0.6),
            QPointF(center.x() + size, center.y() - h * 0.6),
        ]
    return QPolygonF(points)


# --- the other charts: burnup, velocity, cumulative flow, control chart ------------------

# Qualitative colours that stay apart for the colour-blind and on both palettes; each series
# also has its own dash, marker or hatch so a black-and-white print tells them apart.
LIGHT_SERIES = ("#1f5fbf", "#b35900", "#2e7d32", "#7a3db8", "#00838f", "#ad1457", "#6d4c41")
DARK_SERIES = ("#5aa9ff", "#f0a030", "#66bb6a", "#c586ff", "#4dd0e1", "#f06292", "#bcaaa4")
HATCHES = (
    Qt.BrushStyle.NoBrush,
    Qt.BrushStyle.BDiagPattern,
    Qt.BrushStyle.Dense6Pattern,
    Qt.BrushStyle.FDiagPattern,
    Qt.BrushStyle.CrossPattern,
    Qt.BrushStyle.HorPattern,
    Qt.BrushStyle.VerPattern,
)


def series_colors(palette: QPalette) -> tuple[QColor, ...]:
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return tuple(QColor(c) for c in (DARK_SERIES if dark else LIGHT_SERIES))


@dataclass(frozen=True)
class ChartLayout:
    """The plot area, the value-to-pixel mapping and the hit regions of one painted chart.

    x values run over ``x_min``..``x_max`` (a day index, or a fraction of days for the
    control chart; a sprint index for velocity). ``regions`` are (rectangle, item index)
    pairs a tooltip looks up with :meth:`hit_at`; ``anchors`` are the drawn points of the
    items (for tests and keyboard focus).
    """

    kind: str
    rect: QRectF
    plot: QRectF
    legend_top: float
    x_min: float
    x_max: float
    y_max: float
    y_step: float
    unit: float
    regions: tuple[tuple[QRectF, int], ...] = ()
    anchors: tuple[QPointF, ...] = ()

    def x_at(self, value: float) -> float:
        span = max(self.x_max - self.x_min, 1e-9)
        return self.plot.left() + self.plot.width() * (value - self.x_min) / span

    def y_at(self, value: float) -> float:
        return self.plot.bottom() - self.plot.height() * value / self.y_max

    def hit_at(self, x: float, y: float) -> int | None:
        """The item under (x, y): a region containing it, else the nearest anchor close by."""
        for region, index in self.regions:
            if region.contains(QPointF(x, y)):
                return index
        best: tuple[float, int] | None = None
        tolerance = self.unit * 10
        for index, anchor in enumerate(self.anchors):
            distance = math.hypot(anchor.x() - x, anchor.y() - y)
            if distance <= tolerance and (best is None or distance < best[0]):
                best = (distance, index)
        return None if best is None else best[1]


LegendEntry = tuple[str, Callable[[QPainter, QRectF], None]]


class Frame:
    """Shared geometry and decorations: title, legend rows, y axis, day axis."""

    def __init__(
        self,
        painter: QPainter,
        rect: QRectF,
        palette: QPalette,
        title: str,
        legend: Sequence[LegendEntry],
        top_value: float,
        x_rows: int = 2,
        integer: bool = False,
    ) -> None:
        self.painter = painter
        self.rect = rect
        self.colors = ChartColors.from_palette(palette)
        self.series = series_colors(palette)
        self.metrics = QFontMetricsF(painter.font())
        self.title = title
        self.legend = list(legend)
        self.line = line = self.metrics.height()
        self.unit = max(line / 16.0, 1.0)
        top_value = max(top_value, 1.0)
        step = nice_step(top_value)
        if integer:
            step = max(1.0, math.ceil(step))
        y_max = math.ceil(top_value / step) * step
        if y_max < top_value * 1.08:
            y_max += step
        self.y_max, self.y_step = y_max, step
        label_width = max(
            self.metrics.horizontalAdvance(format_points(y_max, places=1)),
            self.metrics.horizontalAdvance("00"),
        )
        left = rect.left() + label_width + line * 2.0
        right = rect.right() - line * 1.0
        top = rect.top() + line * 0.6
        if title:
            top += line * 1.6
        self.legend_top = top
        self.legend_rows = self._legend_rows(right - left)
        top += line * (1.4 * len(self.legend_rows) + 0.6)
        bottom = rect.bottom() - line * (x_rows + 1.6)
        self.plot = QRectF(
            QPointF(left, top), QPointF(max(right, left + 10), max(bottom, top + 10))
        )

    def _swatch(self) -> float:
        return self.line * 1.8

    def _entry_width(self, label: str) -> float:
        return self._swatch() + self.line * 0.3 + self.metrics.horizontalAdvance(label)

    def _legend_rows(self, width: float) -> list[list[LegendEntry]]:
        rows: list[list[LegendEntry]] = [[]]
        used = 0.0
        for entry in self.legend:
            needed = self._entry_width(entry[0])
            if rows[-1] and used + needed > width:
                rows.append([])
                used = 0.0
            rows[-1].append(entry)
            used += needed + self.line * 1.4
        return rows if rows[0] else []

    def layout(
        self,
        kind: str,
        x_min: float,
        x_max: float,
        regions: Sequence[tuple[QRectF, int]] = (),
        anchors: Sequence[QPointF] = (),
    ) -> ChartLayout:
        return ChartLayout(
            kind,
            self.rect,
            self.plot,
            self.legend_top,
            x_min,
            x_max,
            self.y_max,
            self.y_step,
            self.unit,
            tuple(regions),
            tuple(anchors),
        )

    def background(self) -> None:
        painter, rect, line = self.painter, self.rect, self.line
        painter.fillRect(rect, self.colors.background)
        painter.setPen(self.colors.text)
        if self.title:
            bold = QFont(painter.font())
            bold.setBold(True)
            painter.save()
            painter.setFont(bold)
            painter.drawText(
                QRectF(rect.left() + line * 0.6, rect.top() + line * 0.4, rect.width(), line * 1.4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self.title,
            )
            painter.restore()

    def y_axis(self, layout: ChartLayout, title: str) -> None:
        painter, line, plot, rect = self.painter, self.line, self.plot, self.rect
        grid_pen = QPen(self.colors.grid, self.unit * 0.8, Qt.PenStyle.DotLine)
        value = 0.0
        while value <= layout.y_max + 1e-9:
            y = layout.y_at(value)
            painter.setPen(grid_pen)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(self.colors.text)
            painter.drawText(
                QRectF(rect.left(), y - line / 2, plot.left() - line * 0.4 - rect.left(), line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                format_points(value, places=1),
            )
            value += layout.y_step
        painter.save()
        painter.translate(rect.left() + line * 0.7, plot.center().y())
        painter.rotate(-90)
        painter.drawText(
            QRectF(-plot.height() / 2, -line / 2, plot.height(), line),
            Qt.AlignmentFlag.AlignCenter,
            title,
        )
        painter.restore()

    def axes(self) -> None:
        self.painter.setPen(QPen(self.colors.axis, self.unit * 1.2))
        self.painter.drawLine(self.plot.bottomLeft(), self.plot.bottomRight())
        self.painter.drawLine(self.plot.bottomLeft(), self.plot.topLeft())

    def day_axis(
        self, layout: ChartLayout, days: Sequence[dt.date], weekdays: bool, gridlines: bool = True
    ) -> None:
        """Labels under each day's slot (thinned out to fit), and the axis title."""
        painter, line, plot, metrics = self.painter, self.line, self.plot, self.metrics
        n = len(days)
        if not n:
            return
        slot = plot.width() / n
        if gridlines:
            painter.setPen(QPen(self.colors.grid, self.unit * 0.6, Qt.PenStyle.SolidLine))
            for i in range(n + 1):
                x = layout.x_at(i)
                painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        sample = "Wed" if weekdays else "30 Sep"
        label_width = metrics.horizontalAdvance(sample) + line * 0.6
        every = max(1, math.ceil(label_width / max(slot, 1)))
        if not weekdays and every > 1:
            every = 7 if every <= 7 else 14 if every <= 14 else math.ceil(every / 7) * 7
        painter.setPen(self.colors.text)
        shown = [i for i in range(n) if i % every == 0]
        for i in shown:
            day = days[i]
            center = layout.x_at(i + 0.5)
            box = QRectF(center - slot * every / 2, plot.bottom() + line * 0.2, slot * every, line)
            if weekdays:
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, WEEKDAY_LETTERS[day.weekday()])
                painter.drawText(
                    box.translated(0, line), Qt.AlignmentFlag.AlignCenter, f"{day.day}/{day.month}"
                )
            else:
                painter.drawText(
                    box, Qt.AlignmentFlag.AlignCenter, f"{day.day} {day.strftime('%b')}"
                )
            painter.setPen(QPen(self.colors.axis, self.unit))
            painter.drawLine(
                QPointF(center, plot.bottom()), QPointF(center, plot.bottom() + line * 0.2)
            )
            painter.setPen(self.colors.text)
        rows = 2 if weekdays else 1
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + line * (rows + 0.3), plot.width(), line),
            Qt.AlignmentFlag.AlignCenter,
            f"Date ({days[0].strftime('%d %b')} – {days[-1].strftime('%d %b %Y')})",
        )

    def paint_legend(self) -> None:
        painter, line = self.painter, self.line
        swatch = self._swatch()
        y = self.legend_top + line * 0.8
        for row in self.legend_rows:
            x = self.plot.left()
            for label, draw in row:
                painter.save()
                painter.setBrush(Qt.BrushStyle.NoBrush)
                draw(painter, QRectF(x, y - line * 0.5, swatch, line))
                painter.restore()
                painter.setPen(self.colors.text)
                width = self.metrics.horizontalAdvance(label)
                painter.drawText(
                    QRectF(x + swatch + line * 0.3, y - line / 2, width + 2, line),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    label,
                )
                x += swatch + line * 0.3 + width + line * 1.4
            y += line * 1.4


def line_swatch(pen: QPen, marker: Callable[[QPainter, QPointF], None] | None = None):  # type: ignore[no-untyped-def]
    def draw(painter: QPainter, box: QRectF) -> None:
        painter.setPen(pen)
        y = box.center().y()
        painter.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        if marker is not None:
            marker(painter, box.center())

    return draw


def box_swatch(fill: QColor, hatch: Qt.BrushStyle, outline: QColor, hatch_color: QColor):  # type: ignore[no-untyped-def]
    def draw(painter: QPainter, box: QRectF) -> None:
        inner = QRectF(
            box.left() + box.width() * 0.15,
            box.top() + box.height() * 0.1,
            box.width() * 0.7,
            box.height() * 0.8,
        )
        painter.fillRect(inner, fill)
        if hatch != Qt.BrushStyle.NoBrush:
            painter.fillRect(inner, QBrush(hatch_color, hatch))
        painter.setPen(QPen(outline, 1))
        painter.drawRect(inner)

    return draw


def circle_marker(color: QColor, background: QColor, radius: float):  # type: ignore[no-untyped-def]
    def draw(painter: QPainter, center: QPointF) -> None:
        painter.setBrush(background)
        painter.setPen(QPen(color, radius / 2))
        painter.drawEllipse(center, radius, radius)

    return draw


def square_marker(color: QColor, radius: float):  # type: ignore[no-untyped-def]
    def draw(painter: QPainter, center: QPointF) -> None:
        painter.setBrush(color)
        painter.setPen(QPen(color.darker(130), radius / 3))
        painter.drawRect(QRectF(center.x() - radius, center.y() - radius, radius * 2, radius * 2))

    return draw


def unit_label(unit: str) -> tuple[str, str]:
    """(axis title, short suffix) of a burnup's unit."""
    return ("Cards", "cards") if unit == "cards" else ("Story points", "pts")


def format_unit(value: Decimal | float, unit: str) -> str:
    suffix = unit_label(unit)[1]
    number = format_points(value, places=1)
    if unit == "cards" and number == "1":
        suffix = "card"
    return f"{number} {suffix}"


__all__ = [
    "HATCHES",
    "WEEKDAY_LETTERS",
    "ChartColors",
    "ChartLayout",
    "Frame",
    "LegendEntry",
    "box_swatch",
    "circle_marker",
    "format_unit",
    "line_swatch",
    "nice_step",
    "series_colors",
    "square_marker",
    "triangle",
    "unit_label",
]
