"""The demo's sprints: dated history relative to the seeding day, every chart has data."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

from app.services import Services
from app.services.chart_data import ChartService
from app.services.demo import DEMO_KEY
from tests.helpers import run_cli


def test_demo_has_three_closed_sprints_and_an_active_one(demo: Services) -> None:
    project = demo.projects.find_project(DEMO_KEY)
    sprints = demo.sprints.list_sprints(project.id)
    assert [s.name for s in sprints] == [f"DEMO Sprint {n}" for n in range(1, 5)]
    assert [s.state for s in sprints] == ["closed", "closed", "closed", "active"]
    assert all(s.goal for s in sprints)
    active = demo.sprints.active_sprint(project.id)
    assert active is not None and active.start_date is not None and active.end_date is not None
    today = dt.datetime.now(dt.UTC).date()
    assert today - dt.timedelta(days=10) <= active.start_date < today
    assert active.end_date > today  # half way through, not over
    # Closed sprints: two weeks each, one after the other, with snapshot figures.
    for before, after in itertools.pairwise(sprints):
        assert before.end_date is not None and after.start_date is not None
        assert before.end_date < after.start_date
    for sprint in sprints[:3]:
        summary = demo.sprints.sprint_summary(sprint.id)
        assert Decimal(20) <= summary.committed_points <= Decimal(35)
        assert Decimal(20) <= summary.completed_points <= Decimal(30)
        assert sprint.committed_points == summary.committed_points
        assert sprint.completed_points == summary.completed_points
    summaries = [demo.sprints.sprint_summary(s.id) for s in sprints[:3]]
    assert any(s.not_completed_count for s in summaries), "some cards were carried over"
    assert any(s.added_count for s in summaries), "scope was added mid-sprint"
    assert any(s.removed_count for s in summaries), "a card was removed from a sprint"
    # A holiday falls inside one of the closed sprints.
    holidays = [h.day for h in demo.sprints.list_holidays(project.id)]
    assert any(
        s.start_date is not None and s.end_date is not None and s.start_date < h < s.end_date
        for h in holidays
        for s in sprints[:3]
    )
    # Some cards stay in the backlog.
    backlog = [c for c in demo.cards.list_cards(project.id) if c.sprint_id is None]
    assert len([c for c in backlog if c.type != "epic"]) >= 3


def test_demo_charts_have_data(demo: Services) -> None:
    project = demo.projects.find_project(DEMO_KEY)
    sprints = demo.sprints.list_sprints(project.id)
    charts = ChartService(demo.context)
    series = [charts.sprint_burndown(s.id) for s in sprints]
    for burndown in series:
        assert burndown.days and burndown.committed > 0
        assert any(value is not None for value in burndown.remaining)
    closed = series[:3]
    assert all(b.remaining[-1] is not None and b.remaining[-1] < b.committed for b in closed)
    assert any(b.changes for b in series), "a scope change shows in at least one burndown"
    assert {c.reason for b in series for c in b.changes} >= {"added", "removed", "estimate"}
    active = series[3]
    assert active.last_index is not None and 0 < active.last_index < len(active.days) - 1
    # The holiday is a non-working weekday in one closed sprint's chart.
    assert any(
        not working
        for b in closed
        for day, working in zip(b.days, b.working, strict=True)
        if day.weekday() < 5
    )


def test_demo_velocity_and_capacity(demo: Services) -> None:
    project = demo.projects.find_project(DEMO_KEY)
    velocity = demo.sprints.velocity(project.id)
    assert velocity.velocity is not None and Decimal(20) <= velocity.velocity <= Decimal(30)
    assert len(velocity.sprints) == 3 and len(velocity.velocity_sprints) == 3
    active = demo.sprints.active_sprint(project.id)
    assert active is not None
    plan = demo.sprints.sprint_plan(active.id)
    assert len(plan.members) == 5 and all(m.has_capacity_row for m in plan.members)
    assert len(plan.over_capacity_members) == 1
    assert any(m.days_off > 0 for m in plan.members)
    assert plan.velocity == velocity.velocity
    assert plan.committed_points > 0


def test_demo_is_the_same_when_seeded_twice(tmp_path: Path) -> None:
    dumps = []
    for name in ("one.db", "two.db"):
        path = tmp_path / name
        assert run_cli("init", "--demo", db=path).returncode == 0
        listing = run_cli("card", "list", "--project", DEMO_KEY, "--json", "--all", db=path)
        assert listing.returncode == 0, listing.stderr
        dumps.append(listing.stdout)
        sprints = run_cli("sprint", "list", "--project", DEMO_KEY, "--json", db=path)
        assert sprints.returncode == 0, sprints.stderr
        dumps.append(sprints.stdout)
    assert dumps[0] == dumps[2] and dumps[1] == dumps[3]
    assert '"DEMO Sprint 4"' in dumps[0]
