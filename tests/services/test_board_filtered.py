"""BoardService.column_page / column_figures with ``matching`` (issue 19): a filtered board
column's page and its header's figures, asked of the database, equal filtering and
counting the cards themselves -- for text, assignee, label and type filters and their
mixes, on SQLite and PostgreSQL, whichever way the page is found (walking the column or
from the search index)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.services import Services
from app.services import match_sql as match_module
from app.services.dto import CardDTO, CardMatch, Figures

TITLES = [
    "Fix login bug",
    "Search box",
    "Payment form",
    "fix payment rounding",
    "Refactor search index",
    "Board filter",
    "Search bo(a)rd",
    "Payments export",
    "prefix handling",
    "Bo and the fixers",
    "Release notes",
    "FIX the build",
]


def haystack(card: CardDTO) -> str:
    """What the board filter searches in a card (app/services/search.py), folded."""
    return " ".join(
        (
            card.key,
            card.title,
            card.assignee_name or "",
            card.parent_title or "",
            *(lb.name for lb in card.labels),
        )
    ).casefold()


def passes(card: CardDTO, match: CardMatch, sprint_id: int | None) -> bool:
    if card.type == "epic" or (sprint_id is not None and card.sprint_id != sprint_id):
        return False
    if match.assignee_id == -1 and card.assignee_id is not None:
        return False
    if match.assignee_id not in (None, -1) and card.assignee_id != match.assignee_id:
        return False
    if match.label_id is not None and all(lb.id != match.label_id for lb in card.labels):
        return False
    if match.card_type is not None and card.type != match.card_type:
        return False
    return all(word in haystack(card) for word in match.text.casefold().split())


_NEVER = dt.timedelta.max
_FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def board_order(card: CardDTO, done: bool) -> object:
    if not done:
        return card.rank
    resolved = card.resolved_at
    return (_FAR - resolved if resolved is not None else _NEVER, card.rank)


def recount(services: Services, project: dict, match: CardMatch, sprint_id=None) -> dict:  # type: ignore[no-untyped-def]
    """Per column: (the matching cards in the board's order, their Figures)."""
    found: dict[int, list[CardDTO]] = {}
    for card in services.cards.list_cards(project["id"]):
        if passes(card, match, sprint_id):
            found.setdefault(card.column_id, []).append(card)
    result = {}
    for column_id, cards in found.items():
        cards.sort(key=lambda c, d=column_id == project["done"]: board_order(c, d))
        points = sum((c.points for c in cards if c.points is not None), Decimal(0))
        result[column_id] = (
            cards,
            Figures(len(cards), points, sum(c.points is None for c in cards)),
        )
    return result


@pytest.fixture
def project(services: Services) -> dict:
    """Project FLT: 36 cards over three columns (12 titles, three times), two people, two
    labels, bugs and stories, a sprint, an epic and an archived card; some cards done."""
    project = services.projects.create_project("FLT", "Filtered")
    todo, doing, done = services.workflow.list_columns(project.id)
    ann = services.projects.add_member(project.id, "Ann Board")
    bob = services.projects.add_member(project.id, "Bob Fixer")
    ux = services.projects.add_label(project.id, "ux")
    api = services.projects.add_label(project.id, "payments-api")
    sprint = services.sprints.create_sprint(project.id, "Sprint 1")
    epic = services.cards.create_card(project.id, "Checkout epic", type="epic", points=40)
    for i in range(36):
        column = (todo, doing, done)[i % 3]
        card = services.cards.create_card(
            project.id,
            TITLES[i % len(TITLES)],
            type="bug" if i % 4 == 0 else "story",
            points=None if i % 5 == 0 else str(1 + i % 4),
            assignee_id=(ann.id, bob.id, None)[i % 3 if i % 2 else (i // 2) % 3],
            label_ids=[lb.id for lb, on in ((ux, i % 3 == 1), (api, i % 4 == 2)) if on],
            sprint_id=sprint.id if i % 2 else None,
            parent_id=epic.id if i % 6 == 0 else None,
        )
        if column is not todo:
            services.board.move_card(card.id, column.id)
    services.cards.archive_card(
        services.cards.create_card(project.id, "Fix archived", column_id=doing.id).id
    )
    return {
        "id": project.id,
        "columns": (todo, doing, done),
        "done": done.id,
        "ann": ann.id,
        "bob": bob.id,
        "ux": ux.id,
        "api": api.id,
        "sprint": sprint.id,
    }


def matches(project: dict) -> list[CardMatch]:
    return [
        CardMatch("fix"),
        CardMatch("FIX"),
        CardMatch("f"),  # one character: a scan, never the trigram index
        CardMatch("bo"),
        CardMatch("search bo"),  # a long word and a short one
        CardMatch("payment fix"),
        CardMatch("checkout"),  # the parent's title
        CardMatch("bob"),  # the assignee's name
        CardMatch("payments-api"),  # a label's name
        CardMatch("FLT-1"),  # the key
        CardMatch("zebra"),  # nothing
        CardMatch(assignee_id=project["ann"]),
        CardMatch(assignee_id=-1),
        CardMatch(label_id=project["ux"]),
        CardMatch(card_type="bug"),
        CardMatch("fix", assignee_id=-1, card_type="bug"),
        CardMatch("pay", label_id=project["api"]),
        CardMatch("%"),  # typed text is data, never syntax
        CardMatch("fix\x00"),  # a word no stored text holds
    ]


def test_filtered_figures_equal_a_recount(services: Services, project: dict) -> None:
    for match in matches(project):
        for sprint_id in (None, project["sprint"]):
            figures = services.board.column_figures(project["id"], sprint_id, matching=match)
            wanted = {
                c: f for c, (_cards, f) in recount(services, project, match, sprint_id).items()
            }
            assert figures == wanted, (match, sprint_id)
    assert services.board.column_figures(project["id"], matching=CardMatch("zebra")) == {}
    # an empty filter is no filter
    assert services.board.column_figures(
        project["id"], matching=CardMatch("  ")
    ) == services.board.column_figures(project["id"])


@pytest.mark.parametrize(
    ("walk_rows", "density"),
    [(4000, None), (2, None), (4000, 0.01)],  # walked; walked too short, then the index; index
)
def test_filtered_pages_equal_filtering_the_cards(
    services: Services,
    project: dict,
    monkeypatch: pytest.MonkeyPatch,
    walk_rows: int,
    density: float | None,
) -> None:
    monkeypatch.setattr(match_module, "WALK_ROWS", walk_rows)
    for match in matches(project):
        wanted = recount(services, project, match)
        for column in project["columns"]:
            cards = wanted.get(column.id, ([], Figures()))[0]
            newest = column.id == project["done"]
            for offset, limit in ((0, 100), (2, 3)):
                ask = {
                    "newest_first": newest,
                    "offset": offset,
                    "limit": limit,
                    "matching": match,
                    "density": density,
                }
                page = services.board.column_page(project["id"], column.id, **ask)
                expected = cards[offset : offset + limit]
                assert page == expected, (match, column.name, offset)
                ids = services.board.column_page_ids(project["id"], column.id, **ask)
                assert ids == [c.id for c in expected]


def test_filtered_pages_of_a_sprint(services: Services, project: dict) -> None:
    sprint_id = project["sprint"]
    for match in (CardMatch("fix"), CardMatch("s"), CardMatch(assignee_id=project["bob"])):
        wanted = recount(services, project, match, sprint_id)
        for column in project["columns"]:
            page = services.board.column_page(
                project["id"],
                column.id,
                sprint_id=sprint_id,
                newest_first=column.id == project["done"],
                matching=match,
            )
            assert page == wanted.get(column.id, ([], None))[0], (match, column.name)


def test_a_filter_follows_changes_to_the_cards(services: Services, project: dict) -> None:
    """The search index is kept in the card's own transaction: a renamed card enters and
    leaves the filter's figures and pages at once."""
    match = CardMatch("zebra")
    todo = project["columns"][0]
    card = services.board.column_page(project["id"], todo.id, limit=1)[0]
    services.cards.update_card(card.id, {"title": "Zebra crossing", "points": "5"})
    assert services.board.column_figures(project["id"], matching=match) == {
        todo.id: Figures(1, Decimal(5), 0)
    }
    assert [c.id for c in services.board.column_page(project["id"], todo.id, matching=match)] == [
        card.id
    ]
    services.cards.update_card(card.id, {"title": "Plain again"})
    assert services.board.column_figures(project["id"], matching=match) == {}
    assert services.board.column_page(project["id"], todo.id, matching=match) == []
