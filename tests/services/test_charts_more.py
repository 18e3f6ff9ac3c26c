"""Burnup, velocity, cumulative flow and control chart on a real migrated database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.errors import NotFound, ValidationError
from app.services import Services
from tests.helpers import Clock


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock()
    services.context.clock = c
    return c


def columns(services: Services, project_id: int) -> dict[str, int]:
    return {c.category: c.id for c in services.workflow.list_columns(project_id)}


def run_sprint(
    services: Services,
    clock: Clock,
    project_id: int,
    name: str,
    first_day: int,
    points: list[str],
    finished: int,
    added: str | None = None,
) -> int:
    """A one-week sprint starting on March ``first_day`` (a Monday): ``points`` committed,
    the first ``finished`` cards done, ``added`` points added on day two and done."""
    cols = columns(services, project_id)
    start = dt.date(2025, 3, first_day)
    sprint = services.sprints.create_sprint(
        project_id, name, "", start, start + dt.timedelta(days=4)
    )
    ids = [
        services.cards.create_card(project_id, f"{name} {i}", points=p, sprint_id=sprint.id).id
        for i, p in enumerate(points)
    ]
    clock.set(first_day, 8)
    services.sprints.start_sprint(sprint.id)
    clock.set(first_day + 1, 10)
    if added is not None:
        extra = services.cards.create_card(project_id, f"{name} extra", points=added).id
        services.sprints.plan_card(extra, sprint.id)
        ids.append(extra)
    for i, card_id in enumerate(ids[:finished]):
        clock.set(first_day + 1 + i % 3, 14)
        services.board.move_card(card_id, cols["in_progress"])
        clock.set(first_day + 2 + i % 3, 15)
        services.board.move_card(card_id, cols["done"])
    if added is not None:
        services.board.move_card(ids[-1], cols["done"])
    clock.set(first_day + 4, 17)
    services.sprints.complete_sprint(sprint.id, "backlog")
    return sprint.id


def test_burnup_in_points_and_cards(services: Services, clock: Clock) -> None:
    project = services.projects.create_project("BU", "Burnup")
    cols = columns(services, project.id)
    sprint = services.sprints.create_sprint(project.id, "S1", "", "2025-03-03", "2025-03-07")
    a = services.cards.create_card(project.id, "A", points="5", sprint_id=sprint.id).id
    b = services.cards.create_card(project.id, "B", points="3", sprint_id=sprint.id).id
    clock.set(3, 8)
    services.sprints.start_sprint(sprint.id)
    clock.set(4)
    services.board.move_card(a, cols["done"])
    clock.set(5)
    c = services.cards.create_card(project.id, "C", points="2", sprint_id=sprint.id).id
    clock.set(6)
    points = services.charts.burnup(sprint.id)
    cards = services.charts.burnup(sprint.id, "cards")
    assert points.committed == 8 and cards.committed == 2
    assert points.scope_total[:4] == (8, 8, 10, 10)
    assert points.done_total[:4] == (0, 5, 5, 5)
    assert cards.scope_total[:4] == (2, 2, 3, 3)
    assert cards.done_total[:4] == (0, 1, 1, 1)
    assert cards.scope_added[2] == 1
    assert points.done_total[4] is None  # after now
    assert services.charts.sprint_burndown(sprint.id).remaining[:4] == (8, 3, 5, 5)
    del b, c
    with pytest.raises(ValidationError, match="points or cards"):
        services.charts.burnup(sprint.id, "hours")
    with pytest.raises(NotFound):
        services.charts.burnup(999)


def test_velocity_of_closed_sprints(services: Services, clock: Clock) -> None:
    project = services.projects.create_project("VE", "Velocity")
    run_sprint(services, clock, project.id, "S1", 3, ["5", "3", "2"], 2)  # 8 of 10
    run_sprint(services, clock, project.id, "S2", 10, ["5", "5"], 2, added="3")  # 13 of 10
    run_sprint(services, clock, project.id, "S3", 17, ["8", "2", "3"], 1)  # 8 of 13
    v = services.charts.velocity(project.id)
    assert [s.name for s in v.sprints] == ["S1", "S2", "S3"]
    assert [s.committed for s in v.sprints] == [10, 10, 13]
    assert [s.completed for s in v.sprints] == [8, 13, 8]  # scope added later counts
    assert v.planning == Decimal("9.7")
    last_two = services.charts.velocity(project.id, last=2)
    assert [s.name for s in last_two.sprints] == ["S2", "S3"]
    assert last_two.planning == Decimal("10.5")
    # More than the sprint service keeps: computed from list_sprints, same figures.
    many = services.charts.velocity(project.id, last=20)
    assert many.sprints == v.sprints and many.planning == v.planning
    with pytest.raises(NotFound):
        services.charts.velocity(999, last=20)
    with pytest.raises(ValidationError):
        services.charts.velocity(project.id, last=0)


def test_cumulative_flow_and_control_chart_of_a_kanban_board(
    services: Services, clock: Clock
) -> None:
    project = services.projects.create_project("KB", "Kanban", methodology="kanban")
    cols = columns(services, project.id)
    qa = services.workflow.add_column(project.id, "QA", "in_progress")
    clock.set(3, 9)
    a = services.cards.create_card(project.id, "A").id
    b = services.cards.create_card(project.id, "B").id
    c = services.cards.create_card(project.id, "C").id
    clock.set(4, 9)
    services.board.move_card(a, cols["in_progress"])
    services.board.move_card(b, qa.id)
    clock.set(5, 9)
    services.board.move_card(a, cols["done"])  # cycle 1 day, lead 2 days
    clock.set(6, 9)
    services.board.move_card(a, cols["in_progress"])  # reopened
    services.workflow.archive_column(qa.id, move_cards_to=cols["in_progress"])
    clock.set(7, 9)
    services.board.move_card(a, cols["done"])  # cycle 3 days, lead 4 days
    services.board.move_card(b, cols["done"])  # cycle 3 days (from QA), lead 4 days
    clock.set(8, 9)
    services.cards.archive_card(c)
    clock.set(9, 12)

    flow = services.charts.cumulative_flow(project.id, "2025-03-03", "2025-03-09")
    names = [col.name for col in flow.columns]
    assert names == ["To Do", "In Progress", "QA", "Done"]
    counts = {col.name: list(row) for col, row in zip(flow.columns, flow.counts, strict=True)}
    assert counts["QA"] == [0, 1, 1, 0, 0, 0, 0]  # kept for the days it held a card
    assert counts["In Progress"] == [0, 1, 0, 2, 0, 0, 0]
    assert counts["Done"] == [0, 0, 1, 0, 2, 2, 2]
    assert counts["To Do"] == [3, 1, 1, 1, 1, 0, 0]

    later = services.charts.cumulative_flow(project.id, "2025-03-08", "2025-03-09")
    assert "QA" not in [col.name for col in later.columns]

    cycle = services.charts.control_chart(project.id, "2025-03-01", "2025-03-09")
    assert sorted(p.days for p in cycle.points) == [3.0, 3.0]
    assert all(p.label.startswith("KB-") for p in cycle.points)
    lead = services.charts.control_chart(project.id, "2025-03-01", "2025-03-09", "lead")
    assert [p.days for p in lead.points] == [4.0, 4.0]
    assert lead.mean == 4.0 and lead.sd == 0.0
    # A card done before the range is not in it.
    assert services.charts.control_chart(project.id, "2025-03-08", "2025-03-09").points == ()


def test_default_range_is_the_last_thirty_days(services: Services, clock: Clock) -> None:
    project = services.projects.create_project("DR", "Range")
    clock.set(9, 12, month=4)
    flow = services.charts.cumulative_flow(project.id)
    assert flow.days[0] == dt.date(2025, 3, 11) and flow.days[-1] == dt.date(2025, 4, 9)
    assert services.charts.default_range(project.id) == (flow.days[0], flow.days[-1])
    chart = services.charts.control_chart(project.id)
    assert (chart.start, chart.end) == (flow.days[0], flow.days[-1])


def test_bad_ranges_and_kinds_are_refused(services: Services, clock: Clock) -> None:
    project = services.projects.create_project("BR", "Bad")
    with pytest.raises(ValidationError, match="ends before"):
        services.charts.cumulative_flow(project.id, "2025-03-09", "2025-03-01")
    with pytest.raises(ValidationError, match="not a date"):
        services.charts.cumulative_flow(project.id, "yesterday")
    with pytest.raises(ValidationError, match="at most"):
        services.charts.control_chart(project.id, "2020-01-01", "2025-01-01")
    with pytest.raises(ValidationError, match="cycle or lead"):
        services.charts.control_chart(project.id, kind="wip")
    with pytest.raises(NotFound):
        services.charts.cumulative_flow(999)
