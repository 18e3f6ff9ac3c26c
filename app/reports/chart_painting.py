"""Charts painted with QPainter: one drawing for a widget, a PDF page and an SVG file.

The charts' one entry point: the burnup and velocity charts are painted here; the burndown
(app.reports.burndown_painting), the flow charts (app.reports.flow_painting) and what all of
them share (app.reports.chart_kit: colours, frame, axes, legends, swatches) are re-exported,
so a caller imports every chart from this module.

Nothing here knows about widgets. Sizes derive from the painter's font, so the same code
reads well on a 96 dpi screen and on a 1200 dpi QPdfWriter page. Every series differs by
dash pattern or marker shape as well as by colour, so a black-and-white print stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)

from app.metrics.burndown import BurndownSeries
from app.metrics.points import format_points
from app.metrics.velocity import VelocitySeries
from app.reports.burndown_painting import (
    BurndownLayout,
    burndown_layout,
    day_tooltip,
    paint_burndown,
)
from app.reports.chart_kit import (
    ChartColors,
    ChartLayout,
    Frame,
    LegendEntry,
    box_swatch,
    circle_marker,
    format_unit,
    line_swatch,
    nice_step,
    series_colors,
    square_marker,
    triangle,
    unit_label,
)
from app.reports.flow_painting import (
    cfd_tooltip,
    control_tooltip,
    paint_cfd,
    paint_control_chart,
    paint_throughput,
    throughput_tooltip,
)

# --- burnup ------------------------------------------------------------------------------


def _non_working_bands(frame: Frame, layout: ChartLayout, working: Sequence[bool]) -> None:
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
            ("Scope", line_swatch(scope_pen, square_marker(scope_color, u * 3))),
            ("Done", line_swatch(done_pen, circle_marker(done_color, colors.background, u * 3.2))),
            ("Ideal pace", line_swatch(ideal_pen)),
        ]
        if not all(series.working):
            legend.append(
                (
                    "Non-working day",
                    box_swatch(
                        colors.non_working, Qt.BrushStyle.BDiagPattern, colors.grid, colors.text
                    ),
                )
            )
        values = [float(v) for v in series.scope_total if v is not None]
        values += [float(series.start_scope), float(series.committed)]
        frame = Frame(painter, rect, palette, title, legend, max(values), integer=unit == "cards")
        n = len(series.days)
        base = frame.layout("burnup", 0, max(n, 1))
        frame.background()
        _non_working_bands(frame, base, series.working)
        frame.y_axis(base, unit_label(unit)[0])
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
        square = square_marker(scope_color, u * 3)
        circle = circle_marker(done_color, colors.background, u * 3.2)
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
                painter.drawPolygon(triangle(center, marker, up))
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
    parts.append(f"Scope: {format_unit(total, unit)}")
    parts.append(f"Done: {format_unit(done, unit)}")
    ideal = series.committed - series.ideal[index]
    parts.append(f"Ideal pace: {format_unit(ideal, unit)}")
    if series.scope_added[index]:
        parts.append(f"Scope added: +{format_unit(series.scope_added[index], unit)}")
    if series.scope_removed[index]:
        parts.append(f"Scope removed: −{format_unit(series.scope_removed[index], unit)}")
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
                box_swatch(committed_fill, Qt.BrushStyle.BDiagPattern, colors.text, colors.text),
            ),
            (
                "Completed",
                box_swatch(
                    completed_fill, Qt.BrushStyle.NoBrush, completed_fill.darker(130), colors.text
                ),
            ),
        ]
        if series.planning is not None:
            legend.append(
                (
                    f"Planning velocity ({format_points(series.planning, places=1)} pts, "
                    f"last {min(series.window, len(series.sprints))})",
                    line_swatch(velocity_pen),
                )
            )
        values = [float(s.committed) for s in series.sprints]
        values += [float(s.completed) for s in series.sprints]
        frame = Frame(painter, rect, palette, title, legend, max([*values, 1.0]))
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
