"""The flow charts painted with QPainter: cumulative flow, the control chart (cycle and lead
time) and throughput, with their tooltips."""

from __future__ import annotations

import datetime as dt
import math
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
    QPolygonF,
)

from app.metrics.flow import ControlChart, CumulativeFlow, Throughput
from app.metrics.points import format_points
from app.reports.chart_kit import (
    HATCHES,
    ChartColors,
    ChartLayout,
    Frame,
    LegendEntry,
    box_swatch,
    circle_marker,
    line_swatch,
    series_colors,
)
from app.words import plural

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
                    box_swatch(
                        fills[i], HATCHES[i % len(HATCHES)], fills[i].darker(150), hatch_color
                    ),
                )
            )
        totals = [flow.total(d) or 0 for d in range(len(flow.days))]
        frame = Frame(
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
        circle = circle_marker(point_color, colors.background, u * 3.2)
        what = "Cycle time" if chart.kind == "cycle" else "Lead time"
        legend: list[LegendEntry] = [
            (f"{what} of a card", lambda p, box: circle(p, box.center())),
            (f"Rolling mean ({chart.window} cards)", line_swatch(rolling_pen)),
            ("± 1 standard deviation", box_swatch(band, Qt.BrushStyle.NoBrush, band, band)),
        ]
        if chart.mean is not None:
            legend.append((f"Mean ({chart.mean:.1f} days)", line_swatch(mean_pen)))
        top = [p.days for p in chart.points] + [p.rolling_mean + p.rolling_sd for p in chart.points]
        frame = Frame(painter, rect, palette, title, legend, max([*top, 1.0]), x_rows=1)
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
                box_swatch(fill, Qt.BrushStyle.NoBrush, fill.darker(130), colors.text),
            )
        ]
        if result.weeks and not result.weeks[-1].complete:
            legend.append(
                (
                    "This week so far",
                    box_swatch(
                        running_fill, Qt.BrushStyle.BDiagPattern, fill.darker(130), colors.text
                    ),
                )
            )
        if result.average is not None:
            weeks = plural(result.averaged_weeks, "complete week")
            legend.append(
                (f"Average ({_per_week(result.average)}, {weeks})", line_swatch(average_pen))
            )
        top = max([w.count for w in result.weeks] + [result.average or 0.0, 1.0])
        frame = Frame(painter, rect, palette, title, legend, top, integer=True)
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
    "cfd_tooltip",
    "control_tooltip",
    "paint_cfd",
    "paint_control_chart",
    "paint_throughput",
    "throughput_tooltip",
]
