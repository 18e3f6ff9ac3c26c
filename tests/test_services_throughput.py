"""ChartService.throughput on a real migrated database: cards finished per week."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import NotFound, ValidationError
from app.services import Services


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2025, 2, 26, 10, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, month: int, day: int, hour: int = 12) -> None:
        self.now = dt.datetime(2025, month, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock()
    services.context.clock = c
    return c


def build(services: Services, clock: Clock) -> int:
    """A Kanban board whose cards finish over four weeks (Mondays: 3, 10, 17, 24 March)."""
    project = services.projects.create_project("TP", "Throughput", "kanban")
    cols = {c.category: c.id for c in services.workflow.list_columns(project.id)}
    # Created on Wednesday 26 February: the history begins in the week of 24 February.
    cards = {name: services.cards.create_card(project.id, name).id for name in "ABCDE"}
    epic = services.cards.create_card(project.id, "Epic", type="epic").id

    def done(name: str, month: int, day: int) -> None:
        clock.set(month, day)
        services.board.move_card(cards[name], cols["done"])

    done("A", 3, 4)
    done("B", 3, 6)
    done("C", 3, 7)
    # Nothing in the week of 10 March.
    done("D", 3, 18)
    clock.set(3, 19)
    services.board.move_card(cards["B"], cols["in_progress"])  # reopened ...
    services.cards.archive_card(cards["A"])  # archived while done: still finished
    done("B", 3, 20)  # ... and done again: it now counts in the week of 17 March
    done("E", 3, 25)
    clock.set(3, 25, 13)
    services.board.move_card(epic, cols["done"])  # an epic is not a card of work
    clock.set(3, 26)  # Wednesday: the week of 24 March is running
    return project.id


def counts(result) -> list[tuple[str, int, bool]]:  # type: ignore[no-untyped-def]
    return [(w.start.isoformat(), w.count, w.complete) for w in result.weeks]


def test_cards_finished_per_week_of_a_kanban_board(services: Services, clock: Clock) -> None:
    project_id = build(services, clock)
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
    project_id = build(services, clock)
    with pytest.raises(ValidationError, match="1 to 104 weeks"):
        services.charts.throughput(project_id, weeks=0)
    with pytest.raises(NotFound):
        services.charts.throughput(999)
