"""ChartService.throughput on a real migrated database: cards finished per week."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import NotFound, ValidationError
from app.services import Services
from tests.helpers import Clock
from tests.worlds import build_throughput


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock(dt.datetime(2025, 2, 26, 10, tzinfo=dt.UTC))
    services.context.clock = c
    return c


def counts(result) -> list[tuple[str, int, bool]]:  # type: ignore[no-untyped-def]
    return [(w.start.isoformat(), w.count, w.complete) for w in result.weeks]


def test_cards_finished_per_week_of_a_kanban_board(services: Services, clock: Clock) -> None:
    project_id = build_throughput(services, clock)
    last_four = services.charts.throughput(project_id, weeks=4)
    assert counts(last_four) == [
        ("2025-03-03", 2, True),  # A and C; B left for a later week
        ("2025-03-10", 0, True),
        ("2025-03-17", 2, True),  # D, and B done for the last time
        ("2025-03-24", 1, False),  # E so far; the epic does not count
    ]
    assert last_four.average == pytest.approx(4 / 3) and last_four.averaged_weeks == 3
    assert last_four.weeks[2].labels == ("TP-4 D", "TP-2 B")
    assert last_four.weeks[0].labels == ("TP-1 A", "TP-3 C")

    # Twelve weeks asked: the board is five weeks old, so five are shown.
    default = services.charts.throughput(project_id)
    assert counts(default) == [
        ("2025-02-24", 0, True),
        ("2025-03-03", 2, True),
        ("2025-03-10", 0, True),
        ("2025-03-17", 2, True),
        ("2025-03-24", 1, False),
    ]
    assert default.average == 1.0 and default.averaged_weeks == 4


def test_throughput_refuses_bad_input(services: Services, clock: Clock) -> None:
    project_id = build_throughput(services, clock)
    with pytest.raises(ValidationError, match="1 to 104 weeks"):
        services.charts.throughput(project_id, weeks=0)
    with pytest.raises(NotFound):
        services.charts.throughput(999)
