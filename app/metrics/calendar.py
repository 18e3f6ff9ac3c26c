"""The working calendar: which days count, and the default dates of a sprint. Pure functions.

A project's working weekdays are a bit mask with bit 0 = Monday ... bit 6 = Sunday
(``app.models.project.WEEKDAYS_MON_FRI`` is Monday to Friday); holidays are dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

ALL_WEEKDAYS = 0b1111111
# A guard against calendars without any working day (every weekday off, or a holiday list
# covering years): searches give up after this many days.
SEARCH_LIMIT_DAYS = 3 * 366


def is_working_day(day: dt.date, working_weekdays_mask: int, holidays: Collection[dt.date]) -> bool:
    """Whether ``day`` is a working day: a working weekday that is not a holiday."""
    return bool(working_weekdays_mask & (1 << day.weekday())) and day not in holidays


def _check_mask(working_weekdays_mask: int) -> None:
    if not working_weekdays_mask & ALL_WEEKDAYS:
        raise ValueError("The working calendar has no working weekday.")


def next_working_day(
    day: dt.date, working_weekdays_mask: int, holidays: Collection[dt.date]
) -> dt.date:
    """The first working day strictly after ``day``."""
    _check_mask(working_weekdays_mask)
    candidate = day
    for _ in range(SEARCH_LIMIT_DAYS):
        candidate += dt.timedelta(days=1)
        if is_working_day(candidate, working_weekdays_mask, holidays):
            return candidate
    raise ValueError(f"No working day within {SEARCH_LIMIT_DAYS} days after {day.isoformat()}.")


def working_day_on_or_before(
    day: dt.date, working_weekdays_mask: int, holidays: Collection[dt.date]
) -> dt.date:
    """``day`` itself if it is a working day, else the last working day before it."""
    _check_mask(working_weekdays_mask)
    candidate = day
    for _ in range(SEARCH_LIMIT_DAYS):
        if is_working_day(candidate, working_weekdays_mask, holidays):
            return candidate
        candidate -= dt.timedelta(days=1)
    raise ValueError(f"No working day within {SEARCH_LIMIT_DAYS} days before {day.isoformat()}.")


def working_days(
    start: dt.date, end: dt.date, working_weekdays_mask: int, holidays: Collection[dt.date]
) -> list[dt.date]:
    """The working days from ``start`` to ``end``, both included."""
    days = []
    day = start
    while day <= end:
        if is_working_day(day, working_weekdays_mask, holidays):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def default_sprint_end(
    start: dt.date, working_weekdays_mask: int, holidays: Collection[dt.date], weeks: int = 2
) -> dt.date:
    """``weeks`` weeks from ``start`` (its last day), moved back onto a working day.

    Never before ``start`` itself.
    """
    if weeks < 1:
        raise ValueError("A sprint lasts at least one week.")
    end = start + dt.timedelta(days=7 * weeks - 1)
    end = working_day_on_or_before(end, working_weekdays_mask, holidays)
    return max(end, start)


def default_sprint_dates(
    today: dt.date, working_weekdays_mask: int, holidays: Collection[dt.date], weeks: int = 2
) -> tuple[dt.date, dt.date]:
    """(start, end) of a new sprint: from the next working day strictly after ``today``,
    ``weeks`` weeks long, ending on a working day."""
    start = next_working_day(today, working_weekdays_mask, holidays)
    return start, default_sprint_end(start, working_weekdays_mask, holidays, weeks)


def end_keeping_working_days(
    planned_start: dt.date,
    planned_end: dt.date,
    new_start: dt.date,
    working_weekdays_mask: int,
    holidays: Collection[dt.date],
) -> dt.date:
    """The end of a sprint moved to ``new_start`` that keeps as many working days as it had
    from ``planned_start`` to ``planned_end`` (a sprint planned for ten working days still
    has ten when it starts two days early, holidays counted). A planned span without any
    working day keeps its length in calendar days instead."""
    _check_mask(working_weekdays_mask)
    count = len(working_days(planned_start, planned_end, working_weekdays_mask, holidays))
    if count == 0:
        return new_start + (planned_end - planned_start)
    day = new_start
    for _ in range(SEARCH_LIMIT_DAYS * 4):
        if is_working_day(day, working_weekdays_mask, holidays):
            count -= 1
            if count == 0:
                return day
        day += dt.timedelta(days=1)
    raise ValueError(f"No working day within a long time after {new_start.isoformat()}.")
