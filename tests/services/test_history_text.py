"""Every kind of history event, and every field an edit may change, as the sentence the card
editor's History tab shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.models.history import EVENT_KINDS
from app.services.cards import EDITABLE_FIELDS
from app.services.dto import HistoryEventDTO
from app.services.history_text import HistoryNames, count_events, describe_event

ADA, GRACE, MEI = 1, 2, 4
FRONTEND, BACKEND, UX = 11, 12, 13
EPIC = 21
SPRINT_3, SPRINT_4 = 31, 32

NAMES = HistoryNames(
    members={ADA: "Ada Lovelace", GRACE: "Grace Hopper", MEI: "Mei Chen"},
    epics={EPIC: "DEMO-1 Checkout redesign"},
    labels={FRONTEND: "frontend", BACKEND: "backend", UX: "ux"},
    sprints={SPRINT_3: "DEMO Sprint 3", SPRINT_4: "DEMO Sprint 4"},
    format_date=lambda d: d.strftime("%d %b %Y"),
)

# (kind, before, after, the sentence)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    # created
    ("created", {}, {"title": "T", "column": "To Do", "points": None}, "Created in To Do"),
    (
        "created",
        {},
        {"title": "T", "column": "To Do", "points": "1.0"},
        "Created in To Do, 1 point",
    ),
    (
        "created",
        {},
        {
            "title": "T",
            "column": "In Progress",
            "points": "0.5",
            "sprint": "DEMO Sprint 4",
            "sprint_id": SPRINT_4,
            "assignee_id": GRACE,
            "blocked": True,
            "blocked_reason": "waiting for the API",
        },
        "Created in In Progress, in DEMO Sprint 4, 0.5 points, assigned to Grace Hopper, "
        "blocked: waiting for the API",
    ),
    (
        "created",
        {},
        {"title": "T", "column": "Done", "points": "3", "source": "trello", "external_id": "a1"},
        "Imported from Trello into Done, 3 points",
    ),
    # moved and ranked
    (
        "moved",
        {"column": "To Do", "category": "todo", "rank": "a"},
        {"column": "In Progress", "category": "in_progress", "rank": "b"},
        "Moved from To Do to In Progress",
    ),
    ("moved", {}, {"column": "Done"}, "Moved to Done"),
    ("ranked", {"rank": "b"}, {"rank": "aZ"}, "Moved up in the ranking"),
    ("ranked", {"rank": "aZ"}, {"rank": "b"}, "Moved down in the ranking"),
    # estimates
    ("estimated", {"points": "5.0"}, {"points": "8.0"}, "Story points 5 → 8"),
    ("estimated", {"points": None}, {"points": "13"}, "Story points — → 13"),
    ("estimated", {"points": "2.50"}, {"points": None}, "Story points 2.5 → —"),
    ("estimated", {"points": "-0"}, {"points": "0.5"}, "Story points 0 → 0.5"),
    ("edited", {"estimate_hours": "4.00"}, {"estimate_hours": "6"}, "Estimate 4 h → 6 h"),
    ("edited", {"estimate_hours": None}, {"estimate_hours": "1.5"}, "Estimate — → 1.5 h"),
    ("edited", {"remaining_hours": "4"}, {"remaining_hours": "0"}, "Remaining 4 h → 0 h"),
    # sprints
    (
        "sprint_changed",
        {"sprint": None, "sprint_id": None},
        {"sprint": "DEMO Sprint 3", "sprint_id": SPRINT_3},
        "Added to DEMO Sprint 3",
    ),
    (
        "sprint_changed",
        {"sprint": "DEMO Sprint 3", "sprint_id": SPRINT_3},
        {"sprint": None, "sprint_id": None},
        "Removed from DEMO Sprint 3",
    ),
    (
        "sprint_changed",
        {"sprint": "Old name", "sprint_id": SPRINT_3},
        {"sprint": "DEMO Sprint 4", "sprint_id": SPRINT_4},
        "Moved from DEMO Sprint 3 to DEMO Sprint 4",  # today's name of a renamed sprint
    ),
    (
        "sprint_changed",
        {"sprint": None, "sprint_id": None},
        {"sprint": "Gone sprint", "sprint_id": 99},
        "Added to Gone sprint",
    ),
    # people
    (
        "assigned",
        {"assignee_id": ADA},
        {"assignee_id": GRACE},
        "Assignee: Ada Lovelace → Grace Hopper",
    ),
    ("assigned", {"assignee_id": None}, {"assignee_id": MEI}, "Assignee: — → Mei Chen"),
    ("assigned", {"assignee_id": ADA}, {"assignee_id": None}, "Assignee: Ada Lovelace → —"),
    ("assigned", {"assignee_id": None}, {"assignee_id": 77}, "Assignee: — → member #77"),
    ("edited", {"reporter_id": None}, {"reporter_id": ADA}, "Reporter: — → Ada Lovelace"),
    (
        "edited",
        {"watcher_ids": [ADA]},
        {"watcher_ids": [GRACE, MEI]},
        "Watchers: +Grace Hopper +Mei Chen −Ada Lovelace",
    ),
    # blocks
    (
        "blocked",
        {"blocked": False, "blocked_reason": ""},
        {"blocked": True, "blocked_reason": "waiting for the API"},
        "Blocked: waiting for the API",
    ),
    ("blocked", {"blocked": False}, {"blocked": True}, "Blocked"),
    ("unblocked", {"blocked": True}, {"blocked": False}, "Unblocked"),
    (
        "edited",
        {"blocked_reason": "the API"},
        {"blocked_reason": "the vendor"},
        "Reason for the block: the API → the vendor",
    ),
    # archive
    ("archived", {"archived": False}, {"archived": True}, "Deleted (archived)"),
    ("restored", {"archived": True}, {"archived": False}, "Restored"),
    # other edits
    ("edited", {"title": "Old"}, {"title": "New"}, "Renamed from “Old” to “New”"),
    ("edited", {"description": ""}, {"description": "Why"}, "Description added"),
    ("edited", {"description": "Why"}, {"description": "Why not"}, "Description changed"),
    ("edited", {"description": "Why"}, {"description": ""}, "Description removed"),
    ("edited", {"type": "story"}, {"type": "bug"}, "Type: Story → Bug"),
    ("edited", {"priority": "medium"}, {"priority": "highest"}, "Priority: Medium → Highest"),
    ("edited", {"parent_id": None}, {"parent_id": EPIC}, "Epic: — → DEMO-1 Checkout redesign"),
    ("edited", {"parent_id": EPIC}, {"parent_id": None}, "Epic: DEMO-1 Checkout redesign → —"),
    ("edited", {"due_date": None}, {"due_date": "2026-12-24"}, "Due date: — → 24 Dec 2026"),
    (
        "edited",
        {"due_date": "2026-12-24"},
        {"due_date": "2027-01-08"},
        "Due date: 24 Dec 2026 → 08 Jan 2027",
    ),
    (
        "edited",
        {"label_ids": [BACKEND]},
        {"label_ids": [FRONTEND]},
        "Labels: +frontend −backend",
    ),
    ("edited", {"label_ids": []}, {"label_ids": [UX, 99]}, "Labels: +#99 +ux"),
    (
        "edited",
        {"checklist": [["Pick a library", False], ["Old step", False]]},
        {"checklist": [["Pick a library", True], ["Render", False]]},
        "Checklist: added “Render”; removed “Old step”; ticked “Pick a library”",
    ),
    (
        "edited",
        {"checklist": [["A", True]]},
        {"checklist": [["A", False]]},
        "Checklist: unticked “A”",
    ),
    (
        "edited",
        {"checklist": [["A", False], ["B", False]]},
        {"checklist": [["B", False], ["A", False]]},
        "Checklist reordered",
    ),
    # several fields in one edit: one line each
    (
        "edited",
        {"title": "Old", "priority": "low"},
        {"title": "New", "priority": "high"},
        "Renamed from “Old” to “New”\nPriority: Low → High",
    ),
    # an import's update edits points, assignee and sprint in one event
    (
        "edited",
        {"points": "3", "assignee_id": None, "sprint_id": None},
        {"points": "5", "assignee_id": ADA, "sprint_id": SPRINT_3},
        "Added to DEMO Sprint 3\nStory points 3 → 5\nAssignee: — → Ada Lovelace",
    ),
    # a kind or field from a newer Sprintdeck is still shown
    ("commented", {}, {}, "Commented"),
    ("edited", {"colour": None}, {"colour": "red"}, "Colour: — → red"),
]


@pytest.mark.parametrize(("kind", "before", "after", "expected"), CASES)
def test_event_sentence(kind: str, before: dict, after: dict, expected: str) -> None:
    event = HistoryEventDTO(
        1, 1, dt.datetime(2026, 12, 1, tzinfo=dt.UTC), "ada", kind, before, after
    )
    assert describe_event(event, NAMES) == expected


def test_every_event_kind_and_editable_field_has_a_case() -> None:
    kinds = {kind for kind, *_ in CASES}
    assert kinds >= set(EVENT_KINDS)
    fields = {name for _kind, before, after, _ in CASES for name in (*before, *after)}
    assert fields >= set(EDITABLE_FIELDS)


def test_without_names_ids_are_still_shown() -> None:
    event = HistoryEventDTO(1, 1, dt.datetime(2026, 12, 1), "x", "assigned", {}, {"assignee_id": 3})
    assert describe_event(event) == "Assignee: — → member #3"
    due = HistoryEventDTO(
        1, 1, dt.datetime(2026, 12, 1), "x", "edited", {}, {"due_date": "2026-12-24"}
    )
    assert describe_event(due) == "Due date: — → 2026-12-24"


@pytest.mark.parametrize(("count", "text"), [(0, "0 changes"), (1, "1 change"), (2, "2 changes")])
def test_count_events(count: int, text: str) -> None:
    assert count_events(count) == text
