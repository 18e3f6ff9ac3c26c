"""Velocity: committed against completed points of the last closed sprints. Pure functions.

Jira's definitions: *committed* is the sprint's commitment snapshot taken at its start;
*completed* is every card done at its close, scope added later included. The *planning
velocity* is the average completed points of the last three closed sprints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")
HISTORY = 7
WINDOW = 3


@dataclass(frozen=True, slots=True)
class VelocitySprint:
    sprint_id: int
    name: str
    start: dt.date | None
    end: dt.date | None
    committed: Decimal
    completed: Decimal

    @property
    def ratio(self) -> Decimal | None:
        """Completed as a share of committed (None when nothing was committed)."""
        return None if not self.committed else self.completed / self.committed


@dataclass(frozen=True, slots=True)
class VelocitySeries:
    """Sprints oldest first; ``planning`` is the average completed of the last ``window``;
    ``rolling[i]`` is the average completed of sprint ``i`` and the ones before it (up to
    ``window``), the line a chart draws."""

    sprints: tuple[VelocitySprint, ...]
    planning: Decimal | None
    rolling: tuple[Decimal, ...]
    window: int

    @property
    def average_committed(self) -> Decimal | None:
        return _average([s.committed for s in self.sprints])

    @property
    def average_completed(self) -> Decimal | None:
        return _average([s.completed for s in self.sprints])


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, ZERO) / len(values)).quantize(Decimal("0.1"))


def velocity(
    sprints: Iterable[VelocitySprint], last: int = HISTORY, window: int = WINDOW
) -> VelocitySeries:
    """The last ``last`` sprints of ``sprints`` (given oldest first) and their velocity."""
    if last < 1 or window < 1:
        raise ValueError("Velocity needs at least one sprint.")
    chosen = tuple(sprints)[-last:]
    completed = [s.completed for s in chosen]
    rolling_values = tuple(
        _average(completed[max(0, i - window + 1) : i + 1]) or ZERO for i in range(len(chosen))
    )
    return VelocitySeries(chosen, _average(completed[-window:]), rolling_values, window)


__all__ = ["HISTORY", "WINDOW", "VelocitySeries", "VelocitySprint", "velocity"]
