"""The charts read only the events they need (issue 19): the result is the same as the old
replay of the whole history, on a world with moves in and out of the sprint, re-estimates,
cards added and removed mid-sprint, archives and restores, and events before the start."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.metrics import flow as flow_metrics
from app.metrics.burndown import BurndownEvent
from app.metrics.flow import FlowColumn
from app.models import Card, HistoryEvent, Sprint, WorkflowColumn
from app.services import Services, sprint_facts
from app.services.chart_data import CARRY_OVER_WINDOW, ChartService
from tests.helpers import Clock


def full_replay_events(session: Session, sprint: Sprint) -> list[BurndownEvent]:
    """The burndown's events as they were read before issue 19: every event of every card
    ever in the sprint, from the beginning of its history (the reference)."""
    card_ids = select(HistoryEvent.card_id).where(
        HistoryEvent.project_id == sprint.project_id,
        HistoryEvent.sprint_id_after == sprint.id,
    )
    rows = session.execute(
        select(HistoryEvent)
        .join(Card, Card.id == HistoryEvent.card_id)
        .where(
            HistoryEvent.project_id == sprint.project_id,
            or_(
                HistoryEvent.card_id.in_(card_ids),
                HistoryEvent.card_id.in_(sprint_facts.committed_ids(sprint.id)),
            ),
            Card.type != "epic",
        )
        .order_by(HistoryEvent.at, HistoryEvent.id)
    ).scalars()
    carried = sprint_facts.carried_over(session, sprint.id) if sprint.state == "closed" else set()
    events = []
    for e in rows:
        if (
            e.card_id in carried
            and sprint.closed_at is not None
            and e.kind == "sprint_changed"
            and (e.before or {}).get("sprint_id") == sprint.id
            and e.at >= sprint.closed_at - CARRY_OVER_WINDOW
        ):
            continue
        events.append(
            BurndownEvent(
                at=e.at,
                card_id=e.card_id,
                in_sprint_after=e.sprint_id_after == sprint.id,
                points_after=e.points_after,
                done_after=e.category_after == "done",
                archived_after=bool(e.archived_after),
            )
        )
    return events


def full_replay_flow(
    services: Services, project_id: int, first: dt.date, last: dt.date
) -> flow_metrics.CumulativeFlow:
    """The cumulative flow as it was computed before issue 19: the whole history replayed."""
    with services.context.read() as uow:
        session = uow.session
        columns = [
            FlowColumn(c.id, c.name, c.category, c.position, c.archived)
            for c in session.scalars(
                select(WorkflowColumn).where(WorkflowColumn.project_id == project_id)
            )
        ]
        events = ChartService._flow_events(session, project_id)
    return flow_metrics.cumulative_flow(
        first, last, columns, events, now=services.context.clock(), time_zone="UTC"
    )


@pytest.fixture
def world(services: Services):  # type: ignore[no-untyped-def]
    """A sprint from Monday 3 March 2025 to Friday 14 March with a rich history."""
    clock = Clock(dt.datetime(2025, 2, 20, 9, tzinfo=dt.UTC))
    services.context.clock = clock
    project = services.projects.create_project("WIN", "Window project")
    columns = services.workflow.list_columns(project.id)
    todo, doing, done = columns[0], columns[1], columns[-1]
    sprint = services.sprints.create_sprint(project.id, "Sprint 1", "", "2025-03-03", "2025-03-14")
    later = services.sprints.create_sprint(project.id, "Sprint 2", "", "2025-03-17", "2025-03-28")

    def card(title: str, points: str | None, sprint_id: int | None = sprint.id) -> int:
        return services.cards.create_card(project.id, title, points=points, sprint_id=sprint_id).id

    # Before the start: created, moved, re-estimated, in and out of the sprint.
    a, b, c = card("A", "5"), card("B", "8"), card("C", "3")
    d = card("D", "2", None)  # backlog, added mid-sprint
    e = card("E", "1", None)  # never in the sprint: only the flow sees it
    f = card("F", None)  # unestimated, done before the start
    g = card("G", "13")  # in, out again during planning
    clock.set(21, month=2)
    services.board.move_card(a, doing.id)
    services.cards.update_card(b, {"points": "5"})
    services.board.move_card(f, done.id)
    services.board.move_card(e, doing.id)
    clock.set(25, month=2)
    services.sprints.plan_card(g, None)
    services.board.move_card(e, done.id)
    services.cards.archive_card(e)
    clock.set(3, 8)
    services.sprints.start_sprint(sprint.id)
    # During the sprint.
    clock.set(4, 15)
    services.board.move_card(a, done.id)
    services.cards.update_card(c, {"points": "8"})
    clock.set(5, 10)
    services.sprints.plan_card(d, sprint.id)  # added
    services.board.move_card(d, doing.id)
    clock.set(6)
    services.sprints.plan_card(b, None)  # removed
    services.cards.restore_card(e)
    clock.set(7)
    services.sprints.plan_card(b, sprint.id)  # and back
    services.board.move_card(a, doing.id)  # reopened
    services.sprints.plan_card(g, sprint.id)  # added after leaving during planning
    clock.set(10)
    services.board.move_card(d, done.id)
    services.cards.archive_card(c)  # archived mid-sprint
    clock.set(11)
    services.board.move_card(a, done.id)
    services.board.move_card(e, todo.id)
    clock.set(12)
    services.sprints.plan_card(g, later.id)  # moved to another sprint
    clock.set(14, 16)
    return project, sprint, clock


def assert_same_burndown(services: Services, sprint_id: int) -> None:
    charts = services.charts
    with services.context.read() as uow:
        sprint = uow.session.get(Sprint, sprint_id)
        assert sprint is not None
        reference = full_replay_events(uow.session, sprint)
    original = vars(ChartService)["_events"]  # the staticmethod itself
    try:
        ChartService._events = staticmethod(lambda session, sprint, *_: reference)  # type: ignore[method-assign]
        expected = [charts.sprint_burndown(sprint_id), charts.burnup(sprint_id, "cards")]
    finally:
        ChartService._events = original  # type: ignore[method-assign]
    actual = [charts.sprint_burndown(sprint_id), charts.burnup(sprint_id, "cards")]
    assert actual == expected
    assert any(x.reason == "removed" for x in actual[0].changes)  # the world did change scope


RANGES = [
    ("2025-02-01", "2025-03-31"),  # from before the project to past now
    ("2025-03-05", "2025-03-12"),  # mid-sprint: cards settled before it and moving in it
    ("2025-03-14", "2025-03-14"),  # today only
    ("2025-02-21", "2025-02-21"),
]


def test_active_sprint_burndown_equals_the_full_replay(services: Services, world) -> None:  # type: ignore[no-untyped-def]
    _project, sprint, clock = world
    assert_same_burndown(services, sprint.id)
    clock.set(6, 18)  # the clock back mid-sprint: later events are cut off alike
    assert_same_burndown(services, sprint.id)


def test_closed_sprint_burndown_equals_the_full_replay(services: Services, world) -> None:  # type: ignore[no-untyped-def]
    project, sprint, clock = world
    services.sprints.complete_sprint(sprint.id, "backlog")
    clock.set(20)
    first = services.cards.list_cards(project.id)[0]
    services.cards.update_card(first.id, {"points": "21"})  # after the close: not in its chart
    assert_same_burndown(services, sprint.id)


@pytest.mark.parametrize(("first", "last"), RANGES)
def test_cumulative_flow_equals_the_full_replay(
    services: Services, world, first: str, last: str
) -> None:  # type: ignore[no-untyped-def]
    project, _sprint, clock = world
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    expected = full_replay_flow(services, project.id, start, end)
    actual = services.charts.cumulative_flow(project.id, first, last)
    assert actual == expected
    assert any(n for counts in actual.counts for n in counts if n)
    clock.set(6, 18)  # events after the cut-off count for neither
    assert services.charts.cumulative_flow(project.id, first, last) == full_replay_flow(
        services, project.id, start, end
    )
