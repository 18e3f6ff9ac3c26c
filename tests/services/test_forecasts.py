"""services.forecasts on both backends: a real history of finished cards, the scope, the
dependencies, risks, the cost odds, publishing, and the forecasts it refuses to guess."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.bootstrap import Runtime
from app.errors import NotFound, ValidationError
from app.models import CardDependency, Forecast, MemberRate, Milestone, MilestoneScope, WorkLog
from app.services import Services
from tests.helpers import Clock, make_runtime, working_days, world_database

EVERY = {50: 10, 70: 10, 85: 10, 95: 10}


@pytest.fixture
def clock(services: Services) -> Clock:
    # Sunday 2 March 2025: the cards are created before the first working day.
    c = Clock(dt.datetime(2025, 3, 2, 10, tzinfo=dt.UTC))
    services.context.clock = c
    return c


STEADY_NOW = dt.datetime(2025, 4, 14, 9, tzinfo=dt.UTC)
WORLDS = ("steady_world",)  # filled before the test's runtime opens the database


def _steady(db: Path | str) -> dict:
    runtime = make_runtime(db)
    try:
        services = runtime.services
        clock = Clock(dt.datetime(2025, 3, 2, 10, tzinfo=dt.UTC))
        services.context.clock = clock
        project = services.projects.create_project("FC", "Forecast", "kanban")
        cols = {c.category: c.id for c in services.workflow.list_columns(project.id)}
        finished = [services.cards.create_card(project.id, f"Done {i}").id for i in range(60)]
        epic = services.cards.create_card(project.id, "Epic A", type="epic")
        empty = services.cards.create_card(project.id, "Epic B", type="epic")
        open_ids = [
            services.cards.create_card(
                project.id, f"Open {i}", parent_id=epic.id if i < 6 else None
            ).id
            for i in range(20)
        ]
        days = working_days(dt.date(2025, 3, 3), 30)
        for i, day in enumerate(days):
            for card_id in finished[2 * i : 2 * i + 2]:
                clock.now = dt.datetime.combine(day, dt.time(15), dt.UTC)
                services.board.move_card(card_id, cols["done"])
    finally:
        runtime.close()
    return {"project": project, "epic": epic, "empty": empty, "open": open_ids,
            "done": finished, "cols": cols}  # fmt: skip


@pytest.fixture
def steady_world(db_url: str) -> dict:
    """The steady history, built once per process and backend, copied for this test."""
    return world_database(db_url, _steady)


@pytest.fixture
def steady(steady_world: dict, services: Services, clock: Clock) -> dict:
    """Two cards finished on each of 30 working days (3 March to 11 April), 20 open cards
    left (one epic holds 6 of them, another epic has none yet); today Monday 14 April."""
    clock.now = STEADY_NOW
    return steady_world


def test_constant_history_gives_ten_working_days_at_every_percentile(
    services: Services, steady: dict
) -> None:
    result = services.forecasts.forecast(steady["project"].id, cards=20, seed=1)
    assert result.days == EVERY
    assert result.window == 30 and result.finished_in_window == 60
    assert result.start == dt.date(2025, 4, 11)
    # Ten working days after Monday 14 April: Monday 28 April.
    assert result.dates == dict.fromkeys(EVERY, dt.date(2025, 4, 28))
    # The open cards (no scope named) are the same 20.
    assert services.forecasts.forecast(steady["project"].id, seed=1).cards == 20


def test_how_many_by_a_date(services: Services, steady: dict) -> None:
    result = services.forecasts.forecast(steady["project"].id, cards=20, date="2025-04-18")
    assert result.cards_by_date == {50: 8, 70: 8, 85: 8, 95: 8}  # four working days


def test_an_epic_counts_its_open_cards_and_an_unsplit_epic_the_ratio(
    services: Services, steady: dict
) -> None:
    project = steady["project"]
    result = services.forecasts.forecast(project.id, epic=f"FC-{steady['epic'].number}", seed=1)
    assert result.cards == 6 and result.days == dict.fromkeys(EVERY, 3)
    unsplit = services.forecasts.forecast(project.id, epic=f"FC-{steady['empty'].number}")
    assert unsplit.unsplit_epics == 1 and unsplit.cards == 6  # Epic A's 6 cards per epic


def test_a_milestone_scope_and_the_backlog_to_a_rank(
    services: Services, steady: dict, runtime: Runtime
) -> None:
    project = steady["project"]
    with runtime.services.context.writer() as session:
        milestone = Milestone(project_id=project.id, name="Beta", day=dt.date(2025, 5, 1))
        session.add(milestone)
        session.flush()
        session.add(MilestoneScope(milestone_id=milestone.id, card_id=steady["epic"].id))
        session.add(MilestoneScope(milestone_id=milestone.id, card_id=steady["open"][10]))
        session.commit()
    beta = services.forecasts.forecast(project.id, milestone="beta", seed=1)
    assert beta.cards == 7 and beta.scope == "milestone Beta"
    last = services.cards.get_card(steady["open"][3])
    ranked = services.forecasts.forecast(project.id, to_card=last.key, seed=1)
    assert ranked.cards == 4


def test_dependencies_and_risks_lengthen_the_forecast(
    services: Services, steady: dict, runtime: Runtime
) -> None:
    project = steady["project"]
    chain = steady["open"][:5]
    with runtime.services.context.writer() as session:
        for a, b in itertools.pairwise(chain):
            session.add(CardDependency(blocker_id=a, blocked_id=b))
        session.commit()
    epic = f"FC-{steady['epic'].number}"
    assert services.forecasts.forecast(project.id, epic=epic, seed=1).critical_path == 5
    assert services.forecasts.forecast(project.id, epic=epic, seed=1).days[95] == 5
    services.risks.add_risk(project.id, "Outage", probability=5, impact=3, schedule_days=4)
    services.risks.add_risk(project.id, "Closed", probability=5, impact=3, schedule_days=40,
                            status="closed")  # fmt: skip
    result = services.forecasts.forecast(project.id, epic=epic, seed=1)
    assert result.risks == ("R-1",)
    assert result.days[50] == 9  # 90% of trials suffer the 4 days
    share = dict(result.histogram)[9] / result.trials
    assert 0.88 < share < 0.92


def test_the_cost_forecast_gives_the_odds_of_the_budget(
    services: Services, steady: dict, runtime: Runtime
) -> None:
    project = steady["project"]
    ana = services.projects.add_member(project.id, "Ana")
    with runtime.services.context.writer() as session:
        rate = Decimal("50")
        start = dt.date(2025, 1, 1)
        session.add(MemberRate(member_id=ana.id, effective_from=start, hourly_rate=rate))
        for card_id in steady["done"]:
            session.add(WorkLog(card_id=card_id, member_id=ana.id, day=dt.date(2025, 3, 3),
                                minutes=120))  # fmt: skip
        session.commit()
    result = services.forecasts.forecast(project.id, cards=20, seed=1)
    assert result.cost is not None and result.cost_note == ""
    assert result.cost.per_card == Decimal("100.00")
    assert result.cost.cost == dict.fromkeys(EVERY, Decimal("2000.00"))
    assert result.cost.within_budget is None  # the project has no budget


def test_no_logged_time_says_why_there_is_no_cost(services: Services, steady: dict) -> None:
    result = services.forecasts.forecast(steady["project"].id, cards=5, seed=1)
    assert result.cost is None and "No time is logged" in result.cost_note


def test_publishing_stores_question_seed_and_answer(
    services: Services, steady: dict, runtime: Runtime
) -> None:
    project = steady["project"]
    result = services.forecasts.forecast(project.id, cards=20, seed=77, publish=True)
    assert result.forecast_id is not None
    [stored] = services.forecasts.published(project.id)
    assert stored["seed"] == 77 and stored["trials"] == 10_000
    assert stored["question"]["cards"] == 20
    assert stored["answer"]["days"] == {"50": 10, "70": 10, "85": 10, "95": 10}
    # Re-running with the stored seed gives the same answer.
    again = services.forecasts.forecast(project.id, cards=20, seed=stored["seed"])
    assert json.loads(json.dumps(again.to_json()))["histogram"] == stored["answer"]["histogram"]
    with runtime.services.context.reader() as session:
        assert session.query(Forecast).count() == 1


def test_no_finished_card_in_the_window_says_why(services: Services, clock: Clock) -> None:
    project = services.projects.create_project("NEW", "New")
    services.cards.create_card(project.id, "Only card")
    clock.now = dt.datetime(2025, 3, 20, 9, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="No card was finished in the last") as caught:
        services.forecasts.forecast(project.id)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"window": 20}, ValidationError, "30 to 90"),
        ({"window": 91}, ValidationError, "30 to 90"),
        ({"cards": -3}, ValidationError, "number of cards"),
        ({"cards": "lots"}, ValidationError, "number of cards"),
        ({"seed": -1}, ValidationError, "seed"),
        ({"trials": 5}, ValidationError, "100 to 1,000,000"),
        ({"date": "2025-04-14"}, ValidationError, "not after today"),
        ({"date": "someday"}, ValidationError, "not a date"),
        ({"epic": "FC-1"}, ValidationError, "not an epic"),
        ({"epic": "FC-999"}, NotFound, "no card FC-999"),
        ({"milestone": "Gamma"}, NotFound, "no milestone"),
        ({"cards": 3, "epic": "FC-1"}, ValidationError, "one scope at a time"),
    ],
)
def test_bad_questions_are_refused_in_one_line(
    services: Services, steady: dict, kwargs: dict, error: type, match: str
) -> None:
    with pytest.raises(error, match=match) as caught:
        services.forecasts.forecast(steady["project"].id, **kwargs)
    assert "\n" not in str(caught.value)


def test_the_timeline_batch_answers_as_each_forecast_alone(
    services: Services, steady: dict, runtime: Runtime
) -> None:
    """One shared set of trials for every epic and milestone, and each answer is the one
    the scope gets alone with the same seed."""
    project = steady["project"]
    with runtime.services.context.writer() as session:
        beta = Milestone(project_id=project.id, name="Beta", day=dt.date(2025, 4, 18))
        session.add(beta)
        session.flush()
        session.add(MilestoneScope(milestone_id=beta.id, card_id=steady["epic"].id))
        session.add(MilestoneScope(milestone_id=beta.id, card_id=steady["open"][10]))
        session.commit()
        beta_id = beta.id
    # A risk striking in 30% of the trials spreads the percentiles, so the seed matters.
    services.risks.add_risk(project.id, "Vendor", probability=2, impact=3, schedule_days=2)
    batch = services.forecasts.timeline(project.id, seed=5, trials=2000)
    assert set(batch.epics) == {steady["epic"].id, steady["empty"].id}
    epic = batch.epics[steady["epic"].id]
    alone = services.forecasts.forecast(
        project.id, epic=f"FC-{steady['epic'].number}", seed=5, trials=2000
    )
    assert epic.days == alone.days and epic.dates == alone.dates and epic.cards == 6
    assert epic.risks == alone.risks == ("R-1",)
    milestone = batch.milestones[beta_id]
    beta_alone = services.forecasts.forecast(project.id, milestone="Beta", seed=5, trials=2000)
    assert milestone.days == beta_alone.days and milestone.cards == 7
    # 7 cards at 2 a day take 4 working days, Friday 18 April, unless the 2-day risk
    # strikes (in about 30% of the trials).
    assert milestone.days[50] == 4 and milestone.days[95] == 6
    assert 0.65 < milestone.chance < 0.75
    assert services.forecasts.timeline(project.id, seed=5, trials=2000) == batch


def test_the_timeline_batch_says_why_without_throughput(services: Services, clock: Clock) -> None:
    project = services.projects.create_project("NEW", "New")
    epic = services.cards.create_card(project.id, "Epic", type="epic")
    services.cards.create_card(project.id, "Open", parent_id=epic.id)
    clock.now = dt.datetime(2025, 3, 20, 9, tzinfo=dt.UTC)
    batch = services.forecasts.timeline(project.id)
    assert batch.epics == {} and "No card was finished" in batch.note


def test_a_risk_counts_only_in_the_forecasts_of_what_it_is_linked_to(
    services: Services, steady: dict, runtime: Runtime
) -> None:
    project = steady["project"]
    epic_a, epic_b = steady["epic"], steady["empty"]
    loose = steady["open"][12]  # a card of no epic
    with runtime.services.context.writer() as session:
        beta = Milestone(project_id=project.id, name="Beta", day=dt.date(2025, 5, 1))
        session.add(beta)
        session.flush()
        session.add(MilestoneScope(milestone_id=beta.id, card_id=loose))
        session.commit()
    a_child = services.cards.get_card(steady["open"][0]).key
    risks = services.risks
    risks.add_risk(project.id, "Anywhere", probability=5, impact=1, schedule_days=1)
    risks.add_risk(project.id, "On A", probability=5, impact=1, schedule_days=1,
                   epics=[f"FC-{epic_a.number}"])  # fmt: skip
    risks.add_risk(project.id, "On a card of A", probability=5, impact=1, schedule_days=1,
                   cards=[a_child])  # fmt: skip
    risks.add_risk(project.id, "On Beta", probability=5, impact=1, schedule_days=1,
                   milestones=["Beta"])  # fmt: skip
    risks.add_risk(project.id, "On the loose card", probability=5, impact=1, schedule_days=1,
                   cards=[services.cards.get_card(loose).key])  # fmt: skip
    forecast = services.forecasts.forecast
    assert forecast(project.id, epic=f"FC-{epic_a.number}", seed=1).risks == ("R-1", "R-2", "R-3")
    assert forecast(project.id, epic=f"FC-{epic_b.number}", seed=1).risks == ("R-1",)
    assert forecast(project.id, milestone="Beta", seed=1).risks == ("R-1", "R-4", "R-5")
    assert forecast(project.id, cards=5, seed=1).risks == ("R-1",)
    assert forecast(project.id, seed=1).risks == ("R-1", "R-2", "R-3", "R-4", "R-5")
    # The same rule on the Timeline.
    batch = services.forecasts.timeline(project.id, seed=1)
    assert batch.epics[epic_a.id].risks == ("R-1", "R-2", "R-3")
    assert batch.epics[epic_b.id].risks == ("R-1",)


def test_each_timeline_scope_has_its_histogram_in_dated_bins(
    services: Services, steady: dict, runtime: Runtime
) -> None:
    """The histogram of a scope is the one its forecast alone gives; its bins hold every
    trial, in at most 20 bars dated on the project's calendar."""
    project = steady["project"]
    with runtime.services.context.writer() as session:
        beta = Milestone(project_id=project.id, name="Beta", day=dt.date(2025, 4, 18))
        session.add(beta)
        session.flush()
        session.add(MilestoneScope(milestone_id=beta.id, card_id=steady["epic"].id))
        session.commit()
        beta_id = beta.id
    services.risks.add_risk(project.id, "Vendor", probability=3, impact=3, schedule_days=30)
    batch = services.forecasts.timeline(project.id, seed=3, trials=2000)
    key = f"FC-{steady['epic'].number}"
    alone = services.forecasts.forecast(project.id, epic=key, seed=3, trials=2000)
    epic = batch.epics[steady["epic"].id]
    assert epic.histogram == alone.histogram
    for odds in (*batch.epics.values(), *batch.milestones.values()):
        assert sum(b.trials for b in odds.bins) == batch.trials == 2000
        assert sum(n for _, n in odds.histogram) == 2000
        assert 1 <= len(odds.bins) <= 20
        assert odds.bins[0].first_day == odds.histogram[0][0]
        assert odds.bins[-1].last_day == odds.histogram[-1][0]
    # 6 cards at 2 a day: 3 working days, or 33 when the 30-day risk strikes (half the
    # trials): two bars far apart, each dated (3 working days after Monday 14 April).
    assert epic.bins[0].first == dt.date(2025, 4, 17)
    assert epic.bins[0].trials + epic.bins[-1].trials == 2000
    assert 800 < epic.bins[0].trials < 1200
    assert epic.bins[-1].last == dt.date(2025, 5, 29)  # 33 working days on
    milestone = batch.milestones[beta_id]
    assert epic.deadline_days is None and milestone.deadline_days == 4  # Tue..Fri
    made = sum(n for days, n in milestone.histogram if days <= 4)
    assert milestone.chance == made / 2000


def test_the_timeline_says_why_a_scope_has_no_forecast(
    services: Services, steady: dict, runtime: Runtime
) -> None:
    project = steady["project"]
    finished = services.cards.create_card(project.id, "Finished", type="epic")
    child = services.cards.create_card(project.id, "Child", parent_id=finished.id)
    services.board.move_card(child.id, steady["cols"]["done"])
    with runtime.services.context.writer() as session:
        empty = Milestone(project_id=project.id, name="Empty", day=dt.date(2025, 5, 1))
        met = Milestone(project_id=project.id, name="Met", day=dt.date(2025, 5, 2))
        session.add_all([empty, met])
        session.flush()
        session.add(MilestoneScope(milestone_id=met.id, card_id=child.id))
        session.commit()
        ids = empty.id, met.id
    batch = services.forecasts.timeline(project.id)
    assert finished.id not in batch.epics
    assert batch.why_not("epic", finished.id) == (
        "Every card of this epic is done: nothing left to forecast."
    )
    assert batch.why_not("milestone", ids[0]) == (
        "No card or epic is linked to this milestone: nothing to forecast."
    )
    assert batch.why_not("milestone", ids[1]) == (
        "Every card of this milestone is done: nothing left to forecast."
    )
    assert batch.why_not("epic", steady["epic"].id) == ""


def test_a_timeline_scope_out_of_reach_says_so(services: Services, clock: Clock) -> None:
    """One card finished in 30 working days cannot finish 120 within ten years: that
    epic gets the Monte Carlo's reason, not a bar."""
    project = services.projects.create_project("SL", "Slow", "kanban")
    done = next(c.id for c in services.workflow.list_columns(project.id) if c.category == "done")
    epic = services.cards.create_card(project.id, "Huge", type="epic")
    small = services.cards.create_card(project.id, "Small", type="epic")
    services.cards.create_card(project.id, "One", parent_id=small.id)
    for i in range(120):
        services.cards.create_card(project.id, f"Part {i}", parent_id=epic.id)
    finished = services.cards.create_card(project.id, "Finished")
    clock.now = dt.datetime(2025, 3, 5, 15, tzinfo=dt.UTC)
    services.board.move_card(finished.id, done)
    clock.now = dt.datetime(2025, 4, 14, 9, tzinfo=dt.UTC)
    batch = services.forecasts.timeline(project.id, window=30)
    assert small.id in batch.epics and epic.id not in batch.epics
    assert batch.why_not("epic", epic.id) == (
        "120 cards take more than 2600 working days at this throughput."
    )
