"""BoardService: loading the board and moving cards (ranks, history, resolution)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.services import Services
from app.services.dto import CardDTO, ColumnDTO


@dataclass
class Board:
    services: Services
    project_id: int
    todo: ColumnDTO
    doing: ColumnDTO
    review: ColumnDTO
    done: ColumnDTO

    def column_keys(self, column: ColumnDTO) -> list[str]:
        return [
            c.key
            for c in self.services.cards.list_cards(self.project_id)
            if c.column_id == column.id
        ]

    def card(self, key: str) -> CardDTO:
        return self.services.cards.find_card(key)

    def ranks(self) -> dict[int, tuple[str, int]]:
        return {
            c.id: (c.rank, c.column_id)
            for c in self.services.cards.list_cards(self.project_id, include_archived=True)
        }


@pytest.fixture
def board(services: Services) -> Board:
    project = services.projects.create_project("SD", "Sprintdeck")
    review = services.workflow.add_column(project.id, "Review")
    todo, doing, review, done = services.workflow.list_columns(project.id)
    assert [todo.name, doing.name, review.name, done.name] == [
        "To Do",
        "In Progress",
        "Review",
        "Done",
    ]
    for i in range(1, 4):
        services.cards.create_card(project.id, f"todo {i}")  # SD-1..3
    for i in range(1, 4):
        services.cards.create_card(project.id, f"doing {i}", column_id=doing.id)  # SD-4..6
    return Board(services, project.id, todo, doing, review, done)


def changed_rows(before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]) -> set[int]:
    return {cid for cid in before if before[cid] != after[cid]}


def changed_ranks(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]
) -> set[int]:
    return {cid for cid in before if before[cid][0] != after[cid][0]}


def test_load_board_columns_in_order_and_cards_in_rank_order(board: Board) -> None:
    s = board.services
    s.board.move_card(board.card("SD-3").id, board.todo.id, position=1)
    loaded = s.board.load_board(board.project_id)
    assert [c.name for c in loaded.columns] == ["To Do", "In Progress", "Review", "Done"]
    assert [c.position for c in loaded.columns] == [0, 1, 2, 3]
    ranks = [c.rank for c in loaded.cards]
    assert ranks == sorted(ranks)
    todo = [c.key for c in loaded.cards if c.column_id == board.todo.id]
    assert todo == ["SD-3", "SD-1", "SD-2"]
    assert loaded.project.key == "SD"
    assert loaded.epics == ()


def test_load_board_lists_members_labels_epics_and_skips_archived(board: Board) -> None:
    s = board.services
    s.projects.add_member(board.project_id, "Zed")
    s.projects.add_member(board.project_id, "Amy")
    s.projects.add_label(board.project_id, "ux")
    epic = s.cards.create_card(board.project_id, "Epic", type="epic")
    s.cards.archive_card(board.card("SD-2").id)
    s.workflow.archive_column(board.review.id)
    loaded = s.board.load_board(board.project_id)
    assert [m.display_name for m in loaded.members] == ["Amy", "Zed"]
    assert [lb.name for lb in loaded.labels] == ["ux"]
    assert [e.id for e in loaded.epics] == [epic.id]
    assert "SD-2" not in [c.key for c in loaded.cards]
    assert "Review" not in [c.name for c in loaded.columns]


def test_move_to_another_column_lands_last(board: Board) -> None:
    s = board.services
    card = board.card("SD-1")
    before = board.ranks()
    moved = s.board.move_card(card.id, board.doing.id, expected_version=card.version)
    assert moved.column_id == board.doing.id
    assert moved.version == card.version + 1
    assert board.column_keys(board.doing) == ["SD-4", "SD-5", "SD-6", "SD-1"]
    assert board.column_keys(board.todo) == ["SD-2", "SD-3"]
    assert changed_rows(before, board.ranks()) == {card.id}
    event = s.cards.history(card.id)[-1]
    assert event.kind == "moved"
    assert event.before["column"] == "To Do" and event.before["category"] == "todo"
    assert event.after["column"] == "In Progress" and event.after["category"] == "in_progress"
    assert event.before["rank"] == card.rank and event.after["rank"] == moved.rank


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (1, ["SD-1", "SD-4", "SD-5", "SD-6"]),
        (2, ["SD-4", "SD-1", "SD-5", "SD-6"]),
        (3, ["SD-4", "SD-5", "SD-1", "SD-6"]),
        (4, ["SD-4", "SD-5", "SD-6", "SD-1"]),
        (99, ["SD-4", "SD-5", "SD-6", "SD-1"]),
    ],
)
def test_move_to_position(board: Board, position: int, expected: list[str]) -> None:
    s = board.services
    card = board.card("SD-1")
    before = board.ranks()
    s.board.move_card(card.id, board.doing.id, position=position)
    assert board.column_keys(board.doing) == expected
    after = board.ranks()
    assert changed_rows(before, after) == {card.id}
    assert len({r for r, _ in after.values()}) == len(after)


def test_move_after_and_before_a_card(board: Board) -> None:
    s = board.services
    sd4, sd5 = board.card("SD-4"), board.card("SD-5")
    s.board.move_card(board.card("SD-1").id, board.doing.id, after_id=sd4.id)
    assert board.column_keys(board.doing) == ["SD-4", "SD-1", "SD-5", "SD-6"]
    s.board.move_card(board.card("SD-2").id, board.doing.id, before_id=sd4.id)
    assert board.column_keys(board.doing) == ["SD-2", "SD-4", "SD-1", "SD-5", "SD-6"]
    s.board.move_card(board.card("SD-3").id, board.doing.id, before_id=sd5.id)
    assert board.column_keys(board.doing) == ["SD-2", "SD-4", "SD-1", "SD-3", "SD-5", "SD-6"]


def test_neighbour_must_be_in_target_column(board: Board) -> None:
    s = board.services
    before = board.ranks()
    with pytest.raises(Conflict):
        s.board.move_card(board.card("SD-1").id, board.doing.id, after_id=board.card("SD-2").id)
    with pytest.raises(ValidationError):
        s.board.move_card(board.card("SD-1").id, board.todo.id, after_id=board.card("SD-1").id)
    assert board.ranks() == before


def test_reorder_within_a_column_writes_ranked(board: Board) -> None:
    s = board.services
    card = board.card("SD-3")
    before = board.ranks()
    moved = s.board.move_card(card.id, board.todo.id, position=1)
    assert board.column_keys(board.todo) == ["SD-3", "SD-1", "SD-2"]
    assert changed_rows(before, board.ranks()) == {card.id}
    assert moved.column_id == board.todo.id
    event = s.cards.history(card.id)[-1]
    assert event.kind == "ranked"
    assert event.before == {"rank": card.rank}
    assert event.after == {"rank": moved.rank}
    # and down again, after SD-1
    s.board.move_card(card.id, board.todo.id, after_id=board.card("SD-1").id)
    assert board.column_keys(board.todo) == ["SD-1", "SD-3", "SD-2"]


def test_move_to_an_empty_column(board: Board) -> None:
    s = board.services
    card = board.card("SD-2")
    before = board.ranks()
    moved = s.board.move_card(card.id, board.review.id)
    assert board.column_keys(board.review) == ["SD-2"]
    assert board.column_keys(board.todo) == ["SD-1", "SD-3"]
    assert changed_ranks(before, board.ranks()) <= {card.id}
    assert changed_rows(before, board.ranks()) == {card.id}
    assert s.cards.history(card.id)[-1].kind == "moved"
    assert moved.version == card.version + 1
    # A position in an empty column is fine too.
    s.board.move_card(board.card("SD-3").id, board.done.id, position=1)
    assert board.column_keys(board.done) == ["SD-3"]


@pytest.mark.parametrize(
    "kwargs_for",
    [
        lambda b: {},
        lambda b: {"position": 3},
        lambda b: {"position": 10},
        lambda b: {"after_id": b.card("SD-2").id},
    ],
    ids=["default-last", "position-3", "position-beyond", "after-its-upper-neighbour"],
)
def test_no_op_move_writes_nothing(board: Board, kwargs_for) -> None:  # type: ignore[no-untyped-def]
    s = board.services
    card = board.card("SD-3")  # already last in To Do, just after SD-2
    seen: list[str] = []
    s.bus.subscribe(lambda change: seen.append(change.kind))
    before = board.ranks()
    result = s.board.move_card(card.id, board.todo.id, **kwargs_for(board))
    assert result.version == card.version
    assert board.ranks() == before
    assert [e.kind for e in s.cards.history(card.id)] == ["created"]
    assert seen == []


def test_no_op_move_to_first_place(board: Board) -> None:
    s = board.services
    card = board.card("SD-1")
    before = board.ranks()
    s.board.move_card(card.id, board.todo.id, position=1)
    s.board.move_card(card.id, board.todo.id, before_id=board.card("SD-2").id)
    assert board.ranks() == before
    assert [e.kind for e in s.cards.history(card.id)] == ["created"]


def test_each_move_writes_exactly_one_rank_and_ranks_stay_unique(services: Services) -> None:
    """Random moves against a model of the board; each move changes one row's rank at most."""
    s = services
    project = s.projects.create_project("RND", "Random")
    s.workflow.add_column(project.id, "Review")
    columns = [c.id for c in s.workflow.list_columns(project.id)]
    model: dict[int, list[int]] = {c: [] for c in columns}
    rng = random.Random(20240611)
    for i in range(30):
        column = rng.choice(columns)
        card = s.cards.create_card(project.id, f"Card {i}", column_id=column)
        model[column].append(card.id)

    def ranks() -> dict[int, tuple[str, int]]:
        return {c.id: (c.rank, c.column_id) for c in s.cards.list_cards(project.id)}

    for _ in range(250):
        card_id = rng.choice([cid for ids in model.values() for cid in ids])
        target = rng.choice(columns)
        source = next(c for c, ids in model.items() if card_id in ids)
        others = [cid for cid in model[target] if cid != card_id]
        how = rng.choice(["last", "position", "after", "before"])
        kwargs: dict[str, int] = {}
        if how == "position":
            kwargs["position"] = rng.randint(1, len(others) + 2)
            index = min(kwargs["position"] - 1, len(others))
        elif how in ("after", "before") and others:
            neighbour = rng.choice(others)
            kwargs[f"{how}_id"] = neighbour
            index = others.index(neighbour) + (1 if how == "after" else 0)
        else:
            index = len(others)
        before = ranks()
        s.board.move_card(card_id, target, **kwargs)
        after = ranks()
        model[source].remove(card_id)
        others.insert(index, card_id)
        model[target] = others

        assert changed_ranks(before, after) <= {card_id}
        assert changed_rows(before, after) <= {card_id}
        rank_values = [r for r, _ in after.values()]
        assert len(set(rank_values)) == len(rank_values), "ranks must be unique"
        listed = s.cards.list_cards(project.id)
        for column in columns:
            assert [c.id for c in listed if c.column_id == column] == model[column]


def test_rank_restore_returns_to_exact_old_place(board: Board) -> None:
    s = board.services
    card = board.card("SD-2")
    old_rank, old_column = card.rank, card.column_id
    moved = s.board.move_card(card.id, board.doing.id, position=2)
    assert moved.rank != old_rank
    back = s.board.move_card(card.id, old_column, rank=old_rank, expected_version=moved.version)
    assert back.rank == old_rank
    assert back.column_id == old_column
    assert board.column_keys(board.todo) == ["SD-1", "SD-2", "SD-3"]
    kinds = [e.kind for e in s.cards.history(card.id)]
    assert kinds == ["created", "moved", "moved"]  # undo is a new change, not an erasure


def test_rank_restore_within_column(board: Board) -> None:
    s = board.services
    card = board.card("SD-1")
    old = card.rank
    s.board.move_card(card.id, board.todo.id, position=3)
    assert board.column_keys(board.todo) == ["SD-2", "SD-3", "SD-1"]
    back = s.board.move_card(card.id, board.todo.id, rank=old)
    assert back.rank == old
    assert board.column_keys(board.todo) == ["SD-1", "SD-2", "SD-3"]


def test_rank_restore_when_taken_lands_just_after(board: Board) -> None:
    s = board.services
    card = board.card("SD-1")
    taken = board.card("SD-5").rank
    before = board.ranks()
    moved = s.board.move_card(card.id, board.doing.id, rank=taken)
    assert moved.rank > taken
    assert board.column_keys(board.doing) == ["SD-4", "SD-5", "SD-1", "SD-6"]
    assert changed_rows(before, board.ranks()) == {card.id}


def test_resolved_at_set_entering_done_and_cleared_leaving(board: Board) -> None:
    s = board.services
    card = board.card("SD-4")
    assert card.resolved_at is None
    done = s.board.move_card(card.id, board.done.id)
    assert done.resolved_at is not None
    assert s.cards.history(card.id)[-1].after["category"] == "done"
    # Moving within done keeps the resolution time.
    s.board.move_card(board.card("SD-5").id, board.done.id)
    again = s.board.move_card(card.id, board.done.id, position=2)
    assert again.resolved_at == done.resolved_at
    reopened = s.board.move_card(card.id, board.review.id)
    assert reopened.resolved_at is None
    assert s.cards.get_card(card.id).resolved_at is None


def test_moving_an_archived_card_refused(board: Board) -> None:
    s = board.services
    card = s.cards.archive_card(board.card("SD-1").id)
    before = board.ranks()
    with pytest.raises(Conflict, match="archived"):
        s.board.move_card(card.id, board.doing.id)
    assert board.ranks() == before
    assert [e.kind for e in s.cards.history(card.id)] == ["created", "archived"]


def test_moving_into_an_archived_column_refused(board: Board) -> None:
    s = board.services
    s.workflow.archive_column(board.review.id)
    before = board.ranks()
    with pytest.raises(Conflict):
        s.board.move_card(board.card("SD-1").id, board.review.id)
    assert board.ranks() == before


def test_stale_move_refused(board: Board) -> None:
    s = board.services
    card = board.card("SD-1")
    s.cards.update_card(card.id, {"title": "edited elsewhere"})
    before = board.ranks()
    with pytest.raises(StaleEdit):
        s.board.move_card(card.id, board.done.id, expected_version=card.version)
    assert board.ranks() == before
    assert s.cards.get_card(card.id).resolved_at is None


def test_move_to_unknown_or_foreign_column_refused(board: Board) -> None:
    s = board.services
    other = s.projects.create_project("OT", "Other")
    foreign = s.workflow.list_columns(other.id)[0]
    before = board.ranks()
    with pytest.raises(NotFound):
        s.board.move_card(board.card("SD-1").id, 999_999)
    with pytest.raises(NotFound):
        s.board.move_card(board.card("SD-1").id, foreign.id)
    with pytest.raises(NotFound):
        s.board.move_card(999_999, board.doing.id)
    with pytest.raises(ValidationError):
        s.board.move_card(board.card("SD-1").id, board.doing.id, position=0)
    assert board.ranks() == before


def test_move_publishes_one_change_with_previous_column(board: Board) -> None:
    s = board.services
    seen = []
    s.bus.subscribe(seen.append)
    card = board.card("SD-1")
    s.board.move_card(card.id, board.doing.id)
    assert len(seen) == 1
    assert seen[0].kind == "card_moved"
    assert seen[0].previous_column_ids == (board.todo.id,)
    assert seen[0].cards[0].column_id == board.doing.id


def test_move_returns_the_card_as_the_board_loads_it(board: Board) -> None:
    """The move's DTO is built from two small queries, not the board's loader: it must still
    carry every field the board would show (labels, watchers, checklist in their order)."""
    s = board.services
    ann = s.projects.add_member(board.project_id, "Ann Lee")
    bob = s.projects.add_member(board.project_id, "Bob Ray")
    zeta = s.projects.add_label(board.project_id, "zeta")
    alpha = s.projects.add_label(board.project_id, "alpha")
    epic = s.cards.create_card(board.project_id, "An epic", type="epic")
    card = s.cards.create_card(
        board.project_id,
        "Fully dressed",
        points="2.5",
        assignee_id=bob.id,
        reporter_id=ann.id,
        parent_id=epic.id,
        label_ids=[zeta.id, alpha.id],
        watcher_ids=[bob.id, ann.id],
        checklist=[("first", True), ("second", False), ("third", True)],
    )
    moved = s.board.move_card(card.id, board.review.id, expected_version=card.version)
    loaded = next(c for c in s.board.load_board(board.project_id).cards if c.id == card.id)
    assert moved == loaded
    assert [lb.name for lb in moved.labels] == ["alpha", "zeta"]
    assert moved.watcher_ids == tuple(sorted((ann.id, bob.id)))
    assert [(i.text, i.done) for i in moved.checklist] == [
        ("first", True),
        ("second", False),
        ("third", True),
    ]
    assert moved.parent_key == epic.key and moved.assignee_name == "Bob Ray"
