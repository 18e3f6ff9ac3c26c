"""The workload grid (who is stretched) and the one-step re-plan a Team page drag makes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.errors import Conflict, NotFound, ValidationError
from app.services import Services
from app.services.dto import MemberDTO, ProjectDTO, SprintDTO
from app.services.workload import load_level

MONDAY = dt.date(2026, 12, 7)
FRIDAY_NEXT_WEEK = dt.date(2026, 12, 18)
HOLIDAY = dt.date(2026, 12, 10)  # a Thursday inside the first sprint
NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)  # a Friday


@dataclass
class World:
    services: Services
    project: ProjectDTO
    first: SprintDTO
    second: SprintDTO
    ada: MemberDTO
    bob: MemberDTO


@pytest.fixture
def world(services: Services) -> World:
    services.context.clock = lambda: NOW
    project = services.projects.create_project("WL", "Workload")
    services.sprints.add_holiday(project.id, HOLIDAY, "Founders' day")
    # Created out of order: the grid orders them by date.
    second = services.sprints.create_sprint(
        project.id, "Sprint 2", start=dt.date(2026, 12, 21), end=dt.date(2027, 1, 1)
    )
    first = services.sprints.create_sprint(
        project.id, "Sprint 1", start=MONDAY, end=FRIDAY_NEXT_WEEK
    )
    ada = services.projects.add_member(project.id, "Ada", "Developer")
    bob = services.projects.add_member(project.id, "Bob", "Developer", hours_per_day=8)
    return World(services, project, first, second, ada, bob)


def card(world: World, who: MemberDTO | None, sprint: SprintDTO | None, points=None, hours=None):  # type: ignore[no-untyped-def]
    return world.services.cards.create_card(
        world.project.id,
        f"Card for {who.display_name if who else 'nobody'}",
        points=points,
        estimate_hours=hours,
        assignee_id=None if who is None else who.id,
        sprint_id=None if sprint is None else sprint.id,
    )


def test_columns_are_the_open_sprints_in_order_with_their_working_days(world: World) -> None:
    grid = world.services.workload.grid(world.project.id)
    assert [c.title for c in grid.columns] == ["Sprint 1", "Sprint 2"]
    # Two weeks Monday to Friday less the holiday: 9; the second sprint has 10.
    assert [c.working_days for c in grid.columns] == [9, 10]
    assert grid.columns[0].holidays == (HOLIDAY,)
    assert [r.display_name for r in grid.rows] == ["Ada", "Bob"]


def test_hours_capacity_counts_holidays_and_days_off(world: World) -> None:
    s = world.services
    card(world, world.ada, world.first, hours=40)
    card(world, world.bob, world.first, hours=20)
    s.sprints.set_capacity(world.first.id, world.ada.id, days_off=3)
    grid = s.workload.grid(world.project.id)
    assert grid.unit == "hours"
    ada, bob = grid.rows
    # Ada: 6 h x (9 working days - 3 days off) = 36 h against 40 h assigned: over.
    assert ada.cells[0].capacity == Decimal("36.00")
    assert ada.cells[0].assigned == Decimal("40")
    assert ada.cells[0].days_off == 3
    assert ada.cells[0].level == "over"
    # Bob: 8 h x 9 = 72 h; 20 h is under 70%: free.
    assert bob.cells[0].capacity == Decimal("72.00")
    assert bob.cells[0].level == "free"
    # The same figures as the sprint plan (one way of counting capacity).
    plan = s.sprints.sprint_plan(world.first.id, unit="hours")
    assert {m.display_name: m.capacity_hours for m in plan.members} == {
        "Ada": ada.cells[0].capacity,
        "Bob": bob.cells[0].capacity,
    }
    # The second sprint: nobody's days off, ten working days.
    assert ada.cells[1].capacity == Decimal("60.00")
    assert ada.cells[1].assigned == 0 and ada.cells[1].level == "free"


def test_typed_in_capacity_overrides_in_hours_and_points(world: World) -> None:
    s = world.services
    card(world, world.ada, world.first, points=8)
    card(world, world.ada, world.first, points=6)
    s.sprints.set_capacity(world.first.id, world.ada.id, hours=30, points=10)
    grid = s.workload.grid(world.project.id)
    assert grid.unit == "points"
    ada = grid.row(world.ada.id)
    assert ada.cells[0].assigned == Decimal("14") and ada.cells[0].capacity == Decimal("10")
    assert ada.cells[0].ratio == Decimal("1.4")
    # Bob has no points capacity before any closed sprint: not known, not "free".
    assert grid.row(world.bob.id).cells[0].capacity is None
    assert grid.row(world.bob.id).cells[0].level == "unknown"
    over = s.workload.over_allocated(world.project.id)
    assert [(o.display_name, o.assigned, o.capacity) for o in over] == [
        ("Ada", Decimal("14"), Decimal("10"))
    ]
    assert over[0].text == "Ada: 14 / 10 pts"
    assert over[0].sprint_id == world.first.id
    assert s.workload.over_allocated(world.project.id, world.second.id) == []


def test_points_or_hours_is_what_most_estimated_cards_use(world: World) -> None:
    s = world.services
    card(world, world.ada, world.first, points=3, hours=10)
    card(world, world.ada, world.first, hours=5)
    card(world, world.bob, world.first, hours=7)
    grid = s.workload.grid(world.project.id)
    assert grid.unit == "hours"
    assert grid.row(world.ada.id).cells[0].assigned == Decimal("15")
    card(world, world.bob, world.second, points=2)
    card(world, world.bob, world.second, points=1)
    grid = s.workload.grid(world.project.id)
    assert grid.unit == "points"
    assert grid.row(world.ada.id).cells[0].assigned == Decimal("3")
    assert grid.row(world.ada.id).cells[0].unestimated_count == 1


def test_totals_and_unassigned_work_per_column(world: World) -> None:
    s = world.services
    card(world, world.ada, world.first, hours=10)
    card(world, world.bob, world.first, hours=12)
    card(world, None, world.first, hours=4)
    card(world, None, world.second, hours=3)
    card(world, world.ada, None, hours=99)  # the backlog is in no column
    grid = s.workload.grid(world.project.id)
    assert grid.totals[0].assigned == Decimal("22")
    assert grid.totals[0].capacity == Decimal("54.00") + Decimal("72.00")
    assert grid.totals[0].card_count == 2
    assert [u.assigned for u in grid.unassigned] == [Decimal("4"), Decimal("3")]
    assert grid.totals[1].assigned == 0


def test_epics_archived_and_closed_sprint_cards_do_not_count(world: World) -> None:
    s = world.services
    kept = card(world, world.ada, world.first, hours=5)
    gone = card(world, world.ada, world.first, hours=50)
    s.cards.archive_card(gone.id)
    s.cards.create_card(world.project.id, "An epic", type="epic", assignee_id=world.ada.id)
    grid = s.workload.grid(world.project.id)
    assert grid.row(world.ada.id).cells[0].assigned == Decimal("5")
    assert [
        c.key
        for c in s.workload.cell_cards(world.project.id, f"sprint:{world.first.id}", world.ada.id)
    ] == [kept.key]


def test_cell_and_member_cards(world: World) -> None:
    s = world.services
    a1 = card(world, world.ada, world.first, points=1)
    a2 = card(world, world.ada, world.second, points=2)
    b1 = card(world, world.bob, world.first, points=3)
    u1 = card(world, None, world.first, points=5)
    key = grid_key = s.workload.grid(world.project.id).columns[0].key
    assert [c.key for c in s.workload.cell_cards(world.project.id, key, world.ada.id)] == [a1.key]
    assert [c.key for c in s.workload.cell_cards(world.project.id, grid_key, None)] == [u1.key]
    assert [c.key for c in s.workload.member_cards(world.project.id, world.ada.id)] == [
        a1.key,
        a2.key,
    ]
    assert b1.key not in {c.key for c in s.workload.member_cards(world.project.id, world.ada.id)}
    with pytest.raises(ValidationError):
        s.workload.cell_cards(world.project.id, "week:nonsense", world.ada.id)
    with pytest.raises(ValidationError):
        s.workload.cell_cards(world.project.id, "sprint:x", world.ada.id)
    with pytest.raises(NotFound):
        s.workload.member_cards(world.project.id, 999_999)
    with pytest.raises(NotFound):
        s.workload.grid(999_999)
    with pytest.raises(ValidationError):
        s.workload.grid("SD")  # type: ignore[arg-type]


def test_kanban_weeks_hours_and_holidays(services: Services) -> None:
    services.context.clock = lambda: NOW  # Friday 4 December 2026: the week of 30 Nov
    project = services.projects.create_project("KB", "Flow", methodology="kanban")
    services.sprints.add_holiday(project.id, dt.date(2026, 12, 8), "A Tuesday off")
    ada = services.projects.add_member(project.id, "Ada", hours_per_day=8)
    columns = {c.category: c.id for c in services.workflow.list_columns(project.id)}

    def kcard(hours, due=None, column="todo"):  # type: ignore[no-untyped-def]
        return services.cards.create_card(
            project.id,
            "Kanban card",
            estimate_hours=hours,
            assignee_id=ada.id,
            due_date=due,
            column_id=columns[column],
        )

    kcard(10)  # no due date: work in hand, this week
    kcard(6, due=dt.date(2026, 11, 20))  # overdue: this week too
    kcard(30, due=dt.date(2026, 12, 9))  # next week
    kcard(99, column="done")  # done: not work any more
    kcard(50, due=dt.date(2027, 3, 1))  # beyond the six weeks
    grid = services.workload.grid(project.id)
    assert grid.methodology == "kanban" and grid.unit == "hours"
    assert len(grid.columns) == 6
    assert grid.columns[0].start == dt.date(2026, 11, 30)
    assert grid.columns[1].holidays == (dt.date(2026, 12, 8),)
    row = grid.row(ada.id)
    assert row.cells[0].assigned == Decimal("16") and row.cells[0].capacity == Decimal("40.00")
    # Next week: four working days (the holiday), 8 h each = 32 h against 30 h: ok.
    assert row.cells[1].assigned == Decimal("30") and row.cells[1].capacity == Decimal("32.00")
    assert row.cells[1].level == "ok"
    assert sum(c.assigned for c in row.cells) == Decimal("46")
    cards = services.workload.cell_cards(project.id, grid.columns[0].key, ada.id)
    assert sorted(c.estimate_hours for c in cards) == [Decimal("6.00"), Decimal("10.00")]
    with pytest.raises(ValidationError):
        services.workload.cell_cards(project.id, "sprint:1", ada.id)


def test_levels() -> None:
    assert load_level(Decimal("6.9"), Decimal("10")) == "free"
    assert load_level(Decimal("7"), Decimal("10")) == "ok"
    assert load_level(Decimal("10"), Decimal("10")) == "ok"
    assert load_level(Decimal("10.5"), Decimal("10")) == "over"
    assert load_level(Decimal("1"), Decimal("0")) == "over"
    assert load_level(Decimal("0"), Decimal("0")) == "free"
    assert load_level(Decimal("3"), None) == "unknown"


def test_replan_card_changes_assignee_and_sprint_in_one_step(world: World) -> None:
    s = world.services
    c = card(world, world.ada, world.first, points=5)
    moved = s.sprints.replan_card(
        c.id, sprint_id=world.second.id, assignee_id=world.bob.id, expected_version=c.version
    )
    assert moved.assignee_id == world.bob.id and moved.sprint_id == world.second.id
    assert moved.version == c.version + 1
    kinds = [e.kind for e in s.cards.history(c.id)]
    assert kinds[-2:] == ["assigned", "sprint_changed"]
    grid = s.workload.grid(world.project.id)
    assert grid.row(world.bob.id).cells[1].assigned == Decimal("5")
    assert grid.row(world.ada.id).cells[0].assigned == 0
    # Undo is the same call with the old values.
    back = s.sprints.replan_card(
        c.id, sprint_id=world.first.id, assignee_id=world.ada.id, expected_version=moved.version
    )
    assert (back.assignee_id, back.sprint_id) == (world.ada.id, world.first.id)
    # Only the assignee: the sprint stays.
    only = s.sprints.replan_card(c.id, assignee_id=None)
    assert only.assignee_id is None and only.sprint_id == world.first.id


def test_replan_card_bad_input_writes_nothing(world: World) -> None:
    s = world.services
    c = card(world, world.ada, world.first, points=5)
    outsider = s.projects.create_project("OUT", "Other")
    eve = s.projects.add_member(outsider.id, "Eve")
    with pytest.raises(NotFound):
        s.sprints.replan_card(c.id, sprint_id=world.second.id, assignee_id=eve.id)
    with pytest.raises(NotFound):
        s.sprints.replan_card(c.id, sprint_id=987_654, assignee_id=world.bob.id)
    with pytest.raises(ValidationError):
        s.sprints.replan_card(c.id, sprint_id="3")  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        s.sprints.replan_card(c.id, assignee_id=world.bob.id, expected_version=c.version + 7)
    after = s.cards.get_card(c.id)
    assert (after.assignee_id, after.sprint_id, after.version) == (
        world.ada.id,
        world.first.id,
        c.version,
    )


def test_points_capacity_is_the_velocity_share_the_sprint_plan_gives(services: Services) -> None:
    """After closed sprints of 20, 24 and 28 points (velocity 24), each person's points
    capacity is their share of the velocity by available hours, as in the sprint plan."""
    project = services.projects.create_project("VL", "Velocity")
    done = next(c for c in services.workflow.list_columns(project.id) if c.category == "done")

    def at(day: dt.date) -> None:
        moment = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        services.context.clock = lambda: moment

    for number, completed in enumerate((20, 24, 28)):
        start = dt.date(2026, 11, 2) + dt.timedelta(days=14 * number)
        at(start)
        old = services.sprints.create_sprint(
            project.id, f"Old {number + 1}", start=start, end=start + dt.timedelta(days=11)
        )
        c = services.cards.create_card(project.id, f"Old {number}", points=completed)
        services.sprints.plan_card(c.id, old.id)
        services.sprints.start_sprint(old.id)
        services.board.move_card(c.id, done.id)
        services.sprints.complete_sprint(old.id)
    at(dt.date(2026, 12, 30))
    new = services.sprints.create_sprint(
        project.id, "New", start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 15)
    )
    ada = services.projects.add_member(project.id, "Ada", hours_per_day=6)
    services.projects.add_member(project.id, "Cy", hours_per_day=2)
    services.sprints.set_capacity(new.id, ada.id, days_off=2)
    services.cards.create_card(project.id, "Big", points=20, assignee_id=ada.id, sprint_id=new.id)
    grid = services.workload.grid(project.id)
    plan = services.sprints.sprint_plan(new.id)
    assert grid.unit == plan.unit == "points"
    assert [c.title for c in grid.columns] == ["New"]  # closed sprints are not columns
    by_name = {m.display_name: m.capacity_points for m in plan.members}
    assert {r.display_name: r.cells[0].capacity for r in grid.rows} == by_name
    assert sum(by_name.values()) == Decimal("24")
    ada_cell = grid.row(ada.id).cells[0]
    assert ada_cell.level == "over" and ada_cell.days_off == 2
    assert [o.display_name for o in services.workload.over_allocated(project.id)] == ["Ada"]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "sprint:",
        "sprint:١٢",  # Arabic-Indic digits: int() would take them
        "sprint:-4",
        "sprint:" + "9" * 30,  # beyond a database integer
        "week:2026-12-07",  # a Kanban column on a Scrum project
        "sprint:1" + " " * 100,
        "💥:💥",
    ],
)
def test_odd_column_keys_are_refused_with_a_message(world: World, key: str) -> None:
    with pytest.raises(ValidationError) as refused:
        world.services.workload.cell_cards(world.project.id, key, world.ada.id)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 120


def test_huge_ids_are_not_found_not_a_database_error(world: World) -> None:
    s = world.services
    huge = 10**30
    for call in (
        lambda: s.workload.grid(huge),
        lambda: s.workload.member_cards(world.project.id, huge),
        lambda: s.workload.cell_cards(world.project.id, f"sprint:{world.first.id}", huge),
        lambda: s.sprints.replan_card(card(world, world.ada, world.first).id, assignee_id=huge),
        lambda: s.sprints.replan_card(card(world, world.ada, world.first).id, sprint_id=huge),
    ):
        with pytest.raises((NotFound, ValidationError)):
            call()
    assert s.workload.over_allocated(world.project.id, huge) == []
