"""format_points: the one way story points (and hours) are written as text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.metrics.points import format_points


def test_none_is_the_callers_placeholder() -> None:
    assert format_points(None) == ""
    assert format_points(None, empty="–") == "–"
    assert format_points(None, empty="0", places=1) == "0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0"), "0"),
        (Decimal("0.0"), "0"),
        (Decimal("0.00"), "0"),
        (0, "0"),
        (0.0, "0"),
    ],
)
def test_zero(value: Decimal | int | float, text: str) -> None:
    assert format_points(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1"), "1"),
        (Decimal("5.0"), "5"),
        (Decimal("10"), "10"),
        (Decimal("1E+1"), "10"),  # what normalize() gives for 10.0: never exponent notation
        (Decimal("100.0"), "100"),
        (8, "8"),
        (13, "13"),
        (40.0, "40"),
    ],
)
def test_integers_have_no_decimal_point(value: Decimal | int | float, text: str) -> None:
    assert format_points(value) == text
    assert format_points(value, places=1) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("2.50"), "2.5"),
        (Decimal("0.5"), "0.5"),
        (Decimal("12.5"), "12.5"),
        (2.5, "2.5"),
        (Decimal("7.25"), "7.25"),  # hours keep their two places
    ],
)
def test_fractions_lose_trailing_zeros_only(value: Decimal | float, text: str) -> None:
    assert format_points(value) == text


def test_places_rounds_half_to_even_first() -> None:
    assert format_points(Decimal("7.25"), places=1) == "7.2"
    assert format_points(Decimal("7.35"), places=1) == "7.4"
    assert format_points(Decimal("24.333333"), places=1) == "24.3"
    assert format_points(0.30000000000000004, places=1) == "0.3"  # a float axis tick
    assert format_points(Decimal("2.50"), places=1) == "2.5"
    assert format_points(Decimal("0.04"), places=1) == "0"
    assert format_points(Decimal("2.5"), places=0) == "2"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("999999.9"), "999999.9"),  # the largest a Points column holds
        (Decimal("1000000"), "1000000"),
        (Decimal("1E+6"), "1000000"),
        (10**12, "1000000000000"),
        (Decimal("123456789012345678901234567"), "123456789012345678901234567"),
    ],
)
def test_large_numbers_in_full(value: Decimal | int, text: str) -> None:
    assert format_points(value) == text
    assert format_points(value, places=1) == text


def test_too_large_to_round_is_printed_not_refused() -> None:
    # 30 digits and one place do not fit Decimal's default 28-digit context.
    huge = Decimal("1" * 30)
    assert format_points(huge, places=1).startswith("1111111111")
    assert format_points(Decimal("Infinity"), places=1) == "Infinity"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("-3"), "-3"),
        (Decimal("-2.50"), "-2.5"),
        (-1, "-1"),
        (Decimal("-0"), "0"),
        (Decimal("-0.0"), "0"),
    ],
)
def test_negative_does_not_crash(value: Decimal | int, text: str) -> None:
    assert format_points(value) == text
    assert format_points(Decimal("-0.04"), places=1) == "0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("182089"), "182,089"),
        (Decimal("1234567.5"), "1,234,567.5"),
        (Decimal("-1500"), "-1,500"),
        (Decimal("999"), "999"),
        (Decimal("0.5"), "0.5"),
        (Decimal("-0"), "0"),
    ],
)
def test_grouped_points_read_as_running_text(value: Decimal, expected: str) -> None:
    assert format_points(value, grouped=True) == expected
    assert "," not in format_points(value)  # files and fields stay ungrouped
