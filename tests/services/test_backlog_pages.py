"""BoardService.section_page / sprint_cards / epic_progress / section_figures(epic_id): the
backlog page's reads (issue 19), on each backend, equal working them out from every card."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from app.bootstrap import Runtime
from app.errors import ValidationError
from app.services import Services
from app.services.dto import CardDTO, EpicFigures
from tests.services.test_board_figures import counted


@pytest.fixture
def plan(services: Services) -> dict:
    """Project BLG: two epics; 12 cards in the backlog (3 of them done, 1 archived), 4 in a
    sprint, 2 of the backlog's in epic A, one of the sprint's in epic B."""
    project = services.projects.create_project("BLG", "Backlog pages")
    todo, doing, done = services.workflow.list_columns(project.id)
    sprint = services.sprints.create_sprint(project.id, "Sprint 1")
    other = services.sprints.create_sprint(project.id, "Sprint 2")
    epic_a = services.cards.create_card(project.id, "Epic A", type="epic")
    epic_b = services.cards.create_card(project.id, "Epic B", type="epic")
    for i in range(12):
        column = (todo, doing, done, todo)[i % 4]
        card = services.cards.create_card(
            project.id,
            f"idea {i}",
            points=None if i % 5 == 0 else str(i),
            column_id=column.id,
            parent_id=epic_a.id if i in (1, 6, 10) else None,
        )
        if i == 7:
            services.cards.archive_card(card.id)
    for i in range(4):
        services.cards.create_card(
            project.id,
            f"planned {i}",
            points="2",
            column_id=(todo, done)[i % 2].id,
            sprint_id=sprint.id,
            parent_id=epic_b.id if i == 3 else epic_a.id if i == 0 else None,
        )
    return {
        "id": project.id,
        "done": done,
        "sprint": sprint,
        "other": other,
        "a": epic_a,
        "b": epic_b,
    }


def backlog(services: Services, plan: dict) -> list[CardDTO]:
    """The backlog section worked out from every card, in rank order."""
    return sorted(
        (
            c
            for c in services.cards.list_cards(plan["id"])
            if c.type != "epic" and c.sprint_id is None and c.column_id != plan["done"].id
        ),
        key=lambda c: c.rank,
    )


def test_pages_follow_each_other_by_rank(services: Services, plan: dict) -> None:
    expected = [c.key for c in backlog(services, plan)]
    assert len(expected) == 8  # 12, less 3 done and 1 archived
    read: list[str] = []
    after = None
    while True:
        page = services.board.section_page(plan["id"], after_rank=after, limit=3)
        if not page:
            break
        assert len(page) <= 3
        read += [c.key for c in page]
        after = page[-1].rank
    assert read == expected


def test_a_page_of_one_epic_and_the_bottom(services: Services, plan: dict) -> None:
    everything = backlog(services, plan)
    mine = [c.key for c in everything if c.parent_id == plan["a"].id]
    page = services.board.section_page(plan["id"], epic_id=plan["a"].id)
    assert [c.key for c in page] == mine and len(mine) == 1  # ideas 6 and 10 are done
    bottom = services.board.section_page(plan["id"], limit=2, last=True)
    assert [c.key for c in bottom] == [c.key for c in everything[-2:]][::-1]
    above = services.board.section_page(plan["id"], after_rank=bottom[-1].rank, last=True)
    assert [c.key for c in above] == [c.key for c in everything[:-2]][::-1]


def test_a_new_card_is_on_the_last_page(services: Services, plan: dict) -> None:
    card = services.cards.create_card(plan["id"], "brand new")
    last = services.board.section_page(plan["id"], limit=1, last=True)
    assert [c.id for c in last] == [card.id]


@pytest.mark.parametrize("bad", [-1, True, "3", 2.5])
def test_a_bad_page_size_is_refused(services: Services, plan: dict, bad: object) -> None:
    with pytest.raises(ValidationError, match="whole number"):
        services.board.section_page(plan["id"], limit=bad)  # type: ignore[arg-type]


def test_sprint_cards_are_every_card_of_each_sprint(services: Services, plan: dict) -> None:
    sprint, other = plan["sprint"], plan["other"]
    found = services.board.sprint_cards(plan["id"], [sprint.id, other.id])
    expected = [
        c.key
        for c in sorted(services.cards.list_cards(plan["id"]), key=lambda c: c.rank)
        if c.sprint_id == sprint.id and c.type != "epic"
    ]
    assert [c.key for c in found[sprint.id]] == expected and len(expected) == 4
    assert found[other.id] == []
    # another project's sprint holds none of this project's cards
    elsewhere = services.projects.create_project("ELS", "Elsewhere")
    theirs = services.sprints.create_sprint(elsewhere.id, "Theirs")
    services.cards.create_card(elsewhere.id, "theirs", sprint_id=theirs.id)
    assert services.board.sprint_cards(plan["id"], [theirs.id]) == {theirs.id: []}
    assert services.board.section_figures(plan["id"], [theirs.id])[theirs.id].count == 0


def test_epic_progress_equals_counting_the_cards(services: Services, plan: dict) -> None:
    cards = [c for c in services.cards.list_cards(plan["id"]) if c.type != "epic"]
    expected = {}
    for epic in (plan["a"], plan["b"]):
        mine = [c for c in cards if c.parent_id == epic.id]
        points = sum((c.points or Decimal(0) for c in mine), Decimal(0))
        done = sum(
            (c.points or Decimal(0) for c in mine if c.column_id == plan["done"].id), Decimal(0)
        )
        expected[epic.id] = EpicFigures(len(mine), points, done)
    assert services.board.epic_progress(plan["id"]) == expected
    # ideas 1, 6 (done) and 10 (done, unestimated), and planned 0: 1 + 6 + 2 points
    assert expected[plan["a"].id] == EpicFigures(4, Decimal(9), Decimal(6))


def test_section_figures_of_one_epic(services: Services, plan: dict) -> None:
    sprint = plan["sprint"]
    figures = services.board.section_figures(plan["id"], [sprint.id], plan["a"].id)
    mine = [c for c in backlog(services, plan) if c.parent_id == plan["a"].id]
    assert figures[None] == counted(mine)
    in_sprint = [
        c
        for c in services.cards.list_cards(plan["id"])
        if c.sprint_id == sprint.id and c.parent_id == plan["a"].id
    ]
    assert figures[sprint.id] == counted(in_sprint) and len(in_sprint) == 1


@pytest.mark.sqlite_only
def test_the_backlog_reads_come_from_their_indexes(runtime: Runtime) -> None:
    """What keeps 200,000 cards fast, as plans (not timings): the backlog's page in the
    (project, rank) index's order, a sprint's cards by ix_card_sprint (not a scan of the
    project), the epics' progress from migration 0015's covering index without a sort."""
    services = runtime.services
    project = services.projects.create_project("IXB", "Indexes")
    sprint = services.sprints.create_sprint(project.id, "Sprint 1")
    epic = services.cards.create_card(project.id, "Epic", type="epic")
    for n in range(3):
        services.cards.create_card(project.id, f"Card {n}", points="2", parent_id=epic.id)
    statements: list[tuple[str, object]] = []

    def spy(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM card" in statement:
            statements.append((statement, parameters))

    def plan_of(call) -> str:  # type: ignore[no-untyped-def]
        statements.clear()
        call()
        statement, parameters = statements[0]
        with runtime.engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return " | ".join(str(row[-1]) for row in rows)

    event.listen(runtime.engine, "before_cursor_execute", spy)
    try:
        page = plan_of(lambda: services.board.section_page(project.id))
        sprints = plan_of(lambda: services.board.sprint_cards(project.id, [sprint.id]))
        epics = plan_of(lambda: services.board.epic_progress(project.id))
    finally:
        event.remove(runtime.engine, "before_cursor_execute", spy)
    assert "TEMP B-TREE" not in page, page
    assert "ix_card_sprint" in sprints, sprints
    assert "COVERING INDEX ix_card_project_parent" in epics and "TEMP B-TREE" not in epics


def test_column_end_is_the_first_or_last_card_by_rank(services: Services, plan: dict) -> None:
    todo = services.workflow.list_columns(plan["id"])[0]
    in_todo = sorted(
        (
            c
            for c in services.cards.list_cards(plan["id"])
            if c.column_id == todo.id and c.type != "epic"
        ),
        key=lambda c: c.rank,
    )
    first, last = in_todo[0], in_todo[-1]
    assert services.board.column_end(todo.id, last=False) == first.id
    assert services.board.column_end(todo.id, last=True) == last.id
    assert services.board.column_end(todo.id, last=True, excluding=last.id) == in_todo[-2].id
    empty = services.projects.create_project("EMP", "Empty")
    column = services.workflow.list_columns(empty.id)[0]
    assert services.board.column_end(column.id, last=True) is None
