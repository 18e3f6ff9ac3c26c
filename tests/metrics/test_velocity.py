"""Velocity on fixed sprint figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.metrics.velocity import VelocitySprint, velocity


def sprint(n: int, committed: str, completed: str) -> VelocitySprint:
    start = dt.date(2025, 1, 6) + dt.timedelta(days=14 * n)
    return VelocitySprint(
        n, f"S{n}", start, start + dt.timedelta(days=11), Decimal(committed), Decimal(completed)
    )


def test_last_seven_and_planning_velocity_of_last_three() -> None:
    sprints = [sprint(i, "30", str(10 + i)) for i in range(9)]
    series = velocity(sprints)
    assert [s.name for s in series.sprints] == ["S2", "S3", "S4", "S5", "S6", "S7", "S8"]
    assert series.planning == Decimal("17.0")  # (16 + 17 + 18) / 3
    assert series.rolling[0] == Decimal("12.0")  # only one sprint so far
    assert series.rolling[1] == Decimal("12.5")
    assert series.rolling[-1] == Decimal("17.0")
    assert series.average_committed == Decimal("30.0")


def test_completed_may_exceed_committed_and_nothing_committed() -> None:
    series = velocity([sprint(0, "10", "13"), sprint(1, "0", "5")], last=7)
    assert series.sprints[0].ratio == Decimal("1.3")
    assert series.sprints[1].ratio is None
    assert series.planning == Decimal("9.0")


def test_no_sprints_and_bad_arguments() -> None:
    series = velocity([])
    assert series.sprints == ()
    assert series.planning is None
    assert series.average_completed is None
    with pytest.raises(ValueError):
        velocity([], last=0)


def test_fewer_than_last() -> None:
    series = velocity([sprint(0, "8", "5.5"), sprint(1, "8", "6")], last=3)
    assert len(series.sprints) == 2
    assert series.planning == Decimal("5.8")  # 5.75 quantized
