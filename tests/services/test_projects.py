"""ProjectService (projects, members, labels) and the demo seed."""

from __future__ import annotations

from collections import Counter

import pytest

from app.errors import Conflict, NotFound, ValidationError
from app.services import Services
from app.services.demo import DEMO_KEY


def test_create_project_with_default_columns(services: Services) -> None:
    project = services.projects.create_project("SD", "  Sprintdeck  ")
    assert project.key == "SD"
    assert project.name == "Sprintdeck"
    assert project.methodology == "scrum"
    columns = services.workflow.list_columns(project.id)
    assert [(c.name, c.category, c.wip_limit) for c in columns] == [
        ("To Do", "todo", None),
        ("In Progress", "in_progress", None),
        ("Done", "done", None),
    ]
    assert [p.key for p in services.projects.list_projects()] == ["SD"]
    assert services.projects.find_project(" sd ").id == project.id
    assert services.projects.get_project(project.id) == project


def test_kanban_methodology(services: Services) -> None:
    project = services.projects.create_project("KB", "Flow", "kanban")
    assert project.methodology == "kanban"
    assert services.projects.find_project("KB").methodology == "kanban"
    with pytest.raises(ValidationError):
        services.projects.create_project("XP", "Extreme", "waterfall")
    assert [p.key for p in services.projects.list_projects()] == ["KB"]


def test_projects_listed_by_key(services: Services) -> None:
    for key in ("ZED", "ABC", "MID"):
        services.projects.create_project(key, key.title())
    assert [p.key for p in services.projects.list_projects()] == ["ABC", "MID", "ZED"]


def test_duplicate_key_refused(services: Services) -> None:
    services.projects.create_project("SD", "First")
    with pytest.raises(Conflict, match="already exists"):
        services.projects.create_project("SD", "Second")
    projects = services.projects.list_projects()
    assert [(p.key, p.name) for p in projects] == [("SD", "First")]


@pytest.mark.parametrize(
    "key",
    ["sd", "Sd", "S-D", "S D", "SD!", "S", "ABCDEFGHIJK", "1SD", "9", "", " SD", "ÄB", None],
)
def test_bad_project_keys_refused(services: Services, key: object) -> None:
    with pytest.raises(ValidationError, match="project key"):
        services.projects.create_project(key, "Name")  # type: ignore[arg-type]
    assert services.projects.list_projects() == []


@pytest.mark.parametrize("key", ["SD", "WEB2", "ABCDEFGHIJ", "A1"])
def test_good_project_keys(services: Services, key: str) -> None:
    assert services.projects.create_project(key, "Name").key == key


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "bad\x00"])
def test_bad_project_name_refused(services: Services, name: str) -> None:
    with pytest.raises(ValidationError):
        services.projects.create_project("SD", name)
    assert services.projects.list_projects() == []


def test_unknown_project(services: Services) -> None:
    with pytest.raises(NotFound):
        services.projects.find_project("NOPE")
    with pytest.raises(NotFound):
        services.projects.get_project(999_999)


def test_rename_project(services: Services) -> None:
    project = services.projects.create_project("SD", "Old")
    renamed = services.projects.rename_project(project.id, "New name")
    assert renamed.name == "New name"
    assert renamed.version == project.version + 1
    with pytest.raises(ValidationError):
        services.projects.rename_project(project.id, " ")
    assert services.projects.get_project(project.id).name == "New name"


# --- members --------------------------------------------------------------------------------


def test_members(services: Services) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    ada = services.projects.add_member(project.id, "Ada Lovelace", "Tech lead")
    services.projects.add_member(project.id, "Bob")
    assert ada.display_name == "Ada Lovelace"
    assert ada.role == "Tech lead"
    assert ada.initials == "AL"
    members = services.projects.list_members(project.id)
    assert [m.display_name for m in members] == ["Ada Lovelace", "Bob"]
    assert services.projects.find_member(project.id, "  ada LOVELACE ").id == ada.id
    with pytest.raises(NotFound):
        services.projects.find_member(project.id, "Charles")


@pytest.mark.parametrize("name", ["Ada Lovelace", "ada lovelace", "ADA LOVELACE"])
def test_duplicate_member_refused(services: Services, name: str) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    services.projects.add_member(project.id, "Ada Lovelace")
    with pytest.raises(Conflict, match="already in"):
        services.projects.add_member(project.id, name)
    assert len(services.projects.list_members(project.id)) == 1


def test_same_person_in_two_projects(services: Services) -> None:
    a = services.projects.create_project("AA", "A")
    b = services.projects.create_project("BB", "B")
    in_a = services.projects.add_member(a.id, "Ada")
    in_b = services.projects.add_member(b.id, "ada")
    assert in_a.id == in_b.id  # one person, two teams
    assert [m.display_name for m in services.projects.list_members(b.id)] == ["Ada"]


@pytest.mark.parametrize("name", ["", "  ", "x" * 101, "tab\there"])
def test_bad_member_name_refused(services: Services, name: str) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    with pytest.raises(ValidationError):
        services.projects.add_member(project.id, name)
    assert services.projects.list_members(project.id) == []


def test_member_of_unknown_project(services: Services) -> None:
    with pytest.raises(NotFound):
        services.projects.add_member(999_999, "Ada")


# --- labels ---------------------------------------------------------------------------------


def test_labels(services: Services) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    ux = services.projects.add_label(project.id, "ux", "#AABBCC")
    backend = services.projects.add_label(project.id, "backend")
    assert ux.color == "#aabbcc"
    assert backend.color.startswith("#") and len(backend.color) == 7
    assert [lb.name for lb in services.projects.list_labels(project.id)] == ["backend", "ux"]


@pytest.mark.parametrize("name", ["ux", "UX", "Ux"])
def test_duplicate_label_refused_case_insensitive(services: Services, name: str) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    services.projects.add_label(project.id, "ux")
    with pytest.raises(Conflict, match="already exists"):
        services.projects.add_label(project.id, name)
    assert [lb.name for lb in services.projects.list_labels(project.id)] == ["ux"]


def test_same_label_name_in_two_projects(services: Services) -> None:
    a = services.projects.create_project("AA", "A")
    b = services.projects.create_project("BB", "B")
    services.projects.add_label(a.id, "ux")
    assert services.projects.add_label(b.id, "ux").name == "ux"


@pytest.mark.parametrize("color", ["red", "#12345", "#1234567", "123456", "#GGGGGG", "#12 456"])
def test_bad_label_colour_refused(services: Services, color: str) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    with pytest.raises(ValidationError, match="#RRGGBB"):
        services.projects.add_label(project.id, "ux", color)
    assert services.projects.list_labels(project.id) == []


@pytest.mark.parametrize("name", ["", "two words", "x" * 51, "bad\x00"])
def test_bad_label_name_refused(services: Services, name: str) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    with pytest.raises(ValidationError):
        services.projects.add_label(project.id, name)
    assert services.projects.list_labels(project.id) == []


# --- the demo -------------------------------------------------------------------------------


def test_demo_project_contents(demo: Services) -> None:
    project = demo.projects.find_project(DEMO_KEY)
    cards = demo.cards.list_cards(project.id)
    columns = demo.workflow.list_columns(project.id)
    assert 50 <= len(cards) <= 60
    assert len([c for c in cards if c.type == "epic"]) == 3
    assert len(demo.projects.list_members(project.id)) == 5
    blocked = [c for c in cards if c.blocked]
    assert blocked and all(c.blocked_reason for c in blocked)
    per_column = Counter(c.column_id for c in cards)
    assert all(per_column[c.id] > 0 for c in columns), "every column has cards"
    assert len(columns) >= 3
    # Epics have children, and the children know their epic.
    assert any(c.parent_key is not None for c in cards)
    # Cards in done columns are resolved, others are not.
    done = {c.id for c in columns if c.category == "done"}
    for card in cards:
        assert (card.resolved_at is not None) == (card.column_id in done), card.key
    # The demo was created through the services, so it has real history.
    moved = [c for c in cards if c.column_id != columns[0].id]
    assert moved
    assert any(e.kind == "moved" for e in demo.cards.history(moved[0].id))


def test_demo_is_deterministic(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import make_runtime

    def dump(name: str) -> list[tuple]:
        runtime = make_runtime(tmp_path / name, demo=True)
        try:
            s = runtime.services
            project = s.projects.find_project(DEMO_KEY)
            rows = []
            for c in s.cards.list_cards(project.id, include_archived=True):
                rows.append(
                    (
                        c.key,
                        c.title,
                        c.type,
                        c.rank,
                        c.points,
                        c.assignee_name,
                        c.blocked_reason,
                        c.created_at,
                        c.resolved_at,
                        tuple(lb.name for lb in c.labels),
                        tuple((e.kind, e.at, e.actor) for e in s.cards.history(c.id)),
                    )
                )
            return rows
        finally:
            runtime.close()

    first = dump("one.db")
    second = dump("two.db")
    assert first == second
    assert len(first) > 30
