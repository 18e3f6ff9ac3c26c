"""BoardService.column_figures / section_figures: the headers' counts and point sums, counted
by the database, equal counting the cards themselves, before and after cards change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from app.bootstrap import Runtime
from app.errors import ValidationError
from app.services import Services
from app.services.dto import CardDTO, Figures


def counted(cards: list[CardDTO]) -> Figures:
    """What a header shows, worked out from the rows (what the SQL must agree with)."""
    points = sum((c.points for c in cards if c.points is not None), Decimal(0))
    return Figures(len(cards), points, sum(1 for c in cards if c.points is None))


def by_column(services: Services, project_id: int, sprint_id: int | None = None) -> dict:
    found: dict[int, list[CardDTO]] = {}
    for card in services.cards.list_cards(project_id):
        if card.type == "epic" or (sprint_id is not None and card.sprint_id != sprint_id):
            continue
        found.setdefault(card.column_id, []).append(card)
    return {column_id: counted(cards) for column_id, cards in found.items()}


def by_section(services: Services, project_id: int, sprint_ids: list[int]) -> dict:
    done = {c.id for c in services.workflow.list_columns(project_id) if c.category == "done"}
    found: dict[int | None, list[CardDTO]] = {s: [] for s in [*sprint_ids, None]}
    for card in services.cards.list_cards(project_id):
        if card.type == "epic":
            continue
        if card.sprint_id is None:
            if card.column_id not in done:
                found[None].append(card)
        elif card.sprint_id in found:
            found[card.sprint_id].append(card)
    return {section: counted(cards) for section, cards in found.items()}


@pytest.fixture
def project(services: Services) -> dict:
    project = services.projects.create_project("FIG", "Figures")
    todo, doing, done = services.workflow.list_columns(project.id)
    sprint = services.sprints.create_sprint(project.id, "Sprint 1")
    epic = services.cards.create_card(project.id, "An epic", type="epic", points=40)
    cards = []
    for i, points in enumerate(["1", "2.5", None, "8", "0.5", None, "3"]):
        column = (todo, doing, done)[i % 3]
        cards.append(
            services.cards.create_card(
                project.id,
                f"card {i}",
                points=points,
                column_id=column.id,
                sprint_id=sprint.id if i % 2 else None,
                parent_id=epic.id if i < 3 else None,
            )
        )
    services.cards.archive_card(
        services.cards.create_card(project.id, "gone", points=13, column_id=doing.id).id
    )
    return {
        "id": project.id,
        "columns": (todo, doing, done),
        "sprint": sprint,
        "cards": cards,
    }


def test_column_figures_equal_counting_the_cards(services: Services, project: dict) -> None:
    figures = services.board.column_figures(project["id"])
    assert figures == by_column(services, project["id"])
    todo, doing, done = project["columns"]
    # cards 0, 3, 6 in To Do: 1 + 8 + 3 points; no epic, no archived card counted
    assert figures[todo.id] == Figures(3, Decimal("12"), 0)
    assert figures[doing.id] == Figures(2, Decimal("3.0"), 0)
    assert figures[done.id] == Figures(2, Decimal(0), 2)


def test_column_figures_of_a_sprint(services: Services, project: dict) -> None:
    sprint_id = project["sprint"].id
    figures = services.board.column_figures(project["id"], sprint_id)
    assert figures == by_column(services, project["id"], sprint_id)
    assert sum(f.count for f in figures.values()) == 3  # cards 1, 3, 5


def test_section_figures_equal_counting_the_cards(services: Services, project: dict) -> None:
    sprint_id = project["sprint"].id
    figures = services.board.section_figures(project["id"], [sprint_id])
    assert figures == by_section(services, project["id"], [sprint_id])
    # the backlog: cards 0, 4 and 6 are in no sprint; card 2 (done) has left it
    assert figures[None] == Figures(3, Decimal("4.5"), 0)


def test_figures_follow_moves_ranks_and_deletes(services: Services, project: dict) -> None:
    todo, _doing, done = project["columns"]
    cards = project["cards"]
    sprint_id = project["sprint"].id

    def check() -> None:
        assert services.board.column_figures(project["id"]) == by_column(services, project["id"])
        assert services.board.section_figures(project["id"], [sprint_id]) == by_section(
            services, project["id"], [sprint_id]
        )

    services.board.move_card(cards[0].id, done.id)  # leaves the backlog too
    check()
    services.board.move_card(cards[2].id, todo.id, position=1)  # comes back to the backlog
    check()
    services.board.rank_cards([cards[6].id], before_id=cards[3].id)
    check()
    services.cards.archive_card(cards[3].id)
    check()
    services.cards.restore_card(cards[3].id)
    check()
    assert services.board.column_figures(project["id"])[todo.id].count == 3


def test_an_empty_section_is_there_with_zeros(services: Services, project: dict) -> None:
    empty = services.sprints.create_sprint(project["id"], "Sprint 2")
    figures = services.board.section_figures(project["id"], [empty.id])
    assert figures[empty.id] == Figures()


@pytest.mark.parametrize("bad", ["1", None, True, 1.5])
def test_bad_ids_are_refused(services: Services, project: dict, bad: object) -> None:
    with pytest.raises(ValidationError):
        services.board.column_figures(bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        services.board.section_figures(project["id"], [bad])  # type: ignore[list-item]


def column_order(services: Services, project_id: int, column_id: int, newest_first: bool) -> list:
    """A column's cards as the board lists them, worked out from every card."""
    cards = [
        c
        for c in services.cards.list_cards(project_id)
        if c.column_id == column_id and c.type != "epic"
    ]
    if newest_first:
        cards.sort(key=lambda c: c.rank)
        done = [c for c in cards if c.resolved_at is not None]
        done.sort(key=lambda c: c.resolved_at, reverse=True)  # stable: ties by rank
        cards = done + [c for c in cards if c.resolved_at is None]
    return [c.key for c in cards]


def test_column_pages_read_a_column_in_the_boards_order(services: Services) -> None:
    project = services.projects.create_project("PAGE", "Pages")
    todo, _doing, done = services.workflow.list_columns(project.id)
    epic = services.cards.create_card(project.id, "An epic", type="epic")
    cards = [services.cards.create_card(project.id, f"card {i}") for i in range(12)]
    services.board.rank_cards([cards[7].id], before_id=cards[0].id)
    for card in cards[3:9]:
        services.board.move_card(card.id, done.id)  # resolved one after another

    def pages(column_id: int, newest_first: bool, size: int) -> list[str]:
        read: list[str] = []
        while True:
            page = services.board.column_page(
                project.id, column_id, newest_first=newest_first, offset=len(read), limit=size
            )
            read += [c.key for c in page]
            if len(page) < size:
                return read

    for column, newest in ((todo, False), (done, True)):
        expected = column_order(services, project.id, column.id, newest)
        assert pages(column.id, newest, 4) == expected
        assert pages(column.id, newest, 100) == expected
    assert pages(done.id, True, 2)[0] == cards[8].key  # the last finished comes first
    assert epic.key not in pages(todo.id, False, 100)
    sprint = services.sprints.create_sprint(project.id, "S1")
    services.sprints.plan_card(cards[1].id, sprint.id)
    in_sprint = services.board.column_page(project.id, todo.id, sprint_id=sprint.id)
    assert [c.key for c in in_sprint] == [cards[1].key]


def test_the_board_head_holds_the_epics_only(services: Services) -> None:
    project = services.projects.create_project("HEAD", "Head")
    epic = services.cards.create_card(project.id, "An epic", type="epic")
    services.cards.create_card(project.id, "work", parent_id=epic.id)
    head = services.board.load_board_head(project.id)
    assert not head.complete and [c.key for c in head.cards] == [epic.key]
    assert [c.name for c in head.columns] == ["To Do", "In Progress", "Done"]
    assert services.board.load_board(project.id).complete


@pytest.mark.parametrize("offset, limit", [(-1, 10), (0, -5), ("0", 10), (0, True)])
def test_a_bad_page_is_refused(services: Services, offset: object, limit: object) -> None:
    project = services.projects.create_project("BAD", "Bad")
    column = services.workflow.list_columns(project.id)[0]
    with pytest.raises(ValidationError, match="whole number"):
        services.board.column_page(project.id, column.id, offset=offset, limit=limit)  # type: ignore[arg-type]


@pytest.mark.sqlite_only
def test_the_figures_and_a_done_page_are_read_from_their_indexes(runtime: Runtime) -> None:
    """Migration 0014's indexes are what SQLite uses: the column figures from the covering
    index alone, and a done column's newest-first page in index order (no sort of every
    done card). A plan, not a timing: what keeps 200,000 cards fast."""
    services = runtime.services
    project = services.projects.create_project("IX", "Indexes")
    done = next(c for c in services.workflow.list_columns(project.id) if c.category == "done")
    for n in range(3):
        services.cards.create_card(project.id, f"Card {n}", points="2", column_id=done.id)
    statements: list[tuple[str, object]] = []

    def spy(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM card" in statement:
            statements.append((statement, parameters))

    event.listen(runtime.engine, "before_cursor_execute", spy)
    try:
        services.board.column_figures(project.id)
        figures = statements[:]
        statements.clear()
        services.board.column_page(project.id, done.id, newest_first=True)
        page = statements[:1]
    finally:
        event.remove(runtime.engine, "before_cursor_execute", spy)

    def plan(statement: str, parameters: object) -> str:
        with runtime.engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return " | ".join(str(row[-1]) for row in rows)

    assert "COVERING INDEX ix_card_project_column" in plan(*figures[0])
    page_plan = plan(*page[0])
    assert "ix_card_column_resolved" in page_plan
    assert "TEMP B-TREE" not in page_plan
