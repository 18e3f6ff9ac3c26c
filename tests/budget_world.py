"""A project with money in it (BG), shared by the budget, CLI, report and page tests.

Built through the services with a :class:`tests.helpers.Clock`; the work logs and rates are
written as rows (the time service is another branch's), so every figure is known by hand:

- Ann: 100.00/h from 2025-01-01, and BG's own rate 120.00/h from 2025-03-10; Ben 50.00/h.
- Epics BG-1 Checkout (budget 1,000.00) and BG-2 Search.
- Sprint 1 (17-28 Feb): BG-3 (5 pts, Checkout) done; BG-4 (3 pts, Search) not done.
  Logs: Ann 4 h on BG-3 on 18 Feb (400.00), Ben 8 h on BG-4 on 20 Feb (400.00).
- Saturday 1 Mar, between sprints: Ben 1 h on BG-3 (50.00).
- Sprint 2 (3-14 Mar): BG-4 again and BG-5 (5 pts, Checkout) done, BG-6 (2 pts, Search)
  added to the release on 5 Mar and not done. Logs: Ben 2 h on BG-6 on 4 Mar (100.00),
  Ann 5 h on BG-5 on 11 Mar at the project rate (600.00).

Cost to date 1,550.00 against a budget of 1,800.00 (86%): the 80% warning; Checkout's
1,050.00 against its 1,000.00: over. Points done: 5 after Sprint 1, 13 after Sprint 2;
planned 13 at the close of Sprint 1, 15 at the close of Sprint 2 (BG-6 added).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from app.bootstrap import Runtime
from app.models import MemberRate, WorkLog
from tests.helpers import Clock, make_runtime, world_database

START = dt.datetime(2025, 2, 10, 10, tzinfo=dt.UTC)


def add_rows(runtime: Runtime, *rows: object) -> None:
    with Session(runtime.engine) as session:
        session.add_all(rows)
        session.commit()


def build_budget(runtime: Runtime) -> dict:  # type: ignore[type-arg]
    services = runtime.services
    clock = Clock(START)
    services.context.clock = clock
    pid = services.projects.create_project("BG", "Budget project").id
    ann = services.projects.add_member(pid, "Ann Able").id
    ben = services.projects.add_member(pid, "Ben Best").id
    done = next(c for c in services.workflow.list_columns(pid) if c.category == "done")
    checkout = services.cards.create_card(pid, "Checkout", type="epic").id
    search = services.cards.create_card(pid, "Search", type="epic").id
    s1 = services.sprints.create_sprint(pid, "Sprint 1", "", "2025-02-17", "2025-02-28")
    s2 = services.sprints.create_sprint(pid, "Sprint 2", "", "2025-03-03", "2025-03-14")
    c3 = services.cards.create_card(pid, "Pay", points="5", parent_id=checkout, sprint_id=s1.id)
    c4 = services.cards.create_card(pid, "Find", points="3", parent_id=search, sprint_id=s1.id)
    c5 = services.cards.create_card(pid, "Ship", points="5", parent_id=checkout, sprint_id=s2.id)
    clock.set(17, 8, month=2)
    services.sprints.start_sprint(s1.id)
    clock.set(21, 12, month=2)
    services.board.move_card(c3.id, done.id)
    clock.set(28, 17, month=2)
    services.sprints.complete_sprint(s1.id, s2.id)
    clock.set(3, 8)
    services.sprints.start_sprint(s2.id)
    clock.set(5, 10)
    c6 = services.cards.create_card(pid, "Sort", points="2", parent_id=search, sprint_id=s2.id)
    clock.set(12, 10)
    services.board.move_card(c4.id, done.id)
    services.board.move_card(c5.id, done.id)
    clock.set(14, 17)
    services.sprints.complete_sprint(s2.id, "backlog")
    clock.set(17, 9)
    add_rows(
        runtime,
        MemberRate(
            member_id=ann,
            project_id=None,
            effective_from=dt.date(2025, 1, 1),
            hourly_rate=Decimal("100.00"),
            currency="EUR",
        ),
        MemberRate(
            member_id=ann,
            project_id=pid,
            effective_from=dt.date(2025, 3, 10),
            hourly_rate=Decimal("120.00"),
            currency="EUR",
        ),
        MemberRate(
            member_id=ben,
            project_id=None,
            effective_from=dt.date(2025, 1, 1),
            hourly_rate=Decimal("50.00"),
            currency="EUR",
        ),
        WorkLog(card_id=c3.id, member_id=ann, day=dt.date(2025, 2, 18), minutes=240),
        WorkLog(card_id=c4.id, member_id=ben, day=dt.date(2025, 2, 20), minutes=480),
        WorkLog(card_id=c3.id, member_id=ben, day=dt.date(2025, 3, 1), minutes=60),
        WorkLog(card_id=c6.id, member_id=ben, day=dt.date(2025, 3, 4), minutes=120),
        WorkLog(card_id=c5.id, member_id=ann, day=dt.date(2025, 3, 11), minutes=180),
        WorkLog(card_id=c5.id, member_id=ann, day=dt.date(2025, 3, 11), minutes=120),
    )
    services.budget.set_budget(pid, "1800.00")
    services.budget.set_epic_budget(pid, "BG-1", "1000")
    return {"pid": pid, "ann": ann, "ben": ben, "clock": clock, "s1": s1, "s2": s2}


def built(make: Callable[[Runtime], dict]) -> Callable[[Path | str], dict]:  # type: ignore[type-arg]
    """A ``tests.helpers.world_database`` builder: ``make`` (``build_budget`` or a function
    that adds to it) on a runtime of its own; the moment its clock stopped at is kept as
    ``now`` instead of the clock (see :func:`on_clock`)."""

    def build(db: Path | str) -> dict:  # type: ignore[type-arg]
        runtime = make_runtime(db)
        try:
            world = make(runtime)
        finally:
            runtime.close()
        clock = world.pop("clock")
        return {**world, "now": clock.now}

    build.__qualname__ = f"built.{make.__module__}.{make.__qualname__}"  # its cache key
    return build


def budget_database(db: Path | str) -> dict:  # type: ignore[type-arg]
    """Fill ``db`` (a new database: a SQLite path or a database URL) with project BG, built
    once per process and backend and copied; what :func:`build_budget` returns, with the
    moment its clock stopped at as ``now`` instead of the clock (see :func:`on_clock`)."""
    return world_database(db, built(build_budget))


def on_clock(runtime: Runtime, world: dict) -> dict:  # type: ignore[type-arg]
    """``world`` from :func:`budget_database` with ``runtime``'s services on a clock at the
    moment the history stopped (17 March 09:00), as :func:`build_budget` leaves them."""
    clock = Clock(world["now"])
    runtime.services.context.clock = clock
    return {**world, "clock": clock}
