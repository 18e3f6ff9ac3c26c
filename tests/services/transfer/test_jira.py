"""Importing Jira's CSV export (all fields): repeated columns, dates, points, epics, sprints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bootstrap import Runtime
from app.errors import Conflict
from app.models import Comment, Project
from app.services import Services
from app.services.transfer import ImportRefused, TransferService
from app.services.transfer.jira import parse_date
from tests.helpers import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
EXPORT = FIXTURES / "jira_export.csv"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def transfer(services: Services) -> TransferService:
    return TransferService(services.context)


@pytest.fixture
def imported(services: Services, transfer: TransferService) -> dict:
    summary = transfer.import_file("jira-csv", EXPORT)
    assert summary.project_key == "WEB"
    project = services.projects.find_project("WEB")
    return {c.key: c for c in services.cards.list_cards(project.id, include_archived=True)}


def test_every_row_becomes_one_card_keeping_its_key(imported: dict, services: Services) -> None:
    assert sorted(imported) == [f"WEB-{n}" for n in range(1, 7)]
    project = services.projects.find_project("WEB")
    assert project.name == "Web Shop"
    new = services.cards.create_card(project.id, "After the import")
    assert new.key == "WEB-7"


def test_fields_are_mapped(imported: dict, services: Services) -> None:
    story = imported["WEB-2"]
    assert story.title == "Card payment form"
    assert story.type == "story"
    assert story.priority == "medium"
    assert story.points == Decimal("5")
    assert story.estimate_hours == Decimal("8")
    assert story.remaining_hours == Decimal("0")
    assert story.assignee_name == "Ada Lovelace"
    assert story.reporter_name == "Bob Stone"
    assert [lb.name for lb in story.labels] == ["checkout", "payments"]
    members = {
        m.id: m.display_name
        for m in services.projects.list_members(story.project_id, include_inactive=True)
    }
    assert sorted(members[i] for i in story.watcher_ids) == ["Bob Stone", "Chen Wei 陈伟"]
    assert story.description == (
        'As a buyer I want to pay by card.\n\nAcceptance:\n- "Visa" and Mastercard\n'
        "- 3-D Secure, too"
    )
    assert story.created_at == utc(2025, 11, 2, 10, 15)
    assert story.resolved_at == utc(2025, 11, 12, 17, 3)
    assert story.due_date == dt.date(2025, 11, 14)
    assert imported["WEB-4"].description == 'Steps:\n1. Empty the basket\n2. Press "Pay"'
    assert imported["WEB-4"].type == "bug"
    assert imported["WEB-4"].priority == "highest"
    assert imported["WEB-4"].assignee_name is None
    # the second story-point column
    assert imported["WEB-3"].points == Decimal("3")
    assert imported["WEB-5"].points == Decimal("0.5")
    assert imported["WEB-6"].type == "task"
    assert imported["WEB-6"].priority == "low"


def test_epics_by_epic_link_or_parent_id(imported: dict) -> None:
    assert imported["WEB-1"].type == "epic"
    assert imported["WEB-2"].parent_key == "WEB-1"  # Epic Link (a key)
    assert imported["WEB-3"].parent_key == "WEB-1"  # Parent (an issue id)
    assert imported["WEB-6"].parent_key is None  # a sub-task's parent is a story, not an epic


def test_statuses_become_columns_ordered_by_category(imported: dict, services: Services) -> None:
    project = services.projects.find_project("WEB")
    columns = services.workflow.list_columns(project.id)
    assert [(c.name, c.category) for c in columns] == [
        ("To Do", "todo"),
        ("Backlog", "todo"),
        ("In Progress", "in_progress"),
        ("In Review", "in_progress"),
        ("Done", "done"),
    ]


def test_rank_order_from_jira(imported: dict, services: Services) -> None:
    project = services.projects.find_project("WEB")
    ranked = sorted(imported.values(), key=lambda c: c.rank)
    assert [c.key for c in ranked] == ["WEB-4", "WEB-2", "WEB-6", "WEB-3", "WEB-1", "WEB-5"]
    assert project.key == "WEB"


def test_sprints_created_closed_ones_closed(imported: dict, services: Services) -> None:
    project = services.projects.find_project("WEB")
    sprints = {s.name: s for s in services.sprints.list_sprints(project.id)}
    assert sprints["WEB Sprint 1"].state == "closed"  # WEB-3 was carried over from it
    assert sprints["WEB Sprint 2"].state == "active"
    assert imported["WEB-3"].sprint_name == "WEB Sprint 2"
    assert imported["WEB-2"].sprint_name == "WEB Sprint 1"
    assert imported["WEB-5"].sprint_name is None
    # snapshots are written, so velocity counts the imported sprints
    assert sprints["WEB Sprint 1"].committed_points == Decimal("9")  # WEB-2, WEB-3, WEB-6
    assert sprints["WEB Sprint 1"].completed_points == Decimal("6")  # WEB-3 carried over
    assert sprints["WEB Sprint 2"].committed_points == Decimal("5")


def test_comments_with_authors_from_account_ids(imported: dict, runtime: Runtime) -> None:
    with runtime.services.context.read() as uow:
        rows = uow.session.execute(
            select(Comment.author, Comment.created_at, Comment.text)
            .where(Comment.card_id == imported["WEB-2"].id)
            .order_by(Comment.created_at)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Bob Stone", utc(2025, 11, 3, 11), "Please keep the form short; one page only."),
        (
            "Ada Lovelace",
            utc(2025, 11, 10, 14, 30),
            "Done, see PR #12.\nSecond line of the comment.",
        ),
    ]


def test_history_makes_charts_sensible(imported: dict, services: Services) -> None:
    done = services.cards.history(imported["WEB-2"].id)
    assert [(e.kind, e.at) for e in done] == [
        ("created", utc(2025, 11, 2, 10, 15)),
        ("moved", utc(2025, 11, 12, 17, 3)),
    ]
    assert done[0].after["column"] == "To Do"
    assert done[1].after["column"] == "Done"
    todo = services.cards.history(imported["WEB-4"].id)
    assert [e.kind for e in todo] == ["created"]


def test_importing_twice_refuses(imported: dict, transfer: TransferService) -> None:
    with pytest.raises(Conflict, match="imported into WEB before"):
        transfer.import_file("jira-csv", EXPORT)
    again = transfer.import_file("jira-csv", EXPORT, on_duplicate="skip")
    assert again.cards == 0


def test_into_another_project_numbers_are_allocated(
    services: Services, transfer: TransferService
) -> None:
    summary = transfer.import_file("jira-csv", EXPORT, project_key="SHOP")
    assert summary.project_key == "SHOP"
    project = services.projects.find_project("SHOP")
    keys = sorted(c.number for c in services.cards.list_cards(project.id))
    assert keys == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("not_jira.csv", ["line 1", "no column 'Summary'", "'name'", "Jira CSV export"]),
        ("jira_latin1.csv", ["not UTF-8", "line 7, column", "Jira CSV"]),
        ("jira_truncated.csv", ["line", "complete"]),
        ("trello_board.json", ["line 1", "Jira CSV"]),
    ],
)
def test_wrong_files_are_refused(
    runtime: Runtime, transfer: TransferService, name: str, words: list[str]
) -> None:
    with pytest.raises(ImportRefused) as caught:
        transfer.import_file("jira-csv", FIXTURES / name)
    for word in words:
        assert word in str(caught.value)
    with runtime.services.context.read() as uow:
        assert uow.session.scalar(select(func.count(Project.id))) == 0


def test_a_bad_date_names_its_line(tmp_path: Path, transfer: TransferService) -> None:
    text = EXPORT.read_text(encoding="utf-8").replace("15/Nov/25 7:45 PM", "the ides of March", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ImportRefused, match="line 10: the date 'the ides of March' in 'Created'"):
        transfer.import_file("jira-csv", bad)


def test_dates_in_jira_formats() -> None:
    assert parse_date("28/Nov/25 5:03 PM") == utc(2025, 11, 28, 17, 3)
    assert parse_date("01/Dec/25 12:00 AM") == utc(2025, 12, 1, 0, 0)
    assert parse_date("2025-11-28 17:03") == utc(2025, 11, 28, 17, 3)
    assert parse_date("28/Nov/25") == utc(2025, 11, 28)
    assert parse_date("") is None
    assert parse_date("tomorrow") is None
