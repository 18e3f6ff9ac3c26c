"""The sprint burndown painted with QPainter (for the sprint page, the reports page, the
report dialog, the PDF and the SVG), its layout and its day tooltip."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
)

from app.metrics.burndown import BurndownSeries
from app.metrics.points import format_points
from app.reports.chart_kit import WEEKDAY_LETTERS, ChartColors, nice_step, triangle


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
            painter.drawPolygon(triangle(center, marker, up))
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
            painter.drawPolygon(triangle(QPointF(x + swatch / 2, y), u * 4.5, entry == "added"))
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


__all__ = [
    "BurndownLayout",
    "burndown_layout",
    "day_tooltip",
    "paint_burndown",
]
