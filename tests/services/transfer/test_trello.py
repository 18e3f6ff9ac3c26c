"""Importing a Trello board export: mapping, history, refused files, duplicates, atomicity."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bootstrap import Runtime
from app.errors import Conflict, DomainError
from app.models import Comment, HistoryEvent, Project
from app.services import Services
from app.services.transfer import ImportRefused, TransferService, parse_trello
from app.services.transfer import common as transfer_common
from tests.helpers import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
BOARD = FIXTURES / "trello_board.json"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def transfer(services: Services) -> TransferService:
    return TransferService(services.context)


def cards_by_title(services: Services, key: str) -> dict:
    project = services.projects.find_project(key)
    return {c.title: c for c in services.cards.list_cards(project.id, include_archived=True)}


def test_lists_become_columns_in_pos_order(services: Services, transfer: TransferService) -> None:
    summary = transfer.import_file("trello", BOARD)
    assert summary.project_key == "WR"  # "Website Relaunch 🚀"
    assert summary.project_created
    project = services.projects.find_project("WR")
    assert project.name == "Website Relaunch 🚀"
    columns = services.workflow.list_columns(project.id, include_archived=True)
    assert [(c.name, c.category, c.archived) for c in columns] == [
        ("Backlog", "todo", False),
        ("Doing", "in_progress", False),
        ("Done ✅", "done", False),
        ("Old ideas", "todo", True),
    ]


def test_cards_keep_pos_order_fields_labels_members(
    services: Services, transfer: TransferService
) -> None:
    transfer.import_file("trello", BOARD)
    project = services.projects.find_project("WR")
    live = services.cards.list_cards(project.id)
    assert [c.title for c in live] == [
        "Hero section 🎨",
        "Write copy for the pricing page",
        "Navigation bar",
        "Set up hosting",
    ]
    cards = cards_by_title(services, "WR")
    hero = cards["Hero section 🎨"]
    assert hero.points == Decimal("3")  # "(3) " prefix, the Scrum for Trello convention
    assert hero.description == "Big picture, **bold** claim.\nSecond line."
    assert hero.assignee_name == "Ada Lovelace"
    members = {m.id: m.display_name for m in services.projects.list_members(project.id)}
    assert sorted(members[i] for i in hero.watcher_ids) == ["Björn Ångström", "Chen Wei 陈伟"]
    assert [(lb.name, lb.color) for lb in hero.labels] == [
        ("frontend", "#4bce97"),
        ("yellow", "#f5cd47"),  # a colour-only label is named after its colour
    ]
    assert hero.due_date == dt.date(2025, 12, 5)
    assert [(i.text, i.done) for i in hero.checklist] == [
        ("Draft headline", True),
        ("Pick photo 📷", True),
        ("Review with marketing", False),
        ("A/B test ideas", False),
    ]
    labels = {lb.name: lb.color for lb in services.projects.list_labels(project.id)}
    assert labels["urgent"] == "#f87168"
    assert "Needs-design" in labels  # one word
    assert {lb.name for lb in cards["Navigation bar"].labels} == {"frontend", "Needs-design"}


def test_archived_cards_and_lists_are_imported_archived(
    services: Services, transfer: TransferService
) -> None:
    transfer.import_file("trello", BOARD)
    cards = cards_by_title(services, "WR")
    assert cards["Cookie banner"].archived
    assert cards["Flash intro animation"].archived  # in an archived list
    assert not cards["Navigation bar"].archived
    assert len(cards) == 6


def test_comments_and_history_start_at_the_source_times(
    runtime: Runtime, services: Services, transfer: TransferService
) -> None:
    transfer.import_file("trello", BOARD)
    cards = cards_by_title(services, "WR")
    hero = cards["Hero section 🎨"]
    assert hero.created_at == utc(2025, 11, 15, 8)
    with runtime.services.context.read() as uow:
        comments = uow.session.execute(
            select(Comment.author, Comment.created_at, Comment.text)
            .where(Comment.card_id == hero.id)
            .order_by(Comment.created_at)
        ).all()
    assert [tuple(c) for c in comments] == [
        ("Ada Lovelace", utc(2025, 11, 20, 9, 30), "First draft is in Figma.\nSee frame 3."),
        ("Björn Ångström", utc(2025, 11, 21, 10), "Looks great 👍; ship it"),
    ]
    hosting = services.cards.history(cards["Set up hosting"].id)
    assert [(e.kind, e.at, e.after.get("column")) for e in hosting] == [
        ("created", utc(2025, 11, 16, 8), "Backlog"),
        ("moved", utc(2025, 11, 17, 9), "Doing"),
        ("moved", utc(2025, 11, 19, 11), "Done ✅"),
    ]
    assert cards["Set up hosting"].resolved_at is not None
    banner = services.cards.history(cards["Cookie banner"].id)
    assert [e.kind for e in banner] == ["created", "archived"]
    assert banner[-1].at == utc(2025, 11, 18, 8)
    # without a createCard action the time comes from the Trello id (a MongoDB ObjectId)
    copy = cards["Write copy for the pricing page"]
    assert copy.created_at == dt.datetime.fromtimestamp(0x6000000A, dt.UTC)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("trello_member_export.json", ["no key 'name'", "member", "Trello board export"]),
        ("trello_truncated.json", ["not valid JSON", "line 26, column", "complete"]),
        ("trello_board_utf16.json", ["UTF-16", "UTF-8"]),
    ],
)
def test_wrong_files_are_refused_saying_where(
    runtime: Runtime, transfer: TransferService, name: str, words: list[str]
) -> None:
    with pytest.raises(ImportRefused) as caught:
        transfer.import_file("trello", FIXTURES / name)
    for word in words:
        assert word in str(caught.value)
    with runtime.services.context.read() as uow:
        assert uow.session.scalar(select(func.count(Project.id))) == 0


def test_a_jira_csv_given_as_trello_is_refused(transfer: TransferService) -> None:
    with pytest.raises(ImportRefused, match=r"not valid JSON .*line 1, column 1"):
        transfer.import_file("trello", FIXTURES / "jira_export.csv")


def test_second_import_refuses_then_skips_or_updates(
    tmp_path: Path, services: Services, transfer: TransferService
) -> None:
    transfer.import_file("trello", BOARD)
    with pytest.raises(Conflict, match=r"6 of the 6 cards .* imported into WR before"):
        transfer.import_file("trello", BOARD)
    assert len(cards_by_title(services, "WR")) == 6
    skipped = transfer.import_file("trello", BOARD, on_duplicate="skip")
    assert (skipped.cards, skipped.skipped) == (0, 6)

    data = json.loads(BOARD.read_text(encoding="utf-8"))
    data["cards"][3]["name"] = "Navigation bar, sticky"
    data["cards"][3]["idList"] = "list00000000000000000000d"
    data["cards"].append(dict(data["cards"][0], id="6000000a00000000000000ff", name="New one"))
    changed = tmp_path / "board2.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    updated = transfer.import_file("trello", changed, on_duplicate="update")
    assert (updated.cards, updated.updated) == (1, 1)
    cards = cards_by_title(services, "WR")
    assert "New one" in cards
    nav = cards["Navigation bar, sticky"]
    columns = {c.id: c.name for c in services.workflow.list_columns(nav.project_id)}
    assert columns[nav.column_id] == "Done ✅"
    kinds = [e.kind for e in services.cards.history(nav.id)]
    assert kinds[-2:] == ["edited", "moved"]


def test_project_option_merges_into_an_existing_project(
    services: Services, transfer: TransferService
) -> None:
    project = services.projects.create_project("SD", "Sprintdeck")
    services.cards.create_card(project.id, "Already here")
    summary = transfer.import_file("trello", BOARD, project_key="sd")
    assert not summary.project_created
    names = [c.name for c in services.workflow.list_columns(project.id)]
    assert names[:3] == ["To Do", "In Progress", "Done"]
    assert names[3:] == ["Backlog", "Doing", "Done ✅"]
    cards = services.cards.list_cards(project.id, include_archived=True)
    assert [c.key for c in cards if c.title == "Already here"] == ["SD-1"]
    assert sorted(c.number for c in cards) == list(range(1, 8))


def test_a_failure_half_way_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch, runtime: Runtime, transfer: TransferService
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise DomainError("disk gone")

    monkeypatch.setattr(transfer_common._PlanWriter, "_link_parents", broken)
    with pytest.raises(DomainError, match="disk gone"):
        transfer.import_file("trello", BOARD)
    with runtime.services.context.read() as uow:
        session = uow.session
        assert session.scalar(select(func.count(Project.id))) == 0
        assert session.scalar(select(func.count(HistoryEvent.id))) == 0


def test_progress_is_reported(transfer: TransferService) -> None:
    seen: list[tuple[int, int]] = []
    transfer.import_file("trello", BOARD, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 6)
    assert seen[-1] == (6, 6)


def test_preview_counts_without_writing(runtime: Runtime, transfer: TransferService) -> None:
    preview = transfer.preview("trello", BOARD)
    counts = dict(preview.counts)
    assert counts["cards"] == 6
    assert counts["archived cards"] == 2
    assert counts["comments"] == 2
    assert counts["checklist items"] == 4
    assert preview.project_key == "WR"
    assert not preview.project_exists
    assert preview.first_rows[0][1] == "Hero section 🎨"
    with runtime.services.context.read() as uow:
        assert uow.session.scalar(select(func.count(Project.id))) == 0


def test_derived_keys() -> None:
    from app.services.transfer.common import derive_key

    assert derive_key("Roadmap") == "ROADMAP"
    assert derive_key("Marketing Site 2025") == "MS2025"
    assert derive_key("🚀") == "IMP"
    assert derive_key("2025 plans") == "P"[:0] + derive_key("2025 plans")  # valid below
    from app.services.validation import clean_key

    for name in ("2025 plans", "a", "Überweisung Prozess", "x" * 40):
        clean_key(derive_key(name))


def test_parse_does_not_need_a_database() -> None:
    plan = parse_trello(BOARD)
    assert plan.source == "trello"
    assert [c.name for c in plan.columns] == ["Backlog", "Doing", "Done ✅", "Old ideas"]
