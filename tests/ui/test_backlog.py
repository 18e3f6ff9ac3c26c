"""The backlog driven as a person drives it: dragging, keys, the menu, inline edits, epics."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QMenu

from app.errors import DomainError
from app.services import Services
from app.services.demo import DEMO_KEY
from app.services.dto import CardDTO, SprintDTO
from app.ui.backlog.model import (
    ASSIGNEE,
    COLUMNS,
    EPIC,
    KEY,
    POINTS,
    UNESTIMATED_TEXT,
    UnestimatedRole,
)
from app.ui.backlog.view import KANBAN_NOTE, QUICK_ADD_HINT, BacklogView
from app.ui.commands import CommandContext
from app.ui.store import BoardStore
from tests.ui.helpers import send_drop


@dataclass
class Backlog:
    view: BacklogView
    store: BoardStore
    stack: QUndoStack
    errors: list[str]
    services: Services
    project_id: int
    sprint: SprintDTO | None


def build(services: Services, project_id: int, qtbot) -> Backlog:  # type: ignore[no-untyped-def]
    store = BoardStore(services)
    store.load(project_id)
    stack = QUndoStack()
    errors: list[str] = []
    context = CommandContext(services, errors.append)
    view = BacklogView(
        store, services, context, lambda cmd: (stack.push(cmd), cmd.error is None)[1]
    )
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    return Backlog(view, store, stack, errors, services, project_id, None)


@pytest.fixture
def backlog(demo: Services, qtbot):  # type: ignore[no-untyped-def]
    """DEMO with one planned sprint holding the first two open backlog cards."""
    project = demo.projects.find_project(DEMO_KEY)
    sprint = demo.sprints.create_sprint(project.id, "Sprint Alpha", goal="Checkout first")
    b = build(demo, project.id, qtbot)
    for key in keys_in(b, "Backlog")[:2]:
        demo.sprints.plan_card(demo.cards.find_card(key).id, sprint.id)
    b.sprint = demo.sprints.get_sprint(sprint.id)
    yield b
    b.store.close()


# --- helpers -------------------------------------------------------------------------------


def section_row(b: Backlog, name: str) -> int:
    for row, section in enumerate(b.view.model.sections()):
        if section.name == name:
            return row
    raise AssertionError(f"no section {name}")


def keys_in(b: Backlog, name: str) -> list[str]:
    """What a person reads down a section."""
    model = b.view.model
    parent = model.index(section_row(b, name), 0)
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def header_text(b: Backlog, name: str) -> str:
    return b.view.model.index(section_row(b, name), 0).data()


def db_keys(b: Backlog, sprint_id: int | None) -> list[str]:
    """The DB's ranking of a section's open cards."""
    done = {c.id for c in b.store.columns if c.category == "done"}
    cards = sorted(b.services.cards.list_cards(b.project_id), key=lambda c: c.rank)
    return [
        c.key
        for c in cards
        if c.type != "epic"
        and c.sprint_id == sprint_id
        and (sprint_id is not None or c.column_id not in done)
    ]


def db_card(b: Backlog, key: str) -> CardDTO:
    return b.services.cards.find_card(key)


def select(b: Backlog, *keys: str) -> None:
    b.view.select_cards([db_card(b, k).id for k in keys])
    b.view.tree.setFocus()


def drag_mime(b: Backlog, keys: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """Select the cards and let the model build the drag's data, as a drag start does."""
    select(b, *keys)
    indexes = b.view.tree.selectionModel().selectedIndexes()
    assert len({i.parent().row() * 1000 + i.row() for i in indexes}) == len(keys)
    return b.view.model.mimeData(indexes)


def drop_cards(b: Backlog, keys: tuple[str, ...], section: str, row: int | None = None) -> None:
    """Drop cards in front of ``row`` of a section (None: after its last card)."""
    mime = drag_mime(b, keys)
    tree = b.view.tree
    model = b.view.model
    parent = model.index(section_row(b, section), 0)
    count = model.rowCount(parent)
    if count == 0:
        rect = tree.visualRect(parent)
        pos = rect.center()  # on the section's header row
    elif row is None or row >= count:
        last = model.index(count - 1, 0, parent)
        tree.scrollTo(last)
        rect = tree.visualRect(last)
        pos = QPoint(rect.center().x(), rect.bottom() - 1)
    else:
        index = model.index(row, 0, parent)
        tree.scrollTo(index)
        rect = tree.visualRect(index)
        pos = QPoint(rect.center().x(), rect.top() + 1)
    send_drop(tree.viewport(), pos, mime)


def undo(b: Backlog) -> None:
    b.stack.undo()


def redo(b: Backlog) -> None:
    b.stack.redo()


# --- tests ---------------------------------------------------------------------------------


def test_sections_show_sprints_then_backlog_in_rank_order(backlog: Backlog) -> None:
    b = backlog
    assert b.sprint is not None
    # The demo's active sprint comes first, then planned sprints, then the backlog.
    assert [s.name for s in b.view.model.sections()] == ["DEMO Sprint 4", "Sprint Alpha", "Backlog"]
    assert keys_in(b, "Sprint Alpha") == db_keys(b, b.sprint.id)
    assert keys_in(b, "Backlog") == db_keys(b, None)
    sprint_cards = [db_card(b, k) for k in keys_in(b, "Sprint Alpha")]
    total = sum(c.points or Decimal(0) for c in sprint_cards)
    header = header_text(b, "Sprint Alpha")
    assert "planned" in header and f"{total.normalize():f} pts" in header
    assert "2 cards" in header
    assert header_text(b, "Backlog").startswith("Backlog")
    # No epics and no finished work in the backlog.
    shown = {k for s in ("Sprint Alpha", "Backlog") for k in keys_in(b, s)}
    assert not any(e.key in shown for e in b.store.epics)
    assert b.view.quick_add.placeholderText() == QUICK_ADD_HINT
    assert not b.view.kanban_note.isVisible()


def test_models_pass_the_model_tester(backlog: Backlog, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(backlog.view.model)
    qtmodeltester.check(backlog.view.epic_model)


def test_drop_reranks_one_card_and_undo_restores_the_order(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    before = keys_in(b, "Backlog")
    moving = before[4]
    drop_cards(b, (moving,), "Backlog", row=1)
    expected = [before[0], moving, *[k for k in before[1:] if k != moving]]
    qtbot.waitUntil(lambda: keys_in(b, "Backlog") == expected)
    assert db_keys(b, None) == expected
    assert [c.key for c in b.view.selected_cards()] == [moving]
    assert "Rank" in b.stack.undoText()
    undo(b)
    assert keys_in(b, "Backlog") == before == db_keys(b, None)
    redo(b)
    assert keys_in(b, "Backlog") == expected == db_keys(b, None)
    assert not b.errors


def test_ctrl_home_and_ctrl_end_move_to_top_and_bottom(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    before = keys_in(b, "Backlog")
    key = before[3]
    select(b, key)
    qtbot.keyClick(b.view.tree, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert keys_in(b, "Backlog")[0] == key
    assert db_keys(b, None) == [key, *[k for k in before if k != key]]
    assert b.stack.undoText() == f"Move {key} to the top of Backlog"
    qtbot.keyClick(b.view.tree, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert keys_in(b, "Backlog")[-1] == key == db_keys(b, None)[-1]
    # Only this section's order counts: the sprint is untouched.
    assert keys_in(b, "Sprint Alpha") == db_keys(b, b.sprint.id)  # type: ignore[union-attr]
    undo(b)
    undo(b)
    assert keys_in(b, "Backlog") == before == db_keys(b, None)


def test_context_menu_moves_a_multi_selection_to_the_top(backlog: Backlog) -> None:
    b = backlog
    before = keys_in(b, "Backlog")
    picked = (before[5], before[2])
    select(b, *picked)
    assert [c.key for c in b.view.selected_cards()] == [before[2], before[5]]  # rank order
    menu = b.view.context_menu()
    assert isinstance(menu, QMenu)
    names = [a.text() for a in menu.actions()]
    assert "Move to top" in names and "Move to bottom" in names and "Move to backlog" in names
    assert "Open" not in names  # two cards: nothing single to open
    next(a for a in menu.actions() if a.text() == "Move to top").trigger()
    rest = [k for k in before if k not in picked]
    assert keys_in(b, "Backlog") == [before[2], before[5], *rest] == db_keys(b, None)
    undo(b)
    assert keys_in(b, "Backlog") == before == db_keys(b, None)


def test_drag_a_multi_selection_within_the_backlog(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    before = keys_in(b, "Backlog")
    picked = (before[0], before[1])
    drop_cards(b, picked, "Backlog")  # to the end
    expected = [*before[2:], before[0], before[1]]
    qtbot.waitUntil(lambda: keys_in(b, "Backlog") == expected)
    assert db_keys(b, None) == expected
    undo(b)
    assert keys_in(b, "Backlog") == before == db_keys(b, None)


def test_drag_from_backlog_into_a_sprint_and_back(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    assert b.sprint is not None
    backlog_before = keys_in(b, "Backlog")
    sprint_before = keys_in(b, "Sprint Alpha")
    key = backlog_before[3]
    drop_cards(b, (key,), "Sprint Alpha", row=1)
    expected = [sprint_before[0], key, sprint_before[1]]
    qtbot.waitUntil(lambda: keys_in(b, "Sprint Alpha") == expected)
    assert db_keys(b, b.sprint.id) == expected
    assert db_card(b, key).sprint_id == b.sprint.id
    assert key not in keys_in(b, "Backlog")
    assert b.stack.undoText() == f"Move {key} to Sprint Alpha"
    assert "3 cards" in header_text(b, "Sprint Alpha")
    undo(b)
    assert db_card(b, key).sprint_id is None
    assert keys_in(b, "Backlog") == backlog_before == db_keys(b, None)
    assert keys_in(b, "Sprint Alpha") == sprint_before == db_keys(b, b.sprint.id)
    redo(b)
    assert keys_in(b, "Sprint Alpha") == expected == db_keys(b, b.sprint.id)

    # And back out again, to the top of the backlog.
    drop_cards(b, (key,), "Backlog", row=0)
    qtbot.waitUntil(lambda: keys_in(b, "Backlog")[:1] == [key])
    assert db_card(b, key).sprint_id is None
    assert keys_in(b, "Sprint Alpha") == sprint_before
    undo(b)
    assert keys_in(b, "Sprint Alpha") == expected == db_keys(b, b.sprint.id)
    assert kinds(b, key)[-1] in ("ranked", "sprint_changed")


def kinds(b: Backlog, key: str) -> list[str]:
    return [e.kind for e in b.services.cards.history(db_card(b, key).id)]


def test_menu_moves_cards_between_sprints_and_to_the_backlog(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    assert b.sprint is not None
    second = b.services.sprints.create_sprint(b.project_id, "Sprint Beta")
    assert [s.name for s in b.view.model.sections()] == [
        "DEMO Sprint 4",
        "Sprint Alpha",
        "Sprint Beta",
        "Backlog",
    ]
    moving = tuple(keys_in(b, "Sprint Alpha"))
    select(b, *moving)
    menu = b.view.context_menu()
    assert menu is not None
    submenu = next(a.menu() for a in menu.actions() if a.text() == "Move to sprint")
    targets = {a.text(): a for a in submenu.actions()}
    assert set(targets) == {
        "DEMO Sprint 4 (active)",
        "Sprint Alpha (planned)",
        "Sprint Beta (planned)",
    }
    assert not targets["Sprint Alpha (planned)"].isEnabled()
    targets["Sprint Beta (planned)"].trigger()
    assert keys_in(b, "Sprint Beta") == list(moving) == db_keys(b, second.id)
    assert keys_in(b, "Sprint Alpha") == []
    assert b.stack.undoText() == "Move 2 cards to Sprint Beta"
    undo(b)
    assert keys_in(b, "Sprint Alpha") == list(moving) == db_keys(b, b.sprint.id)

    select(b, moving[0])
    menu = b.view.context_menu()
    assert menu is not None
    next(a for a in menu.actions() if a.text() == "Move to backlog").trigger()
    assert moving[0] in keys_in(b, "Backlog")
    assert db_card(b, moving[0]).sprint_id is None


def test_drop_on_an_empty_sprint_header_plans_the_card(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    second = b.services.sprints.create_sprint(b.project_id, "Sprint Beta")
    key = keys_in(b, "Backlog")[0]
    drop_cards(b, (key,), "Sprint Beta")
    qtbot.waitUntil(lambda: keys_in(b, "Sprint Beta") == [key])
    assert db_card(b, key).sprint_id == second.id


def test_enter_and_menu_open_the_card(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    key = keys_in(b, "Backlog")[2]
    select(b, key)
    with qtbot.waitSignal(b.view.open_requested) as blocker:
        qtbot.keyClick(b.view.tree, Qt.Key.Key_Return)
    assert blocker.args == [db_card(b, key).id]
    menu = b.view.context_menu()
    assert menu is not None
    with qtbot.waitSignal(b.view.open_requested) as blocker:
        next(a for a in menu.actions() if a.text() == "Open").trigger()
    assert blocker.args == [db_card(b, key).id]


def open_editor(b: Backlog, key: str, column: int, qtbot) -> QComboBox:  # type: ignore[no-untyped-def]
    tree = b.view.tree
    index = b.view.model.index_of(db_card(b, key).id, column)
    tree.setCurrentIndex(index)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    assert tree.state() == QAbstractItemView.State.EditingState
    editor = tree.viewport().findChild(QComboBox)
    assert editor is not None
    return editor


def test_inline_points_edit_and_a_refused_value(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    key = keys_in(b, "Backlog")[0]
    editor = open_editor(b, key, POINTS, qtbot)
    assert [editor.itemText(i) for i in range(editor.count())][:4] == ["", "0", "0.5", "1"]
    line = editor.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, "13")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: db_card(b, key).points == Decimal(13))
    index = b.view.model.index_of(db_card(b, key).id, POINTS)
    assert index.data() == "13"
    assert b.stack.undoText() == f"Edit {key}"

    editor = open_editor(b, key, POINTS, qtbot)
    line = editor.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, "-3")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(b.errors))
    assert "points" in b.errors[0].lower()
    assert db_card(b, key).points == Decimal(13)
    assert b.view.model.index_of(db_card(b, key).id, POINTS).data() == "13"
    undo(b)
    assert db_card(b, key).points != Decimal(13)


def test_inline_assignee_edit(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    key = next(k for k in keys_in(b, "Backlog") if db_card(b, k).assignee_id is None)
    editor = open_editor(b, key, ASSIGNEE, qtbot)
    names = [editor.itemText(i) for i in range(editor.count())]
    assert names[0] == "Unassigned" and len(names) > 2
    editor.setCurrentIndex(2)
    member_id = editor.itemData(2)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: db_card(b, key).assignee_id == member_id)
    index = b.view.model.index_of(db_card(b, key).id, ASSIGNEE)
    assert index.data() == names[2]


def test_unestimated_cards_are_marked_and_counted(backlog: Backlog) -> None:
    b = backlog
    assert b.sprint is not None
    key = keys_in(b, "Sprint Alpha")[0]
    card = db_card(b, key)
    b.services.cards.update_card(card.id, {"points": None})
    index = b.view.model.index_of(card.id, POINTS)
    assert index.data() == UNESTIMATED_TEXT
    assert index.data(UnestimatedRole) is True
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == "unestimated"
    assert "1 unestimated" in header_text(b, "Sprint Alpha")
    other = db_card(b, keys_in(b, "Sprint Alpha")[1])
    assert f"{other.points.normalize():f} pts" in header_text(b, "Sprint Alpha")  # type: ignore[union-attr]


def test_quick_add_creates_a_story_at_the_bottom_of_the_backlog(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    qtbot.keyClicks(b.view.quick_add, "Export invoices as CSV")
    qtbot.keyClick(b.view.quick_add, Qt.Key.Key_Return)
    key = keys_in(b, "Backlog")[-1]
    card = db_card(b, key)
    assert card.title == "Export invoices as CSV" and card.type == "story"
    assert card.sprint_id is None and db_keys(b, None)[-1] == key
    assert b.view.quick_add.text() == ""
    undo(b)
    assert key not in keys_in(b, "Backlog")


def test_epic_panel_shows_progress_and_filters(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    rows = b.view.epic_model.progress()
    assert rows[0].epic is None and len(rows) == len(b.store.epics) + 1
    epic = b.store.epics[0]
    children = [c for c in b.store.cards() if c.parent_id == epic.id]
    done_ids = {c.id for c in b.store.columns if c.category == "done"}
    total = sum(c.points or Decimal(0) for c in children)
    done = sum(c.points or Decimal(0) for c in children if c.column_id in done_ids)
    text = b.view.epic_model.index(1).data()
    assert f"{done.normalize():f} / {total.normalize():f} pts" in text

    rect = b.view.epic_list.visualRect(b.view.epic_model.index(1))
    qtbot.mouseClick(b.view.epic_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert b.view.epic_filter() == epic.id
    shown = [db_card(b, k) for s in ("Sprint Alpha", "Backlog") for k in keys_in(b, s)]
    assert shown and all(c.parent_id == epic.id for c in shown)
    assert "shown" in header_text(b, "Backlog")
    assert b.view.tree.isColumnHidden(EPIC)  # the same for every card shown
    rect = b.view.epic_list.visualRect(b.view.epic_model.index(0))
    qtbot.mouseClick(b.view.epic_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert b.view.epic_filter() is None
    assert keys_in(b, "Backlog") == db_keys(b, None)


def test_drop_cards_onto_an_epic(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    epic = b.store.epics[-1]
    keys = tuple(k for k in keys_in(b, "Backlog") if db_card(b, k).parent_id != epic.id)[:2]
    mime = drag_mime(b, keys)
    rect = b.view.epic_list.visualRect(b.view.epic_model.index(len(b.store.epics)))
    send_drop(b.view.epic_list.viewport(), rect.center(), mime)
    qtbot.waitUntil(lambda: all(db_card(b, k).parent_id == epic.id for k in keys))
    assert b.view.epic_model.progress()[-1].cards >= 2
    undo(b)
    assert all(db_card(b, k).parent_id != epic.id for k in keys)


def test_a_kanban_project_has_a_backlog_but_no_sprints(demo: Services, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = demo.projects.create_project("FLOW", "Flow team", "kanban")
    demo.cards.create_card(project.id, "Tidy the release notes")
    b = build(demo, project.id, qtbot)
    try:
        assert [s.name for s in b.view.model.sections()] == ["Backlog"]
        assert b.view.kanban_note.isVisible()
        assert b.view.kanban_note.text() == KANBAN_NOTE
        assert "no sprints" in KANBAN_NOTE
        select(b, keys_in(b, "Backlog")[0])
        menu = b.view.context_menu()
        assert menu is not None
        assert "Move to sprint" not in [a.text() for a in menu.actions()]
    finally:
        b.store.close()


def test_view_follows_changes_made_elsewhere(backlog: Backlog) -> None:
    b = backlog
    card = b.services.cards.create_card(b.project_id, "Made by a teammate")
    assert keys_in(b, "Backlog")[-1] == card.key
    b.services.cards.archive_card(card.id)
    assert card.key not in keys_in(b, "Backlog")
    assert QModelIndex() == b.view.model.index_of(card.id)


def test_a_collapsed_sprint_stays_collapsed_across_changes(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    tree = b.view.tree
    header = b.view.model.index(section_row(b, "Sprint Alpha"), 0)
    tree.collapse(header)
    b.services.cards.create_card(b.project_id, "Something new")  # the tree is rebuilt
    header = b.view.model.index(section_row(b, "Sprint Alpha"), 0)
    assert not tree.isExpanded(header)
    assert tree.isExpanded(b.view.model.index(section_row(b, "Backlog"), 0))
    tree.expand(header)
    b.services.cards.create_card(b.project_id, "Something else")
    assert tree.isExpanded(b.view.model.index(section_row(b, "Sprint Alpha"), 0))


# --- incremental updates -------------------------------------------------------------------


def tree_contents(view: BacklogView) -> tuple[list, list[str]]:
    """Everything the tree and the epics panel show, read through the models."""
    model = view.model
    sections = []
    for s_row in range(model.rowCount()):
        parent = model.index(s_row, 0)
        rows = [
            tuple(model.index(r, c, parent).data() for c in (KEY, POINTS, ASSIGNEE))
            for r in range(model.rowCount(parent))
        ]
        sections.append((parent.data(), rows))
    epics = [view.epic_model.index(r).data() for r in range(view.epic_model.rowCount())]
    return sections, epics


def fresh_contents(b: Backlog, qtbot) -> tuple[list, list[str]]:  # type: ignore[no-untyped-def]
    """What a BacklogView built now from the same store shows."""
    view = BacklogView(
        b.store, b.services, CommandContext(b.services, b.errors.append), b.stack.push
    )
    qtbot.addWidget(view)
    if b.view.epic_filter() is not None:
        view.set_epic_filter(b.view.epic_filter())
    contents = tree_contents(view)
    view.close()
    view.deleteLater()
    return contents


def random_change(b: Backlog, rng: random.Random, archived: list[int]) -> None:
    """One change a teammate might make, through the services."""
    cards = [c for c in b.store.cards() if c.type != "epic"]
    card = rng.choice(cards)
    sprints = [s.id for s in b.view.sprints()]
    kind = rng.choice(["rank", "rank", "rank", "ranks", "plan", "points", "archive", "new", "done"])
    if kind == "rank":
        anchor = rng.choice([c for c in cards if c.id != card.id])
        where = {"after_id": anchor.id} if rng.random() < 0.5 else {"before_id": anchor.id}
        b.services.board.rank_cards([card.id], **where)
    elif kind == "ranks":
        moving = rng.sample(cards, 3)
        anchor = rng.choice([c for c in cards if c not in moving])
        b.services.board.rank_cards([c.id for c in moving], after_id=anchor.id)
    elif kind == "plan":
        b.services.sprints.plan_card(card.id, rng.choice([*sprints, None]))
    elif kind == "points":
        points = rng.choice([None, Decimal(1), Decimal(3), Decimal(8)])
        b.services.cards.update_card(card.id, {"points": points})
    elif kind == "archive":
        if archived and rng.random() < 0.5:
            b.services.cards.restore_card(archived.pop(rng.randrange(len(archived))))
        else:
            b.services.cards.archive_card(card.id)
            archived.append(card.id)
    elif kind == "new":
        epic = rng.choice([None, *b.store.epics])
        b.services.cards.create_card(
            b.project_id,
            f"New card {rng.randrange(1000)}",
            points=rng.choice([None, Decimal(2)]),
            parent_id=epic.id if epic else None,
        )
    else:  # into another column, done or not: finished work leaves the backlog
        column = rng.choice(b.store.columns)
        b.services.board.move_card(card.id, column.id)


@pytest.mark.parametrize("epic_filter", [False, True])
def test_incremental_changes_match_a_fresh_build(
    backlog: Backlog, qtbot, qtmodeltester, epic_filter: bool
) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    if epic_filter:
        b.view.set_epic_filter(b.store.epics[0].id)
    qtmodeltester.check(b.view.model)  # stays attached: checks every signal from here on
    qtmodeltester.check(b.view.epic_model)
    resets: list[bool] = []
    b.view.model.modelAboutToBeReset.connect(lambda: resets.append(True))
    rng = random.Random(20240611 + epic_filter)
    archived: list[int] = []
    done = 0
    for step in range(60):
        try:
            random_change(b, rng, archived)
        except DomainError:
            continue  # e.g. planning finished work into a sprint: nothing changed
        done += 1
        assert tree_contents(b.view) == fresh_contents(b, qtbot), f"after change {step}"
    assert done > 40
    assert not resets  # every change went row by row
    qtmodeltester.check(b.view.model)


def test_a_rerank_keeps_the_selection_without_resetting(backlog: Backlog, qtbot) -> None:  # type: ignore[no-untyped-def]
    b = backlog
    b.view.resize(1300, 260)  # the backlog scrolls
    qtbot.wait(10)
    keys = keys_in(b, "Backlog")
    assert len(keys) > 12
    tree = b.view.tree
    select(b, keys[5])
    scroll = tree.verticalScrollBar()
    scroll.setValue(scroll.maximum() // 2)
    position = scroll.value()
    assert position > 0
    resets: list[bool] = []
    b.view.model.modelAboutToBeReset.connect(lambda: resets.append(True))
    chosen = db_card(b, keys[5])
    b.services.board.rank_cards([chosen.id], after_id=db_card(b, keys[-1]).id)
    assert keys_in(b, "Backlog") == [*keys[:5], *keys[6:], keys[5]]
    assert [c.key for c in b.view.selected_cards()] == [keys[5]]
    assert b.view.model.card_at(tree.currentIndex()).key == keys[5]  # type: ignore[union-attr]
    # A selected range of rows keeps holding the same cards when a card jumps into it,
    # out of it or over it.
    model = b.view.model
    parent = model.index(section_row(b, "Backlog"), 0)
    flags = QItemSelectionModel.SelectionFlag
    tree.selectionModel().select(
        QItemSelection(model.index(1, 0, parent), model.index(3, len(COLUMNS) - 1, parent)),
        flags.ClearAndSelect | flags.Rows,
    )
    ranged = keys_in(b, "Backlog")[1:4]
    outside = keys_in(b, "Backlog")[6]
    b.services.board.rank_cards([db_card(b, outside).id], before_id=db_card(b, ranged[1]).id)
    assert keys_in(b, "Backlog")[1:5] == [ranged[0], outside, ranged[1], ranged[2]]
    assert {c.key for c in b.view.selected_cards()} == set(ranged)
    last = keys_in(b, "Backlog")[-1]
    b.services.board.rank_cards([db_card(b, ranged[1]).id], after_id=db_card(b, last).id)
    assert {c.key for c in b.view.selected_cards()} == set(ranged)
    first = keys_in(b, "Backlog")[0]
    b.services.board.rank_cards([db_card(b, first).id], after_id=db_card(b, ranged[2]).id)
    assert {c.key for c in b.view.selected_cards()} == set(ranged)
    assert not resets
    assert scroll.value() == position


def test_an_edit_repaints_its_row_and_its_section_header(backlog: Backlog) -> None:
    b = backlog
    model = b.view.model
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(
        lambda top, bottom, _roles=(): changed.append((top.internalId(), top.row()))
    )
    resets: list[bool] = []
    model.modelAboutToBeReset.connect(lambda: resets.append(True))
    key = keys_in(b, "Sprint Alpha")[1]
    card = db_card(b, key)
    b.services.cards.update_card(card.id, {"points": Decimal(13)})
    s_row = section_row(b, "Sprint Alpha")
    assert (s_row + 1, 1) in changed  # the card's row (internal id: its section's row + 1)
    assert (0, s_row) in changed  # the section's header, with its figures
    assert "13" in model.index_of(card.id, POINTS).data()
    assert not resets
