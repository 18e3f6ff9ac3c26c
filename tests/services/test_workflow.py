"""WorkflowService: columns are added, renamed, reordered, limited, archived and restored."""

from __future__ import annotations

import pytest

from app.errors import Conflict, NotFound, StaleEdit, ValidationError
from app.services import Services
from app.services.dto import ProjectDTO


@pytest.fixture
def project(services: Services) -> ProjectDTO:
    return services.projects.create_project("SD", "Sprintdeck")


def names(services: Services, project: ProjectDTO, include_archived: bool = False) -> list[str]:
    return [c.name for c in services.workflow.list_columns(project.id, include_archived)]


def columns_state(services: Services, project: ProjectDTO) -> list[tuple]:
    return [
        (c.id, c.name, c.position, c.category, c.wip_limit, c.archived)
        for c in services.workflow.list_columns(project.id, include_archived=True)
    ]


def test_new_column_goes_before_done_by_default(services: Services, project: ProjectDTO) -> None:
    review = services.workflow.add_column(project.id, "Review", "in_progress", wip_limit=3)
    assert review.wip_limit == 3
    assert review.category == "in_progress"
    assert names(services, project) == ["To Do", "In Progress", "Review", "Done"]
    positions = [c.position for c in services.workflow.list_columns(project.id)]
    assert positions == [0, 1, 2, 3]
    services.workflow.add_column(project.id, "Shipped", "done")
    assert names(services, project) == ["To Do", "In Progress", "Review", "Done", "Shipped"]
    services.workflow.add_column(project.id, "Ideas", "todo", position=0)
    assert names(services, project)[0] == "Ideas"


def test_rename_column(services: Services, project: ProjectDTO) -> None:
    doing = services.workflow.find_column(project.id, "in progress")
    renamed = services.workflow.update_column(
        doing.id, name="  Doing  ", expected_version=doing.version
    )
    assert renamed.name == "Doing"
    assert renamed.version == doing.version + 1
    assert names(services, project) == ["To Do", "Doing", "Done"]
    # Renaming to its own name in another case is not a clash with itself.
    assert services.workflow.update_column(doing.id, name="DOING").name == "DOING"


def test_stale_column_edit_refused(services: Services, project: ProjectDTO) -> None:
    doing = services.workflow.find_column(project.id, "In Progress")
    services.workflow.update_column(doing.id, name="Doing")
    before = columns_state(services, project)
    with pytest.raises(StaleEdit):
        services.workflow.update_column(doing.id, name="Mine", expected_version=doing.version)
    assert columns_state(services, project) == before


@pytest.mark.parametrize("name", ["done", "DONE", " To do "])
def test_duplicate_column_name_refused(services: Services, project: ProjectDTO, name: str) -> None:
    before = columns_state(services, project)
    with pytest.raises(Conflict, match="already a column"):
        services.workflow.add_column(project.id, name)
    doing = services.workflow.find_column(project.id, "In Progress")
    with pytest.raises(Conflict):
        services.workflow.update_column(doing.id, name=name)
    assert columns_state(services, project) == before


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "bad\x00name"])
def test_bad_column_name_refused(services: Services, project: ProjectDTO, name: str) -> None:
    before = columns_state(services, project)
    with pytest.raises(ValidationError):
        services.workflow.add_column(project.id, name)
    assert columns_state(services, project) == before


def test_reorder_columns(services: Services, project: ProjectDTO) -> None:
    done = services.workflow.find_column(project.id, "Done")
    result = services.workflow.move_column(done.id, 0)
    assert [c.name for c in result] == ["Done", "To Do", "In Progress"]
    assert names(services, project) == ["Done", "To Do", "In Progress"]
    assert [c.position for c in services.workflow.list_columns(project.id)] == [0, 1, 2]
    services.workflow.move_column(done.id, 99)
    assert names(services, project) == ["To Do", "In Progress", "Done"]


def test_reorder_changes_card_order_on_the_board(services: Services, project: ProjectDTO) -> None:
    done = services.workflow.find_column(project.id, "Done")
    services.cards.create_card(project.id, "first")
    services.cards.create_card(project.id, "finished", column_id=done.id)
    assert [c.title for c in services.cards.list_cards(project.id)] == ["first", "finished"]
    services.workflow.move_column(done.id, 0)
    assert [c.title for c in services.cards.list_cards(project.id)] == ["finished", "first"]


def test_wip_limits(services: Services, project: ProjectDTO) -> None:
    doing = services.workflow.find_column(project.id, "In Progress")
    assert services.workflow.update_column(doing.id, wip_limit=4).wip_limit == 4
    assert services.workflow.update_column(doing.id, wip_limit="5").wip_limit == 5
    assert services.workflow.update_column(doing.id, wip_limit=0).wip_limit is None
    assert services.workflow.update_column(doing.id, wip_limit=7).wip_limit == 7
    assert services.workflow.update_column(doing.id, wip_limit=None).wip_limit is None
    assert services.workflow.add_column(project.id, "Zero", wip_limit=0).wip_limit is None


@pytest.mark.parametrize("limit", [-1, "-3", "many", 1000, 2.5, True])
def test_bad_wip_limit_refused(services: Services, project: ProjectDTO, limit: object) -> None:
    doing = services.workflow.find_column(project.id, "In Progress")
    services.workflow.update_column(doing.id, wip_limit=3)
    before = columns_state(services, project)
    with pytest.raises(ValidationError):
        services.workflow.update_column(doing.id, wip_limit=limit)
    with pytest.raises(ValidationError):
        services.workflow.add_column(project.id, "New", wip_limit=limit)  # type: ignore[arg-type]
    assert columns_state(services, project) == before


def test_category_validation(services: Services, project: ProjectDTO) -> None:
    doing = services.workflow.find_column(project.id, "In Progress")
    before = columns_state(services, project)
    with pytest.raises(ValidationError, match="category"):
        services.workflow.add_column(project.id, "QA", "testing")
    with pytest.raises(ValidationError):
        services.workflow.update_column(doing.id, category="finished")
    assert columns_state(services, project) == before
    assert services.workflow.update_column(doing.id, category="DONE").category == "done"
    assert services.workflow.add_column(project.id, "Later", "todo").category == "todo"


def test_archive_and_restore_empty_column(services: Services, project: ProjectDTO) -> None:
    review = services.workflow.add_column(project.id, "Review")
    archived = services.workflow.archive_column(review.id)
    assert archived.archived is True
    assert names(services, project) == ["To Do", "In Progress", "Done"]
    assert "Review" in names(services, project, include_archived=True)
    assert [c.position for c in services.workflow.list_columns(project.id)] == [0, 1, 2]
    with pytest.raises(NotFound):
        services.workflow.find_column(project.id, "Review")
    with pytest.raises(Conflict):
        services.workflow.archive_column(review.id)
    restored = services.workflow.restore_column(review.id, position=2)
    assert restored.archived is False
    assert names(services, project) == ["To Do", "In Progress", "Review", "Done"]
    with pytest.raises(Conflict):
        services.workflow.restore_column(review.id)


def test_restore_refused_when_name_taken(services: Services, project: ProjectDTO) -> None:
    review = services.workflow.add_column(project.id, "Review")
    services.workflow.archive_column(review.id)
    services.workflow.add_column(project.id, "review")
    before = columns_state(services, project)
    with pytest.raises(Conflict):
        services.workflow.restore_column(review.id)
    assert columns_state(services, project) == before


def test_archiving_column_with_cards_needs_a_target(
    services: Services, project: ProjectDTO
) -> None:
    doing = services.workflow.find_column(project.id, "In Progress")
    cards = [
        services.cards.create_card(project.id, f"Card {i}", column_id=doing.id) for i in range(2)
    ]
    gone = services.cards.create_card(project.id, "archived", column_id=doing.id)
    services.cards.archive_card(gone.id)
    before_cols = columns_state(services, project)
    before_cards = services.cards.list_cards(project.id, include_archived=True)
    with pytest.raises(Conflict) as info:
        services.workflow.archive_column(doing.id)
    message = str(info.value)
    assert "2 card" in message  # the archived card does not count
    assert "In Progress" in message
    assert columns_state(services, project) == before_cols
    assert services.cards.list_cards(project.id, include_archived=True) == before_cards
    assert all(len(services.cards.history(c.id)) == 1 for c in cards)


def test_archiving_column_with_target_moves_cards(services: Services, project: ProjectDTO) -> None:
    doing = services.workflow.find_column(project.id, "In Progress")
    todo = services.workflow.find_column(project.id, "To Do")
    services.cards.create_card(project.id, "already in to do")
    cards = [
        services.cards.create_card(project.id, f"Card {i}", column_id=doing.id) for i in range(3)
    ]
    services.workflow.archive_column(doing.id, move_cards_to=todo.id)
    assert names(services, project) == ["To Do", "Done"]
    listed = services.cards.list_cards(project.id)
    assert [c.title for c in listed] == ["already in to do", "Card 0", "Card 1", "Card 2"]
    for card in cards:
        now = services.cards.get_card(card.id)
        assert now.column_id == todo.id
        assert now.rank == card.rank  # order kept, ranks untouched
        assert now.version == card.version + 1
        event = services.cards.history(card.id)[-1]
        assert event.kind == "moved"
        assert event.before == {"column": "In Progress", "category": "in_progress"}
        assert event.after == {"column": "To Do", "category": "todo"}


def test_archive_target_must_be_a_live_column_of_the_board(
    services: Services, project: ProjectDTO
) -> None:
    doing = services.workflow.find_column(project.id, "In Progress")
    review = services.workflow.add_column(project.id, "Review")
    services.workflow.archive_column(review.id)
    other = services.projects.create_project("OT", "Other")
    foreign = services.workflow.list_columns(other.id)[0]
    services.cards.create_card(project.id, "Card", column_id=doing.id)
    before = columns_state(services, project)
    for target in (doing.id, review.id, foreign.id):
        with pytest.raises(ValidationError):
            services.workflow.archive_column(doing.id, move_cards_to=target)
    with pytest.raises(NotFound):
        services.workflow.archive_column(doing.id, move_cards_to=999_999)
    assert columns_state(services, project) == before


def test_last_column_cannot_be_archived(services: Services, project: ProjectDTO) -> None:
    todo, doing, done = services.workflow.list_columns(project.id)
    services.workflow.archive_column(doing.id)
    services.workflow.archive_column(done.id)
    before = columns_state(services, project)
    with pytest.raises(Conflict, match="at least one column"):
        services.workflow.archive_column(todo.id)
    assert columns_state(services, project) == before
    assert names(services, project) == ["To Do"]


def test_archived_column_cannot_be_moved(services: Services, project: ProjectDTO) -> None:
    doing = services.workflow.find_column(project.id, "In Progress")
    services.workflow.archive_column(doing.id)
    with pytest.raises(Conflict):
        services.workflow.move_column(doing.id, 0)


def test_new_cards_go_to_first_live_column(services: Services, project: ProjectDTO) -> None:
    todo = services.workflow.find_column(project.id, "To Do")
    doing = services.workflow.find_column(project.id, "In Progress")
    services.workflow.move_column(doing.id, 0)
    assert services.cards.create_card(project.id, "a").column_id == doing.id
    services.workflow.archive_column(doing.id, move_cards_to=todo.id)
    assert services.cards.create_card(project.id, "b").column_id == todo.id


def test_unknown_column_and_project(services: Services, project: ProjectDTO) -> None:
    with pytest.raises(NotFound, match="To Do, In Progress, Done"):
        services.workflow.find_column(project.id, "Backlog")
    with pytest.raises(NotFound):
        services.workflow.update_column(999_999, name="x")
    with pytest.raises(NotFound):
        services.workflow.list_columns(999_999)
    with pytest.raises(NotFound):
        services.workflow.add_column(999_999, "x")
