"""Cumulative flow and cycle/lead time from a card history replay. Pure functions, no I/O.

Definitions:

* *cumulative flow*: for every day of a range, how many live (not archived) cards sit in
  each workflow column at the end of that day (at the cut-off for the current day). Columns
  come in workflow order; an archived column is kept when it held cards on some day of the
  range, so the days it existed still show its band;
* *lead time*: from a card's creation to the moment it last entered a done column;
* *cycle time*: from the first time a card entered an in-progress column to that same moment
  (a card that never was in progress has no cycle time);
* a card *finished* at that moment when it is still done at the cut-off: a card reopened and
  done again counts once, with its final done time. Archiving a done card keeps it finished;
* *throughput*: how many cards finished in each calendar week (Monday to Sunday), a card
  counted once, in the week of its final done time.

Times are UTC; day boundaries are midnights in the project's time zone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.clock import project_zone
from app.metrics.burndown import _utc, day_start_utc

CATEGORY_ORDER = {"todo": 0, "in_progress": 1, "done": 2}
# A range longer than this is refused by the service; a chart of years says nothing per day.
MAX_FLOW_DAYS = 800
DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
DEFAULT_THROUGHPUT_WEEKS = 12
MAX_THROUGHPUT_WEEKS = 104


@dataclass(frozen=True, slots=True)
class FlowEvent:
    """A card's state right after one history event."""

    at: dt.datetime  # UTC (naive is taken as UTC)
    card_id: int
    column_id: int | None
    category: str | None  # the column's category at that moment
    archived: bool = False
    kind: str = ""


@dataclass(frozen=True, slots=True)
class FlowColumn:
    id: int
    name: str
    category: str
    position: int
    archived: bool = False


@dataclass(frozen=True, slots=True)
class CumulativeFlow:
    """``counts[c][d]`` is the number of cards in ``columns[c]`` at the end of ``days[d]``;
    ``None`` for days after the cut-off."""

    days: tuple[dt.date, ...]
    columns: tuple[FlowColumn, ...]
    counts: tuple[tuple[int | None, ...], ...]

    def total(self, day_index: int) -> int | None:
        values = [c[day_index] for c in self.counts]
        if any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None)

    @property
    def last_index(self) -> int | None:
        known = [i for i in range(len(self.days)) if self.total(i) is not None]
        return known[-1] if known else None


@dataclass(frozen=True, slots=True)
class CardTiming:
    card_id: int
    created: dt.datetime
    started: dt.datetime | None  # first entry into an in-progress column
    finished: dt.datetime  # last entry into a done column
    lead_days: float
    cycle_days: float | None


@dataclass(frozen=True, slots=True)
class ControlPoint:
    card_id: int
    finished: dt.datetime
    days: float  # cycle or lead time in days
    rolling_mean: float
    rolling_sd: float
    label: str = ""  # filled by the service: the card's key and title


@dataclass(frozen=True, slots=True)
class ControlChart:
    """Finished cards of a range (ordered by finish time) with their times in days."""

    kind: str  # "cycle" | "lead"
    start: dt.date
    end: dt.date
    points: tuple[ControlPoint, ...]
    mean: float | None
    sd: float | None  # population standard deviation
    window: int


@dataclass(frozen=True, slots=True)
class ThroughputWeek:
    """One calendar week: the cards finished in it, in the order they were finished."""

    start: dt.date  # the Monday it begins on, in the project's time zone
    card_ids: tuple[int, ...]
    complete: bool  # False for the running week, counted up to the cut-off
    labels: tuple[str, ...] = ()  # filled by the service: the cards' keys and titles

    @property
    def count(self) -> int:
        return len(self.card_ids)

    @property
    def end(self) -> dt.date:
        """The Sunday it ends on."""
        return self.start + dt.timedelta(days=6)


@dataclass(frozen=True, slots=True)
class Throughput:
    """Cards finished per week, oldest week first, the running week last."""

    weeks: tuple[ThroughputWeek, ...]
    average: float | None  # cards per week over the complete weeks shown; None without one
    averaged_weeks: int  # how many complete weeks the average is taken over

    @property
    def total(self) -> int:
        return sum(w.count for w in self.weeks)


def order_columns(columns: Iterable[FlowColumn]) -> list[FlowColumn]:
    """Live columns by position; each archived column after the live ones of its category
    (before those of a later category), so an old "Review" stays between doing and done."""
    columns = list(columns)
    live = sorted((c for c in columns if not c.archived), key=lambda c: c.position)
    archived = sorted(
        (c for c in columns if c.archived),
        key=lambda c: (CATEGORY_ORDER.get(c.category, 1), c.position),
    )
    result = list(live)
    for column in archived:
        rank = CATEGORY_ORDER.get(column.category, 1)
        index = len(result)
        for i, other in enumerate(result):
            if CATEGORY_ORDER.get(other.category, 1) > rank:
                index = i
                break
        result.insert(index, column)
    return result


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    if end < start:
        raise ValueError("A date range cannot end before it starts.")
    if (end - start).days + 1 > MAX_FLOW_DAYS:
        raise ValueError(f"A date range is at most {MAX_FLOW_DAYS} days long.")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def cumulative_flow(
    start: dt.date,
    end: dt.date,
    columns: Iterable[FlowColumn],
    events: Iterable[FlowEvent],
    now: dt.datetime | None = None,
    time_zone: str | dt.tzinfo = "UTC",
    resting: Mapping[int, int] | None = None,
) -> CumulativeFlow:
    """Cards per column at the end of each day from ``start`` to ``end`` (both included).

    ``events`` are every history event of the project's cards (any order); ``now`` cuts the
    replay off (days that begin after it have no values). ``resting`` counts, per column, the
    live cards that have no event in ``events`` and stay where they are over the whole range
    (the caller then passes only the history of the others: their last event before the
    start and every event from it on), which gives the same counts as the full history.
    """
    zone = project_zone(time_zone)
    days = _days(start, end)
    cutoff = None if now is None else _utc(now)
    ordered = sorted(events, key=lambda e: (_utc(e.at), e.card_id))
    known = {c.id: c for c in columns}
    where: dict[int, int | None] = {}  # card -> column, None when archived
    per_day: list[dict[int, int] | None] = []
    index = 0
    for day in days:
        begin = day_start_utc(day, zone)
        if cutoff is not None and cutoff < begin:
            per_day.append(None)
            continue
        limit = day_start_utc(day + DAY, zone)
        if cutoff is not None:
            limit = min(limit, cutoff + dt.timedelta(microseconds=1))
        while index < len(ordered) and _utc(ordered[index].at) < limit:
            event = ordered[index]
            index += 1
            where[event.card_id] = None if event.archived else event.column_id
        counts: dict[int, int] = dict(resting) if resting else {}
        for column_id in where.values():
            if column_id is not None:
                counts[column_id] = counts.get(column_id, 0) + 1
        per_day.append(counts)

    used = {cid for counts in per_day if counts for cid, n in counts.items() if n}
    shown = [c for c in order_columns(known.values()) if not c.archived or c.id in used]
    # A column the history names but the caller does not know (should not happen): shown last.
    for cid in sorted(used - set(known)):
        shown.append(FlowColumn(cid, f"Column {cid}", "in_progress", 10_000 + cid, True))
    counts_by_column = tuple(
        tuple(None if counts is None else counts.get(c.id, 0) for counts in per_day) for c in shown
    )
    return CumulativeFlow(tuple(days), tuple(shown), counts_by_column)


def card_timings(events: Iterable[FlowEvent], now: dt.datetime | None = None) -> list[CardTiming]:
    """Lead and cycle time of every card that is done at ``now`` (all events when None)."""
    cutoff = None if now is None else _utc(now)
    by_card: dict[int, list[FlowEvent]] = {}
    for event in events:
        if cutoff is not None and _utc(event.at) > cutoff:
            continue
        by_card.setdefault(event.card_id, []).append(event)
    timings = []
    for card_id, history in by_card.items():
        history.sort(key=lambda e: _utc(e.at))
        created = _utc(history[0].at)
        started: dt.datetime | None = None
        finished: dt.datetime | None = None
        done = False
        for event in history:
            at = _utc(event.at)
            if event.category == "in_progress" and started is None:
                started = at
            is_done = event.category == "done"
            if is_done and not done:
                finished = at
            done = is_done
        if not done or finished is None:
            continue
        if started is not None and started > finished:
            started = None  # first in progress only after it was done: reopened work
        lead = (finished - created) / DAY
        cycle = None if started is None else (finished - started) / DAY
        timings.append(CardTiming(card_id, created, started, finished, lead, cycle))
    timings.sort(key=lambda t: (t.finished, t.card_id))
    return timings


def finished_between(
    start: dt.date,
    end: dt.date,
    events: Iterable[FlowEvent],
    now: dt.datetime | None = None,
    time_zone: str | dt.tzinfo = "UTC",
) -> list[CardTiming]:
    """The cards finished from ``start`` to ``end`` (days in ``time_zone``, both included)
    with their lead and cycle time, in the order they were finished: what the control chart
    plots and ``sprintdeck metrics cycle`` lists."""
    _days(start, end)
    zone = project_zone(time_zone)
    begin = day_start_utc(start, zone)
    stop = day_start_utc(end + DAY, zone)
    return [t for t in card_timings(events, now) if begin <= t.finished < stop]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def standard_deviation(values: Sequence[float]) -> float | None:
    """The population standard deviation (the spread of these cards, not an estimate)."""
    average = mean(values)
    if average is None:
        return None
    return math.sqrt(sum((v - average) ** 2 for v in values) / len(values))


def default_window(count: int) -> int:
    """Jira's rule of thumb: about a fifth of the points, at least 3 (odd, centred)."""
    window = max(3, round(count * 0.2))
    return window if window % 2 else window + 1


def rolling(values: Sequence[float], window: int) -> list[tuple[float, float]]:
    """(mean, standard deviation) of a window centred on each value, narrower at the ends."""
    half = max(window, 1) // 2
    result = []
    for i in range(len(values)):
        chunk = values[max(0, i - half) : i + half + 1]
        result.append((mean(chunk) or 0.0, standard_deviation(chunk) or 0.0))
    return result


def control_chart(
    start: dt.date,
    end: dt.date,
    events: Iterable[FlowEvent],
    kind: str = "cycle",
    now: dt.datetime | None = None,
    time_zone: str | dt.tzinfo = "UTC",
    window: int | None = None,
) -> ControlChart:
    """Cards finished from ``start`` to ``end`` (days in ``time_zone``) with their cycle or
    lead time, the mean, a centred rolling mean and the standard deviation."""
    if kind not in ("cycle", "lead"):
        raise ValueError("A control chart shows cycle or lead time.")
    chosen = []
    for timing in finished_between(start, end, events, now, time_zone):
        value = timing.cycle_days if kind == "cycle" else timing.lead_days
        if value is not None:
            chosen.append((timing, value))
    values = [v for _, v in chosen]
    size = window if window is not None else default_window(len(values))
    stats = rolling(values, size)
    points = tuple(
        ControlPoint(t.card_id, t.finished, v, m, s)
        for (t, v), (m, s) in zip(chosen, stats, strict=True)
    )
    return ControlChart(kind, start, end, points, mean(values), standard_deviation(values), size)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def throughput(
    events: Iterable[FlowEvent],
    now: dt.datetime,
    weeks: int = DEFAULT_THROUGHPUT_WEEKS,
    time_zone: str | dt.tzinfo = "UTC",
) -> Throughput:
    """Cards finished in each of the last ``weeks`` calendar weeks up to ``now`` (the week
    holding ``now`` last, counted so far) and the average of the complete weeks.

    A card counts in the week it last entered a done column, when it is still done at
    ``now``. Weeks before the first event of the history are left out: a board that is three
    weeks old shows three weeks, and its average is not diluted by weeks it did not exist.
    """
    if not 1 <= weeks <= MAX_THROUGHPUT_WEEKS:
        raise ValueError(f"Throughput covers 1 to {MAX_THROUGHPUT_WEEKS} weeks.")
    events = list(events)
    zone = project_zone(time_zone)
    cutoff = _utc(now)
    current = week_start(cutoff.astimezone(zone).date())
    first = current - (weeks - 1) * WEEK
    earliest = min((_utc(e.at) for e in events if _utc(e.at) <= cutoff), default=cutoff)
    first = max(first, week_start(earliest.astimezone(zone).date()))
    finished: dict[dt.date, list[int]] = {}
    for timing in card_timings(events, cutoff):
        week = week_start(timing.finished.astimezone(zone).date())
        if first <= week <= current:
            finished.setdefault(week, []).append(timing.card_id)
    shown = []
    week = first
    while week <= current:
        complete = day_start_utc(week + WEEK, zone) <= cutoff
        shown.append(ThroughputWeek(week, tuple(finished.get(week, ())), complete))
        week += WEEK
    counts = [w.count for w in shown if w.complete]
    return Throughput(tuple(shown), mean(counts), len(counts))


__all__ = [
    "DEFAULT_THROUGHPUT_WEEKS",
    "MAX_THROUGHPUT_WEEKS",
    "CardTiming",
    "ControlChart",
    "ControlPoint",
    "CumulativeFlow",
    "FlowColumn",
    "FlowEvent",
    "Throughput",
    "ThroughputWeek",
    "card_timings",
    "control_chart",
    "cumulative_flow",
    "default_window",
    "finished_between",
    "mean",
    "order_columns",
    "rolling",
    "standard_deviation",
    "throughput",
    "week_start",
]
