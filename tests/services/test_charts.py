"""ChartService.sprint_burndown on a real migrated database, with a clock the test moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.errors import NotFound, ValidationError
from app.services import Services
from app.services.chart_data import ChartService
from tests.helpers import Clock


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock(dt.datetime(2025, 3, 2, 10, tzinfo=dt.UTC))
    services.context.clock = c
    return c


def day(date: int) -> int:
    return date - 3  # index of March <date> in a sprint starting on Monday 3 March 2025


def build(services: Services, clock: Clock):  # type: ignore[no-untyped-def]
    """A two-week sprint with a holiday, a card done before the start, and scope changes."""
    project = services.projects.create_project("SC", "Scrum project")
    services.sprints.add_holiday(project.id, "2025-03-12", "Spring day")
    sprint = services.sprints.create_sprint(
        project.id, "Sprint 1", "Ship it", "2025-03-03", "2025-03-14"
    )
    columns = services.workflow.list_columns(project.id)
    done = next(c for c in columns if c.category == "done")

    def card(title: str, points: str, sprint_id: int | None = sprint.id) -> int:
        return services.cards.create_card(project.id, title, points=points, sprint_id=sprint_id).id

    cards = {
        "A": card("A", "5"),
        "B": card("B", "8"),
        "C": card("C", "5"),
        "D": card("D", "3", None),
        "F": card("F", "2"),
    }
    services.board.move_card(cards["F"], done.id)  # done before the sprint starts
    clock.set(3, 8)
    services.sprints.start_sprint(sprint.id)
    clock.set(4, 15)
    services.board.move_card(cards["A"], done.id)
    clock.set(5, 10)
    services.sprints.plan_card(cards["D"], sprint.id)  # scope added
    clock.set(6)
    services.cards.update_card(cards["B"], {"points": "5"})  # re-estimate
    clock.set(7)
    services.sprints.plan_card(cards["C"], None)  # removed
    clock.set(10)
    services.board.move_card(cards["D"], done.id)
    return project, sprint, cards, done


def test_active_sprint_burndown_up_to_now(services: Services, clock: Clock) -> None:
    _project, sprint, _cards, _done = build(services, clock)
    charts = ChartService(services.context)
    s = charts.sprint_burndown(sprint.id)
    assert s.days[0] == dt.date(2025, 3, 3) and s.days[-1] == dt.date(2025, 3, 14)
    # The commitment leaves out F, done before the start: the guideline starts where the
    # remaining line does.
    assert s.committed == Decimal("18") == s.start_remaining
    assert s.ideal[0] == Decimal(16)  # 18 over 9 working days, 2 burnt on the first one
    assert s.remaining[: day(10) + 1] == tuple(Decimal(v) for v in (18, 13, 16, 13, 8, 8, 8, 5))
    assert s.remaining[day(11) :] == (None,) * 4  # after now
    assert s.scope_added[day(5)] == 3
    assert s.scope_removed[day(6)] == 3 and s.scope_removed[day(7)] == 5
    assert s.completed[day(4)] == 5 and s.completed[day(10)] == 3
    assert sum(s.completed) == 8  # F, done before the start, is not this sprint's progress
    # 9 working days (weekend and the holiday off); flat on 8, 9 and 12 March
    assert s.ideal[day(7)] == s.ideal[day(8)] == s.ideal[day(9)]
    assert s.ideal[day(11)] == s.ideal[day(12)]
    assert s.ideal[-1] == 0


def test_closed_sprint_is_cut_off_at_its_close_and_stays_fixed(
    services: Services, clock: Clock
) -> None:
    _project, sprint, cards, done = build(services, clock)
    charts = ChartService(services.context)
    clock.set(14, 17)
    services.sprints.complete_sprint(sprint.id, "backlog")
    closed = charts.sprint_burndown(sprint.id)
    assert closed.remaining[-1] == 5  # B is unfinished; carrying it over is no removal
    assert closed.scope_removed[day(14)] == 0
    assert closed.last_index == len(closed.days) - 1
    # Later edits of the cards change nothing in the closed sprint's chart.
    clock.set(17)
    services.board.move_card(cards["B"], done.id)
    services.cards.update_card(cards["A"], {"points": "13"})
    assert charts.sprint_burndown(sprint.id) == closed


def test_time_zone_of_the_project_decides_the_day(services: Services, clock: Clock) -> None:
    from sqlalchemy import update

    from app.models import Project

    project, sprint, cards, done = build(services, clock)
    with services.context.write() as uow:
        uow.session.execute(
            update(Project).where(Project.id == project.id).values(time_zone="Asia/Tokyo")
        )
        uow.commit()
    clock.now = dt.datetime(2025, 3, 10, 20, tzinfo=dt.UTC)  # 11 March 05:00 in Tokyo
    services.board.move_card(cards["B"], done.id)
    s = ChartService(services.context).sprint_burndown(sprint.id)
    assert s.completed[day(11)] == 5 and s.completed[day(10)] == 3


def test_planned_and_unknown_sprints_are_refused(services: Services, clock: Clock) -> None:
    project = services.projects.create_project("PL", "Planned")
    sprint = services.sprints.create_sprint(project.id, "Later", "", "2025-04-07", "2025-04-18")
    charts = ChartService(services.context)
    with pytest.raises(ValidationError, match="has not started"):
        charts.sprint_burndown(sprint.id)
    with pytest.raises(NotFound):
        charts.sprint_burndown(9999)
