"""Dated histories that several test modules share: the closed sprint of the report tests
(project RP) and a Kanban board whose cards finish over four weeks (project TP). Each is
built through the services with a :class:`tests.helpers.Clock`, so its figures are known."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

from app.services import Services
from tests.helpers import Clock, make_runtime, world_database

P = TypeVar("P", Path, str)

REPORT_START = dt.datetime(2025, 2, 14, 10, tzinfo=dt.UTC)
REPORT_CLOSED = dt.datetime(2025, 3, 14, 17, tzinfo=dt.UTC)  # where close_report leaves the clock


def build_report(services: Services, clock: Clock) -> dict:  # type: ignore[type-arg]
    project = services.projects.create_project("RP", "Report project")
    pid = project.id
    alice = services.projects.add_member(pid, "Alice Archer").id
    bob = services.projects.add_member(pid, "Bob Baker").id
    services.sprints.add_holiday(pid, "2025-03-12", "Spring day")
    columns = services.workflow.list_columns(pid)
    done = next(c for c in columns if c.category == "done")
    doing = next(c for c in columns if c.category == "in_progress")

    # An earlier sprint, for the velocity trend: 8 committed, 5 completed.
    s0 = services.sprints.create_sprint(pid, "Sprint 1", "Warm up", "2025-02-17", "2025-02-28")
    p = services.cards.create_card(pid, "Old one", points="5", sprint_id=s0.id).id
    services.cards.create_card(pid, "Old two", points="3", sprint_id=s0.id)
    clock.set(17, 8, month=2)
    services.sprints.start_sprint(s0.id)
    clock.set(20, 12, month=2)
    services.board.move_card(p, done.id)
    clock.set(28, 17, month=2)
    services.sprints.complete_sprint(s0.id, "backlog")

    s = services.sprints.create_sprint(pid, "Sprint 2", "Ship reports", "2025-03-03", "2025-03-14")
    nxt = services.sprints.create_sprint(pid, "Sprint 3", "", "2025-03-17", "2025-03-28")

    def card(title: str, points: str, assignee: int | None = None, sprint: int | None = s.id):
        return services.cards.create_card(
            pid, title, points=points, assignee_id=assignee, sprint_id=sprint
        ).id

    cards = {
        "A": card("Alpha", "5", alice),
        "B": card("Bravo", "8", bob),
        "C": card("Charlie", "5"),
        "D": card("Delta", "3", alice, None),
        "E": card("Echo", "3", bob),
        "F": card("Foxtrot", "2", alice),
    }
    services.board.move_card(cards["F"], done.id)  # done before the start
    clock.set(3, 8)
    services.sprints.start_sprint(s.id)
    clock.set(4, 15)
    services.board.move_card(cards["A"], done.id)
    services.board.move_card(cards["B"], doing.id)
    clock.set(5, 10)
    services.sprints.plan_card(cards["D"], s.id)  # added after the start
    clock.set(5, 12)
    services.cards.update_card(cards["B"], {"blocked": True, "blocked_reason": "API down"})
    clock.set(6, 12)
    services.cards.update_card(cards["B"], {"blocked": False})  # blocked for 24 hours
    services.cards.update_card(cards["B"], {"points": "5"})  # re-estimated 8 -> 5
    clock.set(7)
    services.sprints.plan_card(cards["C"], None)  # removed, to the backlog
    clock.set(10)
    services.board.move_card(cards["D"], done.id)
    clock.set(11)
    services.board.move_card(cards["B"], done.id)
    clock.set(14, 17)
    return {
        "project": project,
        "sprint": s,
        "next": nxt,
        "cards": cards,
        "done": done,
        "doing": doing,
        "alice": alice,
        "bob": bob,
    }


def close_report(services: Services, clock: Clock, world: dict) -> None:  # type: ignore[type-arg]
    clock.set(14, 17)
    services.sprints.complete_sprint(world["sprint"].id, world["next"].id)


def _closed_report(db: Path | str) -> dict:  # type: ignore[type-arg]
    runtime = make_runtime(db)
    try:
        services = runtime.services
        clock = Clock(REPORT_START)
        services.context.clock = clock
        world = build_report(services, clock)
        close_report(services, clock, world)
    finally:
        runtime.close()
    assert clock.now == REPORT_CLOSED
    return world


def closed_report(db: Path | str) -> dict:  # type: ignore[type-arg]
    """Fill ``db`` (a new database) with the report tests' closed sprint, built once per
    process and backend and copied; what :func:`build_report` returned. Its clock stopped at
    :data:`REPORT_CLOSED`."""
    return world_database(db, _closed_report)


def report_database(db: P) -> P:
    """``db`` (a new database: a SQLite path or a database URL) holding the report tests'
    closed sprint (project RP), built once per process and backend and copied."""
    world_database(db, _closed_report)
    return db


def build_throughput(services: Services, clock: Clock) -> int:
    """A Kanban board whose cards finish over four weeks (Mondays: 3, 10, 17, 24 March)."""
    project = services.projects.create_project("TP", "Throughput", "kanban")
    cols = {c.category: c.id for c in services.workflow.list_columns(project.id)}
    # Created on Wednesday 26 February: the history begins in the week of 24 February.
    cards = {name: services.cards.create_card(project.id, name).id for name in "ABCDE"}
    epic = services.cards.create_card(project.id, "Epic", type="epic").id

    def done(name: str, month: int, day: int) -> None:
        clock.set(day, month=month)
        services.board.move_card(cards[name], cols["done"])

    done("A", 3, 4)
    done("B", 3, 6)
    done("C", 3, 7)
    # Nothing in the week of 10 March.
    done("D", 3, 18)
    clock.set(19, month=3)
    services.board.move_card(cards["B"], cols["in_progress"])  # reopened ...
    services.cards.archive_card(cards["A"])  # archived while done: still finished
    done("B", 3, 20)  # ... and done again: it now counts in the week of 17 March
    done("E", 3, 25)
    clock.set(25, 13, month=3)
    services.board.move_card(epic, cols["done"])  # an epic is not a card of work
    clock.set(26, month=3)  # Wednesday: the week of 24 March is running
    return project.id
