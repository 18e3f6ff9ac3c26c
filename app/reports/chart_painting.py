"""Charts painted with QPainter: one drawing for a widget, a PDF page and an SVG file.

(One module of ~1,450 lines: every chart shares the private frame, axes, legends and swatches
here, and the public surface stays the paint_* and *_tooltip functions.)

Nothing here knows about widgets. Sizes derive from the painter's font, so the same code
reads well on a 96 dpi screen and on a 1200 dpi QPdfWriter page. Every series differs by
dash pattern or marker shape as well as by colour, so a black-and-white print stays readable.
"""

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
    QPainterPath,
    QPalette,
    QPen,
    QPolygonF,
)

from app.metrics.burndown import BurndownSeries
from app.metrics.flow import ControlChart, CumulativeFlow, Throughput
from app.metrics.points import format_points
from app.metrics.velocity import VelocitySeries
from app.words import plural

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
class BurndownLayout:
    """Where things go in ``rect``: the plot area and the value-to-pixel mapping.

    x positions are day boundaries: 0 is the start of the first day, ``i + 1`` the end of
    day ``i`` (where that day's values are drawn).
    """

    rect: QRectF
    plot: QRectF
    legend_top: float
    days: int
    y_max: float
    y_step: float
    unit: float  # one "pixel" of line width in this device's scale

    def x_at(self, boundary: float) -> float:
        return self.plot.left() + self.plot.width() * boundary / max(self.days, 1)

    def y_at(self, value: float) -> float:
        return self.plot.bottom() - self.plot.height() * value / self.y_max

    def day_at(self, x: float) -> int | None:
        """The day whose end-of-day point is nearest to ``x`` (None outside the plot)."""
        if self.days == 0 or not (self.plot.left() - 8 <= x <= self.plot.right() + 8):
            return None
        slot = self.plot.width() / self.days
        index = round((x - self.plot.left()) / slot) - 1
        return min(max(index, 0), self.days - 1)


def _max_value(series: BurndownSeries) -> float:
    values = [float(series.committed), float(series.start_scope), float(series.start_remaining)]
    values += [float(v) for v in series.remaining if v is not None]
    values += [float(v) for v in series.scope_total if v is not None]
    return max([*values, 1.0])


def burndown_layout(
    rect: QRectF, series: BurndownSeries, metrics: QFontMetricsF, title: str = ""
) -> BurndownLayout:
    line = metrics.height()
    unit = max(line / 16.0, 1.0)
    top_value = _max_value(series)
    step = nice_step(top_value)
    y_max = math.ceil(top_value / step) * step
    if y_max < top_value * 1.08:
        y_max += step
    label_width = max(
        metrics.horizontalAdvance(format_points(y_max, places=1)),
        metrics.horizontalAdvance("00"),
    )
    left = rect.left() + label_width + line * 2.0  # tick labels and the rotated axis title
    top = rect.top() + line * 0.6
    if title:
        top += line * 1.6
    legend_top = top
    right = rect.right() - line * 1.0
    # A narrow chart (a phone's) wraps its legend onto more rows.
    rows = len(_burndown_legend_rows(series, metrics, right - left))
    top += line * (1.4 * rows + 0.6)
    bottom = rect.bottom() - line * 3.6  # two lines of day labels and the axis title
    plot = QRectF(QPointF(left, top), QPointF(max(right, left + 10), max(bottom, top + 10)))
    return BurndownLayout(rect, plot, legend_top, len(series.days), y_max, step, unit)


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


def _triangle(center: QPointF, size: float, up: bool) -> QPolygonF:
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


def paint_burndown(
    painter: QPainter,
    rect: QRectF,
    series: BurndownSeries,
    palette: QPalette,
    title: str = "",
) -> BurndownLayout:
    """Paint the burndown of ``series`` into ``rect``; returns the layout used (hit tests)."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        colors = ChartColors.from_palette(palette)
        metrics = QFontMetricsF(painter.font())
        layout = burndown_layout(rect, series, metrics, title)
        _paint(painter, layout, series, colors, metrics, title)
        return layout
    finally:
        painter.restore()


def _paint(
    painter: QPainter,
    layout: BurndownLayout,
    series: BurndownSeries,
    colors: ChartColors,
    metrics: QFontMetricsF,
    title: str,
) -> None:
    rect, plot, u = layout.rect, layout.plot, layout.unit
    line = metrics.height()
    painter.fillRect(rect, colors.background)
    painter.setPen(colors.text)

    if title:
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.save()
        painter.setFont(bold)
        painter.drawText(
            QRectF(rect.left() + line * 0.6, rect.top() + line * 0.4, rect.width(), line * 1.4),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        painter.restore()

    n = layout.days
    # Non-working days: a light hatched band (visible in black and white too).
    hatch_color = QColor(colors.text)
    hatch_color.setAlpha(40)
    hatch = QBrush(hatch_color, Qt.BrushStyle.BDiagPattern)
    for i, working in enumerate(series.working):
        if not working:
            band = QRectF(
                QPointF(layout.x_at(i), plot.top()), QPointF(layout.x_at(i + 1), plot.bottom())
            )
            painter.fillRect(band, colors.non_working)
            painter.fillRect(band, hatch)

    # Horizontal gridlines and the y axis labels.
    grid_pen = QPen(colors.grid, u * 0.8, Qt.PenStyle.DotLine)
    value = 0.0
    while value <= layout.y_max + 1e-9:
        y = layout.y_at(value)
        painter.setPen(grid_pen)
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(colors.text)
        painter.drawText(
            QRectF(rect.left(), y - line / 2, plot.left() - line * 0.4 - rect.left(), line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            format_points(value, places=1),
        )
        value += layout.y_step
    # The y axis title, rotated.
    painter.save()
    painter.translate(rect.left() + line * 0.7, plot.center().y())
    painter.rotate(-90)
    painter.drawText(
        QRectF(-plot.height() / 2, -line / 2, plot.height(), line),
        Qt.AlignmentFlag.AlignCenter,
        "Story points",
    )
    painter.restore()

    # Vertical gridlines at day boundaries, day labels under each day.
    painter.setPen(QPen(colors.grid, u * 0.6, Qt.PenStyle.SolidLine))
    for i in range(n + 1):
        x = layout.x_at(i)
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
    slot = plot.width() / max(n, 1)
    label_width = metrics.horizontalAdvance("Wed") + line * 0.4
    every = max(1, math.ceil(label_width / max(slot, 1)))
    painter.setPen(colors.text)
    last_shown = (n - 1) - (n - 1) % every
    for i, day in enumerate(series.days):
        # The last day is labelled too when its label has room beside the one before.
        if i % every and not (i == n - 1 and (i - last_shown) * slot >= label_width):
            continue
        box = QRectF(
            layout.x_at(i) - slot * (every - 1) / 2, plot.bottom() + line * 0.2, slot * every, line
        )
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, WEEKDAY_LETTERS[day.weekday()])
        painter.drawText(
            box.translated(0, line), Qt.AlignmentFlag.AlignCenter, f"{day.day}/{day.month}"
        )
    first, last = series.days[0], series.days[-1]
    painter.drawText(
        QRectF(plot.left(), plot.bottom() + line * 2.3, plot.width(), line),
        Qt.AlignmentFlag.AlignCenter,
        f"Days ({first.strftime('%d %b')} – {last.strftime('%d %b %Y')})",
    )

    # The axes.
    painter.setPen(QPen(colors.axis, u * 1.2))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    painter.drawLine(plot.bottomLeft(), plot.topLeft())
    # The planned end of the sprint when the chart runs on past it.
    if series.days[-1] > series.end:
        end_index = (series.end - series.days[0]).days + 1
        painter.setPen(QPen(colors.axis, u * 1.2, Qt.PenStyle.DashDotLine))
        x = layout.x_at(end_index)
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))

    # Ideal: dashed.
    ideal = QPainterPath(QPointF(layout.x_at(0), layout.y_at(float(series.committed))))
    for i, value_i in enumerate(series.ideal):
        ideal.lineTo(layout.x_at(i + 1), layout.y_at(float(value_i)))
    ideal_pen = QPen(colors.ideal, u * 1.6, Qt.PenStyle.DashLine)
    ideal_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(ideal_pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(ideal)

    # Remaining: solid, stepped, a round marker at each day's end.
    points: list[QPointF] = []
    path = QPainterPath(QPointF(layout.x_at(0), layout.y_at(float(series.start_remaining))))
    previous = float(series.start_remaining)
    for i, remaining in enumerate(series.remaining):
        if remaining is None:
            break
        x = layout.x_at(i + 1)
        path.lineTo(x, layout.y_at(previous))
        path.lineTo(x, layout.y_at(float(remaining)))
        previous = float(remaining)
        points.append(QPointF(x, layout.y_at(previous)))
    remaining_pen = QPen(colors.remaining, u * 2.4)
    remaining_pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(remaining_pen)
    painter.drawPath(path)
    painter.setBrush(colors.background)
    painter.setPen(QPen(colors.remaining, u * 1.6))
    radius = u * 3.2
    for point in points:
        painter.drawEllipse(point, radius, radius)

    # Scope change: ▲ added (with +n), ▼ removed (with −n), above the day's point.
    marker = u * 4.5
    for i in range(len(points)):
        stack = 0
        for amount, up, color in (
            (series.scope_added[i], True, colors.added),
            (series.scope_removed[i], False, colors.removed),
        ):
            if not amount:
                continue
            stack += 1
            center = QPointF(points[i].x(), points[i].y() - line * 1.1 * stack)
            center.setY(max(center.y(), plot.top() + marker))
            painter.setPen(QPen(color.darker(130), u))
            painter.setBrush(color)
            painter.drawPolygon(_triangle(center, marker, up))
            painter.setPen(colors.text)
            sign = "+" if up else "−"
            painter.drawText(
                QRectF(center.x() + marker * 1.3, center.y() - line / 2, line * 3, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{sign}{format_points(amount, places=1)}",
            )

    _paint_legend(painter, layout, colors, metrics, series)


_BURNDOWN_LABELS = {
    "ideal": "Ideal",
    "remaining": "Remaining",
    "added": "Scope added",
    "removed": "Scope removed",
    "non_working": "Non-working day",
}


def _burndown_legend_rows(
    series: BurndownSeries, metrics: QFontMetricsF, width: float
) -> list[list[str]]:
    """The legend's entries, in rows that fit ``width``."""
    entries = ["ideal", "remaining"]
    if any(series.scope_added):
        entries.append("added")
    if any(series.scope_removed):
        entries.append("removed")
    if not all(series.working):
        entries.append("non_working")
    line = metrics.height()
    swatch = line * 1.8
    rows: list[list[str]] = [[]]
    used = 0.0
    for entry in entries:
        needed = swatch + line * 0.3 + metrics.horizontalAdvance(_BURNDOWN_LABELS[entry])
        if rows[-1] and used + needed > width:
            rows.append([])
            used = 0.0
        rows[-1].append(entry)
        used += needed + line * 1.1
    return rows


def _paint_legend(
    painter: QPainter,
    layout: BurndownLayout,
    colors: ChartColors,
    metrics: QFontMetricsF,
    series: BurndownSeries,
) -> None:
    u = layout.unit
    line = metrics.height()
    swatch = line * 1.8
    y = layout.legend_top + line * 0.8 - line * 1.4
    x = layout.plot.left()
    placed = []
    for row in _burndown_legend_rows(series, metrics, layout.plot.width()):
        y += line * 1.4
        x = layout.plot.left()
        for entry in row:
            placed.append((entry, x, y))
            x += swatch + metrics.horizontalAdvance(_BURNDOWN_LABELS[entry]) + line * 1.4
    for entry, x, y in placed:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if entry == "ideal":
            pen = QPen(colors.ideal, u * 1.6, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, y), QPointF(x + swatch, y))
        elif entry == "remaining":
            painter.setPen(QPen(colors.remaining, u * 2.4))
            painter.drawLine(QPointF(x, y), QPointF(x + swatch, y))
            painter.setBrush(colors.background)
            painter.setPen(QPen(colors.remaining, u * 1.6))
            painter.drawEllipse(QPointF(x + swatch / 2, y), u * 3.2, u * 3.2)
        elif entry in ("added", "removed"):
            color = colors.added if entry == "added" else colors.removed
            painter.setPen(QPen(color.darker(130), u))
            painter.setBrush(color)
            painter.drawPolygon(_triangle(QPointF(x + swatch / 2, y), u * 4.5, entry == "added"))
        else:
            box = QRectF(x + swatch * 0.2, y - line * 0.4, swatch * 0.6, line * 0.8)
            painter.fillRect(box, colors.non_working)
            painter.fillRect(box, QBrush(colors.text, Qt.BrushStyle.BDiagPattern))
            painter.setPen(QPen(colors.grid, u))
            painter.drawRect(box)
        painter.setPen(colors.text)
        text = _BURNDOWN_LABELS[entry]
        width = metrics.horizontalAdvance(text)
        painter.drawText(
            QRectF(x + swatch + line * 0.3, y - line / 2, width + 2, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            text,
        )


def day_tooltip(series: BurndownSeries, index: int) -> str:
    """What a tooltip (or a report's table) says about one day."""
    day = series.days[index]
    parts = [day.strftime("%a %d %b %Y")]
    if not series.working[index]:
        parts[0] += " (non-working day)"
    remaining = series.remaining[index]
    parts.append(
        "Remaining: " + ("—" if remaining is None else f"{format_points(remaining, places=1)} pts")
    )
    parts.append(f"Ideal: {format_points(series.ideal[index], places=1)} pts")
    if series.completed[index]:
        parts.append(f"Completed: {format_points(series.completed[index], places=1)} pts")
    if series.scope_added[index]:
        parts.append(f"Scope added: +{format_points(series.scope_added[index], places=1)} pts")
    if series.scope_removed[index]:
        parts.append(f"Scope removed: −{format_points(series.scope_removed[index], places=1)} pts")
    return "\n".join(parts)


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


class _Frame:
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


def _line_swatch(pen: QPen, marker: Callable[[QPainter, QPointF], None] | None = None):  # type: ignore[no-untyped-def]
    def draw(painter: QPainter, box: QRectF) -> None:
        painter.setPen(pen)
        y = box.center().y()
        painter.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        if marker is not None:
            marker(painter, box.center())

    return draw


def _box_swatch(fill: QColor, hatch: Qt.BrushStyle, outline: QColor, hatch_color: QColor):  # type: ignore[no-untyped-def]
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


def _circle(color: QColor, background: QColor, radius: float):  # type: ignore[no-untyped-def]
    def draw(painter: QPainter, center: QPointF) -> None:
        painter.setBrush(background)
        painter.setPen(QPen(color, radius / 2))
        painter.drawEllipse(center, radius, radius)

    return draw


def _square(color: QColor, radius: float):  # type: ignore[no-untyped-def]
    def draw(painter: QPainter, center: QPointF) -> None:
        painter.setBrush(color)
        painter.setPen(QPen(color.darker(130), radius / 3))
        painter.drawRect(QRectF(center.x() - radius, center.y() - radius, radius * 2, radius * 2))

    return draw


def _unit_label(unit: str) -> tuple[str, str]:
    """(axis title, short suffix) of a burnup's unit."""
    return ("Cards", "cards") if unit == "cards" else ("Story points", "pts")


def _format_unit(value: Decimal | float, unit: str) -> str:
    suffix = _unit_label(unit)[1]
    number = format_points(value, places=1)
    if unit == "cards" and number == "1":
        suffix = "card"
    return f"{number} {suffix}"


# --- burnup ------------------------------------------------------------------------------


def _non_working_bands(frame: _Frame, layout: ChartLayout, working: Sequence[bool]) -> None:
    hatch_color = QColor(frame.colors.text)
    hatch_color.setAlpha(40)
    hatch = QBrush(hatch_color, Qt.BrushStyle.BDiagPattern)
    for i, flag in enumerate(working):
        if not flag:
            band = QRectF(
                QPointF(layout.x_at(i), frame.plot.top()),
                QPointF(layout.x_at(i + 1), frame.plot.bottom()),
            )
            frame.painter.fillRect(band, frame.colors.non_working)
            frame.painter.fillRect(band, hatch)


def paint_burnup(
    painter: QPainter,
    rect: QRectF,
    series: BurndownSeries,
    palette: QPalette,
    title: str = "",
    unit: str = "points",
) -> ChartLayout:
    """A sprint burnup: the scope line (stepping where scope changed, ▲/▼ marks) and the done
    line climbing towards it, with the ideal pace; ``unit`` is "points" or "cards"."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colors = ChartColors.from_palette(palette)
        u = max(QFontMetricsF(painter.font()).height() / 16.0, 1.0)
        scope_color, done_color = colors.added, colors.remaining
        scope_pen = QPen(scope_color, u * 2.0, Qt.PenStyle.DashLine)
        done_pen = QPen(done_color, u * 2.4)
        ideal_pen = QPen(colors.ideal, u * 1.4, Qt.PenStyle.DotLine)
        legend: list[LegendEntry] = [
            ("Scope", _line_swatch(scope_pen, _square(scope_color, u * 3))),
            ("Done", _line_swatch(done_pen, _circle(done_color, colors.background, u * 3.2))),
            ("Ideal pace", _line_swatch(ideal_pen)),
        ]
        if not all(series.working):
            legend.append(
                (
                    "Non-working day",
                    _box_swatch(
                        colors.non_working, Qt.BrushStyle.BDiagPattern, colors.grid, colors.text
                    ),
                )
            )
        values = [float(v) for v in series.scope_total if v is not None]
        values += [float(series.start_scope), float(series.committed)]
        frame = _Frame(painter, rect, palette, title, legend, max(values), integer=unit == "cards")
        n = len(series.days)
        base = frame.layout("burnup", 0, max(n, 1))
        frame.background()
        _non_working_bands(frame, base, series.working)
        frame.y_axis(base, _unit_label(unit)[0])
        frame.day_axis(base, series.days, weekdays=True)
        frame.axes()
        line = frame.line

        ideal = QPainterPath(QPointF(base.x_at(0), base.y_at(0)))
        for i, value in enumerate(series.ideal):
            ideal.lineTo(base.x_at(i + 1), base.y_at(float(series.committed - value)))
        painter.setPen(ideal_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(ideal)

        scope_points: list[QPointF] = []
        done_points: list[QPointF] = []
        scope = QPainterPath(QPointF(base.x_at(0), base.y_at(float(series.start_scope))))
        done_start = float(series.start_scope - series.start_remaining)
        done = QPainterPath(QPointF(base.x_at(0), base.y_at(done_start)))
        previous_scope, previous_done = float(series.start_scope), done_start
        for i in range(n):
            total, finished = series.scope_total[i], series.done_total[i]
            if total is None or finished is None:
                break
            x = base.x_at(i + 1)
            scope.lineTo(x, base.y_at(previous_scope))
            scope.lineTo(x, base.y_at(float(total)))
            done.lineTo(x, base.y_at(previous_done))
            done.lineTo(x, base.y_at(float(finished)))
            previous_scope, previous_done = float(total), float(finished)
            scope_points.append(QPointF(x, base.y_at(previous_scope)))
            done_points.append(QPointF(x, base.y_at(previous_done)))
        painter.setPen(scope_pen)
        painter.drawPath(scope)
        painter.setPen(done_pen)
        painter.drawPath(done)
        square = _square(scope_color, u * 3)
        circle = _circle(done_color, colors.background, u * 3.2)
        for point in scope_points:
            square(painter, point)
        for point in done_points:
            circle(painter, point)

        marker = u * 4.5
        for i, point in enumerate(scope_points):
            for amount, up, color in (
                (series.scope_added[i], True, colors.added),
                (series.scope_removed[i], False, colors.removed),
            ):
                if not amount:
                    continue
                center = QPointF(point.x(), max(point.y() - line * 1.1, frame.plot.top() + marker))
                painter.setPen(QPen(color.darker(130), u))
                painter.setBrush(color)
                painter.drawPolygon(_triangle(center, marker, up))
                painter.setPen(colors.text)
                sign = "+" if up else "−"
                painter.drawText(
                    QRectF(center.x() + marker * 1.3, center.y() - line / 2, line * 3, line),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{sign}{format_points(amount, places=1)}",
                )
        frame.paint_legend()
        slot = frame.plot.width() / max(n, 1)
        regions = [
            (QRectF(base.x_at(i + 1) - slot / 2, frame.plot.top(), slot, frame.plot.height()), i)
            for i in range(len(done_points))
        ]
        return frame.layout("burnup", 0, max(n, 1), regions, done_points)
    finally:
        painter.restore()


def burnup_tooltip(series: BurndownSeries, index: int, unit: str = "points") -> str:
    day = series.days[index]
    head = day.strftime("%a %d %b %Y")
    if not series.working[index]:
        head += " (non-working day)"
    parts = [head]
    total, done = series.scope_total[index], series.done_total[index]
    if total is None or done is None:
        parts.append("No data yet")
        return "\n".join(parts)
    parts.append(f"Scope: {_format_unit(total, unit)}")
    parts.append(f"Done: {_format_unit(done, unit)}")
    ideal = series.committed - series.ideal[index]
    parts.append(f"Ideal pace: {_format_unit(ideal, unit)}")
    if series.scope_added[index]:
        parts.append(f"Scope added: +{_format_unit(series.scope_added[index], unit)}")
    if series.scope_removed[index]:
        parts.append(f"Scope removed: −{_format_unit(series.scope_removed[index], unit)}")
    return "\n".join(parts)


# --- velocity ----------------------------------------------------------------------------


def _elide(metrics: QFontMetricsF, text: str, width: float) -> str:
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(width, 10))


def _distinct_names(names: Sequence[str], metrics: QFontMetricsF, width: float) -> list[str]:
    """Names for labels ``width`` wide: when one does not fit, the words every name starts
    with go ("DEMO Sprint 1", "DEMO Sprint 2" → "1", "2"), so eliding keeps what differs."""
    if len(names) < 2 or all(metrics.horizontalAdvance(n) <= width for n in names):
        return list(names)
    words = [n.split(" ") for n in names]
    common = 0
    while all(len(w) > common + 1 for w in words) and len({w[common] for w in words}) == 1:
        common += 1
    return [" ".join(w[common:]) for w in words]


def paint_velocity(
    painter: QPainter,
    rect: QRectF,
    series: VelocitySeries,
    palette: QPalette,
    title: str = "",
    x_title: str = "Closed sprints (oldest first)",
) -> ChartLayout:
    """Committed (hatched) against completed (solid) points per closed sprint, the planning
    velocity as a dashed line. ``x_title`` names the sprints under the axis (the sprint
    report's trend ends with a running sprint)."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colors = ChartColors.from_palette(palette)
        u = max(QFontMetricsF(painter.font()).height() / 16.0, 1.0)
        committed_fill = QColor(colors.text)
        committed_fill.setAlpha(40)
        completed_fill = QColor(colors.remaining)
        velocity_pen = QPen(colors.added, u * 2.0, Qt.PenStyle.DashLine)
        legend: list[LegendEntry] = [
            (
                "Committed",
                _box_swatch(committed_fill, Qt.BrushStyle.BDiagPattern, colors.text, colors.text),
            ),
            (
                "Completed",
                _box_swatch(
                    completed_fill, Qt.BrushStyle.NoBrush, completed_fill.darker(130), colors.text
                ),
            ),
        ]
        if series.planning is not None:
            legend.append(
                (
                    f"Planning velocity ({format_points(series.planning, places=1)} pts, "
                    f"last {min(series.window, len(series.sprints))})",
                    _line_swatch(velocity_pen),
                )
            )
        values = [float(s.committed) for s in series.sprints]
        values += [float(s.completed) for s in series.sprints]
        frame = _Frame(painter, rect, palette, title, legend, max([*values, 1.0]))
        n = len(series.sprints)
        base = frame.layout("velocity", 0, max(n, 1))
        frame.background()
        frame.y_axis(base, "Story points")
        frame.axes()
        line, plot, metrics = frame.line, frame.plot, frame.metrics
        slot = plot.width() / max(n, 1)
        bar = min(slot * 0.32, line * 3.5)
        regions = []
        anchors = []
        room = slot - line * 0.8  # a gap between neighbouring names
        names = _distinct_names([s.name for s in series.sprints], metrics, room)
        if series.planning is not None and n:
            y = base.y_at(float(series.planning))
            painter.setPen(velocity_pen)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        for i, sprint in enumerate(series.sprints):
            center = base.x_at(i + 0.5)
            for offset, value, fill, hatch in (
                (-bar, sprint.committed, committed_fill, Qt.BrushStyle.BDiagPattern),
                (0.0, sprint.completed, completed_fill, Qt.BrushStyle.NoBrush),
            ):
                top = base.y_at(float(value))
                box = QRectF(center + offset, top, bar, plot.bottom() - top)
                painter.fillRect(box, fill)
                if hatch != Qt.BrushStyle.NoBrush:
                    painter.fillRect(box, QBrush(colors.text, hatch))
                painter.setPen(
                    QPen(colors.text if hatch != Qt.BrushStyle.NoBrush else fill.darker(140), u)
                )
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(box)
                text = format_points(value, places=1)
                label = QRectF(
                    box.center().x() - metrics.horizontalAdvance(text) / 2 - u * 2,
                    top - line * 1.1,
                    metrics.horizontalAdvance(text) + u * 4,
                    line,
                )
                painter.fillRect(label, colors.background)  # the velocity line passes behind
                painter.setPen(colors.text)
                painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
            regions.append((QRectF(center - slot / 2, plot.top(), slot, plot.height()), i))
            anchors.append(QPointF(center, base.y_at(float(sprint.completed))))
            painter.setPen(colors.text)
            label_box = QRectF(center - slot / 2 + 2, plot.bottom() + line * 0.2, slot - 4, line)
            painter.drawText(
                label_box, Qt.AlignmentFlag.AlignCenter, _elide(metrics, names[i], room)
            )
            if sprint.end is not None:
                dates = sprint.end.strftime("ends %d %b")
                painter.drawText(
                    label_box.translated(0, line),
                    Qt.AlignmentFlag.AlignCenter,
                    _elide(metrics, dates, slot - 4),
                )
        if not n:
            painter.setPen(colors.text)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No closed sprint yet")
        painter.setPen(colors.text)
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + line * 2.3, plot.width(), line),
            Qt.AlignmentFlag.AlignCenter,
            x_title,
        )
        frame.paint_legend()
        return frame.layout("velocity", 0, max(n, 1), regions, anchors)
    finally:
        painter.restore()


def velocity_tooltip(series: VelocitySeries, index: int) -> str:
    sprint = series.sprints[index]
    parts = [sprint.name]
    if sprint.start is not None and sprint.end is not None:
        parts.append(f"{sprint.start.strftime('%d %b')} – {sprint.end.strftime('%d %b %Y')}")
    parts.append(f"Committed: {format_points(sprint.committed, places=1)} pts")
    share = ""
    if sprint.ratio is not None:
        share = f" ({(sprint.ratio * 100).quantize(Decimal('1'))}%)"
    parts.append(f"Completed: {format_points(sprint.completed, places=1)} pts{share}")
    parts.append(
        f"Average completed so far (last {series.window}): "
        f"{format_points(series.rolling[index], places=1)} pts"
    )
    return "\n".join(parts)


# --- cumulative flow ---------------------------------------------------------------------


def paint_cfd(
    painter: QPainter,
    rect: QRectF,
    flow: CumulativeFlow,
    palette: QPalette,
    title: str = "",
) -> ChartLayout:
    """Stacked bands of cards per column per day: done at the bottom, the first column on top
    (the legend lists them in workflow order); each band has its own colour and hatch."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colors = ChartColors.from_palette(palette)
        palette_series = series_colors(palette)
        hatch_color = QColor(colors.text)
        hatch_color.setAlpha(70)
        fills = []
        for i in range(len(flow.columns)):
            fill = QColor(palette_series[i % len(palette_series)])
            fill.setAlpha(150)
            fills.append(fill)
        legend: list[LegendEntry] = []
        for i, column in enumerate(flow.columns):
            name = column.name + (" (archived)" if column.archived else "")
            legend.append(
                (
                    name,
                    _box_swatch(
                        fills[i], HATCHES[i % len(HATCHES)], fills[i].darker(150), hatch_color
                    ),
                )
            )
        totals = [flow.total(d) or 0 for d in range(len(flow.days))]
        frame = _Frame(
            painter, rect, palette, title, legend, max([*totals, 1]), x_rows=1, integer=True
        )
        n = len(flow.days)
        base = frame.layout("cfd", 0, max(n, 1))
        frame.background()
        frame.y_axis(base, "Cards")
        frame.day_axis(base, flow.days, weekdays=False, gridlines=False)
        last = flow.last_index
        if last is not None:
            # Stack from the bottom in reverse workflow order (done first).
            lower = [0.0] * (last + 1)
            for c in reversed(range(len(flow.columns))):
                upper = [lower[d] + float(flow.counts[c][d] or 0) for d in range(last + 1)]
                xs = [base.x_at(d + 0.5) for d in range(last + 1)]
                if last == 0:
                    xs = [base.x_at(0.1), base.x_at(0.9)]
                    upper_values, lower_values = upper * 2, lower * 2
                else:
                    upper_values, lower_values = upper, lower
                polygon = QPolygonF(
                    [QPointF(x, base.y_at(v)) for x, v in zip(xs, upper_values, strict=True)]
                    + [
                        QPointF(x, base.y_at(v))
                        for x, v in reversed(list(zip(xs, lower_values, strict=True)))
                    ]
                )
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fills[c])
                painter.drawPolygon(polygon)
                hatch = HATCHES[c % len(HATCHES)]
                if hatch != Qt.BrushStyle.NoBrush:
                    painter.setBrush(QBrush(hatch_color, hatch))
                    painter.drawPolygon(polygon)
                painter.setPen(QPen(fills[c].darker(160), frame.unit * 1.4))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                top_line = QPainterPath(QPointF(xs[0], base.y_at(upper_values[0])))
                for x, v in zip(xs[1:], upper_values[1:], strict=True):
                    top_line.lineTo(x, base.y_at(v))
                painter.drawPath(top_line)
                lower = upper
        frame.axes()
        frame.paint_legend()
        slot = frame.plot.width() / max(n, 1)
        regions = [
            (QRectF(base.x_at(d), frame.plot.top(), slot, frame.plot.height()), d)
            for d in range(0 if last is None else last + 1)
        ]
        anchors = [
            QPointF(base.x_at(d + 0.5), base.y_at(float(totals[d])))
            for d in range(0 if last is None else last + 1)
        ]
        return frame.layout("cfd", 0, max(n, 1), regions, anchors)
    finally:
        painter.restore()


def cfd_tooltip(flow: CumulativeFlow, index: int) -> str:
    parts = [flow.days[index].strftime("%a %d %b %Y")]
    total = flow.total(index)
    if total is None:
        parts.append("No data yet")
        return "\n".join(parts)
    for column, counts in zip(flow.columns, flow.counts, strict=True):
        name = column.name + (" (archived)" if column.archived else "")
        parts.append(f"{name}: {counts[index]}")
    parts.append(f"Total: {plural(total, 'card')}")
    return "\n".join(parts)


# --- control chart -----------------------------------------------------------------------


def _days_of(chart: ControlChart) -> list[dt.date]:
    count = (chart.end - chart.start).days + 1
    return [chart.start + dt.timedelta(days=i) for i in range(count)]


def paint_control_chart(
    painter: QPainter,
    rect: QRectF,
    chart: ControlChart,
    palette: QPalette,
    title: str = "",
    time_zone: dt.tzinfo = dt.UTC,
) -> ChartLayout:
    """Each finished card as a point (x: when it was done, y: days), the mean (dashed), the
    rolling mean (solid) and its ± one standard deviation band (shaded)."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colors = ChartColors.from_palette(palette)
        u = max(QFontMetricsF(painter.font()).height() / 16.0, 1.0)
        point_color = colors.remaining
        rolling_pen = QPen(colors.added, u * 2.2)
        mean_pen = QPen(colors.text, u * 1.4, Qt.PenStyle.DashLine)
        band = QColor(colors.added)
        band.setAlpha(50)
        circle = _circle(point_color, colors.background, u * 3.2)
        what = "Cycle time" if chart.kind == "cycle" else "Lead time"
        legend: list[LegendEntry] = [
            (f"{what} of a card", lambda p, box: circle(p, box.center())),
            (f"Rolling mean ({chart.window} cards)", _line_swatch(rolling_pen)),
            ("± 1 standard deviation", _box_swatch(band, Qt.BrushStyle.NoBrush, band, band)),
        ]
        if chart.mean is not None:
            legend.append((f"Mean ({chart.mean:.1f} days)", _line_swatch(mean_pen)))
        top = [p.days for p in chart.points] + [p.rolling_mean + p.rolling_sd for p in chart.points]
        frame = _Frame(painter, rect, palette, title, legend, max([*top, 1.0]), x_rows=1)
        days = _days_of(chart)
        n = len(days)
        base = frame.layout("control", 0, n)
        frame.background()
        frame.y_axis(base, f"{what} (days)")
        frame.day_axis(base, days, weekdays=False, gridlines=False)
        begin = dt.datetime.combine(chart.start, dt.time(0), tzinfo=time_zone)

        def x_of(when: dt.datetime) -> float:
            return base.x_at((when - begin) / dt.timedelta(days=1))

        xs = [x_of(p.finished) for p in chart.points]
        if chart.points:
            upper = [
                QPointF(x, base.y_at(p.rolling_mean + p.rolling_sd))
                for x, p in zip(xs, chart.points, strict=True)
            ]
            lower = [
                QPointF(x, base.y_at(max(p.rolling_mean - p.rolling_sd, 0.0)))
                for x, p in zip(xs, chart.points, strict=True)
            ]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(band)
            painter.drawPolygon(QPolygonF(upper + list(reversed(lower))))
            rolling_path = QPainterPath(QPointF(xs[0], base.y_at(chart.points[0].rolling_mean)))
            for x, p in zip(xs[1:], chart.points[1:], strict=True):
                rolling_path.lineTo(x, base.y_at(p.rolling_mean))
            painter.setPen(rolling_pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(rolling_path)
        if chart.mean is not None:
            y = base.y_at(chart.mean)
            painter.setPen(mean_pen)
            painter.drawLine(QPointF(frame.plot.left(), y), QPointF(frame.plot.right(), y))
        anchors = [QPointF(x, base.y_at(p.days)) for x, p in zip(xs, chart.points, strict=True)]
        for anchor in anchors:
            circle(painter, anchor)
        if not chart.points:
            painter.setPen(colors.text)
            painter.drawText(
                frame.plot, Qt.AlignmentFlag.AlignCenter, "No card was finished in this range"
            )
        frame.axes()
        frame.paint_legend()
        return frame.layout("control", 0, n, (), anchors)
    finally:
        painter.restore()


def control_tooltip(chart: ControlChart, index: int, time_zone: dt.tzinfo = dt.UTC) -> str:
    point = chart.points[index]
    what = "Cycle time" if chart.kind == "cycle" else "Lead time"
    parts = [point.label or f"Card {point.card_id}"]
    parts.append("Done " + point.finished.astimezone(time_zone).strftime("%a %d %b %Y %H:%M"))
    parts.append(f"{what}: {point.days:.1f} days")
    parts.append(f"Rolling mean: {point.rolling_mean:.1f} days (± {point.rolling_sd:.1f})")
    if chart.mean is not None:
        parts.append(f"Mean of the range: {chart.mean:.1f} days")
    return "\n".join(parts)


# --- throughput --------------------------------------------------------------------------


def _per_week(value: float) -> str:
    number = format_points(Decimal(str(round(value, 1))), places=1)
    return f"{number} {'card' if number == '1' else 'cards'}/week"


def paint_throughput(
    painter: QPainter,
    rect: QRectF,
    result: Throughput,
    palette: QPalette,
    title: str = "",
) -> ChartLayout:
    """Cards finished per week as bars (the running week hatched: it is not over), each
    with its count, and the average of the complete weeks as a dashed line."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colors = ChartColors.from_palette(palette)
        u = max(QFontMetricsF(painter.font()).height() / 16.0, 1.0)
        fill = QColor(colors.remaining)
        running_fill = QColor(colors.remaining)
        running_fill.setAlpha(90)
        average_pen = QPen(colors.added, u * 2.0, Qt.PenStyle.DashLine)
        legend: list[LegendEntry] = [
            (
                "Cards finished",
                _box_swatch(fill, Qt.BrushStyle.NoBrush, fill.darker(130), colors.text),
            )
        ]
        if result.weeks and not result.weeks[-1].complete:
            legend.append(
                (
                    "This week so far",
                    _box_swatch(
                        running_fill, Qt.BrushStyle.BDiagPattern, fill.darker(130), colors.text
                    ),
                )
            )
        if result.average is not None:
            weeks = plural(result.averaged_weeks, "complete week")
            legend.append(
                (f"Average ({_per_week(result.average)}, {weeks})", _line_swatch(average_pen))
            )
        top = max([w.count for w in result.weeks] + [result.average or 0.0, 1.0])
        frame = _Frame(painter, rect, palette, title, legend, top, integer=True)
        n = len(result.weeks)
        base = frame.layout("throughput", 0, max(n, 1))
        frame.background()
        frame.y_axis(base, "Cards")
        frame.axes()
        line, plot, metrics = frame.line, frame.plot, frame.metrics
        slot = plot.width() / max(n, 1)
        bar = min(slot * 0.6, line * 7.0)
        regions = []
        anchors = []
        sample = metrics.horizontalAdvance("30 Sep") + line * 0.5
        every = max(1, math.ceil(sample / max(slot, 1)))
        for i, week in enumerate(result.weeks):
            center = base.x_at(i + 0.5)
            top_y = base.y_at(float(week.count))
            box = QRectF(center - bar / 2, top_y, bar, plot.bottom() - top_y)
            if week.count:
                painter.fillRect(box, fill if week.complete else running_fill)
                if not week.complete:
                    painter.fillRect(box, QBrush(colors.text, Qt.BrushStyle.BDiagPattern))
                painter.setPen(QPen(fill.darker(140), u))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(box)
            text = str(week.count)
            label = QRectF(
                center - metrics.horizontalAdvance(text) / 2 - u * 2,
                top_y - line * 1.1,
                metrics.horizontalAdvance(text) + u * 4,
                line,
            )
            painter.fillRect(label, colors.background)  # the average line passes behind
            painter.setPen(colors.text)
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
            regions.append((QRectF(center - slot / 2, plot.top(), slot, plot.height()), i))
            anchors.append(QPointF(center, top_y))
            last = i == n - 1
            if i % every == 0 or (last and not week.complete):
                box_w = max(slot * every, sample)
                day_box = QRectF(center - box_w / 2, plot.bottom() + line * 0.2, box_w, line)
                painter.setPen(colors.text)
                painter.drawText(
                    day_box,
                    Qt.AlignmentFlag.AlignCenter,
                    f"{week.start.day} {week.start.strftime('%b')}",
                )
                if last and not week.complete:
                    painter.drawText(
                        day_box.translated(0, line), Qt.AlignmentFlag.AlignCenter, "so far"
                    )
        if result.average is not None and n:
            y = base.y_at(result.average)
            painter.setPen(average_pen)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        if not result.total:
            painter.setPen(colors.text)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No card was finished yet")
        painter.setPen(colors.text)
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + line * 2.3, plot.width(), line),
            Qt.AlignmentFlag.AlignCenter,
            "Weeks, Monday to Sunday (the date each begins)",
        )
        frame.paint_legend()
        return frame.layout("throughput", 0, max(n, 1), regions, anchors)
    finally:
        painter.restore()


TOOLTIP_CARDS = 8  # a tooltip names this many cards, then says how many more


def throughput_tooltip(result: Throughput, index: int) -> str:
    week = result.weeks[index]
    head = f"Week of {week.start.strftime('%a %d %b')} – {week.end.strftime('%a %d %b %Y')}"
    parts = [head + ("" if week.complete else " (so far)")]
    parts.append(f"{plural(week.count, 'card')} finished")
    named = [label for label in week.labels if label][:TOOLTIP_CARDS]
    parts += [f"  {label}" for label in named]
    if week.count > len(named) and named:
        parts.append(f"  … and {week.count - len(named)} more")
    if result.average is not None:
        weeks = plural(result.averaged_weeks, "complete week")
        parts.append(f"Average: {_per_week(result.average)} over {weeks}")
    return "\n".join(parts)


__all__ = [
    "BurndownLayout",
    "ChartColors",
    "ChartLayout",
    "burndown_layout",
    "burnup_tooltip",
    "cfd_tooltip",
    "control_tooltip",
    "day_tooltip",
    "nice_step",
    "paint_burndown",
    "paint_burnup",
    "paint_cfd",
    "paint_control_chart",
    "paint_throughput",
    "paint_velocity",
    "series_colors",
    "throughput_tooltip",
    "velocity_tooltip",
]
