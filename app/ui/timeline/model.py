"""What the Timeline draws, as geometry: one :class:`TimelineItem` per sprint band, epic bar,
milestone diamond, dependency arrow and the today line, laid out from a
:class:`TimelineDTO` at a zoom.

The canvas paints these items and nothing else, and tests read them: what is drawn and
where is decided here, once, without a painter. Days map to x linearly (``px_per_day`` by
zoom); rows are fixed heights, so 50 epics or 500 lay out in a loop over the epics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF

from app.services.plans import MilestoneDTO, TimelineDTO, TimelineEpicDTO

# Pixels per day at each zoom (the toolbar's Week / Month / Quarter).
ZOOMS: dict[str, float] = {"week": 28.0, "month": 7.0, "quarter": 2.4}
HEADER_H = 44.0  # the date scale
SPRINT_ROW_H = 30.0
MILESTONE_ROW_H = 40.0
EPIC_ROW_H = 30.0
BAR_H = 18.0
DIAMOND = 9.0  # half the diagonal of a milestone's diamond
HANDLE = 5.0  # half the size of the link handle at the end of an epic's bar
LINK_STEP = 8.0  # how far an arrow leaves a bar before it turns
LEFT_PAD_DAYS = 7
RIGHT_PAD_DAYS = 21


@dataclass(frozen=True)
class EpicForecast:
    """An epic's finish as odds: the dates its cards are done by at 50, 85 and 95%."""

    p50: dt.date
    p85: dt.date
    p95: dt.date


@dataclass(frozen=True)
class MilestoneOdds:
    """The chance (0..1) that a milestone's scope is done by its date, and the 85% date."""

    chance: float
    p85: dt.date | None = None


@dataclass(frozen=True)
class TimelineItem:
    """One drawn thing. ``kind``: sprint, epic, link, milestone or today. ``rect`` is where it is
    drawn (a milestone's diamond's bounding box; a line's thin rect); ``marks`` holds the
    x of an epic's 85% date; ``at_risk`` a milestone its forecast passes."""

    kind: str
    ident: int
    label: str
    rect: QRectF
    tooltip: str
    start: dt.date
    end: dt.date
    at_risk: bool = False
    marks: tuple[float, ...] = ()
    solid: QRectF | None = None  # an epic's bar up to its 50% date (the range follows)
    detail: str = ""  # drawn next to the item (odds, done counts)
    points: tuple[QPointF, ...] = ()  # a link's arrow: from the blocker to the blocked bar
    other: int = 0  # a link's blocked epic (``ident`` is the blocking one)


@dataclass
class TimelineLayout:
    """The items of a timeline at one zoom, and the day <-> x mapping they were laid with."""

    first_day: dt.date
    last_day: dt.date
    px_per_day: float
    items: list[TimelineItem] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    def x_of(self, day: dt.date) -> float:
        return (day - self.first_day).days * self.px_per_day

    def day_at(self, x: float) -> dt.date:
        """The day whose start is nearest to ``x`` (what a dropped diamond lands on)."""
        days = round(x / self.px_per_day)
        days = max(0, min(days, (self.last_day - self.first_day).days))
        return self.first_day + dt.timedelta(days=days)

    def of_kind(self, kind: str) -> list[TimelineItem]:
        return [item for item in self.items if item.kind == kind]

    def find(self, kind: str, ident: int) -> TimelineItem | None:
        return next((i for i in self.items if i.kind == kind and i.ident == ident), None)

    def handle_at(self, point: QPointF) -> TimelineItem | None:
        """The epic whose link handle (the dot at its bar's end) is under ``point``."""
        for item in self.of_kind("epic"):
            if link_handle(item).adjusted(-2, -2, 2, 2).contains(point):
                return item
        return None

    def item_at(self, point: QPointF) -> TimelineItem | None:
        """The topmost item under ``point``: a milestone before an epic before a sprint."""
        for kind in ("milestone", "epic", "sprint"):
            for item in self.of_kind(kind):
                grab = item.rect.adjusted(-3, -3, 3, 3) if kind == "milestone" else item.rect
                if grab.contains(point):
                    return item
        return None


def layout_timeline(
    data: TimelineDTO,
    zoom: str = "month",
    forecasts: dict[int, EpicForecast] | None = None,
    odds: dict[int, MilestoneOdds] | None = None,
) -> TimelineLayout:
    """Lay out ``data`` at ``zoom``; ``forecasts`` (epic id -> dates) turn an epic's bar into
    a range from its 50% to its 95% date with the 85% date marked, and ``odds`` (milestone
    id -> chance) mark a milestone whose 85% date passes it as at risk."""
    forecasts = forecasts or {}
    odds = odds or {}
    px = ZOOMS.get(zoom, ZOOMS["month"])
    days = [data.today, data.project_start]
    days += [d for s in data.sprints for d in (s.start, s.end)]
    days += [d for e in data.epics for d in (e.start, e.end)]
    days += [f.p95 for f in forecasts.values()]
    days += [m.day for m in data.milestones]
    first = min(days) - dt.timedelta(days=LEFT_PAD_DAYS)
    last = max(days) + dt.timedelta(days=RIGHT_PAD_DAYS)
    layout = TimelineLayout(first, last, px)
    layout.width = layout.x_of(last) + px
    top = HEADER_H

    for sprint in data.sprints:
        x0, x1 = layout.x_of(sprint.start), layout.x_of(sprint.end + dt.timedelta(days=1))
        layout.items.append(
            TimelineItem(
                "sprint",
                sprint.id,
                sprint.name,
                QRectF(x0, top + 3, max(x1 - x0, 2.0), SPRINT_ROW_H - 6),
                f"{sprint.name} ({sprint.state})\n{_span(sprint.start, sprint.end)}",
                sprint.start,
                sprint.end,
            )
        )
    top += SPRINT_ROW_H

    milestone_top = top
    top += MILESTONE_ROW_H
    for row, epic in enumerate(data.epics):
        layout.items.append(
            _epic_item(layout, epic, top + row * EPIC_ROW_H, forecasts.get(epic.id))
        )
    top += max(len(data.epics), 1) * EPIC_ROW_H
    layout.height = top + 12

    bars = {item.ident: item for item in layout.of_kind("epic")}
    for n, link in enumerate(data.links):
        blocker, blocked = bars.get(link.blocker_epic_id), bars.get(link.blocked_epic_id)
        if blocker is not None and blocked is not None:
            # Arrows sharing a gap between rows run a few pixels apart.
            lane = (n % 3 - 1) * 3.0
            layout.items.append(_link_item(blocker, blocked, link.direct, link.pairs, lane))

    for milestone in data.milestones:
        layout.items.append(
            milestone_item(layout, milestone, milestone_top, odds.get(milestone.id))
        )
    x = layout.x_of(data.today) + px / 2
    layout.items.append(
        TimelineItem(
            "today",
            0,
            "Today",
            QRectF(x - 1, HEADER_H, 2, layout.height - HEADER_H),
            f"Today, {data.today.isoformat()}",
            data.today,
            data.today,
        )
    )
    return layout


def milestone_item(
    layout: TimelineLayout,
    milestone: MilestoneDTO,
    row_top: float,
    odds: MilestoneOdds | None,
    day: dt.date | None = None,
) -> TimelineItem:
    """A milestone's diamond (at ``day`` while it is dragged)."""
    when = day or milestone.day
    cx = layout.x_of(when) + layout.px_per_day / 2
    cy = row_top + MILESTONE_ROW_H / 2
    at_risk = odds is not None and odds.p85 is not None and odds.p85 > milestone.day
    tip = [f"◆ {milestone.name}: {when.isoformat()}"]
    if milestone.description:
        tip.append(milestone.description)
    tip.append(f"{milestone.done_count} of {milestone.scope_size} cards done")
    detail = ""
    if odds is not None:
        detail = f"{round(odds.chance * 100)}%"
        tip.append(f"{detail} chance of making it")
        if odds.p85 is not None:
            tip.append(f"85% forecast: {odds.p85.isoformat()}")
    tip.append("Drag to move its date.")
    return TimelineItem(
        "milestone",
        milestone.id,
        milestone.name,
        QRectF(cx - DIAMOND, cy - DIAMOND, 2 * DIAMOND, 2 * DIAMOND),
        "\n".join(tip),
        when,
        when,
        at_risk=at_risk,
        detail=detail,
    )


def _epic_item(
    layout: TimelineLayout, epic: TimelineEpicDTO, top: float, forecast: EpicForecast | None
) -> TimelineItem:
    y = top + (EPIC_ROW_H - BAR_H) / 2
    x0 = layout.x_of(epic.start)
    done = f"{epic.done} of {epic.total} cards done"
    if forecast is None:
        x1 = layout.x_of(epic.end + dt.timedelta(days=1))
        rect = QRectF(x0, y, max(x1 - x0, 4.0), BAR_H)
        tip = f"{epic.key} {epic.title}\n{_span(epic.start, epic.end)}\n{done}"
        return TimelineItem(
            "epic",
            epic.id,
            f"{epic.key} {epic.title}",
            rect,
            tip,
            epic.start,
            epic.end,
            solid=rect,
            detail=f"{epic.done}/{epic.total}",
        )
    x50 = layout.x_of(forecast.p50 + dt.timedelta(days=1))
    x85 = layout.x_of(forecast.p85 + dt.timedelta(days=1))
    x95 = layout.x_of(forecast.p95 + dt.timedelta(days=1))
    rect = QRectF(x0, y, max(x95 - x0, 4.0), BAR_H)
    tip = (
        f"{epic.key} {epic.title}\nfrom {epic.start.isoformat()}\n"
        f"done by {forecast.p50.isoformat()} (50%), {forecast.p85.isoformat()} (85%), "
        f"{forecast.p95.isoformat()} (95%)\n{done}"
    )
    return TimelineItem(
        "epic",
        epic.id,
        f"{epic.key} {epic.title}",
        rect,
        tip,
        epic.start,
        forecast.p95,
        marks=(x85,),
        solid=QRectF(x0, y, max(x50 - x0, 2.0), BAR_H),
        detail=f"{epic.done}/{epic.total}",
    )


def link_handle(epic: TimelineItem) -> QRectF:
    """The dot at the end of an epic's bar: drag it onto another bar to link them."""
    c = QPointF(epic.rect.right(), epic.rect.center().y())
    return QRectF(c.x() - HANDLE, c.y() - HANDLE, 2 * HANDLE, 2 * HANDLE)


def _link_item(
    blocker: TimelineItem,
    blocked: TimelineItem,
    direct: bool,
    pairs: tuple[str, ...],
    lane: float = 0.0,
) -> TimelineItem:
    """An arrow from the end of the blocking epic's bar to the start of the blocked one's,
    as a polyline through the gaps between rows (so it never runs over a bar's label);
    ``at_risk`` when the blocked epic starts before the blocking one is due to end."""
    start = QPointF(blocker.rect.right(), blocker.rect.center().y())
    end = QPointF(blocked.rect.left(), blocked.rect.center().y())
    points = _route(start, end, lane)
    late = blocked.start <= blocker.end
    key_a, key_b = blocker.label.split(" ", 1)[0], blocked.label.split(" ", 1)[0]
    tip = [f"{key_a} blocks {key_b}" + ("" if direct else " (through their cards)")]
    tip += [pair for pair in pairs if pair != f"{key_a} blocks {key_b}"]
    if late:
        tip.append(f"{key_b} starts before {key_a} is due to finish.")
    xs = [p.x() for p in points]
    ys = [p.y() for p in points]
    bounds = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).adjusted(-4, -4, 4, 4)
    return TimelineItem(
        "link",
        blocker.ident,
        f"{key_a} → {key_b}",
        bounds,
        "\n".join(tip),
        blocker.end,
        blocked.start,
        at_risk=late,
        points=points,
        other=blocked.ident,
        detail="" if direct else "cards",
    )


def _route(start: QPointF, end: QPointF, lane: float = 0.0) -> tuple[QPointF, ...]:
    """Right angles from ``start`` (a bar's end) to ``end`` (a bar's start): straight across
    and down when the second bar starts later; else out to the right, along the gap below
    (or above) the first bar's row, back to the left of the second bar and in."""
    step = LINK_STEP + lane
    if end.x() - start.x() >= 2 * step:
        mid = start.x() + step
        return (start, QPointF(mid, start.y()), QPointF(mid, end.y()), end)
    down = 1.0 if end.y() >= start.y() else -1.0
    gap = start.y() + down * EPIC_ROW_H / 2 + lane
    return (
        start,
        QPointF(start.x() + step, start.y()),
        QPointF(start.x() + step, gap),
        QPointF(end.x() - step, gap),
        QPointF(end.x() - step, end.y()),
        end,
    )


def _span(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"
