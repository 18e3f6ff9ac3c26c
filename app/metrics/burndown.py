"""Sprint burndown and burnup from a card history replay. Pure functions, no I/O.

The definitions are Jira's:

* *remaining* at the end of a day is the sum of the points of the cards that are in the
  sprint, not archived and not done at that moment (unestimated cards count 0);
* the *ideal* line runs from the committed points to zero, going down only on working days
  (flat on weekends and holidays), reaching zero at the end of the sprint's last working day;
* *scope change* is anything that changes the sprint's total after its start: a card added,
  a card removed (or archived, or restored), a card in the sprint re-estimated. It moves the
  remaining line but is never counted as progress (or as negative progress);
* *completed* on a day is the points of the cards that reached a done column that day
  (minus those reopened), which is what a burnup's done line climbs by.

Day boundaries are midnights in the project's time zone; event times are UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.clock import project_zone
from app.metrics.calendar import is_working_day

ZERO = Decimal("0")
# A sprint that is closed (or still running) long after its end date extends the chart, but
# never beyond this many days: a forgotten sprint must not produce a chart of a year.
MAX_DAYS = 400


@dataclass(frozen=True, slots=True)
class BurndownEvent:
    """A card's state right after one history event (the ``*_after`` columns, made plain)."""

    at: dt.datetime  # UTC (a naive value is taken as UTC)
    card_id: int
    in_sprint_after: bool
    points_after: Decimal | None
    done_after: bool  # its column's category was "done"
    archived_after: bool = False


@dataclass(frozen=True, slots=True)
class ScopeChange:
    """One change of the sprint's scope after its start, for markers and the sprint report."""

    at: dt.datetime
    day_index: int  # index into BurndownSeries.days
    card_id: int
    amount: Decimal  # signed: + added, - removed
    reason: str  # "added" | "removed" | "estimate"


@dataclass(frozen=True, slots=True)
class BurndownSeries:
    """Per-day figures of one sprint; every per-day tuple is as long as ``days``.

    ``remaining``, ``scope_total`` and ``done_total`` are the values at the end of each day
    (at the cut-off for the current day) and ``None`` for days after the cut-off.
    ``scope_added``/``scope_removed`` are non-negative amounts per day (``scope_change`` is
    their signed difference); ``completed`` is the signed change of done points per day
    caused by cards moving to (or back out of) done.
    """

    start: dt.date
    end: dt.date  # the sprint's planned last day (``days`` may run later, see MAX_DAYS)
    days: tuple[dt.date, ...]
    working: tuple[bool, ...]
    committed: Decimal
    start_remaining: Decimal  # remaining at the start of the sprint
    start_scope: Decimal  # all points in the sprint at its start, done ones included
    remaining: tuple[Decimal | None, ...]
    ideal: tuple[Decimal, ...]
    scope_added: tuple[Decimal, ...]
    scope_removed: tuple[Decimal, ...]
    completed: tuple[Decimal, ...]
    scope_total: tuple[Decimal | None, ...]
    done_total: tuple[Decimal | None, ...]
    changes: tuple[ScopeChange, ...] = ()

    @property
    def scope_change(self) -> tuple[Decimal, ...]:
        return tuple(a - r for a, r in zip(self.scope_added, self.scope_removed, strict=True))

    @property
    def last_index(self) -> int | None:
        """Index of the last day with a value (the cut-off's day), None before the start."""
        known = [i for i, value in enumerate(self.remaining) if value is not None]
        return known[-1] if known else None


@dataclass
class _CardState:
    in_sprint: bool = False
    points: Decimal = ZERO
    done: bool = False
    archived: bool = False

    @property
    def in_scope(self) -> bool:
        return self.in_sprint and not self.archived


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def day_start_utc(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant at which ``day`` begins in ``zone``."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def ideal_line(working: Iterable[bool], committed: Decimal) -> tuple[Decimal, ...]:
    """From ``committed`` to zero at the end of the last working day, flat on other days."""
    flags = list(working)
    total = sum(flags)
    values: list[Decimal] = []
    done = 0
    for flag in flags:
        if flag:
            done += 1
        if total == 0:
            values.append(committed)
        else:
            values.append(committed * (total - done) / total)
    return tuple(values)


def burndown(
    start: dt.date,
    end: dt.date,
    working_weekdays_mask: int,
    holidays: Collection[dt.date],
    committed: Decimal,
    events: Iterable[BurndownEvent],
    now: dt.datetime | None = None,
    time_zone: str | dt.tzinfo = "UTC",
    started_at: dt.datetime | None = None,
) -> BurndownSeries:
    """The burndown of a sprint running from ``start`` to ``end`` (both included).

    ``events`` are every history event of every card that was ever in the sprint, in time
    order (earlier ones, from planning, set the state at the start). ``now`` cuts the replay
    off (the current time of an active sprint, the close of a closed one); days after it have
    no values, and when it lies after ``end`` the chart runs on to its day. ``started_at``
    is when the sprint was started (the commitment snapshot); without it, the beginning of
    ``start``. Changes before it are planning, not scope change.
    """
    if end < start:
        raise ValueError("A sprint cannot end before it starts.")
    zone = project_zone(time_zone)
    cutoff = None if now is None else _utc(now)
    baseline = _utc(started_at) if started_at is not None else day_start_utc(start, zone)

    last_day = end
    if cutoff is not None:
        cutoff_day = cutoff.astimezone(zone).date()
        last_day = max(end, min(cutoff_day, start + dt.timedelta(days=MAX_DAYS - 1)))
    days: list[dt.date] = []
    day = start
    while day <= last_day:
        days.append(day)
        day += dt.timedelta(days=1)
    working = [is_working_day(d, working_weekdays_mask, holidays) for d in days]
    # Days after the planned end are never working days of the ideal line.
    ideal_flags = [w and d <= end for d, w in zip(days, working, strict=True)]
    ideal = ideal_line(ideal_flags, committed)
    ends = [day_start_utc(d + dt.timedelta(days=1), zone) for d in days]

    ordered = sorted(events, key=lambda e: _utc(e.at))
    states: dict[int, _CardState] = {}
    n = len(days)
    added = [ZERO] * n
    removed = [ZERO] * n
    completed = [ZERO] * n
    changes: list[ScopeChange] = []

    def totals() -> tuple[Decimal, Decimal]:
        scope = ZERO
        done = ZERO
        for s in states.values():
            if s.in_scope:
                scope += s.points
                if s.done:
                    done += s.points
        return scope, done

    index = 0  # the next event to apply

    def apply_until(limit: dt.datetime, inclusive: bool, day_index: int | None) -> None:
        nonlocal index
        while index < len(ordered):
            event = ordered[index]
            at = _utc(event.at)
            if (at > limit) if inclusive else (at >= limit):
                break
            if cutoff is not None and at > cutoff:
                break
            index += 1
            _apply(event, at, day_index)

    def _apply(event: BurndownEvent, at: dt.datetime, day_index: int | None) -> None:
        old = states.get(event.card_id, _CardState())
        new = _CardState(
            in_sprint=event.in_sprint_after,
            points=event.points_after if event.points_after is not None else ZERO,
            done=event.done_after,
            archived=event.archived_after,
        )
        states[event.card_id] = new
        if day_index is None:
            return  # before the start: planning
        scope_delta = ZERO
        reason = ""
        if new.in_scope and not old.in_scope:
            scope_delta, reason = new.points, "added"
        elif old.in_scope and not new.in_scope:
            scope_delta, reason = -old.points, "removed"
        elif new.in_scope and new.points != old.points:
            scope_delta, reason = new.points - old.points, "estimate"
        if scope_delta > 0:
            added[day_index] += scope_delta
        elif scope_delta < 0:
            removed[day_index] -= scope_delta
        if reason and (scope_delta != 0 or reason != "estimate"):
            changes.append(ScopeChange(at, day_index, event.card_id, scope_delta, reason))
        if new.in_scope and old.in_scope and new.done != old.done:
            completed[day_index] += new.points if new.done else -old.points
        elif new.in_scope and not old.in_scope and new.done:
            # Added to the sprint already done: scope and done both rise, remaining does not.
            completed[day_index] += new.points

    apply_until(baseline, True, None)
    start_scope, start_done = totals()
    start_remaining = start_scope - start_done

    remaining: list[Decimal | None] = []
    scope_total: list[Decimal | None] = []
    done_total: list[Decimal | None] = []
    for i, day_end in enumerate(ends):
        day_begin = day_start_utc(days[i], zone)
        if cutoff is not None and cutoff < day_begin:
            remaining.append(None)
            scope_total.append(None)
            done_total.append(None)
            continue
        apply_until(day_end, False, i)
        scope, done = totals()
        remaining.append(scope - done)
        scope_total.append(scope)
        done_total.append(done)

    return BurndownSeries(
        start=start,
        end=end,
        days=tuple(days),
        working=tuple(working),
        committed=committed,
        start_remaining=start_remaining,
        start_scope=start_scope,
        remaining=tuple(remaining),
        ideal=ideal,
        scope_added=tuple(added),
        scope_removed=tuple(removed),
        completed=tuple(completed),
        scope_total=tuple(scope_total),
        done_total=tuple(done_total),
        changes=tuple(changes),
    )


__all__ = [
    "BurndownEvent",
    "BurndownSeries",
    "ScopeChange",
    "burndown",
    "day_start_utc",
    "ideal_line",
]
