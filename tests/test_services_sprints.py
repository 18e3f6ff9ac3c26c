"""SprintService and the working calendar, against a real, alembic-migrated SQLite file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.errors import Conflict, NotFound, ValidationError
from app.metrics.calendar import (
    default_sprint_dates,
    default_sprint_end,
    is_working_day,
    next_working_day,
    working_day_on_or_before,
)
from app.models import WEEKDAYS_MON_FRI
from app.services import Services
from app.services.dto import CardDTO, ProjectDTO
from app.services.events import Change

FRIDAY = dt.date(2026, 12, 4)
MONDAY = dt.date(2026, 12, 7)


# --- the working calendar (pure) ------------------------------------------------------------


def test_is_working_day_honours_mask_and_holidays() -> None:
    assert is_working_day(FRIDAY, WEEKDAYS_MON_FRI, set())
    assert not is_working_day(FRIDAY + dt.timedelta(days=1), WEEKDAYS_MON_FRI, set())
    assert not is_working_day(MONDAY, WEEKDAYS_MON_FRI, {MONDAY})
    sunday_to_thursday = 0b1001111  # Mon-Thu and Sun
    assert not is_working_day(FRIDAY, sunday_to_thursday, set())
    assert is_working_day(MONDAY - dt.timedelta(days=1), sunday_to_thursday, set())


def test_next_working_day_skips_weekend_and_holiday() -> None:
    assert next_working_day(FRIDAY, WEEKDAYS_MON_FRI, set()) == MONDAY
    assert next_working_day(FRIDAY, WEEKDAYS_MON_FRI, {MONDAY}) == MONDAY + dt.timedelta(days=1)
    # Strictly after: a working day is not its own next working day.
    assert next_working_day(MONDAY, WEEKDAYS_MON_FRI, set()) == MONDAY + dt.timedelta(days=1)
    assert working_day_on_or_before(MONDAY - dt.timedelta(days=1), WEEKDAYS_MON_FRI, ()) == FRIDAY
    with pytest.raises(ValueError):
        next_working_day(FRIDAY, 0, set())


def test_default_sprint_dates() -> None:
    start, end = default_sprint_dates(FRIDAY, WEEKDAYS_MON_FRI, set())
    assert (start, end) == (MONDAY, dt.date(2026, 12, 18))  # 14 days end on a Sunday: Friday
    start, end = default_sprint_dates(FRIDAY, WEEKDAYS_MON_FRI, {MONDAY})
    assert (start, end) == (dt.date(2026, 12, 8), dt.date(2026, 12, 21))
    # The end moves back over a holiday too.
    assert default_sprint_end(MONDAY, WEEKDAYS_MON_FRI, {dt.date(2026, 12, 18)}) == dt.date(
        2026, 12, 17
    )
    assert default_sprint_dates(FRIDAY, WEEKDAYS_MON_FRI, set(), weeks=1) == (
        MONDAY,
        dt.date(2026, 12, 11),
    )


# --- fixtures ---------------------------------------------------------------------------


@dataclass
class World:
    services: Services
    project: ProjectDTO
    todo: int
    doing: int
    done: int
    changes: list[Change]

    def card(self, title: str, points: object = None, **kwargs: object) -> CardDTO:
        return self.services.cards.create_card(self.project.id, title, points=points, **kwargs)

    def sprint(self, name: str, start: str, end: str) -> int:
        return self.services.sprints.create_sprint(self.project.id, name, "", start, end).id


@pytest.fixture
def world(services: Services) -> World:
    # Friday 2026-12-04, 10:00 UTC.
    services.context.clock = lambda: dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    project = services.projects.create_project("SD", "Sprintdeck")
    columns = {c.category: c.id for c in services.workflow.list_columns(project.id)}
    changes: list[Change] = []
    services.bus.subscribe(changes.append)
    return World(
        services, project, columns["todo"], columns["in_progress"], columns["done"], changes
    )


def history_kinds(services: Services, card_id: int) -> list[str]:
    return [e.kind for e in services.cards.history(card_id)]


# --- creating ---------------------------------------------------------------------------


def test_create_with_defaults_honours_weekend_and_holiday(world: World) -> None:
    s = world.services
    holiday = s.sprints.add_holiday(world.project.id, "2026-12-07", "Founders' day")
    assert holiday.day == MONDAY
    assert [h.day for h in s.sprints.list_holidays(world.project.id)] == [MONDAY]
    first = s.sprints.create_sprint(world.project.id)
    assert first.name == "SD Sprint 1"
    assert (first.start_date, first.end_date) == (dt.date(2026, 12, 8), dt.date(2026, 12, 21))
    assert first.state == "planned"
    assert first.committed_points == 0 and first.completed_points == 0
    # The next default sprint starts after the last one, so defaults never overlap.
    second = s.sprints.create_sprint(world.project.id, goal="Ship it")
    assert second.name == "SD Sprint 2"
    assert second.start_date == dt.date(2026, 12, 22)
    assert second.goal == "Ship it"
    assert [x.name for x in s.sprints.list_sprints(world.project.id)] == [
        "SD Sprint 1",
        "SD Sprint 2",
    ]
    assert any(c.kind == "sprints_changed" for c in world.changes)
    with pytest.raises(Conflict, match="already a holiday"):
        s.sprints.add_holiday(world.project.id, MONDAY)


def test_default_name_skips_taken_names(world: World) -> None:
    s = world.services
    s.sprints.create_sprint(world.project.id, "sd sprint 2", start="2027-01-04", end="2027-01-15")
    assert s.sprints.create_sprint(world.project.id).name == "SD Sprint 3"


def test_only_start_given_defaults_the_end(world: World) -> None:
    sprint = world.services.sprints.create_sprint(world.project.id, start="2026-12-14")
    assert sprint.end_date == dt.date(2026, 12, 25)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"start": "2026-12-10", "end": "2026-12-09"}, ValidationError, "before it starts"),
        ({"start": "2026-13-01", "end": "2026-12-09"}, ValidationError, "not a date"),
        ({"start": "soon"}, ValidationError, "not a date"),
        ({"name": "   x" * 40}, ValidationError, "at most 100"),
        ({"name": "Backlog"}, ValidationError, "cannot be a sprint name"),
        ({"name": "Sprint A"}, Conflict, "already a sprint called 'Sprint A'"),
        ({"name": "SPRINT a", "start": "2027-03-01"}, Conflict, "already a sprint"),
        ({"start": "2026-12-16", "end": "2026-12-30"}, Conflict, "overlap the sprint 'Sprint A'"),
        ({"start": "2026-12-01", "end": "2026-12-07"}, Conflict, "overlap"),
    ],
)
def test_create_refusals_change_nothing(
    world: World, kwargs: dict, error: type[Exception], words: str
) -> None:
    s = world.services
    s.sprints.create_sprint(world.project.id, "Sprint A", start="2026-12-07", end="2026-12-18")
    before = s.sprints.list_sprints(world.project.id)
    with pytest.raises(error, match=words):
        s.sprints.create_sprint(world.project.id, **kwargs)
    assert s.sprints.list_sprints(world.project.id) == before


def test_adjacent_sprints_do_not_overlap(world: World) -> None:
    world.sprint("A", "2026-12-07", "2026-12-18")
    world.sprint("B", "2026-12-19", "2027-01-01")
    assert len(world.services.sprints.list_sprints(world.project.id)) == 2


def test_kanban_project_has_no_sprints(world: World) -> None:
    s = world.services
    kanban = s.projects.create_project("KB", "Flow", "kanban")
    with pytest.raises(ValidationError, match="Kanban"):
        s.sprints.create_sprint(kanban.id)
    assert s.sprints.list_sprints(kanban.id) == []


def test_update_sprint_and_closed_is_read_only(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    world.sprint("B", "2026-12-21", "2027-01-01")
    updated = s.sprints.update_sprint(a, name="Alpha", goal="Goal", end="2026-12-17")
    assert (updated.name, updated.goal, updated.end_date) == (
        "Alpha",
        "Goal",
        dt.date(2026, 12, 17),
    )
    assert updated.version == 2
    with pytest.raises(Conflict, match="overlap"):
        s.sprints.update_sprint(a, end="2026-12-22")
    with pytest.raises(Conflict, match="already a sprint"):
        s.sprints.update_sprint(a, name="b")
    with pytest.raises(ValidationError, match="before it starts"):
        s.sprints.update_sprint(a, end="2026-12-01")
    s.sprints.start_sprint(a)
    s.sprints.complete_sprint(a)
    with pytest.raises(Conflict, match="closed"):
        s.sprints.update_sprint(a, goal="Rewrite history")
    assert s.sprints.get_sprint(a).goal == "Goal"


# --- planning ---------------------------------------------------------------------------


def test_plan_card_records_history_and_notifies(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    b = world.sprint("B", "2026-12-21", "2027-01-01")
    card = world.card("Story", 3)
    world.changes.clear()
    planned = s.sprints.plan_card(card.id, a, expected_version=card.version)
    assert (planned.sprint_id, planned.sprint_name) == (a, "A")
    assert planned.version == card.version + 1
    assert [c.kind for c in world.changes] == ["card_changed"]
    assert world.changes[0].cards == (planned,)
    moved = s.sprints.plan_card(card.id, b)
    back = s.sprints.plan_card(card.id, None)
    assert back.sprint_id is None
    events = [e for e in s.cards.history(card.id) if e.kind == "sprint_changed"]
    assert [(e.before["sprint"], e.after["sprint"]) for e in events] == [
        (None, "A"),
        ("A", "B"),
        ("B", None),
    ]
    assert moved.sprint_name == "B"
    # Planning into the same place again is a no-op, not a new event.
    s.sprints.plan_card(card.id, None)
    assert history_kinds(s, card.id).count("sprint_changed") == 3


def test_plan_card_refusals(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    card = world.card("Story", 1)
    epic = world.card("Epic", type="epic")
    with pytest.raises(ValidationError, match="epic"):
        s.sprints.plan_card(epic.id, a)
    with pytest.raises(NotFound):
        s.sprints.plan_card(card.id, 9999)
    with pytest.raises(Conflict, match="changed by someone else"):
        s.sprints.plan_card(card.id, a, expected_version=card.version + 5)
    s.sprints.plan_card(card.id, a)
    s.sprints.start_sprint(a)
    s.sprints.complete_sprint(a)
    other = world.card("Later", 2)
    with pytest.raises(Conflict, match="closed"):
        s.sprints.plan_card(other.id, a)
    assert s.cards.get_card(other.id).sprint_id is None
    archived = s.cards.archive_card(world.card("Gone").id)
    with pytest.raises(Conflict, match="archived"):
        s.sprints.plan_card(archived.id, None)
    other_project = s.projects.create_project("OT", "Other")
    foreign = s.sprints.create_sprint(other_project.id, "X")
    with pytest.raises(NotFound):
        s.sprints.plan_card(card.id, foreign.id)


# --- starting ---------------------------------------------------------------------------


def test_start_refuses_unestimated_then_allows_and_snapshots(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    three = world.card("Three", 3, sprint_id=a)
    half = world.card("Half", "0.5", sprint_id=a)
    bare = world.card("No estimate", sprint_id=a)
    world.card("Epic in sprint", type="epic", sprint_id=a)
    world.card("In the backlog", 8)
    with pytest.raises(ValidationError, match=r"1 card has no estimate .*SD-3"):
        s.sprints.start_sprint(a)
    assert s.sprints.get_sprint(a).state == "planned"
    assert s.sprints.sprint_summary(a).committed_count == 0

    started = s.sprints.start_sprint(a, allow_unestimated=True)
    assert started.state == "active"
    assert started.started_at == dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    assert started.committed_points == Decimal("3.5")
    summary = s.sprints.sprint_summary(a)
    assert summary.committed_count == 3
    assert {r.card_id for r in summary.cards if r.committed} == {three.id, half.id, bare.id}
    assert summary.unestimated_count == 1
    assert summary.completed_points == 0
    # Re-estimating after the start changes the live total, not the commitment.
    s.cards.update_card(three.id, {"points": 5})
    assert s.sprints.sprint_summary(a).committed_points == Decimal("3.5")
    assert s.sprints.sprint_summary(a).planned_points == Decimal("5.5")
    with pytest.raises(Conflict, match="only a planned sprint"):
        s.sprints.start_sprint(a)


def test_start_message_counts_unestimated_cards(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    for i in range(7):
        world.card(f"C{i}", sprint_id=a)
    with pytest.raises(ValidationError, match=r"7 cards have no estimate .* and 2 more"):
        s.sprints.start_sprint(a)


def test_second_active_sprint_refused(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    b = world.sprint("B", "2026-12-21", "2027-01-01")
    s.sprints.start_sprint(a)
    with pytest.raises(Conflict, match="'A' is still active"):
        s.sprints.start_sprint(b)
    assert s.sprints.get_sprint(b).state == "planned"
    assert s.sprints.active_sprint(world.project.id).id == a


# --- completing -------------------------------------------------------------------------


def test_completing_a_planned_sprint_refused(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    with pytest.raises(Conflict, match="only the active sprint"):
        s.sprints.complete_sprint(a)
    assert s.sprints.get_sprint(a).state == "planned"


@dataclass
class Running:
    sprint: int
    done: CardDTO
    open: CardDTO
    doing: CardDTO
    removed: CardDTO
    added: CardDTO


@pytest.fixture
def running(world: World) -> Running:
    """Sprint A active: 3 + 5 + 2 + 1 committed; one card removed, one added after start."""
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    done = world.card("Finished", 3, sprint_id=a)
    still_open = world.card("Open", 5, sprint_id=a)
    doing = world.card("Doing", 2, sprint_id=a)
    removed = world.card("Removed", 1, sprint_id=a)
    s.sprints.start_sprint(a)
    added = world.card("Added", 8, sprint_id=a)
    s.board.move_card(done.id, world.done)
    s.board.move_card(added.id, world.done)
    s.board.move_card(doing.id, world.doing)
    s.sprints.plan_card(removed.id, None)
    live = s.sprints.sprint_summary(a)
    assert live.committed_points == 11
    assert live.completed_points == 11  # 3 + 8, live
    assert (live.added_count, live.removed_count) == (1, 1)
    return Running(a, done, still_open, doing, removed, added)


def test_carry_over_to_backlog_and_outcome(world: World, running: Running) -> None:
    s = world.services
    world.changes.clear()
    closed = s.sprints.complete_sprint(running.sprint)
    assert closed.state == "closed"
    assert closed.closed_at is not None
    assert (closed.committed_points, closed.completed_points) == (11, 11)
    assert {c.kind for c in world.changes} == {"sprints_changed", "card_changed"}
    moved = next(c for c in world.changes if c.kind == "card_changed").cards
    assert {c.id for c in moved} == {running.open.id, running.doing.id}
    assert all(c.sprint_id is None for c in moved)
    for card in (running.open, running.doing):
        event = s.cards.history(card.id)[-1]
        assert event.kind == "sprint_changed"
        assert (event.before["sprint"], event.after["sprint"]) == ("A", None)
    assert s.cards.get_card(running.done.id).sprint_id == running.sprint

    summary = s.sprints.sprint_summary(running.sprint)
    outcome = {r.card_id: (r.outcome, r.destination, r.committed) for r in summary.cards}
    assert outcome == {
        running.done.id: ("completed", None, True),
        running.added.id: ("completed", None, False),
        running.open.id: ("not_completed", "backlog", True),
        running.doing.id: ("not_completed", "backlog", True),
        running.removed.id: ("removed", None, True),
    }
    assert (summary.completed_count, summary.not_completed_count) == (2, 2)
    assert (summary.added_count, summary.removed_count) == (1, 1)
    with pytest.raises(Conflict, match="closed; only the active"):
        s.sprints.complete_sprint(running.sprint)


def test_carry_over_to_next_planned_sprint(world: World, running: Running) -> None:
    s = world.services
    later = world.sprint("Later", "2027-01-04", "2027-01-15")
    nxt = world.sprint("Upcoming", "2026-12-21", "2027-01-01")
    s.sprints.complete_sprint(running.sprint, carry_over="next")
    for card in (running.open, running.doing):
        assert s.cards.get_card(card.id).sprint_id == nxt
    rows = {r.card_id: r for r in s.sprints.sprint_summary(running.sprint).cards}
    assert rows[running.open.id].destination == "Upcoming"
    assert s.sprints.sprint_summary(later).card_count == 0


def test_carry_over_to_named_sprint(world: World, running: Running) -> None:
    s = world.services
    world.sprint("Upcoming", "2026-12-21", "2027-01-01")
    later = world.sprint("Later", "2027-01-04", "2027-01-15")
    s.sprints.complete_sprint(running.sprint, carry_over=later)
    assert s.cards.get_card(running.open.id).sprint_name == "Later"
    assert s.sprints.sprint_summary(later).planned_points == 7


def test_carry_over_refusals_change_nothing(world: World, running: Running) -> None:
    s = world.services
    with pytest.raises(Conflict, match="no planned sprint"):
        s.sprints.complete_sprint(running.sprint, carry_over="next")
    with pytest.raises(ValidationError, match="itself"):
        s.sprints.complete_sprint(running.sprint, carry_over=running.sprint)
    with pytest.raises(ValidationError, match="'backlog', 'next'"):
        s.sprints.complete_sprint(running.sprint, carry_over="elsewhere")
    with pytest.raises(NotFound):
        s.sprints.complete_sprint(running.sprint, carry_over=9999)
    sprint = s.sprints.get_sprint(running.sprint)
    assert sprint.state == "active"
    assert s.cards.get_card(running.open.id).sprint_id == running.sprint
    assert s.sprints.sprint_summary(running.sprint).not_completed_count == 0


def test_outcome_stays_fixed_after_later_edits(world: World, running: Running) -> None:
    s = world.services
    s.sprints.complete_sprint(running.sprint)
    before = s.sprints.sprint_summary(running.sprint)
    # Reopen a completed card, re-estimate it, archive another, re-plan a carried one.
    s.board.move_card(running.done.id, world.todo)
    s.cards.update_card(running.done.id, {"points": 13})
    s.cards.archive_card(running.added.id)
    b = world.sprint("B", "2026-12-21", "2027-01-01")
    s.sprints.plan_card(running.open.id, b)
    s.cards.update_card(running.open.id, {"points": 1})
    after = s.sprints.sprint_summary(running.sprint)
    assert after.completed_points == before.completed_points == 11
    assert after.committed_points == before.committed_points == 11
    assert [(r.card_id, r.outcome, r.points) for r in after.cards] == [
        (r.card_id, r.outcome, r.points) for r in before.cards
    ]
    listed = next(x for x in s.sprints.list_sprints(world.project.id) if x.id == running.sprint)
    assert (listed.committed_points, listed.completed_points) == (11, 11)


def test_removed_but_done_is_completed_outside(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    card = world.card("Side quest", 2, sprint_id=a)
    s.sprints.start_sprint(a)
    s.sprints.plan_card(card.id, None)
    s.board.move_card(card.id, world.done)
    s.sprints.complete_sprint(a)
    summary = s.sprints.sprint_summary(a)
    assert [r.outcome for r in summary.cards] == ["completed_outside"]
    assert summary.completed_points == 0


def test_complete_empty_sprint_with_next_and_no_planned_sprint(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    s.sprints.start_sprint(a)
    closed = s.sprints.complete_sprint(a, carry_over="next")  # nothing to carry: fine
    assert closed.state == "closed"
    assert (closed.committed_points, closed.completed_points) == (0, 0)


def test_list_sprints_by_state(demo: Services) -> None:
    """The backlog asks for the open sprints only (no point sums for closed ones)."""
    project = next(p for p in demo.projects.list_projects() if p.methodology == "scrum")
    every = demo.sprints.list_sprints(project.id)
    open_ = demo.sprints.list_sprints(project.id, states=("active", "planned"))
    assert open_ == [s for s in every if s.state in ("active", "planned")]
    assert {s.state for s in every} - {"active", "planned"}  # the demo has closed ones too
    assert demo.sprints.list_sprints(project.id, states=()) == []
