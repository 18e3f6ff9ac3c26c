"""CardService against a real, alembic-migrated SQLite file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.services import Services
from app.services.cards import EDITABLE_FIELDS
from app.services.dto import CardDTO, ProjectDTO


@dataclass
class World:
    services: Services
    project: ProjectDTO
    ada: int
    bob: int
    backend: int
    ux: int
    epic: CardDTO


@pytest.fixture
def world(services: Services) -> World:
    project = services.projects.create_project("SD", "Sprintdeck")
    ada = services.projects.add_member(project.id, "Ada Lovelace", "lead").id
    bob = services.projects.add_member(project.id, "Bob Builder").id
    backend = services.projects.add_label(project.id, "backend").id
    ux = services.projects.add_label(project.id, "ux").id
    epic = services.cards.create_card(project.id, "Big epic", type="epic")
    return World(services, project, ada, bob, backend, ux, epic)


def snapshot(services: Services, project_id: int) -> tuple[list[CardDTO], list[list[Any]]]:
    """Everything a refused operation must leave alone: every card and its history."""
    cards = services.cards.list_cards(project_id, include_archived=True)
    history = [services.cards.history(c.id) for c in cards]
    return cards, history


# --- creating ------------------------------------------------------------------------------


def test_create_allocates_keys_first_column_backlog_and_bottom_rank(services: Services) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    first_column = services.workflow.list_columns(project.id)[0]
    created = [services.cards.create_card(project.id, f"Card {i}") for i in range(1, 4)]

    assert [c.key for c in created] == ["SD-1", "SD-2", "SD-3"]
    assert [c.number for c in created] == [1, 2, 3]
    for card in created:
        assert card.column_id == first_column.id
        assert first_column.name == "To Do"
        assert card.sprint_id is None
        assert card.sprint_name is None
        assert card.archived is False
        assert card.resolved_at is None
    ranks = [c.rank for c in created]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 3
    listed = services.cards.list_cards(project.id)
    assert [c.key for c in listed] == ["SD-1", "SD-2", "SD-3"]
    assert services.cards.find_card("sd-2").id == created[1].id


def test_create_writes_one_created_event(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Write tests", points=3, assignee_id=world.ada)
    events = s.cards.history(card.id)
    assert [e.kind for e in events] == ["created"]
    event = events[0]
    assert event.before == {}
    assert event.after["title"] == "Write tests"
    assert event.after["column"] == "To Do"
    assert Decimal(event.after["points"]) == 3
    assert event.actor == "tester"
    assert card.assignee_name == "Ada Lovelace"
    assert card.points == Decimal(3)


def test_created_event_records_the_sprint_assignee_and_block_it_started_with(
    world: World,
) -> None:
    s = world.services
    sprint = s.sprints.create_sprint(world.project.id, "SD Sprint 1")
    card = s.cards.create_card(
        world.project.id,
        "Stuck from the start",
        assignee_id=world.bob,
        sprint_id=sprint.id,
        blocked=True,
        blocked_reason="Waiting for the vendor",
    )
    (event,) = s.cards.history(card.id)
    assert event.after == {
        "title": "Stuck from the start",
        "column": "To Do",
        "points": None,
        "sprint": "SD Sprint 1",
        "sprint_id": sprint.id,
        "assignee_id": world.bob,
        "blocked": True,
        "blocked_reason": "Waiting for the vendor",
    }
    assert (event.sprint_id_after, event.points_after, event.archived_after) == (
        sprint.id,
        None,
        False,
    )
    plain = s.cards.create_card(world.project.id, "Plain")
    (event,) = s.cards.history(plain.id)
    assert event.after == {"title": "Plain", "column": "To Do", "points": None}
    assert event.column_id_after == plain.column_id and event.category_after == "todo"


def test_keys_are_per_project(services: Services) -> None:
    a = services.projects.create_project("AA", "A")
    b = services.projects.create_project("BB", "B")
    assert services.cards.create_card(a.id, "x").key == "AA-1"
    assert services.cards.create_card(b.id, "y").key == "BB-1"
    assert services.cards.create_card(a.id, "z").key == "AA-2"


def test_create_in_done_column_sets_resolved(world: World) -> None:
    s = world.services
    done = s.workflow.find_column(world.project.id, "done")
    card = s.cards.create_card(world.project.id, "Already done", column_id=done.id)
    assert card.column_id == done.id
    assert card.resolved_at is not None


# --- editing -------------------------------------------------------------------------------


def _edit_cases(w: World) -> list[tuple[str, Any, str, Any, Any, Any]]:
    """(field, new value, event kind, expected 'before', expected 'after', DTO check)."""
    return [
        ("title", "  Better title  ", "edited", "Card", "Better title", lambda c: c.title),
        ("description", "Line 1\nLine 2", "edited", "", "Line 1\nLine 2", lambda c: c.description),
        ("type", "Bug", "edited", "story", "bug", lambda c: c.type),
        ("priority", "high", "edited", "medium", "high", lambda c: c.priority),
        ("points", "5", "estimated", None, "5.0", lambda c: str(c.points)),
        ("estimate_hours", 4, "edited", None, "4.00", lambda c: str(c.estimate_hours)),
        ("remaining_hours", "2.5", "edited", None, "2.50", lambda c: str(c.remaining_hours)),
        ("assignee_id", w.ada, "assigned", None, w.ada, lambda c: c.assignee_id),
        ("reporter_id", w.bob, "edited", None, w.bob, lambda c: c.reporter_id),
        ("parent_id", w.epic.id, "edited", None, w.epic.id, lambda c: c.parent_id),
        ("due_date", "2026-01-31", "edited", None, "2026-01-31", lambda c: str(c.due_date)),
        ("blocked", True, "blocked", False, True, lambda c: c.blocked),
        ("blocked_reason", "Waiting", "edited", "", "Waiting", lambda c: c.blocked_reason),
        (
            "label_ids",
            [w.ux, w.backend],
            "edited",
            [],
            sorted([w.ux, w.backend]),
            lambda c: sorted(lb.id for lb in c.labels),
        ),
        ("watcher_ids", [w.bob], "edited", [], [w.bob], lambda c: list(c.watcher_ids)),
        (
            "checklist",
            [("step one", False), ("step two", True)],
            "edited",
            [],
            [["step one", False], ["step two", True]],
            lambda c: [[i.text, i.done] for i in c.checklist],
        ),
    ]


def test_edit_cases_cover_every_editable_field(world: World) -> None:
    assert {case[0] for case in _edit_cases(world)} == set(EDITABLE_FIELDS)


@pytest.mark.parametrize("field", EDITABLE_FIELDS)
def test_update_each_field_writes_the_right_event(world: World, field: str) -> None:
    s = world.services
    case = next(c for c in _edit_cases(world) if c[0] == field)
    _, value, kind, before, after, read = case
    card = s.cards.create_card(world.project.id, "Card")
    updated = s.cards.update_card(card.id, {field: value}, expected_version=card.version)

    assert read(updated) == after
    assert read(s.cards.get_card(card.id)) == after
    assert updated.version == card.version + 1
    events = s.cards.history(card.id)
    assert [e.kind for e in events] == ["created", kind]
    assert events[-1].before == {field: before}
    assert events[-1].after == {field: after}


def test_unblock_writes_unblocked_and_clears_reason(world: World) -> None:
    s = world.services
    card = s.cards.create_card(
        world.project.id, "Stuck", blocked=True, blocked_reason="Waiting for the vendor"
    )
    assert card.blocked and card.blocked_reason == "Waiting for the vendor"
    updated = s.cards.update_card(card.id, {"blocked": False})
    assert updated.blocked is False
    assert updated.blocked_reason == ""
    event = s.cards.history(card.id)[-1]
    assert event.kind == "unblocked"
    assert event.before["blocked"] is True
    assert event.after["blocked"] is False


def test_block_with_reason_is_one_blocked_event(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Stuck")
    s.cards.update_card(card.id, {"blocked": True, "blocked_reason": "Vendor"})
    events = s.cards.history(card.id)
    assert [e.kind for e in events] == ["created", "blocked"]
    assert events[-1].after == {"blocked": True, "blocked_reason": "Vendor"}
    assert events[-1].before == {"blocked": False, "blocked_reason": ""}


def test_reassign_records_before_and_after(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Card", assignee_id=world.ada)
    s.cards.update_card(card.id, {"assignee_id": world.bob})
    s.cards.update_card(card.id, {"assignee_id": None})
    events = s.cards.history(card.id)
    assert [e.kind for e in events] == ["created", "assigned", "assigned"]
    assert (events[1].before, events[1].after) == (
        {"assignee_id": world.ada},
        {"assignee_id": world.bob},
    )
    assert (events[2].before, events[2].after) == (
        {"assignee_id": world.bob},
        {"assignee_id": None},
    )
    assert s.cards.get_card(card.id).assignee_name is None


def test_re_estimate_records_old_points(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Card", points=3)
    updated = s.cards.update_card(card.id, {"points": 0.5})
    assert updated.points == Decimal("0.5")
    event = s.cards.history(card.id)[-1]
    assert event.kind == "estimated"
    assert Decimal(event.before["points"]) == 3
    assert Decimal(event.after["points"]) == Decimal("0.5")


def test_mixed_update_writes_one_event_per_kind(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Card")
    s.cards.update_card(card.id, {"title": "T2", "points": 2, "assignee_id": world.ada})
    kinds = sorted(e.kind for e in s.cards.history(card.id))
    assert kinds == ["assigned", "created", "edited", "estimated"]


def test_update_without_change_writes_nothing(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Same", points=2)
    again = s.cards.update_card(card.id, {"title": "Same", "points": "2"})
    assert again.version == card.version
    assert [e.kind for e in s.cards.history(card.id)] == ["created"]


def test_unknown_field_refused(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Card")
    before = snapshot(s, world.project.id)
    with pytest.raises(ValidationError, match="column_id"):
        s.cards.update_card(card.id, {"column_id": 1})
    assert snapshot(s, world.project.id) == before


def test_stale_edit_raises_and_changes_nothing(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Original")
    s.cards.update_card(card.id, {"title": "Someone else's"}, expected_version=card.version)
    before = snapshot(s, world.project.id)
    with pytest.raises(StaleEdit) as info:
        s.cards.update_card(card.id, {"title": "Mine"}, expected_version=card.version)
    assert info.value.current_version == card.version + 1
    assert "SD-2" in str(info.value)
    assert snapshot(s, world.project.id) == before
    assert s.cards.get_card(card.id).title == "Someone else's"


def test_stale_archive_refused(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Card")
    s.cards.update_card(card.id, {"title": "Changed"})
    before = snapshot(s, world.project.id)
    with pytest.raises(StaleEdit):
        s.cards.archive_card(card.id, expected_version=card.version)
    assert snapshot(s, world.project.id) == before


# --- archive and restore --------------------------------------------------------------------


def test_archive_then_restore_keeps_key_and_history(world: World) -> None:
    s = world.services
    pid = world.project.id
    card = s.cards.create_card(pid, "Keep me", points=3)
    s.cards.update_card(card.id, {"title": "Keep me, edited"})
    history_before = s.cards.history(card.id)

    archived = s.cards.archive_card(card.id, expected_version=card.version + 1)
    assert archived.archived is True
    assert card.id not in [c.id for c in s.cards.list_cards(pid)]
    assert card.id in [c.id for c in s.cards.list_cards(pid, include_archived=True)]
    assert card.id not in [c.id for c in s.board.load_board(pid).cards]
    with pytest.raises(Conflict):
        s.cards.update_card(card.id, {"title": "no"})
    with pytest.raises(Conflict):
        s.cards.archive_card(card.id)

    restored = s.cards.restore_card(card.id)
    assert restored.archived is False
    assert restored.key == card.key == "SD-2"
    assert restored.id == card.id
    assert restored.rank == card.rank
    assert restored.column_id == card.column_id
    assert restored.title == "Keep me, edited"
    history = s.cards.history(card.id)
    assert history[: len(history_before)] == history_before
    assert [e.kind for e in history[len(history_before) :]] == ["archived", "restored"]
    assert history[-2].before == {"archived": False} and history[-2].after == {"archived": True}
    assert history[-1].before == {"archived": True} and history[-1].after == {"archived": False}
    # The next card does not reuse the key.
    assert s.cards.create_card(pid, "Next").key == "SD-3"


def test_restore_not_archived_refused(world: World) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, "Card")
    with pytest.raises(Conflict):
        s.cards.restore_card(card.id)


def test_restore_when_column_was_archived_goes_to_first_column(world: World) -> None:
    s = world.services
    pid = world.project.id
    review = s.workflow.add_column(pid, "Review")
    card = s.cards.create_card(pid, "Card", column_id=review.id)
    s.cards.archive_card(card.id)
    s.workflow.archive_column(review.id)
    restored = s.cards.restore_card(card.id)
    assert restored.column_id == s.workflow.list_columns(pid)[0].id


# --- refused input --------------------------------------------------------------------------

BAD_CREATE: list[tuple[str, dict[str, Any], type[Exception]]] = [
    ("empty title", {"title": ""}, ValidationError),
    ("whitespace title", {"title": "   \n "}, ValidationError),
    ("501-char title", {"title": "x" * 501}, ValidationError),
    ("NUL in title", {"title": "a\x00b"}, ValidationError),
    ("tab in title", {"title": "a\tb"}, ValidationError),
    ("bell in title", {"title": "ring\x07"}, ValidationError),
    ("title not text", {"title": 42}, ValidationError),
    ("negative points", {"points": -1}, ValidationError),
    ("absurd points", {"points": 1001}, ValidationError),
    ("0.3 points", {"points": 0.3}, ValidationError),
    ("text points", {"points": "lots"}, ValidationError),
    ("nan points", {"points": "nan"}, ValidationError),
    ("bool points", {"points": True}, ValidationError),
    ("unknown type", {"type": "saga"}, ValidationError),
    ("unknown priority", {"priority": "urgent"}, ValidationError),
    ("bad due date", {"due_date": "31/01/2026"}, ValidationError),
    ("negative hours", {"estimate_hours": -2}, ValidationError),
    ("unknown column", {"column_id": 999_999}, NotFound),
    ("unknown assignee", {"assignee_id": 999_999}, NotFound),
    ("unknown reporter", {"reporter_id": 999_999}, NotFound),
    ("unknown label", {"label_ids": [999_999]}, NotFound),
    ("unknown watcher", {"watcher_ids": [999_999]}, NotFound),
    ("unknown epic", {"parent_id": 999_999}, NotFound),
    ("unknown sprint", {"sprint_id": 999_999}, NotFound),
]


@pytest.mark.parametrize(
    ("kwargs", "error"), [(k, e) for _, k, e in BAD_CREATE], ids=[n for n, _, _ in BAD_CREATE]
)
def test_bad_create_refused_and_nothing_written(
    world: World, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    s = world.services
    pid = world.project.id
    s.cards.create_card(pid, "Existing")
    before = snapshot(s, pid)
    args = {"title": "Fine title", **kwargs}
    title = args.pop("title")
    with pytest.raises(error) as info:
        s.cards.create_card(pid, title, **args)
    message = str(info.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert snapshot(s, pid) == before
    # The refused card did not use up a key.
    assert s.cards.create_card(pid, "After").key == "SD-3"


def test_parent_that_is_not_an_epic_refused(world: World) -> None:
    s = world.services
    pid = world.project.id
    story = s.cards.create_card(pid, "A story")
    other = s.cards.create_card(pid, "Another story")
    before = snapshot(s, pid)
    with pytest.raises(ValidationError, match="SD-2 is not an epic"):
        s.cards.create_card(pid, "Child", parent_id=story.id)
    with pytest.raises(ValidationError, match="SD-2 is not an epic"):
        s.cards.update_card(other.id, {"parent_id": story.id})
    assert snapshot(s, pid) == before


def test_epic_cannot_have_a_parent_nor_itself(world: World) -> None:
    s = world.services
    pid = world.project.id
    child = s.cards.create_card(pid, "Child", parent_id=world.epic.id)
    assert child.parent_key == world.epic.key
    assert child.parent_title == "Big epic"
    before = snapshot(s, pid)
    with pytest.raises(ValidationError):
        s.cards.create_card(pid, "Epic in epic", type="epic", parent_id=world.epic.id)
    with pytest.raises(ValidationError):
        s.cards.update_card(child.id, {"type": "epic"})
    with pytest.raises(ValidationError):
        s.cards.update_card(child.id, {"parent_id": child.id})
    assert snapshot(s, pid) == before


def test_objects_of_another_project_refused(world: World) -> None:
    s = world.services
    other = s.projects.create_project("OT", "Other")
    other_column = s.workflow.list_columns(other.id)[0]
    other_label = s.projects.add_label(other.id, "elsewhere")
    other_member = s.projects.add_member(other.id, "Stranger")
    other_epic = s.cards.create_card(other.id, "Their epic", type="epic")
    pid = world.project.id
    before = snapshot(s, pid)
    for kwargs in (
        {"column_id": other_column.id},
        {"label_ids": [other_label.id]},
        {"assignee_id": other_member.id},
        {"parent_id": other_epic.id},
    ):
        with pytest.raises(NotFound):
            s.cards.create_card(pid, "Cross-project", **kwargs)
    assert snapshot(s, pid) == before


BAD_UPDATE: list[tuple[str, dict[str, Any], type[Exception]]] = [
    ("empty title", {"title": ""}, ValidationError),
    ("whitespace title", {"title": "    "}, ValidationError),
    ("501-char title", {"title": "y" * 501}, ValidationError),
    ("control char", {"title": "bad\x1bescape"}, ValidationError),
    ("negative points", {"points": "-0.5"}, ValidationError),
    ("absurd points", {"points": "1001"}, ValidationError),
    ("0.3 points", {"points": "0.3"}, ValidationError),
    ("text points", {"points": "five"}, ValidationError),
    ("unknown assignee", {"assignee_id": 999_999}, NotFound),
    ("unknown label", {"label_ids": [999_999]}, NotFound),
    ("unknown epic", {"parent_id": 999_999}, NotFound),
    ("assignee not an id", {"assignee_id": "Ada"}, ValidationError),
    # A valid field next to a bad one: the valid part must not be written either.
    ("good title, bad points", {"title": "Fine", "points": -3}, ValidationError),
    ("good points, bad label", {"points": 8, "label_ids": [999_999]}, NotFound),
]


@pytest.mark.parametrize(
    ("changes", "error"), [(c, e) for _, c, e in BAD_UPDATE], ids=[n for n, _, _ in BAD_UPDATE]
)
def test_bad_update_refused_and_nothing_written(
    world: World, changes: dict[str, Any], error: type[Exception]
) -> None:
    s = world.services
    pid = world.project.id
    card = s.cards.create_card(pid, "Existing", points=3)
    before = snapshot(s, pid)
    with pytest.raises(error):
        s.cards.update_card(card.id, changes)
    assert snapshot(s, pid) == before


def test_unknown_card_refused(world: World) -> None:
    s = world.services
    with pytest.raises(NotFound):
        s.cards.get_card(999_999)
    with pytest.raises(NotFound):
        s.cards.update_card(999_999, {"title": "x"})
    with pytest.raises(NotFound):
        s.cards.find_card("SD-999")
    with pytest.raises(NotFound):
        s.cards.find_card("not a key")
    with pytest.raises(NotFound):
        s.cards.create_card(999_999, "No project")


def test_title_of_exactly_500_characters_is_fine(world: World) -> None:
    s = world.services
    title = "é" * 500
    card = s.cards.create_card(world.project.id, title)
    assert s.cards.get_card(card.id).title == title
    assert len(card.title) == 500


@pytest.mark.parametrize(
    "points", [0, "0", 0.5, "1,5", 13, "1000", Decimal("2.5")], ids=lambda p: repr(p)
)
def test_acceptable_points(world: World, points: Any) -> None:
    card = world.services.cards.create_card(world.project.id, "Card", points=points)
    assert card.points == Decimal(str(points).replace(",", "."))


def test_empty_points_mean_not_estimated(world: World) -> None:
    card = world.services.cards.create_card(world.project.id, "Card", points="  ")
    assert card.points is None


@pytest.mark.parametrize(
    "title",
    [
        "Emoji 🚀🔥 with ZWJ 👩‍💻 and flags 🇳🇱",
        "مرحبا بالعالم — تحديث الدفع",
        "שלום עולם: תיקון באג",
        "支付页面重构 / 決済画面 / 결제 화면",
        "Mixed: Pay ‏مرحبا‎ now 🙂",
    ],
    ids=["emoji", "arabic", "hebrew", "cjk", "mixed-bidi"],
)
def test_unicode_titles_round_trip(world: World, title: str) -> None:
    s = world.services
    card = s.cards.create_card(world.project.id, title, description=title)
    assert card.title == title
    fetched = s.cards.find_card(card.key)
    assert fetched.title == title
    assert fetched.description == title
    assert [c.title for c in s.cards.list_cards(world.project.id) if c.id == card.id] == [title]
    assert s.cards.history(card.id)[0].after["title"] == title


def test_titles_are_normalised_to_nfc(world: World) -> None:
    decomposed = "Cafe\u0301"
    card = world.services.cards.create_card(world.project.id, decomposed)
    assert card.title == "Café"


def test_description_allows_newlines_and_tabs(world: World) -> None:
    text = "Steps:\n\t1. open\r\n\t2. close"
    card = world.services.cards.create_card(world.project.id, "Card", description=text)
    assert card.description == "Steps:\n\t1. open\n\t2. close"


def test_clock_and_actor_are_recorded(world: World) -> None:
    s = world.services
    moment = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    saved = s.context.clock
    s.context.clock = lambda: moment
    try:
        card = s.cards.create_card(world.project.id, "Timed")
    finally:
        s.context.clock = saved
    event = s.cards.history(card.id)[0]
    assert event.at.replace(tzinfo=dt.UTC) == moment
    assert card.created_at.replace(tzinfo=dt.UTC) == moment


def test_change_notifications_after_commit_only(world: World) -> None:
    s = world.services
    seen: list[str] = []
    s.bus.subscribe(lambda change: seen.append(change.kind))
    card = s.cards.create_card(world.project.id, "Card")
    s.cards.update_card(card.id, {"title": "New"})
    with pytest.raises(ValidationError):
        s.cards.update_card(card.id, {"title": ""})
    s.cards.archive_card(card.id)
    s.cards.restore_card(card.id)
    assert seen == ["card_added", "card_changed", "card_archived", "card_restored"]
