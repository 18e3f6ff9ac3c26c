"""A forecast's histogram painted with QPainter: how many trials finish in each bin of
working days, the 85% date as a dashed line and, for a milestone, its date as a solid line
(the bars after it paler: those trials miss it). No widgets; sizes come from the painter's
font, so it reads the same at 96 dpi and at 200 %."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette, QPen

from app.reports.chart_kit import (
    ChartColors,
    ChartLayout,
    Frame,
    LegendEntry,
    box_swatch,
    line_swatch,
)
from app.services.forecasts import ForecastBin

MILESTONE_LINE = QColor("#0052cc")  # the Timeline's diamond colour


def short_day(day: dt.date) -> str:
    """24 Apr 2025: the way the forecast panel writes a date."""
    return f"{day.day} {day.strftime('%b %Y')}"


def bin_x(bins: Sequence[ForecastBin], working_days: int) -> float:
    """Where the end of ``working_days`` falls on the bins' axis, in bins (0..len): inside
    a bin in proportion to its days; before the first 0, after the last len(bins)."""
    for i, b in enumerate(bins):
        if working_days < b.first_day:
            return float(i)
        if working_days <= b.last_day:
            return i + (working_days - b.first_day + 1) / (b.last_day - b.first_day + 1)
    return float(len(bins))


def paint_forecast_histogram(
    painter: QPainter,
    rect: QRectF,
    bins: Sequence[ForecastBin],
    palette: QPalette,
    *,
    p85: tuple[int, dt.date] | None = None,
    deadline: tuple[int, dt.date, str] | None = None,
    title: str = "",
) -> ChartLayout:
    """The bins as bars of trials; ``p85`` (working days, date) draws the 85% line,
    ``deadline`` (working days, date, milestone name) the milestone's. Returns the layout,
    with one region per bar for a tooltip (:func:`bin_tooltip`)."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colors = ChartColors.from_palette(palette)
        u = max(QFontMetricsF(painter.font()).height() / 16.0, 1.0)
        fill = QColor(colors.remaining)
        late = QColor(fill)
        late.setAlpha(90)
        p85_pen = QPen(colors.added, u * 2.0, Qt.PenStyle.DashLine)
        deadline_pen = QPen(MILESTONE_LINE if colors.background.lightness() >= 128
                            else QColor("#5aa9ff"), u * 2.0)  # fmt: skip
        legend: list[LegendEntry] = [
            ("Trials finishing", box_swatch(fill, Qt.BrushStyle.NoBrush, fill.darker(130),
                                            colors.text)),
        ]  # fmt: skip
        if deadline is not None:
            legend.append(
                ("Missing the date", box_swatch(late, Qt.BrushStyle.NoBrush, fill, colors.text))
            )
        if p85 is not None:
            legend.append(("85% line", line_swatch(p85_pen)))
        if deadline is not None:
            legend.append((f"◆ {deadline[2]}", line_swatch(deadline_pen)))
        top = max((b.trials for b in bins), default=0)
        frame = Frame(painter, rect, palette, title, legend, float(max(top, 1)), 1, True)
        n = len(bins)
        base = frame.layout("histogram", 0, max(n, 1))
        frame.background()
        frame.y_axis(base, "Trials")
        frame.axes()
        line, plot, metrics = frame.line, frame.plot, frame.metrics
        if not n:
            painter.setPen(colors.text)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No trials")
            frame.paint_legend()
            return base
        slot = plot.width() / n
        gap = min(slot * 0.12, u * 3)
        regions = []
        for i, b in enumerate(bins):
            y = base.y_at(float(b.trials))
            box = QRectF(base.x_at(i) + gap / 2, y, max(slot - gap, 1.0), plot.bottom() - y)
            misses = deadline is not None and b.first_day > deadline[0]
            painter.fillRect(box, late if misses else fill)
            painter.setPen(QPen(fill.darker(130), u * 0.8))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            if b.trials:
                painter.drawRect(box)
            regions.append((QRectF(base.x_at(i), plot.top(), slot, plot.height()), i))
        # Date labels under the bars, thinned out so that they never touch.
        label_width = metrics.horizontalAdvance("30 Sep") + line * 0.8
        every = max(1, math.ceil(label_width / max(slot, 1.0)))
        painter.setPen(colors.text)
        for i in range(0, n, every):
            center = base.x_at(i + 0.5)
            day = bins[i].first
            box = QRectF(center - label_width / 2, plot.bottom() + line * 0.2, label_width, line)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, f"{day.day} {day.strftime('%b')}")
            painter.drawLine(QPointF(center, plot.bottom()), QPointF(center, plot.bottom() + u * 3))
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + line * 1.3, plot.width(), line),
            Qt.AlignmentFlag.AlignCenter,
            f"Finish date ({short_day(bins[0].first)} – {short_day(bins[-1].last)})",
        )
        marks: list[tuple[QPen, float, str]] = []
        if p85 is not None:
            marks.append((p85_pen, bin_x(bins, p85[0]), f"85%: {short_day(p85[1])}"))
        if deadline is not None:
            marks.append((deadline_pen, bin_x(bins, deadline[0]), f"◆ {short_day(deadline[1])}"))
        for row, (pen, where, text) in enumerate(marks):
            x = base.x_at(where)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            width = metrics.horizontalAdvance(text) + line * 0.6
            left = x + u * 3 if x + u * 3 + width <= plot.right() else x - u * 3 - width
            label = QRectF(left, plot.top() + line * (0.1 + 1.2 * row), width, line * 1.1)
            painter.fillRect(label, colors.background)
            painter.setPen(pen.color())
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
        frame.paint_legend()
        return frame.layout("histogram", 0, n, regions)
    finally:
        painter.restore()


def bin_tooltip(bins: Sequence[ForecastBin], index: int, trials: int) -> str:
    """ "17 – 23 Apr 2025: 312 of 2,000 trials finish (16%)" for one bar."""
    b = bins[index]
    share = b.trials / trials if trials else 0.0
    span = (
        short_day(b.first)
        if b.first == b.last
        else f"{b.first.day} {b.first.strftime('%b')} – {short_day(b.last)}"
    )
    return f"{span}: {b.trials:,} of {trials:,} trials finish ({share:.0%})"
