"""BudgetService on both databases: budgets, releases, cost to date and where it went, the
burn rate and run-out date, the 80% / 100% warnings, and the AgileEVM table per sprint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from app.bootstrap import Runtime
from app.errors import Conflict, DomainError, NotFound, ValidationError
from app.services import Services
from app.services.events import Change, ChangeKind
from tests.budget_world import budget_database, on_clock
from tests.helpers import database_rows

WORLDS = ("budget",)  # filled before the test's runtime opens the database


@pytest.fixture
def budget(db_url: str) -> dict:  # type: ignore[type-arg]
    """Project BG (tests.budget_world), built once per process and backend, copied."""
    return budget_database(db_url)


@pytest.fixture
def world(budget: dict, runtime: Runtime) -> dict:  # type: ignore[type-arg]
    return on_clock(runtime, budget)


@pytest.fixture
def refused(runtime: Runtime) -> Iterator[Callable[..., DomainError]]:
    def check(error: type[DomainError], call: Callable[..., Any], *args: Any, **kw: Any):
        match = kw.pop("match", None)
        before = database_rows(runtime.engine)
        with pytest.raises(error, match=match) as caught:
            call(*args, **kw)
        message = str(caught.value)
        assert message and "\n" not in message
        assert database_rows(runtime.engine) == before
        return caught.value

    yield check


def test_cost_to_date_and_where_it_went(services: Services, world: dict) -> None:
    o = services.budget.overview(world["pid"])
    assert o.budget == Decimal("1800.00") and o.currency == "EUR"
    assert o.cost_to_date == Decimal("1550.00")
    assert o.minutes == 1200
    assert o.spent_share == Decimal("0.8611")
    assert [(s.label, s.cost) for s in o.per_sprint] == [
        ("Sprint 1", Decimal("800.00")),
        ("Sprint 2", Decimal("700.00")),
        ("(between sprints)", Decimal("50.00")),
    ]
    assert [(p.label, p.cost, p.hours) for p in o.per_person] == [
        ("Ann Able", Decimal("1000.00"), Decimal("9.00")),
        ("Ben Best", Decimal("550.00"), Decimal("11.00")),
    ]
    assert [(e.key, e.cost, e.budget) for e in o.per_epic] == [
        ("BG-1", Decimal("1050.00"), Decimal("1000.00")),
        ("BG-2", Decimal("500.00"), None),
    ]
    assert [(b.day.isoformat(), b.cost) for b in o.burnup] == [
        ("2025-02-18", Decimal("400.00")),
        ("2025-02-20", Decimal("800.00")),
        ("2025-03-01", Decimal("850.00")),
        ("2025-03-04", Decimal("950.00")),
        ("2025-03-11", Decimal("1550.00")),
    ]


def test_burn_rate_and_run_out_date(services: Services, world: dict) -> None:
    o = services.budget.overview(world["pid"])
    assert o.burn_sprints == ("Sprint 1", "Sprint 2")
    assert o.burn_rate_per_sprint == Decimal("750.00")  # (800 + 700) / 2
    assert o.burn_rate_per_day == Decimal("62.50")  # 1500 over 24 calendar days
    assert o.today == dt.date(2025, 3, 17)
    # 250.00 left at 62.50 a day: 4 days.
    assert o.runs_out_on == dt.date(2025, 3, 21)
    assert "2025-03-21" in o.runs_out_text


def test_warnings_at_80_and_100_percent(services: Services, world: dict) -> None:
    o = services.budget.overview(world["pid"])
    assert [(w.level, w.what) for w in o.warnings] == [
        (80, "the project budget"),
        (100, "BG-1 Checkout's budget"),
    ]
    assert o.warnings[0].text == "86% of the project budget is spent (1550.00 of 1800.00)."
    services.budget.set_budget(world["pid"], "1500")
    o = services.budget.overview(world["pid"])
    assert o.warnings[0].level == 100 and o.warnings[0].text.startswith("Over budget: 103%")
    assert o.runs_out_on is None and o.runs_out_text == "The budget is already spent."
    services.budget.set_budget(world["pid"], "100000")
    assert [w.level for w in services.budget.overview(world["pid"]).warnings] == [100]


def test_no_budget_no_logs(services: Services) -> None:
    pid = services.projects.create_project("NB", "Nothing").id
    o = services.budget.overview(pid)
    assert o.cost_to_date == Decimal("0.00") and o.budget is None and o.spent_share is None
    assert o.burnup == () and o.per_person == () and o.warnings == ()
    assert o.runs_out_on is None and o.runs_out_text == "No budget set."
    services.budget.set_budget(pid, "10")
    assert services.budget.overview(pid).runs_out_text.startswith("No sprint has closed")
    table = services.budget.evm(pid)
    assert table.points == () and "no sprints" in table.note.lower()


def test_set_budget_publishes_and_clears(services: Services, world: dict) -> None:
    seen: list[Change] = []
    services.bus.subscribe(seen.append)
    dto = services.budget.set_budget(world["pid"], "2,500.5".replace(",", ""))
    assert dto.budget == Decimal("2500.50")
    assert [c.kind for c in seen] == [ChangeKind.PROJECT_CHANGED]
    assert services.budget.set_budget(world["pid"], "").budget is None


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("-1", "cannot be negative"),
        ("abc", "must be a number"),
        ("1e20", "too large"),
        ("1.001", "two decimals"),
        ("NaN", "finite"),
    ],
)
def test_bad_budgets_are_refused(
    services: Services, world: dict, refused: Callable[..., DomainError], amount: str, words: str
) -> None:
    refused(ValidationError, services.budget.set_budget, world["pid"], amount, match=words)


def test_epic_budgets(services: Services, world: dict, refused: Callable[..., DomainError]) -> None:
    assert [(e.key, e.budget) for e in services.budget.epic_budgets(world["pid"])] == [
        ("BG-1", Decimal("1000.00"))
    ]
    refused(
        ValidationError,
        services.budget.set_epic_budget,
        world["pid"],
        "BG-3",
        "5",
        match="story, not an epic",
    )
    refused(NotFound, services.budget.set_epic_budget, world["pid"], "BG-99", "5")
    refused(ValidationError, services.budget.set_epic_budget, world["pid"], "BG-2", "-5")
    services.budget.set_epic_budget(world["pid"], "bg-1", None)
    assert services.budget.epic_budgets(world["pid"]) == []


def test_releases(services: Services, world: dict, refused: Callable[..., DomainError]) -> None:
    pid = world["pid"]
    r = services.budget.add_release(pid, "  R1 ", 4, "2000", ["BG-2", "bg-1", "BG-1"])
    assert (r.name, r.planned_sprints, r.bac, r.epic_keys) == (
        "R1",
        4,
        Decimal("2000.00"),
        ("BG-1", "BG-2"),
    )
    whole = services.budget.add_release(pid, "Whole", "3", "900.00")
    assert whole.scope_text == "whole backlog"
    assert [x.name for x in services.budget.list_releases(pid)] == ["R1", "Whole"]
    refused(Conflict, services.budget.add_release, pid, "r1", 4, "1")
    refused(ValidationError, services.budget.add_release, pid, "", 4, "1")
    refused(ValidationError, services.budget.add_release, pid, "x" * 201, 4, "1")
    refused(ValidationError, services.budget.add_release, pid, "Bad\x00", 4, "1")
    refused(ValidationError, services.budget.add_release, pid, "R2", 0, "1", match="1 to 1000")
    refused(ValidationError, services.budget.add_release, pid, "R2", "two", "1")
    refused(ValidationError, services.budget.add_release, pid, "R2", 2, "-1")
    refused(ValidationError, services.budget.add_release, pid, "R2", 2, None)
    refused(ValidationError, services.budget.add_release, pid, "R2", 2, "1", ["BG-3"])
    refused(NotFound, services.budget.add_release, pid, "R2", 2, "1", ["nope"])


def test_delete_release_and_add_it_back(
    services: Services, world: dict, refused: Callable[..., DomainError]
) -> None:
    pid = world["pid"]
    services.budget.add_release(pid, "R1", 4, "2000", ["BG-1"])
    services.budget.add_release(pid, "R2", 3, "900")
    seen: list[Change] = []
    services.bus.subscribe(seen.append)
    gone = services.budget.delete_release(pid, " r1 ")
    assert (gone.name, gone.planned_sprints, gone.bac, gone.epic_keys) == (
        "R1",
        4,
        Decimal("2000.00"),
        ("BG-1",),
    )
    assert [c.kind for c in seen] == [ChangeKind.PROJECT_CHANGED]
    assert [r.name for r in services.budget.list_releases(pid)] == ["R2"]
    assert [e.key for e in services.budget.epic_budgets(pid)] == ["BG-1"]  # the epic stays
    refused(NotFound, services.budget.delete_release, pid, "R1", match="no release called 'R1'")
    back = services.budget.add_release(
        pid, gone.name, gone.planned_sprints, gone.bac, gone.epic_keys
    )
    assert back.epic_keys == ("BG-1",)
    assert services.budget.evm(pid, release="R1").scope == "BG-1"


def test_update_release(
    services: Services, world: dict, refused: Callable[..., DomainError]
) -> None:
    pid = world["pid"]
    budget = services.budget
    first = budget.add_release(pid, "R1", 4, "2000")
    budget.add_release(pid, "Other", 2, "100")
    seen: list[Change] = []
    services.bus.subscribe(seen.append)
    r = budget.update_release(pid, "r1", new_name="Launch", planned_sprints="3", epic_keys=["bg-1"])
    assert (r.name, r.planned_sprints, r.bac, r.epic_keys) == (
        "Launch",
        3,
        Decimal("2000.00"),
        ("BG-1",),
    )
    assert r.version == first.version + 1 and seen[-1].kind is ChangeKind.PROJECT_CHANGED
    assert budget.evm(pid, release="Launch").scope == "BG-1"
    r = budget.update_release(pid, "Launch", bac="2500", epic_keys=[])
    assert (r.bac, r.epic_keys, r.name) == (Decimal("2500.00"), (), "Launch")
    assert budget.update_release(pid, "LAUNCH", new_name="launch").name == "launch"  # case only
    update = budget.update_release
    refused(Conflict, update, pid, "launch", new_name="other", match="already a release")
    refused(ValidationError, update, pid, "launch", planned_sprints=0, match="1 to 1000")
    refused(ValidationError, update, pid, "launch", bac="-1", match="negative")
    refused(ValidationError, update, pid, "launch", bac="", match="budget at completion")
    refused(ValidationError, update, pid, "launch", epic_keys=["BG-3"], match="not an epic")
    refused(ValidationError, update, pid, "launch", new_name=" ", match="empty")
    refused(NotFound, update, pid, "nope", bac="5", match="no release")
    stale = budget.list_releases(pid)[0]
    update(pid, "launch", bac="10")
    refused(
        Conflict, update, pid, "launch", bac="20", expected_version=stale.version,
        match="changed elsewhere",
    )  # fmt: skip
    now = [(x.name, x.bac, x.epic_keys) for x in budget.list_releases(pid)]
    assert now == [("launch", Decimal("10.00"), ()), ("Other", Decimal("100.00"), ())]


def test_evm_table_of_a_release(services: Services, world: dict) -> None:
    pid = world["pid"]
    services.budget.add_release(pid, "R1", 4, "2000")
    t = services.budget.evm(pid, release="r1")
    assert (t.release, t.scope, t.planned_sprints, t.bac) == (
        "R1",
        "whole backlog",
        4,
        Decimal("2000.00"),
    )
    first, second = t.points
    assert (first.points_done, first.planned_points) == (Decimal(5), Decimal(13))
    assert (second.points_done, second.planned_points) == (Decimal(13), Decimal(15))
    # Sprint 1: PV 500, EV 5/13 x 2000 = 769.23, AC 800 (the 1 March log comes after it).
    assert (first.pv, first.ev, first.ac) == (
        Decimal("500.00"),
        Decimal("769.23"),
        Decimal("800.00"),
    )
    assert first.cpi == Decimal("0.9615") and first.spi == Decimal("1.5385")
    assert first.reading == "over budget, ahead of schedule"
    # Sprint 2: PV 1000, EV 13/15 x 2000 = 1733.33, AC 1550.
    assert (second.pv, second.ev, second.ac) == (
        Decimal("1000.00"),
        Decimal("1733.33"),
        Decimal("1550.00"),
    )
    assert second.cpi == Decimal("1.1183") and second.spi == Decimal("1.7333")
    assert second.eac == Decimal("1788.46")  # 2000 x 1550 / 1733.33…
    assert second.reading == "under budget, ahead of schedule"


def test_evm_of_one_epic_and_of_the_project(services: Services, world: dict) -> None:
    pid = world["pid"]
    t = services.budget.evm(pid, epic="BG-1")
    assert (t.release, t.bac, t.planned_sprints) == ("epic BG-1", Decimal("1000.00"), 2)
    assert [(p.points_done, p.planned_points, p.ac) for p in t.points] == [
        (Decimal(5), Decimal(10), Decimal("400.00")),
        (Decimal(10), Decimal(10), Decimal("1050.00")),
    ]
    whole = services.budget.evm(pid)
    assert whole.release == "whole project" and whole.bac == Decimal("1800.00")
    assert whole.points[-1].ev == Decimal("1560.00")  # 13/15 x 1800
    no_budget = services.budget.evm(pid, epic="BG-2")
    assert no_budget.points == () and "has no budget" in no_budget.note


def test_evm_refusals(services: Services, world: dict) -> None:
    pid = world["pid"]
    services.budget.add_release(pid, "Search only", 2, "600", ["BG-2"])
    with pytest.raises(NotFound, match="no release called 'R9'"):
        services.budget.evm(pid, release="R9")
    with pytest.raises(ValidationError, match="BG-1 is not in the release Search only"):
        services.budget.evm(pid, release="Search only", epic="BG-1")
    only = services.budget.evm(pid)  # the one release is the default
    assert only.release == "Search only" and only.scope == "BG-2"
    assert [p.points_done for p in only.points] == [Decimal(0), Decimal(3)]
    whole = services.budget.evm(pid, project_wide=True)  # the releases set aside
    assert (whole.release, whole.bac) == ("whole project", Decimal("1800.00"))


def test_one_read_for_the_page_gives_what_the_two_reads_give(
    services: Services, world: dict, runtime: Runtime
) -> None:
    """overview_and_evm (the Budget page's and the status report's read) costs the logs once
    and sums the EVM's cost per sprint from those rows: the same figures as the two reads,
    for a release of every epic and for one narrowed to epics (which costs its own logs)."""
    pid = world["pid"]
    budget = services.budget
    budget.add_release(pid, "All", 4, "2000")
    budget.add_release(pid, "Search only", 2, "600", ["BG-2"])
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        for release, wide in (("All", False), ("Search only", False), (None, True)):
            statements.clear()
            both = budget.overview_and_evm(pid, release, project_wide=wide)
            costings = sum("CASE work_log.member_id" in s for s in statements)
            assert both == (budget.overview(pid), budget.evm(pid, release, project_wide=wide))
            # Per person and day, per epic; the narrowed release costs its own logs once more.
            assert costings == (3 if release == "Search only" else 2), release
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    ac = [p.ac for p in budget.overview_and_evm(pid, "All")[1].points]
    assert ac == [Decimal("800.00"), Decimal("1550.00")]


def test_no_cost_logged_yet_is_said(services: Services) -> None:
    pid = services.projects.create_project("NC", "No cost").id
    s = services.sprints.create_sprint(pid, "S1", "", "2025-01-06", "2025-01-17")
    services.cards.create_card(pid, "One", points="3", sprint_id=s.id)
    services.sprints.start_sprint(s.id)
    services.sprints.complete_sprint(s.id, "backlog")
    services.budget.add_release(pid, "R", 2, "1000")
    (p,) = services.budget.evm(pid).points
    assert p.ac == Decimal("0.00") and p.cpi is None
    assert p.reasons["cpi"] == "no cost logged yet"


def test_status_snapshots_on_this_database(services: Services, world: dict) -> None:
    """The status report's snapshot is stored and read back exactly (see
    tests/reports/test_status_report.py for the report itself)."""
    pid = world["pid"]
    first = services.status_reports.take(pid)
    services.budget.set_budget(pid, "5000")
    world["clock"].set(18, 9)
    services.status_reports.take(pid)
    again = services.status_reports.load(pid, 1)
    assert again == first
    assert (again.budget, again.cost_to_date) == (Decimal("1800.00"), Decimal("1550.00"))
    assert services.status_reports.load(pid).budget == Decimal("5000.00")
    listed = services.status_reports.list_snapshots(pid)
    assert [(s.number, s.as_of.isoformat()) for s in listed] == [
        (1, "2025-03-17"),
        (2, "2025-03-18"),
    ]
    assert listed[0].taken_at.tzinfo is not None


def test_sql_costs_have_the_cents_of_costing_each_log(
    services: Services, runtime: Runtime, world: dict
) -> None:
    """The SQL aggregates against the time service's per-log costs, on a world where the
    order of rounding matters: several rates, a project's own rate for a person, rates that
    change in the middle of a sprint, a rate in another currency (ignored), someone with no
    rate, odd minutes (7 m at 133.33/h is 15.56; 3 x 20 m at 133.33/h is 133.32, not 133.33)."""
    from app.metrics.costing import log_cost
    from app.models import MemberRate, WorkLog
    from tests.budget_world import add_rows

    pid, ann, ben = world["pid"], world["ann"], world["ben"]
    cy = services.projects.add_member(pid, "Cy Cole").id  # no rate at all: costs 0.00
    loose = services.cards.create_card(pid, "Loose end").id  # in no epic
    cards = {c.key: c.id for c in services.cards.list_cards(pid)}
    services.budget.add_release(pid, "Checkout only", 4, "2000", ["BG-1"])

    def rate(member: int, day: dt.date, amount: str, project: int | None = None, cur="EUR"):
        return MemberRate(
            member_id=member,
            project_id=project,
            effective_from=day,
            hourly_rate=Decimal(amount),
            currency=cur,
        )

    add_rows(
        runtime,
        rate(ann, dt.date(2025, 2, 24), "133.33"),  # mid Sprint 1; BG's own rate still wins later
        rate(ben, dt.date(2025, 2, 19), "77.77", pid),  # mid Sprint 1, BG's own rate for Ben
        rate(ben, dt.date(2025, 3, 6), "41.11", pid),  # mid Sprint 2
        rate(ben, dt.date(2025, 2, 26), "999.00", cur="USD"),  # not the project's currency
    )
    logs = [
        (ann, "BG-3", dt.date(2025, 2, 17), 7),
        (ann, "BG-3", dt.date(2025, 2, 24), 7),
        (ann, "BG-1", dt.date(2025, 2, 25), 20),  # time on the epic itself
        (ann, "BG-1", dt.date(2025, 2, 25), 20),
        (ann, "BG-1", dt.date(2025, 2, 25), 20),
        (ben, "BG-4", dt.date(2025, 2, 18), 13),
        (ben, "BG-4", dt.date(2025, 2, 19), 13),
        (ben, "BG-4", dt.date(2025, 2, 27), 59),
        (ben, "BG-6", dt.date(2025, 3, 6), 61),
        (ben, "BG-6", dt.date(2025, 3, 6), 1),
        (cy, "BG-5", dt.date(2025, 3, 7), 45),
        (ann, "BG-5", dt.date(2025, 3, 12), 37),
        (ben, "BG-7", dt.date(2025, 3, 13), 20),  # the loose card
        (ann, "BG-7", dt.date(2025, 3, 15), 33),  # after Sprint 2's end
    ]
    add_rows(
        runtime,
        *(WorkLog(card_id=cards[k], member_id=m, day=d, minutes=n) for m, k, d, n in logs),
    )
    assert cards["BG-7"] == loose

    per_log = services.time.project_logs(pid)
    assert len(per_log) == 6 + len(logs)
    by = lambda key: {  # noqa: E731 - a small grouping helper
        k: sum((log.cost for log in per_log if key(log) == k), Decimal("0.00"))
        for k in {key(log) for log in per_log}
    }
    epic_of = {"BG-1": "BG-1", "BG-3": "BG-1", "BG-5": "BG-1", "BG-4": "BG-2", "BG-6": "BG-2"}
    # The rounding really matters here: costing the summed minutes would differ.
    anns_epic_time = [log for log in per_log if log.card_key == "BG-1"]
    assert sum(log.cost for log in anns_epic_time) == Decimal("133.32")
    assert log_cost(60, anns_epic_time[0].rate) == Decimal("133.33")

    o = services.budget.overview(pid)
    assert o.cost_to_date == sum(log.cost for log in per_log)
    assert o.minutes == sum(log.minutes for log in per_log)
    assert {p.label: p.cost for p in o.per_person} == by(lambda log: log.member_name)
    epics = {e.key or "none": e.cost for e in o.per_epic}
    assert epics == by(lambda log: epic_of.get(log.card_key, "none"))
    daily = by(lambda log: log.day)
    running = Decimal("0.00")
    expected_burnup = []
    for day in sorted(daily):
        running += daily[day]
        expected_burnup.append((day, running))
    assert [(b.day, b.cost) for b in o.burnup] == expected_burnup

    def sprint_of(day: dt.date) -> str:
        if dt.date(2025, 2, 17) <= day <= dt.date(2025, 2, 28):
            return "Sprint 1"
        if dt.date(2025, 3, 3) <= day <= dt.date(2025, 3, 14):
            return "Sprint 2"
        return "(between sprints)"

    assert {s.label: s.cost for s in o.per_sprint} == by(lambda log: sprint_of(log.day))

    ends = [dt.date(2025, 2, 28), dt.date(2025, 3, 14)]
    whole = services.budget.evm(pid, project_wide=True)
    assert [p.ac for p in whole.points] == [
        sum(log.cost for log in per_log if log.day <= end) for end in ends
    ]
    checkout = services.budget.evm(pid, release="Checkout only")
    assert [p.ac for p in checkout.points] == [
        sum(log.cost for log in per_log if log.day <= end and epic_of.get(log.card_key) == "BG-1")
        for end in ends
    ]
