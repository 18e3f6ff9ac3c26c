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
    end_keeping_working_days,
    is_working_day,
    next_working_day,
    working_day_on_or_before,
)
from app.models import WEEKDAYS_MON_FRI, Project
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


def test_end_keeping_working_days() -> None:
    # Mon 7 to Fri 18 Dec: 10 working days; started on Friday 4 Dec it ends on Thursday 17.
    planned = (MONDAY, dt.date(2026, 12, 18))
    assert end_keeping_working_days(*planned, FRIDAY, WEEKDAYS_MON_FRI, ()) == dt.date(2026, 12, 17)
    # A holiday in the new span moves the end a day later; on the planned day nothing moves.
    holiday = {dt.date(2026, 12, 9)}
    assert end_keeping_working_days(
        MONDAY, dt.date(2026, 12, 18), FRIDAY, WEEKDAYS_MON_FRI, holiday
    ) == dt.date(2026, 12, 17)  # the holiday was in the plan too: 9 days either way
    assert end_keeping_working_days(*planned, MONDAY, WEEKDAYS_MON_FRI, ()) == planned[1]
    assert end_keeping_working_days(
        *planned, dt.date(2026, 12, 21), WEEKDAYS_MON_FRI, {dt.date(2026, 12, 25)}
    ) == dt.date(2027, 1, 4)
    # Started on a Saturday: the first working day is the Monday after.
    assert end_keeping_working_days(
        *planned, dt.date(2026, 12, 5), WEEKDAYS_MON_FRI, ()
    ) == dt.date(2026, 12, 18)
    # A weekend-only plan keeps its calendar length.
    weekend = (dt.date(2026, 12, 5), dt.date(2026, 12, 6))
    assert end_keeping_working_days(*weekend, FRIDAY, WEEKDAYS_MON_FRI, ()) == dt.date(2026, 12, 5)


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
    with pytest.raises(Conflict, match="already a sprint"):
        s.sprints.update_sprint(a, name="b")
    with pytest.raises(ValidationError, match="before it starts"):
        s.sprints.update_sprint(a, end="2026-12-01")
    s.sprints.start_sprint(a)
    s.sprints.complete_sprint(a)
    with pytest.raises(Conflict, match="closed"):
        s.sprints.update_sprint(a, goal="Rewrite history")
    assert s.sprints.get_sprint(a).goal == "Goal"


# --- overlaps: planned sprints are plans, a closed sprint ended when it was closed -----------


def test_planned_sprints_may_overlap_each_other_and_the_active_one(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    b = world.sprint("B", "2026-12-14", "2026-12-25")  # overlaps A: both are plans
    s.sprints.update_sprint(b, start="2026-12-07", end="2026-12-18")  # the same dates
    world.services.context.clock = lambda: dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    s.sprints.start_sprint(a)
    c = world.sprint("C", "2026-12-16", "2026-12-29")  # overlaps the active A
    s.sprints.update_sprint(a, end="2026-12-22")  # the active one may run into plans
    assert [(x.name, x.state, x.start_date) for x in s.sprints.list_sprints(world.project.id)] == [
        ("A", "active", dt.date(2026, 12, 7)),
        ("B", "planned", dt.date(2026, 12, 7)),
        ("C", "planned", dt.date(2026, 12, 16)),
    ]
    assert s.sprints.get_sprint(c).end_date == dt.date(2026, 12, 29)


def closed_early(world: World) -> int:
    """Sprint A, planned Mon 7 to Fri 18 Dec, started on the 7th and closed early, on Thursday
    10 Dec at 15:00."""
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    s.context.clock = lambda: dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    s.sprints.start_sprint(a)
    s.context.clock = lambda: dt.datetime(2026, 12, 10, 15, tzinfo=dt.UTC)
    s.sprints.complete_sprint(a)
    return a


def test_a_closed_sprint_ends_on_the_day_it_was_closed(world: World) -> None:
    s = world.services
    closed_early(world)
    b = world.sprint("B", "2026-12-21", "2027-01-01")
    # The reported refusal: the closed sprint's planned dates (to the 18th) no longer count.
    edited = s.sprints.update_sprint(b, start="2026-12-10", end="2026-12-23")
    assert (edited.start_date, edited.end_date) == (dt.date(2026, 12, 10), dt.date(2026, 12, 23))
    created = s.sprints.create_sprint(world.project.id, "C", start="2026-12-14", end="2026-12-18")
    assert created.start_date == dt.date(2026, 12, 14)
    before = s.sprints.list_sprints(world.project.id)
    with pytest.raises(Conflict) as refused:
        s.sprints.update_sprint(b, start="2026-12-09", end="2026-12-22")
    assert str(refused.value) == (
        "The dates 2026-12-09 to 2026-12-22 overlap the sprint 'A', which ran from "
        "2026-12-07 until it was closed on 2026-12-10; a sprint may start on or after that "
        "day (planned sprints may overlap each other and the active one)."
    )
    with pytest.raises(Conflict, match="overlap the sprint 'A'"):
        s.sprints.create_sprint(world.project.id, "D", start="2026-12-01", end="2026-12-07")
    assert s.sprints.list_sprints(world.project.id) == before
    # Ending on the day before A started does not overlap it.
    s.sprints.create_sprint(world.project.id, "E", start="2026-11-23", end="2026-12-06")


def test_the_close_day_is_the_project_time_zones(world: World) -> None:
    """Closed at 23:30 UTC on the 10th is already the 11th in Tokyo: a sprint may start then."""
    s = world.services
    tokyo = s.projects.create_project("TK", "Tokyo")
    with s.context.write() as uow:  # no service sets a time zone yet
        row = uow.session.get(Project, tokyo.id)
        assert row is not None
        row.time_zone = "Asia/Tokyo"
        uow.commit()
    a = s.sprints.create_sprint(tokyo.id, "A", start="2026-12-07", end="2026-12-18").id
    s.context.clock = lambda: dt.datetime(2026, 12, 7, 1, tzinfo=dt.UTC)
    s.sprints.start_sprint(a)
    s.context.clock = lambda: dt.datetime(2026, 12, 10, 23, 30, tzinfo=dt.UTC)
    s.sprints.complete_sprint(a)
    s.sprints.create_sprint(tokyo.id, "B", start="2026-12-11", end="2026-12-24")
    with pytest.raises(Conflict, match="closed on 2026-12-11"):
        s.sprints.create_sprint(tokyo.id, "C", start="2026-12-10", end="2026-12-24")


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
        running.removed.id: ("removed", "backlog", True),  # and where it went
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


def test_removed_then_done_elsewhere_is_removed(world: World) -> None:
    # Jira lists a card taken out of the sprint under "removed", whatever became of it.
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    card = world.card("Side quest", 2, sprint_id=a)
    s.sprints.start_sprint(a)
    s.sprints.plan_card(card.id, None)
    s.board.move_card(card.id, world.done)
    s.sprints.complete_sprint(a)
    summary = s.sprints.sprint_summary(a)
    assert [(r.outcome, r.destination) for r in summary.cards] == [("removed", "backlog")]
    assert (summary.committed_points, summary.completed_points) == (2, 0)
    assert summary.removed_count == 1 and summary.completed_outside_count == 0


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


# --- the suggested dates of a new sprint: one source for the dialog and the service --------


def test_suggestion_is_what_create_makes(world: World) -> None:
    """The reported case: on Tue 1 Dec the active sprint ends on Mon 7 Dec, so the new one
    starts on Tue 8 Dec (its dialog showed 1 to 14 Dec but created 8 to 21 Dec)."""
    s = world.services
    s.context.clock = lambda: dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
    a = world.sprint("A", "2026-11-24", "2026-12-07")
    s.sprints.start_sprint(a)
    s.context.clock = lambda: dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    suggestion = s.sprints.suggest_sprint(world.project.id)
    assert (suggestion.name, suggestion.start, suggestion.end) == (
        "SD Sprint 2",
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 21),
    )
    assert (suggestion.after_sprint, suggestion.after_end) == ("A", dt.date(2026, 12, 7))
    assert suggestion.calendar.today == dt.date(2026, 12, 1)
    assert suggestion.calendar.working_days(suggestion.start, suggestion.end) == 10
    created = s.sprints.create_sprint(world.project.id)
    assert (created.name, created.start_date, created.end_date) == (
        suggestion.name,
        suggestion.start,
        suggestion.end,
    )
    s.sprints.update_sprint(created.id, start="2026-12-22", end="2027-01-04")

    # Once A is closed early (today), the next sprint starts on the next working day.
    s.sprints.complete_sprint(a)
    after_close = s.sprints.suggest_sprint(world.project.id)
    # ... unless a planned sprint ends later: SD Sprint 2 now ends on 4 Jan.
    assert (after_close.start, after_close.after_sprint) == (dt.date(2027, 1, 5), "SD Sprint 2")
    s.sprints.update_sprint(created.id, start="2026-12-01", end="2026-12-01")
    fresh = s.sprints.suggest_sprint(world.project.id)
    assert (fresh.start, fresh.end, fresh.after_sprint) == (
        dt.date(2026, 12, 2),
        dt.date(2026, 12, 15),
        None,
    )


def test_suggestion_skips_holidays_and_counts_them(world: World) -> None:
    s = world.services
    s.sprints.add_holiday(world.project.id, "2026-12-07", "Founders' day")
    s.sprints.add_holiday(world.project.id, "2026-12-12", "A Saturday")
    suggestion = s.sprints.suggest_sprint(world.project.id)
    assert (suggestion.start, suggestion.end) == (dt.date(2026, 12, 8), dt.date(2026, 12, 21))
    calendar = suggestion.calendar
    assert calendar.holidays == frozenset({dt.date(2026, 12, 7), dt.date(2026, 12, 12)})
    # The Saturday holiday is no working day lost.
    assert calendar.holidays_between(dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == (
        dt.date(2026, 12, 7),
    )
    assert calendar.working_days(dt.date(2026, 12, 7), dt.date(2026, 12, 18)) == 9
    assert calendar.working_days(dt.date(2026, 12, 18), dt.date(2026, 12, 7)) == 0


# --- starting with confirmed dates -------------------------------------------------------


def test_start_preview_starts_today_and_keeps_the_working_days(world: World) -> None:
    s = world.services
    s.sprints.add_holiday(world.project.id, "2026-12-10", "Founders' day")
    a = world.sprint("A", "2026-12-07", "2026-12-18")  # 9 working days (a holiday)
    world.card("Three", 3, sprint_id=a)
    world.card("Bare", sprint_id=a)
    world.card("Half", "0.5", sprint_id=a)
    world.card("Bare too", sprint_id=a)
    preview = s.sprints.start_preview(a)
    # Friday 4 Dec: 9 working days from then, over the weekend and the holiday.
    assert (preview.start, preview.end) == (dt.date(2026, 12, 4), dt.date(2026, 12, 17))
    assert preview.calendar.working_days(preview.start, preview.end) == 9
    assert preview.planned_working_days == 9
    assert (preview.card_count, preview.points) == (4, Decimal("3.5"))
    assert preview.unestimated_keys == ("SD-2", "SD-4")
    # On the planned start day, the planned dates are proposed unchanged.
    s.context.clock = lambda: dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)
    on_time = s.sprints.start_preview(a)
    assert (on_time.start, on_time.end) == (dt.date(2026, 12, 7), dt.date(2026, 12, 18))


def test_start_with_confirmed_dates_name_and_goal(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    world.card("Five", 5, sprint_id=a)
    with pytest.raises(ValidationError) as later:
        s.sprints.start_sprint(a, start="2026-12-07", end="2026-12-18")
    assert str(later.value) == (
        "A sprint starts today or earlier: 2026-12-07 is after today (2026-12-04). "
        "Keep it planned and start it on that day."
    )
    with pytest.raises(ValidationError, match="before it starts"):
        s.sprints.start_sprint(a, start="2026-12-04", end="2026-12-03")
    assert s.sprints.get_sprint(a).state == "planned"
    started = s.sprints.start_sprint(
        a, start="2026-12-03", end="2026-12-16", name="Alpha", goal="Pay by card"
    )
    assert (started.name, started.goal, started.state) == ("Alpha", "Pay by card", "active")
    assert (started.start_date, started.end_date) == (dt.date(2026, 12, 3), dt.date(2026, 12, 16))
    assert started.committed_points == 5
    # An active sprint's start never moves after the day it was started.
    with pytest.raises(ValidationError, match="was started on 2026-12-04"):
        s.sprints.update_sprint(a, start="2026-12-07")
    s.sprints.update_sprint(a, start="2026-12-04")


def test_start_refuses_dates_over_a_closed_sprint(world: World) -> None:
    s = world.services
    closed_early(world)  # A ran from 7 to 10 Dec
    b = world.sprint("B", "2026-12-21", "2027-01-01")
    with pytest.raises(Conflict, match="overlap the sprint 'A'"):
        s.sprints.start_sprint(b, start="2026-12-09", end="2026-12-22")
    started = s.sprints.start_sprint(b, start="2026-12-10", end="2026-12-23")
    assert started.start_date == dt.date(2026, 12, 10)


def test_start_without_dates_keeps_the_plan_but_never_starts_later(world: World) -> None:
    """What ``sprintdeck sprint start`` does: the planned dates, but a sprint started before
    its planned day starts today (keeping its working days), and one planned before the
    last sprint closed starts on the day it closed."""
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    early = s.sprints.start_sprint(a)  # on Friday 4 Dec
    assert (early.start_date, early.end_date) == (dt.date(2026, 12, 4), dt.date(2026, 12, 17))
    b = world.sprint("B", "2026-11-30", "2026-12-11")  # a plan over A's dates: allowed
    s.context.clock = lambda: dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC)
    s.sprints.complete_sprint(a)
    s.context.clock = lambda: dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC)
    late = s.sprints.start_sprint(b)
    assert (late.start_date, late.end_date) == (dt.date(2026, 12, 4), dt.date(2026, 12, 17))
    c = world.sprint("C", "2026-12-07", "2026-12-18")
    s.sprints.complete_sprint(b)  # on Tuesday 8 Dec
    assert s.sprints.start_sprint(c).start_date == dt.date(2026, 12, 8)
    s.sprints.complete_sprint(c)
    d = world.sprint("D", "2026-12-21", "2027-01-01")
    s.context.clock = lambda: dt.datetime(2026, 12, 21, 9, tzinfo=dt.UTC)
    on_time = s.sprints.start_sprint(d)
    assert (on_time.start_date, on_time.end_date) == (dt.date(2026, 12, 21), dt.date(2027, 1, 1))


# --- the reported case on the demo: close early today, start the next sprint today -----------


@pytest.mark.parametrize("how", ["dialog", "command line"])
def test_demo_close_early_and_start_the_next_today(demo: Services, how: str) -> None:
    from app.services.chart_data import ChartService

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    demo.context.clock = lambda: now
    today = now.date()  # the demo project's time zone is UTC
    project = demo.projects.find_project("DEMO")
    active = demo.sprints.active_sprint(project.id)
    assert active is not None and active.end_date is not None and active.end_date > today
    before = demo.sprints.sprint_summary(active.id)
    unfinished = before.planned_points - before.completed_points
    assert before.completed_points > 0 and unfinished > 0
    following = demo.sprints.create_sprint(project.id)
    assert following.start_date > active.end_date  # planned after the active one's end

    demo.sprints.complete_sprint(active.id, carry_over="next")
    if how == "dialog":
        preview = demo.sprints.start_preview(following.id)
        assert preview.start == today
        demo.sprints.start_sprint(
            following.id, allow_unestimated=True, start=preview.start, end=preview.end
        )
    else:
        demo.sprints.start_sprint(following.id, allow_unestimated=True)

    started = demo.sprints.get_sprint(following.id)
    assert started.start_date == today
    summary = demo.sprints.sprint_summary(following.id)
    assert summary.committed_points == unfinished
    assert (summary.completed_points, summary.completed_count) == (0, 0)
    series = ChartService(demo.context).sprint_burndown(following.id)
    assert series.days[0] == today
    assert series.remaining[0] == unfinished  # day 0 is the commitment
    assert series.last_index == 0
    assert series.ideal[0] < unfinished or series.working[0] is False
    assert sum(series.completed) == 0 and sum(series.scope_added) == 0


def test_carry_over_to_a_new_sprint_dated_after_the_close(world: World) -> None:
    s = world.services
    a = world.sprint("A", "2026-12-07", "2026-12-18")
    open_card = world.card("Open", 3, sprint_id=a)
    s.context.clock = lambda: dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    s.sprints.start_sprint(a)
    s.context.clock = lambda: dt.datetime(2026, 12, 10, 15, tzinfo=dt.UTC)  # Thursday
    s.sprints.complete_sprint(a, carry_over="new")
    new = s.sprints.find_sprint(world.project.id, "SD Sprint 2")
    # Not after A's planned end (the 18th): A ended when it was closed.
    assert (new.state, new.start_date, new.end_date) == (
        "planned",
        dt.date(2026, 12, 11),
        dt.date(2026, 12, 24),
    )
    assert s.cards.get_card(open_card.id).sprint_id == new.id
    [row] = [r for r in s.sprints.sprint_summary(a).cards if r.card_id == open_card.id]
    assert (row.outcome, row.destination) == ("not_completed", "SD Sprint 2")
