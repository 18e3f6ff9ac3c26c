"""Costing: durations typed by people, the rate in force on a day, a log's cost in cents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.errors import ValidationError
from app.metrics.costing import (
    MAX_MINUTES,
    Rate,
    format_duration,
    log_cost,
    log_cost_cents,
    minutes_to_hours,
    parse_duration,
    rate_cents,
    rate_in_force,
    rate_periods,
)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1.5h", 90),
        ("90m", 90),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("1:30", 90),
        ("2", 120),
        ("0,25h", 15),
        (" 45M ", 45),
        ("24h", 1440),
        ("1m", 1),
        (".5h", 30),
    ],
)
def test_durations_people_type(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "0",
        "0h",
        "0m",
        "-1h",
        "-30m",
        "abc",
        "1.5x",
        "h",
        "1h30",
        "25h",
        "1441m",
        "１h",
        "1e3m",
        "∞",
        "1h" * 50,
        "9" * 5000,
        "9" * 5000 + "m",
    ],
)
def test_bad_durations_refused_with_one_line(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_duration(text)
    assert "\n" not in str(err.value) and len(str(err.value)) < 120


def test_format_duration_and_hours() -> None:
    assert format_duration(90) == "1h 30m"
    assert format_duration(45) == "45m"
    assert format_duration(120) == "2h"
    assert minutes_to_hours(90) == Decimal("1.50")
    assert minutes_to_hours(20) == Decimal("0.33")


D = dt.date


def test_rate_in_force_latest_on_or_before_the_day() -> None:
    rates = [
        Rate(1, None, D(2026, 1, 1), Decimal("80.00")),
        Rate(1, None, D(2026, 3, 1), Decimal("90.00")),
        Rate(2, None, D(2025, 1, 1), Decimal("50.00")),
    ]
    assert rate_in_force(rates, 1, 7, D(2025, 12, 31)) is None
    assert rate_in_force(rates, 1, 7, D(2026, 1, 1)).hourly_rate == Decimal("80.00")
    assert rate_in_force(rates, 1, 7, D(2026, 2, 28)).hourly_rate == Decimal("80.00")
    assert rate_in_force(rates, 1, 7, D(2026, 3, 1)).hourly_rate == Decimal("90.00")
    assert rate_in_force(rates, 2, None, D(2026, 3, 1)).hourly_rate == Decimal("50.00")


def test_project_rate_before_member_default_even_if_older() -> None:
    rates = [
        Rate(1, 7, D(2026, 1, 1), Decimal("100.00")),
        Rate(1, None, D(2026, 2, 1), Decimal("80.00")),
        Rate(1, 8, D(2025, 1, 1), Decimal("999.00")),
    ]
    assert rate_in_force(rates, 1, 7, D(2026, 3, 1)).hourly_rate == Decimal("100.00")
    # another project's rate never applies; the default does
    assert rate_in_force(rates, 1, 9, D(2026, 3, 1)).hourly_rate == Decimal("80.00")
    # before the project's rate starts, the default (if started) applies
    assert rate_in_force(rates, 1, 7, D(2025, 12, 1)) is None


def test_log_cost_rounds_half_up_to_cents() -> None:
    assert log_cost(90, Decimal("85.00")) == Decimal("127.50")
    assert log_cost(1, Decimal("0.30")) == Decimal("0.01")  # 0.005 -> 0.01 half up
    assert log_cost(20, Decimal("100")) == Decimal("33.33")
    assert log_cost(60, None) == Decimal("0.00")
    assert isinstance(log_cost(60, Decimal("1")), Decimal)


@pytest.mark.parametrize(
    "rate", ["0.00", "0.01", "0.30", "33.33", "85.00", "99.99", "133.33", "1234567.89"]
)
def test_integer_cents_match_log_cost_for_every_minute_of_a_day(rate: str) -> None:
    cents = rate_cents(Decimal(rate))
    for minutes in range(1, MAX_MINUTES + 1):
        assert Decimal(log_cost_cents(minutes, cents)) / 100 == log_cost(minutes, Decimal(rate))


def test_rate_cents() -> None:
    assert rate_cents(Decimal("85.5")) == 8550
    assert rate_cents(None) == 0
    with pytest.raises(ValueError, match="to the cent"):
        rate_cents(Decimal("85.005"))


def test_rate_periods_are_the_rate_in_force_from_each_start() -> None:
    rates = [
        Rate(1, None, D(2026, 1, 1), Decimal("80.00")),
        Rate(1, 7, D(2026, 2, 1), Decimal("100.00")),  # the project's own: wins from here on
        Rate(1, None, D(2026, 3, 1), Decimal("90.00")),  # a later default changes nothing
        Rate(1, 7, D(2026, 4, 1), Decimal("110.00")),
        Rate(1, 8, D(2026, 1, 15), Decimal("999.00")),  # another project's: never
        Rate(2, None, D(2025, 1, 1), Decimal("50.00")),  # another member's: never
    ]
    periods = rate_periods(rates, 1, 7)
    assert periods == [
        (D(2026, 1, 1), Decimal("80.00")),
        (D(2026, 2, 1), Decimal("100.00")),
        (D(2026, 4, 1), Decimal("110.00")),
    ]
    day = D(2025, 12, 20)
    while day < D(2026, 5, 1):  # the timeline gives rate_in_force's answer for every day
        started = [amount for start, amount in periods if start <= day]
        expected = rate_in_force(rates, 1, 7, day)
        assert (started[-1] if started else None) == (expected and expected.hourly_rate)
        day += dt.timedelta(days=1)
    assert rate_periods(rates, 3, 7) == []
