"""The Timeline's forecast panel: the selected epic's or milestone's name, its open cards,
its dates at 50, 70, 85 and 95%, a milestone's odds of making its date, and the trials'
histogram (:func:`app.reports.forecast_painting.paint_forecast_histogram`). When the history
cannot forecast the selection it says why in one line; with nothing selected, how to
select."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from app.metrics.forecast import CONFIDENCES
from app.reports.chart_kit import ChartLayout
from app.reports.forecast_painting import bin_tooltip, paint_forecast_histogram, short_day
from app.services.forecasts import ForecastBin, ScopeOdds

HINT = "Click an epic or a milestone to see its forecast."
RISK_TEXT = "#b42318"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


class ForecastHistogram(QWidget):
    """The trials' finish dates as bars; a bar's tooltip says how many finish in it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("forecastHistogram")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.bins: tuple[ForecastBin, ...] = ()
        self.trials = 0
        self.p85: tuple[int, dt.date] | None = None
        self.deadline: tuple[int, dt.date, str] | None = None
        self.chart: ChartLayout | None = None  # the last painted layout (tooltips, tests)

    def set_forecast(
        self,
        bins: tuple[ForecastBin, ...],
        trials: int,
        p85: tuple[int, dt.date] | None,
        deadline: tuple[int, dt.date, str] | None = None,
    ) -> None:
        self.bins, self.trials, self.p85, self.deadline = bins, trials, p85, deadline
        self.update()

    def sizeHint(self) -> QSize:
        line = QFontMetricsF(self.font()).height()
        return QSize(int(line * 22), int(line * 14))

    def minimumSizeHint(self) -> QSize:
        line = QFontMetricsF(self.font()).height()
        return QSize(int(line * 12), int(line * 10))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self.chart = paint_forecast_histogram(
                painter,
                QRectF(self.rect()),
                self.bins,
                self.palette(),
                p85=self.p85,
                deadline=self.deadline,
                title=f"Finish dates of {self.trials:,} trials",
            )
        finally:
            painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.chart is not None:
            pos = event.pos()  # type: ignore[attr-defined]
            index = self.chart.hit_at(pos.x(), pos.y())
            if index is None or index >= len(self.bins):
                QToolTip.hideText()
            else:
                text = bin_tooltip(self.bins, index, self.trials)
                QToolTip.showText(event.globalPos(), text, self)  # type: ignore[attr-defined]
            return True
        return super().event(event)


class ForecastPanel(QWidget):
    """Beside the canvas: what :meth:`show_forecast` is given, or the hint."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("forecastPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        self.title = QLabel(self)
        self.title.setObjectName("forecastTitle")
        self.title.setWordWrap(True)
        bold = QFont(self.title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.title.setFont(bold)
        layout.addWidget(self.title)
        self.cards = QLabel(self)
        self.cards.setObjectName("forecastCards")
        self.cards.setWordWrap(True)
        layout.addWidget(self.cards)
        self.message = QLabel(HINT, self)
        self.message.setObjectName("forecastMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.message)
        self.figures = QWidget(self)
        grid = QGridLayout(self.figures)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(12)
        self.dates: dict[int, QLabel] = {}
        self.days: dict[int, QLabel] = {}
        for row, confidence in enumerate(CONFIDENCES):
            name = QLabel(f"{confidence}%", self.figures)
            date = QLabel(self.figures)
            date.setObjectName(f"forecastP{confidence}")
            date.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if confidence == 85:
                for label in (name, date):
                    font = QFont(label.font())
                    font.setBold(True)
                    label.setFont(font)
            days = QLabel(self.figures)
            days.setStyleSheet("color: palette(placeholder-text);")
            grid.addWidget(name, row, 0)
            grid.addWidget(date, row, 1)
            grid.addWidget(days, row, 2)
            self.dates[confidence], self.days[confidence] = date, days
        grid.setColumnStretch(2, 1)
        layout.addWidget(self.figures)
        self.odds = QLabel(self)
        self.odds.setObjectName("forecastOdds")
        self.odds.setWordWrap(True)
        odds_font = QFont(self.odds.font())
        odds_font.setBold(True)
        self.odds.setFont(odds_font)
        layout.addWidget(self.odds)
        self.histogram = ForecastHistogram(self)
        # No taller than it reads well on a big screen: bars stretched over 1,000 pixels
        # say no more than at 400.
        self.histogram.setMaximumHeight(int(QFontMetricsF(self.font()).height() * 26))
        layout.addWidget(self.histogram, 1)
        layout.addStretch(0)
        self.show_hint()

    def show_hint(self) -> None:
        """Nothing selected: one line on how to select."""
        self.title.setText("Forecast")
        self.cards.hide()
        self._say(HINT, reason=False)

    def show_forecast(
        self,
        title: str,
        open_cards: int,
        odds: ScopeOdds | None,
        reason: str,
        trials: int,
        deadline: tuple[str, dt.date] | None = None,
    ) -> None:
        """An epic's (or, with ``deadline``: name and date, a milestone's) forecast, or
        ``reason`` in one line where there is none."""
        self.title.setText(title)
        text = plural(open_cards, "open card")
        if odds is not None and odds.cards != open_cards:
            text += f", forecast as {plural(odds.cards, 'card')} (epics not split yet count"
            text += " as the project's usual cards per epic)"
        if odds is not None and odds.risks:
            text += f"; risks counted: {', '.join(odds.risks)}"
        self.cards.setText(text)
        self.cards.show()
        if odds is None:
            self._say(reason or "The history cannot forecast it.", reason=True)
            return
        self.message.hide()
        for confidence in CONFIDENCES:
            self.dates[confidence].setText(short_day(odds.dates[confidence]))
            n = odds.days[confidence]
            self.days[confidence].setText(f"in {plural(n, 'working day')}")
        self.figures.show()
        marked = None
        if deadline is not None and odds.chance is not None:
            name, day = deadline
            self.odds.setText(f"{round(odds.chance * 100)}% chance by {short_day(day)}")
            late = odds.dates[85] > day
            self.odds.setStyleSheet(f"color: {RISK_TEXT};" if late else "")
            self.odds.show()
            if odds.deadline_days is not None:
                marked = (odds.deadline_days, day, name)
        else:
            self.odds.hide()
        self.histogram.set_forecast(odds.bins, trials, (odds.days[85], odds.dates[85]), marked)
        self.histogram.show()

    def _say(self, text: str, reason: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("" if reason else "color: palette(placeholder-text);")
        self.message.show()
        self.figures.hide()
        self.odds.hide()
        self.histogram.hide()
