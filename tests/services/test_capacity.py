"""Sprint capacity (hours, points, days off) and the team's velocity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.errors import Conflict, ValidationError
from app.services import Services
from app.services.dto import MemberDTO, ProjectDTO, SprintDTO

MONDAY = dt.date(2026, 12, 7)
FRIDAY_NEXT_WEEK = dt.date(2026, 12, 18)
HOLIDAY = dt.date(2026, 12, 10)  # a Thursday inside the sprint


@dataclass
class World:
    services: Services
    project: ProjectDTO
    sprint: SprintDTO
    ada: MemberDTO
    bob: MemberDTO
    done_column: int


@pytest.fixture
def world(services: Services) -> World:
    services.context.clock = lambda: dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    project = services.projects.create_project("CAP", "Capacity")
    services.sprints.add_holiday(project.id, HOLIDAY, "Founders' day")
    sprint = services.sprints.create_sprint(
        project.id, "Sprint 1", start=MONDAY, end=FRIDAY_NEXT_WEEK
    )
    ada = services.projects.add_member(project.id, "Ada", "Developer")
    bob = services.projects.add_member(project.id, "Bob", "Developer")
    done = next(c for c in services.workflow.list_columns(project.id) if c.category == "done")
    return World(services, project, sprint, ada, bob, done.id)


def card(world: World, points: object, who: MemberDTO | None, hours: object = None) -> int:
    return world.services.cards.create_card(
        world.project.id,
        f"Card {points} {who.display_name if who else 'nobody'}",
        points=points,
        assignee_id=None if who is None else who.id,
        sprint_id=world.sprint.id,
        estimate_hours=hours,
    ).id


def member(plan, who: MemberDTO):  # type: ignore[no-untyped-def]
    return next(m for m in plan.members if m.member_id == who.id)


def test_capacity_from_hours_per_day_working_days_and_days_off(world: World) -> None:
    sprints = world.services.sprints
    plan = sprints.sprint_plan(world.sprint.id)
    # Two weeks, Monday to Friday, less the weekend and the holiday: 9 working days.
    assert plan.working_days == 9
    ada = member(plan, world.ada)
    assert ada.capacity_hours == Decimal("54.00") and not ada.has_capacity_row
    assert ada.capacity_points is None and ada.days_off == 0

    result = sprints.set_capacity(world.sprint.id, world.ada.id, days_off=2)
    assert result.capacity_hours == Decimal("42.00")  # 6 h x (9 - 2)
    assert result.days_off == 2 and not result.hours_explicit and result.version == 1
    plan = sprints.sprint_plan(world.sprint.id)
    assert plan.capacity_hours == Decimal("96.00")  # 42 + 54 for Bob
    assert [m.display_name for m in sprints.list_capacity(world.sprint.id)] == ["Ada", "Bob"]


def test_explicit_hours_and_points_and_over_capacity(world: World) -> None:
    sprints = world.services.sprints
    card(world, 5, world.ada, hours=20)
    card(world, 8, world.ada, hours=30)
    card(world, 3, world.bob, hours=10)
    card(world, None, None)
    sprints.set_capacity(world.sprint.id, world.ada.id, hours=40, points=10)
    updated = sprints.set_capacity(world.sprint.id, world.bob.id, hours="12.5", points=5)
    assert updated.capacity_hours == Decimal("12.50") and updated.hours_explicit

    plan = sprints.sprint_plan(world.sprint.id)
    ada, bob = member(plan, world.ada), member(plan, world.bob)
    assert ada.assigned_points == Decimal("13") and ada.assigned_hours == Decimal("50")
    assert ada.over_points and ada.over_hours and ada.over_capacity
    assert bob.assigned_points == Decimal("3") and not bob.over_capacity
    assert plan.over_capacity_members == (ada,) and plan.over_capacity
    assert plan.capacity_points == Decimal("15") and plan.capacity_hours == Decimal("52.50")
    assert plan.planned_points == Decimal("16") and plan.committed_points == 0
    assert plan.commitment == Decimal("16")
    assert plan.unestimated_count == 1 and plan.unassigned_count == 1
    assert plan.card_count == 4 and plan.velocity is None and plan.velocity_history == ()

    # Setting again updates the same row.
    again = sprints.set_capacity(world.sprint.id, world.ada.id, points=20)
    assert again.version == 2 and not again.hours_explicit and not again.over_points
    assert again.capacity_hours == Decimal("54.00")  # computed again: 6 h x 9 days
    assert not again.over_hours and not again.over_capacity  # 50 h <= 54 h, 13 <= 20 points


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"hours": -1}, "negative"),
        ({"points": -2}, "negative"),
        ({"days_off": -1}, "negative"),
        ({"days_off": 10}, "9 working days"),
        ({"days_off": "1.5"}, "whole number"),
    ],
)
def test_bad_capacity_refused_and_nothing_changed(
    world: World, kwargs: dict[str, object], words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        world.services.sprints.set_capacity(world.sprint.id, world.ada.id, **kwargs)  # type: ignore[arg-type]
    assert not member(
        world.services.sprints.sprint_plan(world.sprint.id), world.ada
    ).has_capacity_row


def test_member_outside_the_team_refused(world: World, services: Services) -> None:
    other = services.projects.create_project("OTH", "Other")
    stranger = services.projects.add_member(other.id, "Stranger")
    with pytest.raises(ValidationError, match="not in the team"):
        services.sprints.set_capacity(world.sprint.id, stranger.id, hours=10)


def test_closed_sprint_capacity_refused(world: World) -> None:
    sprints = world.services.sprints
    sprints.start_sprint(world.sprint.id)
    sprints.set_capacity(world.sprint.id, world.ada.id, points=8)  # active: still allowed
    sprints.complete_sprint(world.sprint.id)
    with pytest.raises(Conflict, match="closed"):
        sprints.set_capacity(world.sprint.id, world.ada.id, points=9)
    assert member(sprints.sprint_plan(world.sprint.id), world.ada).capacity_points == Decimal(8)


def close_sprint(world: World, number: int, completed: int, committed: int) -> SprintDTO:
    """A closed sprint ``number`` fortnights after the fixture's, with the given figures,
    started on its first day and closed on its last."""
    services = world.services
    start = MONDAY + dt.timedelta(days=14 * number)
    end = start + dt.timedelta(days=11)
    sprint = services.sprints.create_sprint(
        world.project.id, f"Sprint {number + 1}", start=start, end=end
    )
    finished = services.cards.create_card(
        world.project.id, f"Done {number}", points=completed, sprint_id=sprint.id
    )
    services.cards.create_card(
        world.project.id, f"Open {number}", points=committed - completed, sprint_id=sprint.id
    )
    services.context.clock = lambda: dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC)
    services.sprints.start_sprint(sprint.id)
    services.board.move_card(finished.id, world.done_column)
    services.context.clock = lambda: dt.datetime.combine(end, dt.time(17), tzinfo=dt.UTC)
    return services.sprints.complete_sprint(sprint.id)


def test_velocity_without_closed_sprints(world: World) -> None:
    velocity = world.services.sprints.velocity(world.project.id)
    assert velocity.velocity is None and velocity.sprints == () and velocity.velocity_sprints == ()


def test_velocity_of_one_closed_sprint(world: World) -> None:
    close_sprint(world, 1, 13, 20)
    velocity = world.services.sprints.velocity(world.project.id)
    assert velocity.velocity == Decimal("13.0")
    [row] = velocity.sprints
    assert (row.name, row.committed_points, row.completed_points) == ("Sprint 2", 20, 13)


def test_velocity_averages_the_last_three_and_lists_seven(world: World) -> None:
    figures = [(10, 12), (20, 25), (8, 8), (13, 20), (21, 21), (5, 13), (30, 30), (16, 20)]
    for number, (completed, committed) in enumerate(figures, 1):
        close_sprint(world, number, completed, committed)
    velocity = world.services.sprints.velocity(world.project.id)
    assert [r.completed_points for r in velocity.sprints] == [c for c, _ in figures[-7:]]
    assert [r.committed_points for r in velocity.sprints] == [c for _, c in figures[-7:]]
    assert velocity.velocity_sprints == (5, 30, 16)
    assert velocity.velocity == Decimal("17.0")
    # The plan of the (still planned) first sprint only counts sprints before it.
    assert world.services.sprints.sprint_plan(world.sprint.id).velocity is None
    later = world.services.sprints.create_sprint(
        world.project.id, "Later", start=dt.date(2027, 6, 7), end=dt.date(2027, 6, 18)
    )
    plan = world.services.sprints.sprint_plan(later.id)
    assert plan.velocity == Decimal("17.0") and plan.velocity_history == (5, 30, 16)
    assert not plan.over_velocity


# --- planning in points: each person's share of the velocity ------------------------------


@dataclass
class PointsTeam:
    services: Services
    project: ProjectDTO
    sprint: SprintDTO
    ada: MemberDTO
    bob: MemberDTO
    cy: MemberDTO


@pytest.fixture
def points_team(services: Services) -> PointsTeam:
    """Velocity 24 (three closed sprints: 20, 24 and 28 completed) and a planned sprint
    from Mon 4 to Fri 15 Jan 2027 with a holiday on Wed 6 Jan: 9 working days. Ada works
    6 h a day with a day off (48 h), Bob 6 h a day (54 h), Cy 2 h a day (18 h): 120 h."""
    project = services.projects.create_project("PTS", "Points")
    done = next(c for c in services.workflow.list_columns(project.id) if c.category == "done")
    for number, completed in enumerate((20, 24, 28)):
        start = dt.date(2026, 11, 2) + dt.timedelta(days=14 * number)
        services.context.clock = lambda d=start: dt.datetime.combine(d, dt.time(9), tzinfo=dt.UTC)
        sprint = services.sprints.create_sprint(
            project.id, f"Old {number + 1}", start=start, end=start + dt.timedelta(days=11)
        )
        card = services.cards.create_card(
            project.id, f"Old work {number}", points=completed, sprint_id=sprint.id
        )
        services.sprints.start_sprint(sprint.id)
        services.board.move_card(card.id, done.id)
        services.sprints.complete_sprint(sprint.id)
    services.context.clock = lambda: dt.datetime(2026, 12, 30, 10, tzinfo=dt.UTC)
    services.sprints.add_holiday(project.id, "2027-01-06", "Epiphany")
    sprint = services.sprints.create_sprint(project.id, "New", start="2027-01-04", end="2027-01-15")
    ada = services.projects.add_member(project.id, "Ada", hours_per_day=6)
    bob = services.projects.add_member(project.id, "Bob", hours_per_day=6)
    cy = services.projects.add_member(project.id, "Cy", hours_per_day=2)
    services.sprints.set_capacity(sprint.id, ada.id, days_off=1)
    for points, who in ((13, ada), (8, ada), (8, ada), (5, bob), (3, None)):
        services.cards.create_card(
            project.id,
            f"{points} for {who.display_name if who else 'nobody'}",
            points=points,
            assignee_id=None if who is None else who.id,
            sprint_id=sprint.id,
        )
    return PointsTeam(services, project, sprint, ada, bob, cy)


def test_points_capacity_is_each_persons_share_of_the_velocity(points_team: PointsTeam) -> None:
    t = points_team
    plan = t.services.sprints.sprint_plan(t.sprint.id)
    assert (plan.unit, plan.suggested_unit, plan.working_days) == ("points", "points", 9)
    assert plan.velocity == Decimal("24.0") and plan.velocity_history == (20, 24, 28)
    ada, bob, cy = member(plan, t.ada), member(plan, t.bob), member(plan, t.cy)
    assert [m.capacity_hours for m in (ada, bob, cy)] == [48, 54, 18]
    # 24 x 48 / 120, 24 x 54 / 120, 24 x 18 / 120
    assert [m.capacity_points for m in (ada, bob, cy)] == [
        Decimal("9.6"),
        Decimal("10.8"),
        Decimal("3.6"),
    ]
    assert not any(m.points_explicit for m in (ada, bob, cy))
    # The reported case: 29 points assigned, more than the team's velocity, was "OK".
    assert (ada.assigned_points, ada.assigned_hours) == (29, 0)
    assert ada.over_capacity and ada.over_by == Decimal("19.4")
    assert not bob.over_capacity and bob.over_by == 0
    assert plan.over_capacity_members == (ada,)
    # The team: 37 points of work (3 unassigned) against 24 of capacity and velocity.
    assert plan.team_capacity == Decimal("24.0") and plan.team_work == 37
    assert plan.team_over_by == 13 and plan.over_capacity
    assert (plan.unassigned_points, plan.unassigned_count) == (3, 1)
    assert plan.over_velocity and plan.velocity_over_by == 13


def test_a_typed_in_points_capacity_wins_over_the_share(points_team: PointsTeam) -> None:
    t = points_team
    t.services.sprints.set_capacity(t.sprint.id, t.cy.id, points="5")
    t.services.sprints.set_capacity(t.sprint.id, t.ada.id, days_off=1, points=30)
    plan = t.services.sprints.sprint_plan(t.sprint.id)
    ada, cy = member(plan, t.ada), member(plan, t.cy)
    assert (cy.capacity_points, cy.points_explicit, cy.velocity_share) == (
        Decimal(5),
        True,
        Decimal("3.6"),
    )
    assert (ada.capacity_points, ada.over_capacity) == (Decimal(30), False)
    assert plan.capacity_points == Decimal("45.8")  # 30 + 10.8 + 5
    assert plan.team_over_by == 0 and plan.over_velocity  # 37 committed > velocity 24


def test_days_off_and_holidays_move_the_shares(points_team: PointsTeam) -> None:
    t = points_team
    t.services.sprints.set_capacity(t.sprint.id, t.bob.id, days_off=9)  # away all sprint
    plan = t.services.sprints.sprint_plan(t.sprint.id)
    bob = member(plan, t.bob)
    assert (bob.capacity_hours, bob.capacity_points) == (0, 0)
    assert bob.over_capacity and bob.over_by == 5  # 5 points for someone who is away
    # 24 x 48 / 66 = 17.45..., 24 x 18 / 66 = 6.54...: in tenths that add up to 24.
    assert [member(plan, w).capacity_points for w in (t.ada, t.cy)] == [
        Decimal("17.5"),
        Decimal("6.5"),
    ]


def test_planning_in_hours_compares_hours(points_team: PointsTeam) -> None:
    t = points_team
    plan = t.services.sprints.sprint_plan(t.sprint.id, unit="hours")
    ada = member(plan, t.ada)
    assert plan.unit == "hours" and plan.suggested_unit == "points"
    assert (ada.capacity, ada.assigned, ada.over_capacity) == (48, 0, False)
    assert plan.team_capacity == 120 and plan.team_work == 0 and not plan.over_capacity
    with pytest.raises(ValidationError, match="points or hours"):
        t.services.sprints.sprint_plan(t.sprint.id, unit="days")


def test_without_a_velocity_there_is_no_points_capacity_but_typed_ones(world: World) -> None:
    sprints = world.services.sprints
    card(world, 8, world.ada)
    sprints.set_capacity(world.sprint.id, world.bob.id, points=3)
    plan = sprints.sprint_plan(world.sprint.id)
    ada, bob = member(plan, world.ada), member(plan, world.bob)
    assert plan.velocity is None and plan.unit == "points"
    assert (ada.capacity_points, ada.velocity_share, ada.over_capacity) == (None, None, False)
    assert (bob.capacity_points, bob.points_explicit) == (3, True)
    assert plan.capacity_points == 3 and plan.team_over_by == 5  # 8 planned, 3 known


def test_the_suggested_unit_follows_the_estimates(world: World) -> None:
    sprints = world.services.sprints
    assert sprints.sprint_plan(world.sprint.id).suggested_unit == "points"  # nothing estimated
    card(world, None, world.ada, hours=10)
    card(world, None, world.bob, hours=4)
    card(world, 3, world.bob, hours=2)
    plan = sprints.sprint_plan(world.sprint.id)
    assert (plan.suggested_unit, plan.unit) == ("hours", "hours")  # 2 of 3 in hours only
    assert member(plan, world.ada).over_capacity is False  # 10 h of 54 h
    assert plan.planned_hours == 16 and plan.team_capacity == 108
    card(world, 5, None)
    assert sprints.sprint_plan(world.sprint.id).suggested_unit == "points"  # 2 and 2: points


def test_velocity_shares_add_up_exactly() -> None:
    from app.services.sprints import velocity_shares

    assert velocity_shares(Decimal("24.0"), [Decimal(54), Decimal(36), Decimal(36)]) == [
        Decimal("10.3"),
        Decimal("6.9"),
        Decimal("6.8"),
    ]
    assert velocity_shares(Decimal("10"), [Decimal(1)] * 3) == [
        Decimal("3.4"),
        Decimal("3.3"),
        Decimal("3.3"),
    ]
    assert velocity_shares(None, [Decimal(5)]) == [None]
    assert velocity_shares(Decimal(24), [Decimal(0), Decimal(0)]) == [None, None]
    assert velocity_shares(Decimal(24), []) == []
