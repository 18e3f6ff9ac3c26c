"""Trello imports keep what the file says: moves without a creation action, the last archive,
the done column, text as written, and values the services would refuse cleaned and reported.

Every board here is built by the test the way Trello writes its export: actions newest first,
ids that are MongoDB ObjectIds (the first 8 hex digits are the creation time), ``pos``
numbers, ``data.listBefore``/``data.listAfter`` on a move, ``data.card.closed`` on an
archive.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.bootstrap import Runtime
from app.errors import Conflict
from app.models import Card, Comment, Project
from app.services import Services
from app.services.transfer import ImportRefused, TransferService

T0 = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def oid(moment: dt.datetime, n: int) -> str:
    """A Trello id: creation time in the first 8 hex digits, then a counter."""
    return f"{int(moment.timestamp()):08x}{n:016x}"


LISTS = [("l1", "Backlog"), ("l2", "Doing"), ("l3", "Done")]


def make_board(
    cards: list[dict[str, Any]],
    actions: list[dict[str, Any]] | None = None,
    lists: list[tuple[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    board: dict[str, Any] = {
        "id": "5f1a2b3c4d5e6f7a8b9c0d1e",
        "name": "Flow Board",
        "lists": [
            {"id": list_id, "name": name, "closed": False, "pos": 16384 * (i + 1)}
            for i, (list_id, name) in enumerate(lists or LISTS)
        ],
        "cards": cards,
        "labels": [],
        "members": [{"id": "m1", "fullName": "Ada Lovelace", "username": "ada"}],
        "checklists": [],
        "actions": actions or [],
    }
    board.update(extra)
    return board


def card(card_id: str, name: str, list_id: str, pos: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "id": card_id,
        "name": name,
        "desc": "",
        "closed": False,
        "idList": list_id,
        "pos": pos,
        "idLabels": [],
        "idMembers": [],
        "due": None,
        "dateLastActivity": stamp(at(200)),
        **extra,
    }


def move(card_id: str, when: dt.datetime, before: str, after: str, n: int) -> dict[str, Any]:
    names = dict(LISTS)
    return {
        "id": oid(when, 900 + n),
        "type": "updateCard",
        "date": stamp(when),
        "idMemberCreator": "m1",
        "data": {
            "card": {"id": card_id},
            "listBefore": {"id": before, "name": names.get(before, "?")},
            "listAfter": {"id": after, "name": names.get(after, "?")},
            "old": {"idList": before},
        },
    }


def archive(card_id: str, when: dt.datetime, closed: bool, n: int) -> dict[str, Any]:
    return {
        "id": oid(when, 800 + n),
        "type": "updateCard",
        "date": stamp(when),
        "idMemberCreator": "m1",
        "data": {"card": {"id": card_id, "closed": closed}, "old": {"closed": not closed}},
    }


def write(tmp_path: Path, board: dict[str, Any], name: str = "board.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(board), encoding="utf-8")
    return path


@pytest.fixture
def transfer(services: Services) -> TransferService:
    return TransferService(services.context)


def imported(services: Services) -> dict[str, Any]:
    project = services.projects.find_project("FB")
    return {c.title: c for c in services.cards.list_cards(project.id, include_archived=True)}


def moves_of(services: Services, card_id: int) -> list[tuple[str, dt.datetime, str]]:
    return [(e.kind, e.at, e.after.get("column", "")) for e in services.cards.history(card_id)]


def nothing_written(runtime: Runtime) -> bool:
    with runtime.services.context.read() as uow:
        return uow.session.scalar(select(func.count(Project.id))) == 0


def test_a_card_without_a_creation_action_starts_where_its_oldest_move_came_from(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    # Only the latest 1,000 actions are exported: neither card has its createCard any more.
    two_moves = oid(at(0), 1)
    one_move = oid(at(1), 2)
    board = make_board(
        [card(two_moves, "Two moves", "l3"), card(one_move, "Straight to done", "l3", pos=2)],
        actions=[  # newest first, as Trello writes them
            move(two_moves, at(30), "l2", "l3", 1),
            move(one_move, at(20), "l1", "l3", 2),
            move(two_moves, at(10), "l1", "l2", 3),
        ],
    )
    transfer.import_file("trello", write(tmp_path, board))
    cards = imported(services)
    assert moves_of(services, cards["Two moves"].id) == [
        ("created", at(0), "Backlog"),
        ("moved", at(10), "Doing"),
        ("moved", at(30), "Done"),
    ]
    # the only recorded move was dropped before: the card was created in Done
    assert moves_of(services, cards["Straight to done"].id) == [
        ("created", at(1), "Backlog"),
        ("moved", at(20), "Done"),
    ]
    assert cards["Two moves"].resolved_at == at(200)  # dateLastActivity of a done card
    flow = services.cards.history(cards["Two moves"].id)
    assert [e.category_after for e in flow] == ["todo", "in_progress", "done"]


def test_a_card_archived_restored_and_archived_again_keeps_the_last_archive_time(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    card_id = oid(at(0), 1)
    board = make_board(
        [card(card_id, "Flip-flop", "l1", closed=True)],
        actions=[
            archive(card_id, at(50), True, 1),
            archive(card_id, at(40), False, 2),
            archive(card_id, at(30), True, 3),
        ],
    )
    transfer.import_file("trello", write(tmp_path, board))
    flip = imported(services)["Flip-flop"]
    assert flip.archived
    assert moves_of(services, flip.id) == [
        ("created", at(0), "Backlog"),
        ("archived", at(50), ""),
    ]


@pytest.mark.parametrize(
    ("lists", "closed", "categories"),
    [
        # one open list is a to-do list, not a finished one (its cards would have a cycle
        # time of zero): no done column
        ([("l1", "Ideas"), ("l2", "Old")], {"l2"}, ["todo", "todo"]),
        ([("l1", "Ideas")], set(), ["todo"]),
        # with two or more open lists and no done-like name, the last open list is done
        ([("l1", "Ideas"), ("l2", "Later"), ("l3", "Old")], {"l3"}, ["todo", "done", "todo"]),
    ],
)
def test_the_last_open_list_is_done_only_when_there_are_two(
    tmp_path: Path,
    services: Services,
    transfer: TransferService,
    lists: list[tuple[str, str]],
    closed: set[str],
    categories: list[str],
) -> None:
    board = make_board([card(oid(at(0), 1), "Something", "l1")], lists=lists)
    for entry in board["lists"]:
        entry["closed"] = entry["id"] in closed
    transfer.import_file("trello", write(tmp_path, board))
    project = services.projects.find_project("FB")
    columns = services.workflow.list_columns(project.id, include_archived=True)
    assert [c.category for c in columns] == categories
    something = imported(services)["Something"]
    assert something.resolved_at is None


def test_control_characters_are_removed_and_reported(
    tmp_path: Path, runtime: Runtime, services: Services, transfer: TransferService
) -> None:
    board = make_board(
        [
            card(oid(at(0), 1), "Pay\x00ment", "l1"),
            card(oid(at(0), 2), "\x1b[31mRed\x1b[0m alert", "l1", pos=2),
            card(oid(at(0), 3), "Tab\there", "l1", pos=3, desc="Line 1\n\tindented\x07\r\n"),
            card(oid(at(0), 4), "Plain", "l1", pos=4),
        ],
    )
    summary = transfer.import_file("trello", write(tmp_path, board))
    titles = sorted(imported(services))
    # a terminal command (ESC [ 31 m) goes whole: its remains are not text either
    assert titles == ["Payment", "Plain", "Red alert", "Tab here"]
    with runtime.services.context.read() as uow:
        stored = uow.session.scalars(select(Card.title)).all()
        description = uow.session.scalar(select(Card.description).where(Card.title == "Tab here"))
    assert not any(ch in title for title in stored for ch in "\x00\x1b\t")
    assert description == "Line 1\n\tindented\n"
    assert summary.lines()[2:] == [
        "1 description had control characters removed.",
        "3 titles had control characters removed.",
    ]


def test_text_is_kept_as_in_the_file(
    tmp_path: Path, runtime: Runtime, services: Services, transfer: TransferService
) -> None:
    card_id = oid(at(0), 1)
    comment = {
        "id": oid(at(5), 7),
        "type": "commentCard",
        "date": stamp(at(5)),
        "idMemberCreator": "m1",
        "data": {"text": "  indented reply\n\n", "card": {"id": card_id}},
    }
    board = make_board(
        [card(card_id, "  Spaced title ", "l1", desc="\n  code block\n")], actions=[comment]
    )
    summary = transfer.import_file("trello", write(tmp_path, board))
    spaced = imported(services)["  Spaced title "]
    assert spaced.description == "\n  code block\n"
    with runtime.services.context.read() as uow:
        assert uow.session.scalar(select(Comment.text)) == "  indented reply\n\n"
    assert len(summary.lines()) == 2  # nothing was cleaned


def test_points_the_services_refuse_are_dropped_or_rounded_and_reported(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    board = make_board(
        [
            card(oid(at(0), 1), "(5000) Huge", "l1"),
            card(oid(at(0), 2), "(1234567890123456789012345678901234567890) Endless", "l1"),
            card(oid(at(0), 3), "(2.3) Odd", "l1", pos=3),
            card(oid(at(0), 4), "(0) Nothing", "l1", pos=4),
            card(oid(at(0), 5), "(1000) Most", "l1", pos=5),
        ],
    )
    summary = transfer.import_file("trello", write(tmp_path, board))
    cards = imported(services)
    # an estimate that cannot be stored stays in the title, so nothing of it is lost
    assert cards["(5000) Huge"].points is None
    assert cards["(1234567890123456789012345678901234567890) Endless"].points is None
    assert cards["Odd"].points == Decimal("2.5")
    assert cards["Nothing"].points == Decimal("0")
    assert cards["Most"].points == Decimal("1000")
    assert summary.lines()[2:] == [
        "2 estimates over 1,000 points dropped.",
        "1 estimate rounded to the nearest half point.",
    ]


def test_a_lone_surrogate_and_dates_out_of_range_are_cleaned(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    card_id = oid(at(0), 1)
    board = make_board(
        [
            card(card_id, "Half \ud800 emoji", "l1", due="9999-12-31T23:59:00.000Z"),
            card(oid(at(0), 2), "Year zero", "l1", pos=2, due="0000-01-01T00:00:00.000Z"),
        ],
        actions=[move(card_id, dt.datetime(2250, 1, 1, tzinfo=dt.UTC), "l2", "l1", 1)],
    )
    summary = transfer.import_file("trello", write(tmp_path, board))
    cards = imported(services)
    assert cards["Half  emoji"].due_date is None
    assert cards["Year zero"].due_date is None
    assert [e.kind for e in services.cards.history(cards["Half  emoji"].id)] == ["created"]
    assert summary.lines()[2:] == [
        "1 title had invalid characters (lone surrogates) removed.",
        "2 dates outside 1970–2199 dropped.",
        "1 date in no format Sprintdeck knows dropped.",
    ]


def test_a_number_written_as_text_is_read_as_one(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    board = make_board(
        [card(oid(at(0), 1), "Second", "l1", pos="32768"), card(oid(at(0), 2), "First", "l1")]
    )
    board["lists"][0]["pos"] = "16384"
    transfer.import_file("trello", write(tmp_path, board))
    project = services.projects.find_project("FB")
    assert [c.title for c in services.cards.list_cards(project.id)] == ["First", "Second"]


def _label_without_id(board: dict[str, Any]) -> None:
    board["labels"] = [{"name": "urgent", "color": "red"}]


def _items_not_objects(board: dict[str, Any]) -> None:
    board["checklists"] = [
        {"id": "c1", "idCard": board["cards"][0]["id"], "pos": 1, "checkItems": ["a", "b"]}
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda b: b["lists"][1].update(pos="top"),
            "board.json: list 2 in 'lists' has 'pos' = 'top', which is not a number; "
            "expected a Trello board export (Export as JSON).",
        ),
        (
            _label_without_id,
            "board.json: label 1 in 'labels' has no key 'id'; "
            "expected a Trello board export (Export as JSON).",
        ),
        (
            _items_not_objects,
            "board.json: item 1 in 'checkItems' of checklist 1 in 'checklists' is text, not an "
            "object; expected a Trello board export (Export as JSON).",
        ),
        (
            lambda b: b.update(cards={"id": "x"}),
            "board.json: the key 'cards' should hold a list, not an object; "
            "expected a Trello board export (Export as JSON).",
        ),
        (
            lambda b: b["cards"][0].update(closed="false"),
            "board.json: card 1 in 'cards' has 'closed' = 'false', not true or false; "
            "expected a Trello board export (Export as JSON).",
        ),
        (
            lambda b: b["cards"][0].update(idLabels="red"),
            "board.json: card 1 in 'cards' has 'idLabels' = 'red', not a list of ids; "
            "expected a Trello board export (Export as JSON).",
        ),
        (
            lambda b: b["cards"][0].update(name={"text": "x"}),
            "board.json: card 1 in 'cards' has 'name' = {'text': 'x'}, which is not text; "
            "expected a Trello board export (Export as JSON).",
        ),
        (
            lambda b: b["cards"][0].update(pos=1e308 * 10),
            "board.json: card 1 in 'cards' has 'pos' = inf, which is too large; "
            "expected a Trello board export (Export as JSON).",
        ),
        (
            lambda b: b["cards"].append(dict(b["cards"][0])),
            "board.json: card 2 in 'cards' has the id '69086f100000000000000001' of an earlier "
            "card; expected a Trello board export (Export as JSON).",
        ),
    ],
)
def test_wrong_types_are_refused_naming_the_place(
    tmp_path: Path, runtime: Runtime, transfer: TransferService, change: Any, message: str
) -> None:
    board = make_board([card(oid(at(0), 1), "Only", "l1")])
    change(board)
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board, allow_nan=True).replace("Infinity", "1e999"), "utf-8")
    with pytest.raises(ImportRefused) as caught:
        transfer.import_file("trello", path)
    assert str(caught.value) == message
    assert nothing_written(runtime)


def test_actions_of_the_wrong_shape_are_skipped(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    card_id = oid(at(0), 1)
    board = make_board(
        [card(card_id, "Sturdy", "l2")],
        actions=[
            "not an action",
            {"type": "updateCard", "date": 12, "data": {"card": {"id": card_id}}},
            {"type": "commentCard", "date": stamp(at(3)), "data": {"card": {"id": card_id}}},
            {"type": ["x"], "data": {"card": {"id": card_id}}},
            {"type": "updateCard", "date": stamp(at(2)), "data": {"card": card_id}},
            move(card_id, at(1), "l1", "l2", 1),
        ],
    )
    transfer.import_file("trello", write(tmp_path, board))
    sturdy = imported(services)["Sturdy"]
    assert moves_of(services, sturdy.id) == [
        ("created", at(0), "Backlog"),
        ("moved", at(1), "Doing"),
    ]


def test_a_second_import_of_long_ids_is_refused_in_one_short_line(
    tmp_path: Path, transfer: TransferService
) -> None:
    long_ids = [oid(at(0), n) + "x" * 76 for n in range(1, 5)]
    board = make_board([card(i, f"Card {n}", "l1", pos=n) for n, i in enumerate(long_ids)])
    path = write(tmp_path, board)
    transfer.import_file("trello", path)
    with pytest.raises(Conflict) as caught:
        transfer.import_file("trello", path)
    message = str(caught.value)
    assert message.startswith("4 of the 4 cards in this file were imported into FB before ")
    assert len(long_ids[0]) == 100 and len(message) < 300


def test_the_services_checks_run_over_every_plan(runtime: Runtime) -> None:
    """A parser that let a control character through would be refused, not stored."""
    from app.services.transfer.common import ImportPlan, PlannedCard, PlannedColumn, apply_plan

    plan = ImportPlan(source="trello", project_name="Leaky", project_key="LK")
    plan.columns = [PlannedColumn("To Do")]
    plan.cards = [PlannedCard("c1", "Fine", "To Do"), PlannedCard("c2", "Bad\x1b[2J", "To Do")]
    with pytest.raises(ImportRefused) as caught:
        apply_plan(runtime.services.context, plan)
    assert str(caught.value) == (
        "In card 'c2': The title contains control characters (such as tabs or NUL)."
    )
    plan.cards = [PlannedCard("c1", "Fine", "To Do", points=Decimal("5000"))]
    with pytest.raises(ImportRefused, match="In card 'c1': 5000 story points is too many"):
        apply_plan(runtime.services.context, plan)
    assert nothing_written(runtime)


def test_a_refusal_shows_control_characters_escaped(
    tmp_path: Path, transfer: TransferService
) -> None:
    path = tmp_path / "evil\x1b[2J.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        transfer.import_file("trello", path)
    assert str(caught.value) == (
        "'evil\\x1b[2J.json' has no key 'name' at the top level; expected a Trello board "
        "export (Export as JSON)."
    )
    with pytest.raises(ImportRefused) as caught:
        transfer.preview("trello", "board\x00.json")
    assert str(caught.value) == "Cannot read board\\x00.json: embedded null byte."
