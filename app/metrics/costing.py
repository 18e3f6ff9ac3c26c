"""Costing of work logs: durations as people type them, the rate in force, the cost.

Pure functions, no SQL and no Qt, so the time service, the budget figures and the sprint
report all cost a log the same way. Minutes are whole numbers ("90m" and "1.5h" are the same
exact amount); money is :class:`~decimal.Decimal`, rounded to cents half up as invoices are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol, TypeVar

from app.errors import ValidationError

CENT = Decimal("0.01")
MAX_MINUTES = 24 * 60
"""One log cannot be longer than a day (the service also caps a person's day at 24 h)."""

_NUMBER = r"(\d+(?:[.,]\d+)?|[.,]\d+)"
_HOURS_MINUTES = re.compile(rf"^(?:{_NUMBER}\s*h)?\s*(?:{_NUMBER}\s*m)?$", re.ASCII)
_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)$", re.ASCII)


class RateLike(Protocol):
    """What :func:`rate_in_force` needs of a rate (an ORM row or a DTO both fit)."""

    member_id: int
    project_id: int | None
    effective_from: dt.date
    hourly_rate: Decimal


R = TypeVar("R", bound=RateLike)


@dataclass(frozen=True)
class Rate:
    """A plain rate, for callers that have no row at hand (tests, the demo)."""

    member_id: int
    project_id: int | None
    effective_from: dt.date
    hourly_rate: Decimal
    currency: str = "EUR"


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def parse_duration(text: str) -> int:
    """Whole minutes from what a person types: ``1.5h``, ``90m``, ``1h30m``, ``1:30`` or a bare
    number of hours (``2``, ``0.25``). Fractions of a minute round half up.

    Refused with a one-line :class:`ValidationError`: empty, zero, negative, garbage, or more
    than 24 hours.
    """
    raw = (text or "").strip().lower().replace(" ", "")
    if not raw:
        raise ValidationError("Give a duration, such as 1.5h, 90m or 1h30m.")
    if raw.startswith("-"):
        raise ValidationError(f"A duration cannot be negative: {text.strip()[:40]!r}.")
    hours = Decimal(0)
    minutes = Decimal(0)
    clock = _CLOCK.match(raw)
    try:
        if clock:
            hours, minutes = Decimal(clock.group(1)), Decimal(clock.group(2))
        elif re.fullmatch(_NUMBER, raw, re.ASCII):
            hours = _decimal(raw)
        else:
            match = _HOURS_MINUTES.match(raw)
            if not match or not (match.group(1) or match.group(2)):
                raise ValidationError(
                    f"Not a duration: {text.strip()[:40]!r} (write 1.5h, 90m or 1h30m)."
                )
            hours = _decimal(match.group(1)) if match.group(1) else Decimal(0)
            minutes = _decimal(match.group(2)) if match.group(2) else Decimal(0)
    except InvalidOperation as exc:  # pragma: no cover - the patterns admit only numbers
        raise ValidationError(f"Not a duration: {text.strip()[:40]!r}.") from exc
    if hours > 24 or minutes > MAX_MINUTES:  # before rounding: huge numbers cannot be rounded
        raise ValidationError("A duration cannot be more than 24 hours.")
    total = (hours * 60 + minutes).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if total <= 0:
        raise ValidationError("A duration must be at least one minute.")
    if total > MAX_MINUTES:
        raise ValidationError("A duration cannot be more than 24 hours.")
    return int(total)


def format_duration(minutes: int) -> str:
    """Minutes as hours and minutes for a person: ``1h 30m``, ``45m``, ``2h``."""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours}h {rest:02d}m"
    if hours:
        return f"{hours}h"
    return f"{rest}m"


def minutes_to_hours(minutes: int) -> Decimal:
    """Minutes as hours, exact to two places (90 -> 1.50, 20 -> 0.33)."""
    return (Decimal(int(minutes)) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_in_force(
    rates: Iterable[R], member_id: int, project_id: int | None, day: dt.date
) -> R | None:
    """The member's rate that applies on ``day`` for ``project_id``.

    OpenProject's rule: the project's own rate for the member comes before the member's
    default rate (``project_id`` None); within each, the one with the latest
    ``effective_from`` on or before the day. ``None`` when no rate has started yet.
    """
    own: R | None = None
    default: R | None = None
    for rate in rates:
        if rate.member_id != member_id or rate.effective_from > day:
            continue
        if project_id is not None and rate.project_id == project_id:
            if own is None or rate.effective_from > own.effective_from:
                own = rate
        elif rate.project_id is None and (
            default is None or rate.effective_from > default.effective_from
        ):
            default = rate
    return own if own is not None else default


def log_cost(minutes: int, rate: Decimal | None) -> Decimal:
    """The cost of ``minutes`` at an hourly ``rate``, rounded to cents half up.

    No rate costs nothing (``0.00``): a log without a rate is still time spent, shown with
    an empty rate rather than refused.
    """
    if rate is None:
        return Decimal("0.00")
    return (Decimal(int(minutes)) * Decimal(rate) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_periods(
    rates: Iterable[R], member_id: int, project_id: int | None
) -> list[tuple[dt.date, Decimal | None]]:
    """The member's rate in force as a timeline: ``(start, hourly rate)`` from each of the
    member's rate start dates on, up to the next one, in date order.

    :func:`rate_in_force` can only change on a day one of the member's rates starts, so the
    rate of any day is the one of the last period starting on or before it (none before the
    first). This is what lets the budget figures cost logs in SQL, period by period."""
    mine = [r for r in rates if r.member_id == member_id]
    periods: list[tuple[dt.date, Decimal | None]] = []
    for start in sorted({r.effective_from for r in mine}):
        rate = rate_in_force(mine, member_id, project_id, start)
        amount = None if rate is None else Decimal(rate.hourly_rate)
        if not periods or periods[-1][1] != amount:
            periods.append((start, amount))
    return periods


def rate_cents(rate: Decimal | None) -> int:
    """An hourly rate in whole cents (no rate: 0, it costs nothing).

    Rates are stored to the cent (``Numeric(14, 2)``); a rate with a fraction of a cent is
    refused with ``ValueError`` since integer costing could not match :func:`log_cost`."""
    if rate is None:
        return 0
    cents = Decimal(rate) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"a rate is kept to the cent, not {rate}")
    return int(cents)


def log_cost_cents(minutes: int, cents_per_hour: int) -> int:
    """:func:`log_cost` in integer cents: ``minutes x rate / 60`` rounded half up, computed as
    ``(2 x minutes x rate + 60) // 120``, the same integer arithmetic the budget's SQL does
    per log (exact for non-negative minutes and rates, on every database)."""
    return (2 * int(minutes) * int(cents_per_hour) + 60) // 120


__all__ = [
    "CENT",
    "MAX_MINUTES",
    "Rate",
    "RateLike",
    "format_duration",
    "log_cost",
    "log_cost_cents",
    "minutes_to_hours",
    "parse_duration",
    "rate_cents",
    "rate_in_force",
    "rate_periods",
]
