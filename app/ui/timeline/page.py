"""The Timeline page: a QPainter canvas of the items :mod:`app.ui.timeline.model` lays out,
zoomed by week, month or quarter. Every change is an undoable command (Ctrl+Z):

- milestones: *New milestone…* (the toolbar button, or the context menu on a day), a
  double-click on a diamond (or its context menu) edits it in :class:`MilestoneDialog`, Del
  deletes the selected one, dragging a diamond moves its date;
- dependencies: dragging from an epic bar's end dot (or Shift+dragging from anywhere on the
  bar) onto another bar records that the first blocks the second, drawn as an arrow; a link
  that would close a cycle is refused with the cycle named in one line.

It reads again on every plan or card change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from app.services.events import Change, ChangeKind
from app.services.forecasts import TimelineForecastDTO
from app.services.plans import MilestoneDeletionDTO, MilestoneDTO, TimelineEpicDTO
from app.ui.commands import CommandContext, ServiceCommand
from app.ui.mainwindow.registry import PageContext
from app.ui.timeline.forecast_panel import ForecastPanel
from app.ui.timeline.links_tab import LinkCommand
from app.ui.timeline.model import (
    HEADER_H,
    EpicForecast,
    MilestoneOdds,
    TimelineItem,
    TimelineLayout,
    layout_timeline,
    link_handle,
)

EPIC_COLOR = QColor("#6554c0")
RISK_COLOR = QColor("#de350b")
MILESTONE_COLOR = QColor("#0052cc")
TODAY_COLOR = QColor("#e5493a")
LINK_COLOR = QColor("#42526e")
SELECTED_COLOR = QColor("#ffab00")  # the ring round the selected bar or diamond


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


class AddMilestoneCommand(ServiceCommand):
    """Add a milestone with its scope; undo deletes it, redo restores the same one."""

    def __init__(self, context: CommandContext, project_id: int, values: dict[str, Any]) -> None:
        super().__init__(context, f"Add milestone {str(values.get('name', '')).strip()}")
        self._project, self._values = project_id, dict(values)
        self.milestone: MilestoneDTO | None = None
        self._deleted: MilestoneDeletionDTO | None = None

    def _redo(self) -> None:
        plans = self._ctx.services.plans
        if self._deleted is None:
            self.milestone = plans.add_milestone(self._project, **self._values)
        else:
            self.milestone = plans.restore_milestone(self._deleted)

    def _undo(self) -> None:
        if self.milestone is not None:
            self._deleted = self._ctx.services.plans.delete_milestone(self.milestone.id)


class EditMilestoneCommand(ServiceCommand):
    """Write a milestone's name, date, description and scope; undo writes the old ones."""

    def __init__(
        self, context: CommandContext, milestone: MilestoneDTO, values: dict[str, Any]
    ) -> None:
        super().__init__(context, f"Edit milestone {milestone.name}")
        self._id, self._new = milestone.id, dict(values)
        self._old = milestone_values(milestone)

    def _redo(self) -> None:
        self._ctx.services.plans.update_milestone(self._id, **self._new)

    def _undo(self) -> None:
        self._ctx.services.plans.update_milestone(self._id, **self._old)


class DeleteMilestoneCommand(ServiceCommand):
    """Delete a milestone; undo brings it back with its scope."""

    def __init__(self, context: CommandContext, milestone: MilestoneDTO) -> None:
        super().__init__(context, f"Delete milestone {milestone.name}")
        self._id = milestone.id
        self._deleted: MilestoneDeletionDTO | None = None

    def _redo(self) -> None:
        self._deleted = self._ctx.services.plans.delete_milestone(self._id)

    def _undo(self) -> None:
        if self._deleted is not None:
            self._id = self._ctx.services.plans.restore_milestone(self._deleted).id


def milestone_values(milestone: MilestoneDTO) -> dict[str, Any]:
    """A milestone's editable values, as :meth:`PlanService.update_milestone` takes them."""
    return {
        "name": milestone.name,
        "day": milestone.day,
        "description": milestone.description,
        "scope": list(milestone.scope_ids),
    }


class MilestoneDialog(QDialog):
    """Add or edit a milestone: name, date, description, the epics it covers (ticked) and
    other cards by key. A refusal (empty name, a date before the project starts, an unknown
    key) is shown on the dialog's error line and the dialog stays open."""

    def __init__(
        self,
        parent: QWidget,
        epics: Sequence[TimelineEpicDTO],
        milestone: MilestoneDTO | None = None,
        day: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("milestoneDialog")
        self.setWindowTitle("Edit milestone" if milestone else "New milestone")
        form = QFormLayout(self)
        self.name = QLineEdit(milestone.name if milestone else "", self)
        form.addRow("&Name", self.name)
        when = milestone.day if milestone else day
        self.day = QLineEdit(when.isoformat() if when else "", self)
        self.day.setPlaceholderText("YYYY-MM-DD")
        form.addRow("&Date", self.day)
        self.description = QPlainTextEdit(milestone.description if milestone else "", self)
        self.description.setFixedHeight(70)
        form.addRow("Des&cription", self.description)
        linked = set(milestone.scope_ids) if milestone else set()
        self.epics = QListWidget(self)
        self.epics.setObjectName("milestoneEpics")
        self.epics.setFixedHeight(110)
        epic_ids = set()
        for epic in epics:
            item = QListWidgetItem(f"{epic.key}  {epic.title}")
            item.setData(Qt.ItemDataRole.UserRole, epic.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = epic.id in linked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.epics.addItem(item)
            epic_ids.add(epic.id)
        form.addRow("&Epics", self.epics)
        others = (
            [k for k, i in zip(milestone.scope_keys, milestone.scope_ids, strict=True)
             if i not in epic_ids]
            if milestone
            else []
        )  # fmt: skip
        self.cards = QLineEdit(", ".join(others), self)
        self.cards.setPlaceholderText("Other cards by key: SD-4, SD-9")
        form.addRow("C&ards", self.cards)
        self.error = QLabel("", self)
        self.error.setObjectName("milestoneError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b42318;")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(460, self.sizeHint().height())

    def tick(self, epic_key: str, on: bool = True) -> None:
        """Tick (or untick) an epic by its key, as a click on its box does."""
        for row in range(self.epics.count()):
            item = self.epics.item(row)
            if item.text().split()[0] == epic_key:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def epic_ids(self) -> list[int]:
        return [
            int(self.epics.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(self.epics.count())
            if self.epics.item(r).checkState() == Qt.CheckState.Checked
        ]

    def card_keys(self) -> list[str]:
        return [k for k in self.cards.text().replace(",", " ").split() if k]


SPLITTER_KEY = "timeline/splitter"  # the canvas and forecast panel's sizes, in the settings
FORECAST_TRIALS = 2000  # enough for a bar's range; the CLI's forecast runs 10,000
FORECAST_SEED = 18  # the same history draws the same bars every time


def forecast_timeline(
    services: object, data: object
) -> tuple[dict[int, EpicForecast], dict[int, MilestoneOdds], TimelineForecastDTO | None]:
    """Epic ranges (50..95%, 85% marked) and milestone odds from one batch of shared
    trials (services.forecasts.timeline), and the batch itself (the forecast panel's
    figures); an epic or milestone the history cannot answer for keeps its plain bar (no
    guess)."""
    forecaster = getattr(services, "forecasts", None)
    if forecaster is None:
        return {}, {}, None
    try:
        answer = forecaster.timeline(
            data.project_id,  # type: ignore[attr-defined]
            seed=FORECAST_SEED,
            trials=FORECAST_TRIALS,
        )
    except DomainError as exc:  # the panel says it; the bars stay plain
        return {}, {}, TimelineForecastDTO({}, {}, FORECAST_SEED, FORECAST_TRIALS, str(exc))
    epics = {
        epic_id: EpicForecast(odds.dates[50], odds.dates[85], odds.dates[95])
        for epic_id, odds in answer.epics.items()
    }
    milestones = {
        milestone_id: MilestoneOdds(odds.chance or 0.0, odds.dates.get(85))
        for milestone_id, odds in answer.milestones.items()
    }
    return epics, milestones, answer


class TimelineCanvas(QWidget):
    """Paints a :class:`TimelineLayout`; a milestone is dragged along the days."""

    milestone_dropped = Signal(int, object, object)  # milestone id, old date, new date
    milestone_activated = Signal(int)  # double-clicked: edit it
    delete_requested = Signal(int)  # Del on the selected milestone
    link_dropped = Signal(int, int)  # blocking epic id, blocked epic id
    menu_requested = Signal(object, object, QPoint)  # item or None, the day, global pos
    selection_changed = Signal(object)  # ("epic" | "milestone", id), or None

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("timelineCanvas")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.layout_: TimelineLayout | None = None
        self._drag: TimelineItem | None = None
        self._drag_x = 0.0
        self.selection: tuple[str, int] | None = None  # the selected epic or milestone
        self._linking: TimelineItem | None = None  # the epic a link is dragged from
        self._link_end = QPointF()

    def set_layout(self, layout: TimelineLayout) -> None:
        self.layout_ = layout
        self.setMinimumSize(int(layout.width) + 1, int(layout.height) + 1)
        if self.selection is not None and layout.find(*self.selection) is None:
            self.select(None)  # it is gone (deleted, archived, another project)
        self.update()

    @property
    def selected(self) -> int | None:
        """The selected milestone's id (what Del deletes), None when an epic or nothing is."""
        if self.selection is not None and self.selection[0] == "milestone":
            return self.selection[1]
        return None

    def select(self, selection: tuple[str, int] | None) -> None:
        """Select an epic or a milestone (None clears); says so when it changes."""
        if selection == self.selection:
            return
        self.selection = selection
        self.update()
        self.selection_changed.emit(selection)

    def selectable(self) -> list[TimelineItem]:
        """What ↑/↓ walk through, top to bottom: the milestones by date, then the epics."""
        if self.layout_ is None:
            return []
        diamonds = sorted(self.layout_.of_kind("milestone"), key=lambda i: (i.start, i.ident))
        return diamonds + self.layout_.of_kind("epic")

    def step(self, offset: int) -> None:
        """Move the selection ``offset`` items down (up when negative), stopping at the ends;
        from nothing, ↓ selects the first and ↑ the last."""
        items = self.selectable()
        if not items:
            return
        keys = [(i.kind, i.ident) for i in items]
        if self.selection in keys:
            index = max(0, min(len(keys) - 1, keys.index(self.selection) + offset))
        else:
            index = 0 if offset > 0 else len(keys) - 1
        self.select(keys[index])

    def dragged_day(self) -> dt.date | None:
        if self._drag is None or self.layout_ is None:
            return None
        return self.layout_.day_at(self._drag_x - self.layout_.px_per_day / 2)

    # --- mouse ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.layout_ is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        point = event.position()
        item = self.layout_.item_at(point)
        handle = self.layout_.handle_at(point)
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if item is not None and item.kind == "milestone":
            self.select(("milestone", item.ident))
            self._drag, self._drag_x = item, point.x()
            self.setCursor(Qt.CursorShape.SizeHorCursor)
            self.update()
            return
        epic = handle or (item if item is not None and item.kind == "epic" else None)
        self.select(None if epic is None else ("epic", epic.ident))
        if handle is not None or (shift and item is not None and item.kind == "epic"):
            self._linking = handle or item
            self._link_end = point
            self.setCursor(Qt.CursorShape.CrossCursor)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        item = self.layout_.item_at(event.position()) if self.layout_ else None
        if item is not None and item.kind == "milestone":
            self._drag = None
            self.unsetCursor()
            self.milestone_activated.emit(item.ident)
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag_x = event.position().x()
            self.update()
            return
        if self._linking is not None:
            self._link_end = event.position()
            self.update()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._linking is not None:
            source, self._linking = self._linking, None
            self.unsetCursor()
            self.update()
            target = self.layout_.item_at(event.position()) if self.layout_ else None
            if target is not None and target.kind == "epic" and target.ident != source.ident:
                self.link_dropped.emit(source.ident, target.ident)
            return
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

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected:
            self.delete_requested.emit(self.selected)
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.layout_ is not None:
            self.step(1 if key == Qt.Key.Key_Down else -1)
            return
        if key == Qt.Key.Key_Escape and self.selection is not None:
            self.select(None)
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if self.layout_ is None:
            return
        point = QPointF(event.pos())
        item = self.layout_.item_at(point)
        if item is not None and item.kind == "milestone":
            self.select(("milestone", item.ident))
        day = self.layout_.day_at(point.x() - self.layout_.px_per_day / 2)
        self.menu_requested.emit(item, day, event.globalPos())

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
        for item in layout.of_kind("link"):
            self._paint_link(p, item)
        if self._linking is not None:
            start = QPointF(self._linking.rect.right(), self._linking.rect.center().y())
            p.setPen(QPen(LINK_COLOR, 2, Qt.PenStyle.DashLine))
            p.drawLine(start, self._link_end)
        for item in layout.of_kind("today"):
            p.fillRect(item.rect, TODAY_COLOR)
        diamonds = sorted(layout.of_kind("milestone"), key=lambda i: i.rect.left())
        lines = [-1e9, -1e9]  # where the last label on each of two lines ends
        metrics = p.fontMetrics()
        for n, item in enumerate(diamonds):
            words = item.label + (f"  {item.detail}" if item.detail else "")
            if item.at_risk:
                words += " at risk"
            left = item.rect.right() + 4
            width = metrics.horizontalAdvance(words)
            # The first line (beside the diamond) ends before the next diamond; the second
            # (below the diamonds) only needs the label before it to be done.
            room = diamonds[n + 1].rect.left() - 4 - left if n + 1 < len(diamonds) else 1e9
            line = 0 if width <= room and left > lines[0] else 1 if left > lines[1] else 0
            if line == 0 and width > room:
                words = metrics.elidedText(words, Qt.TextElideMode.ElideRight, int(room))
                width = metrics.horizontalAdvance(words)
            lines[line] = left + width + 8
            self._paint_milestone(p, layout, item, text, words, line)
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
        if self.selection == ("epic", item.ident):
            ring = QPainterPath()
            ring.addRoundedRect(item.rect.adjusted(-3, -3, 3, 3), 6, 6)
            p.setPen(QPen(SELECTED_COLOR, 3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(ring)
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
        handle = link_handle(item)
        p.setPen(QPen(EPIC_COLOR.darker(140), 1))
        p.setBrush(QColor("white"))
        p.drawEllipse(handle.adjusted(1, 1, -1, -1))

    def _paint_link(self, p: QPainter, item: TimelineItem) -> None:
        """The arrow's polyline with a head at the blocked bar: red when the blocked epic
        starts before its blocker ends, dashed when only their cards are linked."""
        color = RISK_COLOR if item.at_risk else LINK_COLOR
        pen = QPen(color, 1.5)
        if item.detail:  # through their cards, not the epics themselves
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolyline(QPolygonF(list(item.points)))
        end = item.points[-1]
        head = QPolygonF([end, end + QPointF(-6, -4), end + QPointF(-6, 4)])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawPolygon(head)

    def _paint_milestone(
        self,
        p: QPainter,
        layout: TimelineLayout,
        item: TimelineItem,
        text: QColor,
        words: str,
        line: int,
    ) -> None:
        """The diamond, its dashed line down the epics, and its label on the first line to
        its right or, when the label before it is still there, on the second."""
        rect = QRectF(item.rect)
        if self._drag is not None and self._drag.ident == item.ident:
            rect.moveCenter(QPointF(self._drag_x, rect.center().y()))
        c = rect.center()
        h = rect.width() / 2
        diamond = QPolygonF(
            [c + QPointF(0, -h), c + QPointF(h, 0), c + QPointF(0, h), c + QPointF(-h, 0)]
        )
        color = RISK_COLOR if item.at_risk else MILESTONE_COLOR
        if self.selected == item.ident:
            p.setPen(QPen(SELECTED_COLOR, 3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, h + 4, h + 4)
        p.setPen(QPen(color.darker(130), 1))
        p.setBrush(color)
        p.drawPolygon(diamond)
        p.setPen(QPen(color, 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(c.x(), rect.bottom()), QPointF(c.x(), layout.height))
        p.setPen(RISK_COLOR if item.at_risk else text)
        p.drawText(QPointF(rect.right() + 4, c.y() + 4 + line * 14), words)


class TimelinePage(QWidget):
    """The page: *New milestone…*, zoom buttons, a heading and a message line, the canvas
    in a scroll area and, beside it (a splitter sizes them), the selected epic's or
    milestone's forecast."""

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx.window)
        self.setObjectName("timelinePage")
        self._ctx = ctx
        self._services = ctx.services
        self.zoom = "month"
        self.data: Any = None
        self.forecast: TimelineForecastDTO | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.new_button = QPushButton("&New milestone…", self)
        self.new_button.setObjectName("newMilestoneButton")
        self.new_button.setToolTip("Add a milestone: a named date with its epics and cards")
        self.new_button.clicked.connect(lambda: self.new_milestone())
        top.addWidget(self.new_button)
        self.heading = QLabel(self)
        self.heading.setObjectName("timelineHeading")
        self.heading.setWordWrap(True)
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
        self.hint = QLabel(
            "Drag a diamond to move it, double-click to edit it, Del deletes the selected one; "
            "drag from a bar's end dot onto another bar to link them. Ctrl+Z undoes. "
            "Click a bar or a diamond for its forecast; ↑/↓ move the selection, Esc clears it.",
            self,
        )
        self.hint.setObjectName("timelineHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.hint)
        self.message = QLabel(self)
        self.message.setObjectName("timelineMessage")
        self.message.setStyleSheet("color: #b42318;")
        self.message.hide()
        layout.addWidget(self.message)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("timelineSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.scroll = QScrollArea(self.splitter)
        self.scroll.setWidgetResizable(True)
        self.canvas = TimelineCanvas(self.scroll)
        self.scroll.setWidget(self.canvas)
        self.panel = ForecastPanel(self.splitter)
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        line = self.fontMetrics().height()
        self.splitter.setSizes([line * 60, line * 24])
        self._settings = getattr(ctx.window, "settings", None)  # the window's QSettings
        state = self._settings.value(SPLITTER_KEY) if self._settings is not None else None
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        layout.addWidget(self.splitter, 1)
        self.canvas.selection_changed.connect(self._on_selection)
        self.canvas.milestone_dropped.connect(self._moved)
        self.canvas.milestone_activated.connect(self.edit_milestone)
        self.canvas.delete_requested.connect(self.delete_milestone)
        self.canvas.link_dropped.connect(self.link_epics)
        self.canvas.menu_requested.connect(self._show_menu)
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

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        """Remember how wide the person made the forecast panel (for the next run)."""
        if self._settings is not None:
            self._settings.setValue(SPLITTER_KEY, self.splitter.saveState())

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
        self.new_button.setEnabled(project is not None)
        if project is None:
            self.heading.setText("No project open.")
            return
        try:
            data = self._services.plans.timeline(project.id)
        except DomainError as exc:
            self.heading.setText(str(exc))
            return
        self.data = data
        forecasts, odds, self.forecast = forecast_timeline(self._services, data)
        layout = layout_timeline(data, self.zoom, forecasts, odds)
        self.canvas.set_layout(layout)  # a selection that is gone clears the panel
        self.show_forecast()
        if getattr(self, "_scrolled_for", None) != self.zoom:  # show today, once per zoom
            self._scrolled_for = self.zoom
            self.canvas.resize(self.canvas.minimumSize())
            self.scroll.horizontalScrollBar().setRange(0, max(0, int(layout.width)))
            self.scroll.horizontalScrollBar().setValue(int(layout.x_of(data.today) - 160))
        self.heading.setText(
            f"{project.name}: {len(data.sprints)} sprints, {len(data.epics)} epics, "
            f"{len(data.milestones)} milestones"
        )

    # --- the forecast panel ------------------------------------------------------------------

    def _on_selection(self, selection: tuple[str, int] | None) -> None:
        self.show_forecast()
        item = self.canvas.layout_.find(*selection) if selection and self.canvas.layout_ else None
        if item is not None:  # ↑/↓ may walk past the visible part
            line = self.fontMetrics().height()
            self.scroll.ensureVisible(int(item.rect.left()), int(item.rect.center().y()),
                                      line * 2, line * 2)  # fmt: skip

    def show_forecast(self) -> None:
        """The panel for the canvas's selection: its figures, why there are none, or the
        hint when nothing is selected."""
        selection = self.canvas.selection
        if selection is None or self.data is None:
            self.panel.show_hint()
            return
        kind, ident = selection
        batch = self.forecast
        odds, reason, trials = None, "", 0
        if batch is not None:  # None: no forecast service at all (the bars stay plain)
            odds = (batch.epics if kind == "epic" else batch.milestones).get(ident)
            reason, trials = batch.why_not(kind, ident), batch.trials
        if kind == "epic":
            epic = next((e for e in self.data.epics if e.id == ident), None)
            if epic is None:
                self.panel.show_hint()
                return
            title = f"{epic.key} {epic.title}"
            self.panel.show_forecast(title, epic.total - epic.done, odds, reason, trials)
            return
        milestone = self.milestone(ident)
        if milestone is None:
            self.panel.show_hint()
            return
        self.panel.show_forecast(
            f"◆ {milestone.name}, {milestone.day.day} {milestone.day.strftime('%b %Y')}",
            milestone.scope_size - milestone.done_count,
            odds,
            reason,
            trials,
            (milestone.name, milestone.day),
        )

    def say(self, text: str) -> None:
        """One line above the canvas (a refused link, a refused move); empty hides it."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- milestones ----------------------------------------------------------------------

    def milestone(self, milestone_id: int) -> MilestoneDTO | None:
        if self.data is None:
            return None
        return next((m for m in self.data.milestones if m.id == milestone_id), None)

    def new_milestone(self, day: dt.date | None = None) -> None:
        """Ask for a new milestone (on ``day``, else today) and add it, undoably."""
        project = self._ctx.store.project
        if project is None or self.data is None:
            return
        dialog = MilestoneDialog(self, self.data.epics, day=day or self.data.today)
        self._run_dialog(
            dialog, lambda values: AddMilestoneCommand(self._ctx.commands, project.id, values)
        )

    def edit_milestone(self, milestone_id: int) -> None:
        """Edit a milestone in the dialog (a double-click on its diamond)."""
        milestone = self.milestone(milestone_id)
        if milestone is None:
            return
        dialog = MilestoneDialog(self, self.data.epics, milestone)
        self._run_dialog(
            dialog, lambda values: EditMilestoneCommand(self._ctx.commands, milestone, values)
        )

    def delete_milestone(self, milestone_id: int) -> None:
        """Delete a milestone (Del on the selected diamond); Ctrl+Z brings it back."""
        milestone = self.milestone(milestone_id)
        if milestone is None:
            return
        self._push(DeleteMilestoneCommand(self._ctx.commands, milestone))

    def _run_dialog(self, dialog: MilestoneDialog, make: Any) -> None:
        """Show the dialog until its values are taken or it is cancelled; a refusal is said
        on its error line and it stays open. The dialog is thrown away afterwards."""
        try:
            while dialog.exec() == QDialog.DialogCode.Accepted:
                try:
                    values = self._values(dialog)
                except DomainError as exc:
                    dialog.error.setText(str(exc))
                    continue
                command = make(values)
                command.quiet = True
                self._ctx.push(command)
                if command.error is None:
                    self.refresh()
                    return
                dialog.error.setText(command.error)
        finally:
            dialog.setParent(None)
            dialog.deleteLater()
            self.canvas.setFocus()

    def _values(self, dialog: MilestoneDialog) -> dict[str, Any]:
        """The dialog's values as the service takes them; an unknown key is refused here."""
        scope = dialog.epic_ids()
        for key in dialog.card_keys():
            card = self._services.cards.find_card(key)
            if card.project_id != self.data.project_id:
                raise ValidationError(f"{card.key} is a card of another project.")
            if card.id not in scope:
                scope.append(card.id)
        return {
            "name": dialog.name.text(),
            "day": dialog.day.text().strip(),
            "description": dialog.description.toPlainText(),
            "scope": scope,
        }

    def _moved(self, milestone_id: int, old: dt.date, new: dt.date) -> None:
        milestone = self.milestone(milestone_id)
        name = milestone.name if milestone else ""
        self._push(MoveMilestoneCommand(self._ctx.commands, milestone_id, name, old, new))

    # --- dependencies ----------------------------------------------------------------------

    def link_epics(self, blocker_id: int, blocked_id: int) -> None:
        """Record that one epic blocks another (a drag from bar to bar), undoably; a cycle
        or another refusal is said in one line above the canvas."""
        keys = {e.id: e.key for e in self.data.epics} if self.data else {}
        text = f"Link {keys.get(blocker_id, '?')} blocks {keys.get(blocked_id, '?')}"
        self._push(LinkCommand(self._ctx.commands, blocker_id, blocked_id, True, text))

    def _push(self, command: ServiceCommand) -> None:
        command.quiet = True
        self._ctx.push(command)
        self.say(command.error or "")
        self.refresh()

    # --- the context menu ------------------------------------------------------------------

    def menu_for(self, item: TimelineItem | None, day: dt.date) -> QMenu:
        """The context menu of a diamond (edit, delete) or of a day (a new milestone)."""
        menu = QMenu(self)
        if item is not None and item.kind == "milestone":
            ident = item.ident
            menu.addAction(f"Edit {item.label}…", lambda: self.edit_milestone(ident))
            menu.addAction(f"Delete {item.label}", lambda: self.delete_milestone(ident))
        else:
            menu.addAction(f"New milestone on {day.isoformat()}…", lambda: self.new_milestone(day))
        return menu

    def _show_menu(self, item: TimelineItem | None, day: dt.date, where: QPoint) -> None:
        menu = self.menu_for(item, day)
        menu.exec(where)
        menu.deleteLater()
