"""The Timeline page: a QPainter canvas of the items :mod:`app.ui.timeline.model` lays out,
zoomed by week, month or quarter; dragging a milestone's diamond moves its date through an
undoable command (Ctrl+Z moves it back). It reads again on every plan or card change."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.events import Change, ChangeKind
from app.ui.commands import CommandContext, ServiceCommand
from app.ui.mainwindow.registry import PageContext
from app.ui.timeline.model import (
    HEADER_H,
    EpicForecast,
    MilestoneOdds,
    TimelineItem,
    TimelineLayout,
    layout_timeline,
)

EPIC_COLOR = QColor("#6554c0")
RISK_COLOR = QColor("#de350b")
MILESTONE_COLOR = QColor("#0052cc")
TODAY_COLOR = QColor("#e5493a")


class MoveMilestoneCommand(ServiceCommand):
    """Move a milestone's date; undo moves it back (each a new change)."""

    def __init__(
        self, context: CommandContext, milestone_id: int, name: str, old: dt.date, new: dt.date
    ) -> None:
        super().__init__(context, f"Move milestone {name} to {new.isoformat()}")
        self._id, self._old, self._new = milestone_id, old, new

    def _redo(self) -> None:
        self._ctx.services.plans.move_milestone(self._id, self._new)

    def _undo(self) -> None:
        self._ctx.services.plans.move_milestone(self._id, self._old)


FORECAST_TRIALS = 2000  # enough for a bar's range; the CLI's forecast runs 10,000
FORECAST_SEED = 18  # the same history draws the same bars every time


def forecast_timeline(
    services: object, data: object
) -> tuple[dict[int, EpicForecast], dict[int, MilestoneOdds]]:
    """Epic ranges (50..95%, 85% marked) and milestone odds from one batch of shared
    trials (services.forecasts.timeline); an epic or milestone the history cannot answer
    for keeps its plain bar (no guess)."""
    forecaster = getattr(services, "forecasts", None)
    if forecaster is None:
        return {}, {}
    try:
        answer = forecaster.timeline(
            data.project_id,  # type: ignore[attr-defined]
            seed=FORECAST_SEED,
            trials=FORECAST_TRIALS,
        )
    except DomainError:
        return {}, {}
    epics = {
        epic_id: EpicForecast(odds.dates[50], odds.dates[85], odds.dates[95])
        for epic_id, odds in answer.epics.items()
    }
    milestones = {
        milestone_id: MilestoneOdds(odds.chance or 0.0, odds.dates.get(85))
        for milestone_id, odds in answer.milestones.items()
    }
    return epics, milestones


class TimelineCanvas(QWidget):
    """Paints a :class:`TimelineLayout`; a milestone is dragged along the days."""

    milestone_dropped = Signal(int, object, object)  # milestone id, old date, new date

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("timelineCanvas")
        self.setMouseTracking(True)
        self.layout_: TimelineLayout | None = None
        self._drag: TimelineItem | None = None
        self._drag_x = 0.0

    def set_layout(self, layout: TimelineLayout) -> None:
        self.layout_ = layout
        self.setMinimumSize(int(layout.width) + 1, int(layout.height) + 1)
        self.update()

    def dragged_day(self) -> dt.date | None:
        if self._drag is None or self.layout_ is None:
            return None
        return self.layout_.day_at(self._drag_x - self.layout_.px_per_day / 2)

    # --- mouse ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        item = self.layout_.item_at(event.position()) if self.layout_ else None
        if event.button() == Qt.MouseButton.LeftButton and item and item.kind == "milestone":
            self._drag, self._drag_x = item, event.position().x()
            self.setCursor(Qt.CursorShape.SizeHorCursor)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag_x = event.position().x()
            self.update()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag_x = event.position().x()
            item, day = self._drag, self.dragged_day()
            self._drag = None
            self.unsetCursor()
            self.update()
            if day is not None and day != item.start:
                self.milestone_dropped.emit(item.ident, item.start, day)
            return
        super().mouseReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.layout_ is not None:
            item = self.layout_.item_at(QPointF(event.pos()))  # type: ignore[attr-defined]
            if item is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), item.tooltip, self)  # type: ignore[attr-defined]
            return True
        return super().event(event)

    # --- painting ------------------------------------------------------------------------

    def paintEvent(self, _event: QEvent) -> None:
        layout = self.layout_
        if layout is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(pal.ColorRole.Text)
        muted = pal.color(pal.ColorRole.PlaceholderText)
        p.fillRect(self.rect(), pal.color(pal.ColorRole.Base))
        self._paint_scale(p, layout, text, muted)
        for item in layout.of_kind("sprint"):
            band = QRectF(item.rect.left(), HEADER_H, item.rect.width(), layout.height - HEADER_H)
            p.fillRect(band, QColor(76, 154, 255, 22))
            p.fillRect(item.rect, QColor("#deebff") if item.label else QColor("#eee"))
            p.setPen(QColor("#0747a6"))
            p.drawText(item.rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, item.label)
        for item in layout.of_kind("epic"):
            self._paint_epic(p, item, text)
        for item in layout.of_kind("today"):
            p.fillRect(item.rect, TODAY_COLOR)
        for item in layout.of_kind("milestone"):
            self._paint_milestone(p, layout, item, text)
        p.end()

    def _paint_scale(
        self, p: QPainter, layout: TimelineLayout, text: QColor, muted: QColor
    ) -> None:
        step = 1 if layout.px_per_day >= 20 else 7 if layout.px_per_day >= 5 else 0
        day = layout.first_day
        p.setPen(muted)
        while day <= layout.last_day:
            x = layout.x_of(day)
            if day.day == 1:
                p.setPen(text)
                p.drawText(QPointF(x + 3, 16), day.strftime("%b %Y"))
                p.drawLine(QPointF(x, 0), QPointF(x, HEADER_H))
                p.setPen(muted)
            if step == 1 or (step == 7 and day.weekday() == 0):
                p.drawText(QPointF(x + 2, 36), str(day.day))
                p.drawLine(QPointF(x, 26), QPointF(x, HEADER_H))
            day += dt.timedelta(days=1)
        p.drawLine(QPointF(0, HEADER_H), QPointF(layout.width, HEADER_H))

    def _paint_epic(self, p: QPainter, item: TimelineItem, text: QColor) -> None:
        range_color = QColor(EPIC_COLOR)
        range_color.setAlpha(70)
        path = QPainterPath()
        path.addRoundedRect(item.rect, 4, 4)
        p.fillPath(path, range_color)
        if item.solid is not None:
            solid = QPainterPath()
            solid.addRoundedRect(item.solid, 4, 4)
            p.fillPath(solid, EPIC_COLOR)
        for x in item.marks:
            p.setPen(QPen(QColor("#172b4d"), 2))
            p.drawLine(QPointF(x, item.rect.top() - 3), QPointF(x, item.rect.bottom() + 3))
        p.setPen(QColor("white") if item.solid and item.solid.width() > 120 else text)
        label = f"{item.label}  {item.detail}"
        p.drawText(item.rect.adjusted(6, 0, 400, 0), Qt.AlignmentFlag.AlignVCenter, label)

    def _paint_milestone(
        self, p: QPainter, layout: TimelineLayout, item: TimelineItem, text: QColor
    ) -> None:
        rect = QRectF(item.rect)
        if self._drag is not None and self._drag.ident == item.ident:
            rect.moveCenter(QPointF(self._drag_x, rect.center().y()))
        c = rect.center()
        h = rect.width() / 2
        diamond = QPolygonF(
            [c + QPointF(0, -h), c + QPointF(h, 0), c + QPointF(0, h), c + QPointF(-h, 0)]
        )
        color = RISK_COLOR if item.at_risk else MILESTONE_COLOR
        p.setPen(QPen(color.darker(130), 1))
        p.setBrush(color)
        p.drawPolygon(diamond)
        p.setPen(QPen(color, 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(c.x(), rect.bottom()), QPointF(c.x(), layout.height))
        p.setPen(RISK_COLOR if item.at_risk else text)
        words = item.label + (f"  {item.detail}" if item.detail else "")
        if item.at_risk:
            words += " at risk"
        p.drawText(QPointF(rect.right() + 4, c.y() + 4), words)


class TimelinePage(QWidget):
    """The page: zoom buttons, a heading, the canvas in a scroll area."""

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx.window)
        self.setObjectName("timelinePage")
        self._ctx = ctx
        self._services = ctx.services
        self.zoom = "month"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.heading = QLabel(self)
        self.heading.setObjectName("timelineHeading")
        top.addWidget(self.heading, 1)
        self.zoom_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for name, title in (("week", "&Week"), ("month", "M&onth"), ("quarter", "&Quarter")):
            button = QPushButton(title, self)
            button.setCheckable(True)
            button.setChecked(name == self.zoom)
            button.clicked.connect(lambda _=False, n=name: self.set_zoom(n))
            group.addButton(button)
            top.addWidget(button)
            self.zoom_buttons[name] = button
        layout.addLayout(top)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.canvas = TimelineCanvas(self.scroll)
        self.scroll.setWidget(self.canvas)
        layout.addWidget(self.scroll, 1)
        self.canvas.milestone_dropped.connect(self._moved)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        ctx.store.board_reset.connect(self._timer.start)
        for signal in (ctx.store.card_added, ctx.store.card_removed):
            signal.connect(self._timer.start)
        for signal in (ctx.store.card_changed, ctx.store.card_moved):
            signal.connect(self._timer.start)
        self._services.bus.subscribe(self._on_change)
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.kind is ChangeKind.PLANS_CHANGED:
            try:
                self._timer.start()
            except RuntimeError:  # the page is gone
                self._services.bus.unsubscribe(self._on_change)

    def set_zoom(self, zoom: str) -> None:
        """Week, month or quarter: how many pixels a day takes."""
        self.zoom = zoom
        self.zoom_buttons[zoom].setChecked(True)
        self.refresh()

    def refresh(self) -> None:
        project = self._ctx.store.project
        if project is None:
            self.heading.setText("No project open.")
            return
        try:
            data = self._services.plans.timeline(project.id)
        except DomainError as exc:
            self.heading.setText(str(exc))
            return
        self.data = data
        forecasts, odds = forecast_timeline(self._services, data)
        layout = layout_timeline(data, self.zoom, forecasts, odds)
        self.canvas.set_layout(layout)
        if getattr(self, "_scrolled_for", None) != self.zoom:  # show today, once per zoom
            self._scrolled_for = self.zoom
            self.canvas.resize(self.canvas.minimumSize())
            self.scroll.horizontalScrollBar().setRange(0, max(0, int(layout.width)))
            self.scroll.horizontalScrollBar().setValue(int(layout.x_of(data.today) - 160))
        self.heading.setText(
            f"{project.name}: {len(data.sprints)} sprints, {len(data.epics)} epics, "
            f"{len(data.milestones)} milestones. Drag a milestone to move it (Ctrl+Z undoes)."
        )

    def _moved(self, milestone_id: int, old: dt.date, new: dt.date) -> None:
        name = next((m.name for m in self.data.milestones if m.id == milestone_id), "")
        self._ctx.push(MoveMilestoneCommand(self._ctx.commands, milestone_id, name, old, new))
        self.refresh()
