"""The card, workflow and project dialogs, driven as a person drives them, on the demo data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QSpinBox,
)

from app.errors import DomainError
from app.services import Services
from app.services.dto import BoardDTO, CardDTO, SprintDTO
from app.ui.commands import CommandContext, CreateCardCommand, EditCardCommand
from app.ui.dialogs.card_dialog import CardDialog
from app.ui.dialogs.project_dialog import ProjectDialog
from app.ui.dialogs.workflow_dialog import WorkflowDialog

LEFT = Qt.MouseButton.LeftButton

# --- helpers -----------------------------------------------------------------------------


@pytest.fixture
def project_id(demo: Services) -> int:
    return demo.projects.find_project("DEMO").id


@pytest.fixture
def board(demo: Services, project_id: int) -> BoardDTO:
    return demo.board.load_board(project_id)


class Recorder:
    """A ``submit`` callable wired to the real services, remembering what it was given."""

    def __init__(self, demo: Services, project_id: int, card: CardDTO | None = None) -> None:
        self.demo, self.project_id, self.card = demo, project_id, card
        self.calls: list[dict[str, Any]] = []
        self.saved: CardDTO | None = None

    def __call__(self, values: dict[str, Any]) -> str | None:
        self.calls.append(dict(values))
        try:
            if self.card is None:
                self.saved = self.demo.cards.create_card(self.project_id, **values)
            else:
                self.saved = self.demo.cards.update_card(
                    self.card.id, values, expected_version=self.card.version
                )
        except DomainError as exc:
            return str(exc)
        return None


def open_card_dialog(
    qtbot, demo: Services, board: BoardDTO, card: CardDTO | None = None, **extra: Any
) -> tuple[CardDialog, Recorder]:
    """The dialog as the window opens it; ``extra`` passes sprints, default_sprint_id or
    project (without them: the dialog as callers that predate the Sprint field open it)."""
    recorder = Recorder(demo, board.project.id, card)
    dialog = CardDialog(
        columns=board.columns,
        members=board.members,
        labels=board.labels,
        epics=board.epics,
        submit=extra.pop("submit", recorder),
        card=card,
        history=demo.cards.history(card.id) if card is not None else (),
        **extra,
    )
    qtbot.addWidget(dialog)
    show(qtbot, dialog)
    return dialog, recorder


def show(qtbot, dialog: QDialog) -> None:
    """Show and activate, as a dialog opened by a person is: keys then go where focus is."""
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick an entry the way the keyboard does: focus the combo and move to the entry."""
    index = combo.findText(text, Qt.MatchFlag.MatchContains)
    assert index >= 0, (
        f"{text!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    )
    combo.setFocus()
    while combo.currentIndex() < index:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    while combo.currentIndex() > index:
        qtbot.keyClick(combo, Qt.Key.Key_Up)


def type_text(qtbot, edit: QLineEdit, text: str) -> None:
    """Type ``text`` key by key. QTest only synthesises ASCII keys, so other characters
    (CJK, Hebrew, emoji) are sent as key events carrying their text, as a keyboard layout or
    an input method delivers them."""
    for char in text:
        if ord(char) < 0x80:
            qtbot.keyClicks(edit, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(edit, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def retype(qtbot, edit: QLineEdit, text: str) -> None:
    """Select everything in a field and type over it."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(edit, text)


def toggle_item(qtbot, widget: QListWidget, text: str) -> None:
    """Tick or untick a checkable list entry with the space bar."""
    matches = widget.findItems(text, Qt.MatchFlag.MatchExactly)
    assert matches, f"{text!r} is not in the list"
    widget.setFocus()
    widget.setCurrentItem(matches[0])
    qtbot.keyClick(widget.viewport(), Qt.Key.Key_Space)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, LEFT)


def error_label(dialog: QDialog) -> QLabel:
    label = dialog.findChild(QLabel, "errorLabel")
    assert label is not None
    return label


def card_titled(demo: Services, project_id: int, title: str) -> CardDTO:
    return next(c for c in demo.cards.list_cards(project_id) if c.title == title)


# --- CardDialog ----------------------------------------------------------------------------


def test_new_card_with_every_field_is_saved(qtbot, demo, board, project_id) -> None:
    dialog, recorder = open_card_dialog(qtbot, demo, board)
    assert dialog.windowTitle() == "New card"
    assert not dialog.ok_button.isEnabled()

    qtbot.keyClicks(dialog.title_edit, "Export the sprint report as PDF")
    choose(qtbot, dialog.type_combo, "Bug")
    choose(qtbot, dialog.priority_combo, "Highest")
    qtbot.keyClicks(dialog.points_combo.lineEdit(), "13")
    qtbot.keyClicks(dialog.estimate_edit, "6.5")
    qtbot.keyClicks(dialog.remaining_edit, "4")
    choose(qtbot, dialog.assignee_combo, "Grace Hopper")
    choose(qtbot, dialog.reporter_combo, "Ada Lovelace")
    epic = board.epics[0]
    choose(qtbot, dialog.epic_combo, epic.key)
    choose(qtbot, dialog.column_combo, "In Progress")
    click(qtbot, dialog.no_due_check)
    assert dialog.due_edit.isEnabled()
    dialog.due_edit.setDate(QDate(2026, 12, 24))
    assert not dialog.reason_edit.isEnabled()
    click(qtbot, dialog.blocked_check)
    assert dialog.reason_edit.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "Waiting for the PDF library licence")
    toggle_item(qtbot, dialog.labels_list, "backend")
    toggle_item(qtbot, dialog.labels_list, "ux")
    toggle_item(qtbot, dialog.watchers_list, "Mei Chen")

    dialog.tabs.setCurrentIndex(1)
    qtbot.keyClicks(dialog.description_edit, "Stakeholders want a PDF.")
    for text in ("Pick a library", "Render the burndown"):
        click(qtbot, dialog.add_item_button)
        editor = dialog.focusWidget()
        assert isinstance(editor, QLineEdit), "Add item opens the new item for typing"
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: dialog.checklist_list.state() != QAbstractItemView.State.EditingState
        )
    toggle_item(qtbot, dialog.checklist_list, "Pick a library")

    click(qtbot, dialog.ok_button)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(recorder.calls) == 1
    assert set(recorder.calls[0]) >= {"title", "label_ids", "checklist", "column_id"}
    card = card_titled(demo, project_id, "Export the sprint report as PDF")
    members = {m.display_name: m.id for m in board.members}
    column = next(c for c in board.columns if c.name == "In Progress")
    assert (card.type, card.priority) == ("bug", "highest")
    assert card.points == Decimal("13")
    assert (card.estimate_hours, card.remaining_hours) == (Decimal("6.5"), Decimal("4"))
    assert card.assignee_id == members["Grace Hopper"]
    assert card.reporter_id == members["Ada Lovelace"]
    assert card.parent_id == epic.id
    assert card.column_id == column.id
    assert card.due_date == dt.date(2026, 12, 24)
    assert card.blocked and card.blocked_reason == "Waiting for the PDF library licence"
    assert sorted(label.name for label in card.labels) == ["backend", "ux"]
    assert card.watcher_ids == (members["Mei Chen"],)
    assert card.description == "Stakeholders want a PDF."
    assert [(i.text, i.done) for i in card.checklist] == [
        ("Pick a library", True),
        ("Render the burndown", False),
    ]


def test_new_card_defaults_to_first_column_and_backlog_values(qtbot, demo, board) -> None:
    dialog, recorder = open_card_dialog(qtbot, demo, board)
    qtbot.keyClicks(dialog.title_edit, "Plain card")
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = recorder.saved
    assert saved is not None
    assert saved.column_id == board.columns[0].id
    assert (saved.type, saved.priority, saved.points) == ("story", "medium", None)
    assert saved.due_date is None and not saved.blocked
    assert saved.labels == () and saved.checklist == ()


def test_editing_one_field_submits_only_that_field(qtbot, demo, board) -> None:
    card = board.cards[0]
    dialog, recorder = open_card_dialog(qtbot, demo, board, card)
    assert dialog.windowTitle() == f"Edit {card.key}"
    assert dialog.title_edit.text() == card.title
    assert not dialog.column_combo.isVisible(), "the column is changed on the board, not here"
    target = "Lowest" if card.priority != "lowest" else "Highest"
    choose(qtbot, dialog.priority_combo, target)
    assert dialog.values() == {"priority": target.lower()}

    click(qtbot, dialog.ok_button)

    assert recorder.calls == [{"priority": target.lower()}]
    after = demo.cards.get_card(card.id)
    assert after.priority == target.lower()
    assert after.version == card.version + 1
    assert (after.title, after.points, after.labels) == (card.title, card.points, card.labels)


def test_unchanged_card_closes_without_saving(qtbot, demo, board) -> None:
    card = next(c for c in board.cards if c.blocked)
    dialog, recorder = open_card_dialog(qtbot, demo, board, card)
    assert dialog.values() == {}
    click(qtbot, dialog.ok_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert recorder.calls == []
    assert demo.cards.get_card(card.id).version == card.version


def test_empty_title_keeps_ok_disabled_and_saves_nothing(qtbot, demo, board, project_id) -> None:
    before = len(demo.cards.list_cards(project_id))
    dialog, recorder = open_card_dialog(qtbot, demo, board)
    qtbot.keyClicks(dialog.title_edit, "   ")
    assert not dialog.ok_button.isEnabled()
    click(qtbot, dialog.ok_button)
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert recorder.calls == []
    assert len(demo.cards.list_cards(project_id)) == before

    card = board.cards[1]
    edit, edit_recorder = open_card_dialog(qtbot, demo, board, card)
    retype(qtbot, edit.title_edit, "")
    assert not edit.ok_button.isEnabled()
    qtbot.keyClick(edit.title_edit, Qt.Key.Key_Return)
    assert edit_recorder.calls == []
    assert demo.cards.get_card(card.id).title == card.title


def test_negative_points_show_the_service_message_and_change_nothing(qtbot, demo, board) -> None:
    card = next(c for c in board.cards if c.points is not None)
    dialog, recorder = open_card_dialog(qtbot, demo, board, card)
    assert not error_label(dialog).isVisible()
    retype(qtbot, dialog.points_combo.lineEdit(), "-3")
    click(qtbot, dialog.ok_button)

    label = error_label(dialog)
    assert label.isVisible()
    assert label.text() == "Story points cannot be negative."
    assert label.wordWrap()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.points_combo.currentText() == "-3", "the person's input is kept"
    after = demo.cards.get_card(card.id)
    assert (after.points, after.version) == (card.points, card.version)

    retype(qtbot, dialog.points_combo.lineEdit(), "0.5")
    click(qtbot, dialog.ok_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert recorder.calls[-1] == {"points": "0.5"}
    assert demo.cards.get_card(card.id).points == Decimal("0.5")


@pytest.mark.parametrize(
    "title",
    ["Fix the 🐛 in 🍏 Pay", "日本語のタイトル 修正", "תיקון כפתור התשלום", "Ça coûte 5 € — naïve"],
)
def test_unicode_titles_round_trip(qtbot, demo, board, project_id, title) -> None:
    dialog, _ = open_card_dialog(qtbot, demo, board)
    type_text(qtbot, dialog.title_edit, title)
    click(qtbot, dialog.ok_button)
    assert dialog.result() == QDialog.DialogCode.Accepted

    card = card_titled(demo, project_id, title)
    again, _ = open_card_dialog(qtbot, demo, board, card)
    assert again.title_edit.text() == title
    assert again.values() == {}


def test_history_tab_lists_the_card_events(qtbot, demo, board) -> None:
    card = next(c for c in board.cards if c.priority != "low")
    demo.cards.update_card(card.id, {"priority": "low"}, expected_version=card.version)
    card = demo.cards.get_card(card.id)
    events = demo.cards.history(card.id)

    dialog, _ = open_card_dialog(qtbot, demo, board, card)
    titles = [
        dialog.tabs.tabText(i).replace("&&", "+").replace("&", "").replace("+", "&")
        for i in range(dialog.tabs.count())
    ]
    assert titles == ["Details", "Description & checklist", "History"]
    dialog.tabs.setCurrentIndex(2)
    table = dialog.history_table
    assert table is not None and table.isVisible()
    assert [table.horizontalHeaderItem(c).text() for c in range(3)] == ["When", "Who", "What"]
    assert table.columnCount() == 3 and table.rowCount() == len(events)
    assert dialog.history_caption.text() == f"{len(events)} changes, the latest at the bottom"
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    first = [table.item(0, c).text() for c in range(3)]
    assert first[2].startswith("Created in To Do")
    last = [table.item(table.rowCount() - 1, c).text() for c in range(3)]
    assert last[1] == "tester"
    assert last[2] == f"Priority: {card_before_priority(events)} → Low"
    # No project given: the computer's own time zone.
    local = events[-1].at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert last[0] == local


def card_before_priority(events) -> str:  # type: ignore[no-untyped-def]
    return events[-1].before["priority"].capitalize()


def test_history_speaks_like_people_in_the_project_time_zone(qtbot, demo, board) -> None:
    """The demo card with the richest history, as its History tab reads."""
    card = card_titled(demo, board.project.id, "Dual-run old and new provider behind a flag")
    project = dataclasses.replace(board.project, time_zone="Asia/Tokyo")
    dialog, _ = open_card_dialog(qtbot, demo, board, card, sprints=board.sprints, project=project)
    dialog.tabs.setCurrentIndex(2)
    table = dialog.history_table
    assert table is not None
    said = [table.item(row, 2).text() for row in range(table.rowCount())]
    due = card.due_date
    assert due is not None
    assert said == [
        "Created in To Do, 3 points, assigned to Alan Turing",
        "Added to DEMO Sprint 3",
        "Story points 3 → 5",
        "Labels: +infra",
        "Moved from To Do to In Progress",
        "Blocked: Waiting for the feature-flag service in production",
        "Unblocked",
        "Moved from In Progress to In Review",
        f"Due date: — → {due.isoformat()}",  # the C locale of the tests writes ISO dates
        "Moved from DEMO Sprint 3 to DEMO Sprint 4",
    ]
    events = demo.cards.history(card.id)
    tokyo = events[0].at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M")
    assert table.item(0, 0).text() == tokyo
    assert {table.item(row, 1).text() for row in range(table.rowCount())} == {"demo"}


def test_a_new_card_has_no_history_tab(qtbot, demo, board) -> None:
    dialog, _ = open_card_dialog(qtbot, demo, board)
    assert dialog.tabs.count() == 2
    assert dialog.history_table is None


def test_epic_choice_is_hidden_for_an_epic(qtbot, demo, board) -> None:
    epic = board.epics[0]
    dialog, _ = open_card_dialog(qtbot, demo, board, epic)
    assert not dialog.epic_combo.isVisible()
    offered = [dialog.epic_combo.itemData(i) for i in range(dialog.epic_combo.count())]
    assert epic.id not in offered, "an epic cannot be its own parent"

    story, _ = open_card_dialog(qtbot, demo, board)
    assert story.epic_combo.isVisible()
    choose(qtbot, story.epic_combo, epic.key)
    choose(qtbot, story.type_combo, "Epic")
    assert not story.epic_combo.isVisible()
    assert story.values()["parent_id"] is None


def test_unblocking_clears_the_reason_and_disables_it(qtbot, demo, board) -> None:
    card = next(c for c in board.cards if c.blocked)
    dialog, recorder = open_card_dialog(qtbot, demo, board, card)
    assert dialog.reason_edit.isEnabled()
    click(qtbot, dialog.blocked_check)
    assert not dialog.reason_edit.isEnabled()
    click(qtbot, dialog.ok_button)
    assert recorder.calls == [{"blocked": False, "blocked_reason": ""}]
    after = demo.cards.get_card(card.id)
    assert not after.blocked and after.blocked_reason == ""


def test_ctrl_return_keeps_the_checklist_item_being_typed(qtbot, demo, board) -> None:
    card = board.cards[3]
    dialog, recorder = open_card_dialog(qtbot, demo, board, card)
    dialog.tabs.setCurrentIndex(1)
    click(qtbot, dialog.add_item_button)
    editor = dialog.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "Half typed")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert recorder.calls == [{"checklist": [("Half typed", False)]}]


def test_checklist_items_can_be_removed_and_ticked(qtbot, demo, board) -> None:
    card = board.cards[2]
    demo.cards.update_card(card.id, {"checklist": [("One", False), ("Two", False)]})
    card = demo.cards.get_card(card.id)
    dialog, recorder = open_card_dialog(qtbot, demo, board, card)
    dialog.tabs.setCurrentIndex(1)
    assert not dialog.remove_item_button.isEnabled()
    item = dialog.checklist_list.findItems("One", Qt.MatchFlag.MatchExactly)[0]
    rect = dialog.checklist_list.visualItemRect(item)
    qtbot.mouseClick(dialog.checklist_list.viewport(), LEFT, pos=rect.center())
    assert dialog.remove_item_button.isEnabled()
    click(qtbot, dialog.remove_item_button)
    toggle_item(qtbot, dialog.checklist_list, "Two")
    click(qtbot, dialog.ok_button)
    assert recorder.calls == [{"checklist": [("Two", True)]}]
    assert [(i.text, i.done) for i in demo.cards.get_card(card.id).checklist] == [("Two", True)]


# --- the Sprint field ----------------------------------------------------------------------


class Commands:
    """A ``submit`` that goes through the undo commands, as the main window's does."""

    def __init__(self, demo: Services, project_id: int, card: CardDTO | None = None) -> None:
        self.demo, self.project_id, self.card = demo, project_id, card
        self.stack = QUndoStack()
        self.errors: list[str] = []
        self.context = CommandContext(demo, self.errors.append)
        self.calls: list[dict[str, Any]] = []
        self.result: CardDTO | None = None

    def __call__(self, values: dict[str, Any]) -> str | None:
        self.calls.append(dict(values))
        if self.card is None:
            command: Any = CreateCardCommand(self.context, self.project_id, values)
        else:
            command = EditCardCommand(self.context, self.card, values)
        command.quiet = True
        self.stack.push(command)
        self.result = command.result
        return command.error


def sprint_choices(dialog: CardDialog) -> list[str]:
    combo = dialog.sprint_combo
    return [combo.itemText(i) for i in range(combo.count())]


def active_sprint(board: BoardDTO) -> SprintDTO:
    return next(s for s in board.sprints if s.state == "active")


def test_a_new_card_goes_into_the_sprint_chosen(qtbot, demo, board, project_id) -> None:
    planned = demo.sprints.create_sprint(project_id, goal="Next")
    board = demo.board.load_board(project_id)
    submit = Commands(demo, project_id)
    dialog, _ = open_card_dialog(qtbot, demo, board, sprints=board.sprints, submit=submit)
    assert dialog.sprint_combo.isVisible()
    # Closed sprints take no new cards: only the active and planned ones are offered.
    assert sprint_choices(dialog) == ["Backlog", "DEMO Sprint 4", planned.name]
    assert dialog.sprint_combo.currentText() == "Backlog"
    label = dialog._details_form.labelForField(dialog.sprint_combo)
    assert label.text() == "&Sprint:" and label.buddy() is dialog.sprint_combo

    qtbot.keyClicks(dialog.title_edit, "Refund flow documentation")
    choose(qtbot, dialog.sprint_combo, "DEMO Sprint 4")
    click(qtbot, dialog.ok_button)

    assert dialog.result() == QDialog.DialogCode.Accepted
    card = card_titled(demo, project_id, "Refund flow documentation")
    assert card.sprint_id == active_sprint(board).id and card.sprint_name == "DEMO Sprint 4"
    (created,) = demo.cards.history(card.id)
    assert created.sprint_id_after == card.sprint_id
    # Undo (Ctrl+Z in the window) deletes it; redo brings it back in the sprint.
    submit.stack.undo()
    assert demo.cards.get_card(card.id).archived
    submit.stack.redo()
    assert demo.cards.get_card(card.id).sprint_id == active_sprint(board).id


def test_a_new_card_starts_in_the_sprint_the_board_shows(qtbot, demo, board, project_id) -> None:
    sprint = active_sprint(board)
    dialog, recorder = open_card_dialog(
        qtbot, demo, board, sprints=board.sprints, default_sprint_id=sprint.id
    )
    assert dialog.sprint_combo.currentText() == "DEMO Sprint 4"
    qtbot.keyClicks(dialog.title_edit, "Shown on the sprint board")
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert recorder.saved is not None and recorder.saved.sprint_id == sprint.id
    assert demo.cards.get_card(recorder.saved.id).sprint_id == sprint.id

    again, recorder = open_card_dialog(
        qtbot, demo, board, sprints=board.sprints, default_sprint_id=sprint.id
    )
    qtbot.keyClicks(again.title_edit, "For later")
    choose(qtbot, again.sprint_combo, "Backlog")
    click(qtbot, again.ok_button)
    assert recorder.calls[-1]["sprint_id"] is None
    assert card_titled(demo, project_id, "For later").sprint_id is None


def test_a_default_sprint_the_field_does_not_offer_means_the_backlog(qtbot, demo, board) -> None:
    closed = next(s for s in board.sprints if s.state == "closed")
    dialog, _ = open_card_dialog(
        qtbot, demo, board, sprints=board.sprints, default_sprint_id=closed.id
    )
    assert dialog.sprint_combo.currentText() == "Backlog"
    assert dialog.values()["sprint_id"] is None


def test_no_sprint_field_for_an_epic_a_kanban_project_or_old_callers(qtbot, demo, board) -> None:
    dialog, _ = open_card_dialog(qtbot, demo, board, sprints=board.sprints)
    choose(qtbot, dialog.type_combo, "Epic")
    assert not dialog.sprint_combo.isVisible()
    assert dialog.values()["sprint_id"] is None
    choose(qtbot, dialog.type_combo, "Story")
    assert dialog.sprint_combo.isVisible()

    kanban = dataclasses.replace(board.project, methodology="kanban")
    dialog, recorder = open_card_dialog(qtbot, demo, board, sprints=board.sprints, project=kanban)
    assert not dialog.sprint_combo.isVisible()
    assert "sprint_id" not in dialog.values()

    # A caller that passes no sprints gets the dialog it always had.
    dialog, recorder = open_card_dialog(qtbot, demo, board)
    assert not dialog.sprint_combo.isVisible()
    qtbot.keyClicks(dialog.title_edit, "Old caller")
    click(qtbot, dialog.ok_button)
    assert "sprint_id" not in recorder.calls[0]
    assert recorder.saved is not None and recorder.saved.sprint_id is None


def test_editing_the_sprint_moves_the_card_and_undo_moves_it_back(qtbot, demo, board) -> None:
    sprint = active_sprint(board)
    card = next(c for c in board.cards if c.sprint_id is None and c.type != "epic")
    submit = Commands(demo, board.project.id, card)
    dialog, _ = open_card_dialog(qtbot, demo, board, card, sprints=board.sprints, submit=submit)
    assert dialog.sprint_combo.currentText() == "Backlog"
    assert dialog.values() == {}
    choose(qtbot, dialog.sprint_combo, "DEMO Sprint 4")
    choose(qtbot, dialog.priority_combo, "Lowest")
    assert dialog.values() == {"sprint_id": sprint.id, "priority": "lowest"}
    click(qtbot, dialog.ok_button)

    assert dialog.result() == QDialog.DialogCode.Accepted and submit.errors == []
    moved = demo.cards.get_card(card.id)
    assert (moved.sprint_id, moved.priority) == (sprint.id, "lowest")
    kinds = [e.kind for e in demo.cards.history(card.id)]
    assert kinds[-2:] == ["edited", "sprint_changed"]  # the backlog's own path into a sprint
    assert submit.stack.undoText() == f"Edit {card.key}"

    submit.stack.undo()
    back = demo.cards.get_card(card.id)
    assert (back.sprint_id, back.priority) == (None, card.priority)
    assert [e.kind for e in demo.cards.history(card.id)][-2:] == ["sprint_changed", "edited"]

    # Reopened, the field shows the sprint; choosing the backlog takes it out again.
    submit.stack.redo()
    current = demo.cards.get_card(card.id)
    submit = Commands(demo, board.project.id, current)
    dialog, _ = open_card_dialog(qtbot, demo, board, current, sprints=board.sprints, submit=submit)
    assert dialog.sprint_combo.currentText() == "DEMO Sprint 4"
    choose(qtbot, dialog.sprint_combo, "Backlog")
    assert dialog.values() == {"sprint_id": None}
    click(qtbot, dialog.ok_button)
    assert demo.cards.get_card(card.id).sprint_id is None


def test_a_card_of_a_closed_sprint_shows_it(qtbot, demo, board, project_id) -> None:
    closed = next(s for s in board.sprints if s.state == "closed")
    card = next(c for c in demo.cards.list_cards(project_id) if c.sprint_id == closed.id)
    dialog, _ = open_card_dialog(qtbot, demo, board, card, sprints=board.sprints)
    assert dialog.sprint_combo.isVisible()
    assert dialog.sprint_combo.currentText() == closed.name
    assert dialog.values() == {}


def test_a_refused_sprint_move_leaves_the_other_fields_as_they_were(demo, board) -> None:
    """All or nothing: the priority is written, the sprint refused, the priority written back."""
    closed = next(s for s in board.sprints if s.state == "closed")
    card = next(c for c in board.cards if c.sprint_id is None and c.type != "epic")
    submit = Commands(demo, board.project.id, card)
    error = submit({"priority": "lowest", "sprint_id": closed.id})
    assert error is not None and "closed" in error
    after = demo.cards.get_card(card.id)
    assert (after.priority, after.sprint_id) == (card.priority, None)
    assert submit.stack.count() == 0


# --- WorkflowDialog ------------------------------------------------------------------------


def open_workflow(qtbot, demo: Services, project_id: int) -> WorkflowDialog:
    dialog = WorkflowDialog(demo.workflow, project_id)
    qtbot.addWidget(dialog)
    show(qtbot, dialog)
    return dialog


def names(demo: Services, project_id: int) -> list[str]:
    return [c.name for c in demo.workflow.list_columns(project_id)]


def row_of(dialog: WorkflowDialog, name: str) -> int:
    return next(r for r, c in enumerate(dialog.columns) if c.name == name)


def cell_centre(dialog: WorkflowDialog, row: int, column: int) -> QPoint:
    return dialog.table.visualRect(dialog.table.model().index(row, column)).center()


def select_row(qtbot, dialog: WorkflowDialog, name: str) -> None:
    qtbot.mouseClick(
        dialog.table.viewport(), LEFT, pos=cell_centre(dialog, row_of(dialog, name), 0)
    )


def rename_cell(qtbot, dialog: WorkflowDialog, row: int, text: str) -> None:
    """Double-click the name, type over it and press Return."""
    pos = cell_centre(dialog, row, 0)
    # A double click is a press and release followed by a second press: the view opens the
    # editor only when both presses hit the same cell.
    qtbot.mouseClick(dialog.table.viewport(), LEFT, pos=pos)
    qtbot.mouseDClick(dialog.table.viewport(), LEFT, pos=pos)
    editor = dialog.focusWidget()
    assert isinstance(editor, QLineEdit)
    type_into_editor(qtbot, dialog, editor, text)


def type_into_editor(qtbot, dialog: WorkflowDialog, editor: QLineEdit, text: str) -> None:
    """Type over an open cell editor and press Return; the view commits on its next turn."""
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.table.state() != QAbstractItemView.State.EditingState)


def test_workflow_lists_live_columns_in_order(qtbot, demo, project_id) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    table = dialog.table
    shown = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert shown == names(demo, project_id) == ["To Do", "In Progress", "In Review", "Done"]
    category = table.cellWidget(row_of(dialog, "In Review"), 1)
    assert isinstance(category, QComboBox) and category.currentText() == "In progress"
    wip = table.cellWidget(row_of(dialog, "To Do"), 2)
    assert isinstance(wip, QSpinBox) and wip.text() == "No limit"


def test_workflow_rename_through_the_table(qtbot, demo, project_id) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    with qtbot.waitSignal(dialog.columns_changed):
        rename_cell(qtbot, dialog, row_of(dialog, "In Review"), "Code review")
    assert names(demo, project_id) == ["To Do", "In Progress", "Code review", "Done"]
    assert dialog.table.item(2, 0).text() == "Code review"
    assert not error_label(dialog).isVisible()


def test_workflow_duplicate_name_is_refused_and_reverted(qtbot, demo, project_id) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    rename_cell(qtbot, dialog, row_of(dialog, "In Review"), "done")
    label = error_label(dialog)
    assert label.isVisible() and "already a column called" in label.text()
    assert dialog.table.item(2, 0).text() == "In Review"
    assert names(demo, project_id) == ["To Do", "In Progress", "In Review", "Done"]


def test_workflow_set_and_clear_wip_limit(qtbot, demo, project_id) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    spin = dialog.table.cellWidget(row_of(dialog, "To Do"), 2)
    assert isinstance(spin, QSpinBox)
    with qtbot.waitSignal(dialog.columns_changed):
        retype(qtbot, spin.lineEdit(), "12")
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert demo.workflow.find_column(project_id, "To Do").wip_limit == 12

    spin = dialog.table.cellWidget(row_of(dialog, "To Do"), 2)
    retype(qtbot, spin.lineEdit(), "0")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert demo.workflow.find_column(project_id, "To Do").wip_limit is None
    assert spin.text() == "No limit"


def test_workflow_negative_wip_cannot_be_entered(qtbot, demo, project_id) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    before = demo.workflow.find_column(project_id, "In Progress")
    spin = dialog.table.cellWidget(row_of(dialog, "In Progress"), 2)
    assert isinstance(spin, QSpinBox) and spin.minimum() == 0
    retype(qtbot, spin.lineEdit(), "-")
    assert "-" not in spin.lineEdit().text()
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.keyClick(spin, Qt.Key.Key_Escape)
    after = demo.workflow.find_column(project_id, "In Progress")
    assert after.wip_limit is None or after.wip_limit >= 0
    assert after.wip_limit in (before.wip_limit, None)


def test_workflow_service_refusal_reloads_saved_state(qtbot, demo, project_id) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    row = row_of(dialog, "In Progress")
    # Someone else renames the column meanwhile: this dialog's version is now stale.
    column = demo.workflow.find_column(project_id, "In Progress")
    demo.workflow.update_column(column.id, name="Doing")
    combo = dialog.table.cellWidget(row, 1)
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # "In progress" -> "Done"
    label = error_label(dialog)
    assert label.isVisible() and "changed by someone else" in label.text()
    assert dialog.table.item(row, 0).text() == "Doing"
    assert dialog.table.cellWidget(row, 1).currentText() == "In progress"
    assert demo.workflow.find_column(project_id, "Doing").category == "in_progress"


def test_workflow_add_column_then_name_it(qtbot, demo, project_id) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    with qtbot.waitSignal(dialog.columns_changed):
        click(qtbot, dialog.add_button)
    assert names(demo, project_id) == ["To Do", "In Progress", "In Review", "New column", "Done"]
    editor = dialog.focusWidget()
    assert isinstance(editor, QLineEdit), "the new column's name is open for typing"
    type_into_editor(qtbot, dialog, editor, "QA")
    assert names(demo, project_id) == ["To Do", "In Progress", "In Review", "QA", "Done"]
    assert demo.workflow.find_column(project_id, "QA").category == "in_progress"


def test_workflow_move_up_and_down(qtbot, demo, project_id) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    select_row(qtbot, dialog, "In Review")
    with qtbot.waitSignal(dialog.columns_changed):
        click(qtbot, dialog.up_button)
    assert names(demo, project_id) == ["To Do", "In Review", "In Progress", "Done"]
    assert dialog.selected_column().name == "In Review", "the selection follows the column"
    click(qtbot, dialog.up_button)
    assert names(demo, project_id) == ["In Review", "To Do", "In Progress", "Done"]
    assert not dialog.up_button.isEnabled()
    click(qtbot, dialog.down_button)
    assert names(demo, project_id) == ["To Do", "In Review", "In Progress", "Done"]


def test_workflow_archive_empty_column_and_restore(qtbot, demo, project_id, monkeypatch) -> None:
    demo.workflow.add_column(project_id, "Parking", "todo")
    dialog = open_workflow(qtbot, demo, project_id)
    asked: list[str] = []
    monkeypatch.setattr(dialog, "_ask_target_column", lambda c, o: asked.append(c.name))
    select_row(qtbot, dialog, "Parking")
    with qtbot.waitSignal(dialog.columns_changed):
        click(qtbot, dialog.archive_button)
    assert asked == [], "an empty column is archived without a question"
    assert "Parking" not in names(demo, project_id)
    assert "Parking" not in [c.name for c in dialog.columns]
    archived = dialog.archived_list
    assert archived.count() == 1 and archived.item(0).text().startswith("Parking")

    rect = archived.visualItemRect(archived.item(0))
    qtbot.mouseClick(archived.viewport(), LEFT, pos=rect.center())
    with qtbot.waitSignal(dialog.columns_changed):
        click(qtbot, dialog.restore_button)
    assert names(demo, project_id)[-1] == "Parking"
    assert archived.count() == 0


def test_workflow_archive_column_with_cards_moves_them(
    qtbot, demo, project_id, monkeypatch
) -> None:
    review = demo.workflow.find_column(project_id, "In Review")
    todo = demo.workflow.find_column(project_id, "To Do")
    moving = [c.key for c in demo.cards.list_cards(project_id) if c.column_id == review.id]
    assert moving, "the demo has cards in review"
    dialog = open_workflow(qtbot, demo, project_id)
    asked: list[tuple[str, list[str]]] = []

    def ask(column, others) -> int:
        asked.append((column.name, [c.name for c in others]))
        return todo.id

    monkeypatch.setattr(dialog, "_ask_target_column", ask)
    select_row(qtbot, dialog, "In Review")
    with qtbot.waitSignal(dialog.columns_changed):
        click(qtbot, dialog.archive_button)

    assert asked == [("In Review", ["To Do", "In Progress", "Done"])]
    assert names(demo, project_id) == ["To Do", "In Progress", "Done"]
    by_key = {c.key: c for c in demo.cards.list_cards(project_id)}
    assert all(by_key[key].column_id == todo.id for key in moving)
    assert not error_label(dialog).isVisible()


def test_workflow_archive_cancelled_changes_nothing(qtbot, demo, project_id, monkeypatch) -> None:
    dialog = open_workflow(qtbot, demo, project_id)
    monkeypatch.setattr(dialog, "_ask_target_column", lambda c, o: None)
    emitted: list[bool] = []
    dialog.columns_changed.connect(lambda: emitted.append(True))
    select_row(qtbot, dialog, "In Progress")
    click(qtbot, dialog.archive_button)
    assert emitted == []
    assert names(demo, project_id) == ["To Do", "In Progress", "In Review", "Done"]


# --- ProjectDialog -------------------------------------------------------------------------


def open_project_dialog(qtbot, demo: Services) -> tuple[ProjectDialog, list[tuple]]:
    calls: list[tuple] = []

    def submit(key: str, name: str, methodology: str) -> str | None:
        calls.append((key, name, methodology))
        try:
            demo.projects.create_project(key, name, methodology)
        except DomainError as exc:
            return str(exc)
        return None

    dialog = ProjectDialog(submit)
    qtbot.addWidget(dialog)
    show(qtbot, dialog)
    return dialog, calls


def test_project_dialog_creates_a_kanban_project(qtbot, demo) -> None:
    dialog, calls = open_project_dialog(qtbot, demo)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.key_edit, "web2")
    assert dialog.key_edit.text() == "WEB2", "the key is upper-cased as it is typed"
    qtbot.keyClicks(dialog.name_edit, "Web shop relaunch")
    click(qtbot, dialog.methodology_buttons["kanban"])
    click(qtbot, dialog.ok_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert calls == [("WEB2", "Web shop relaunch", "kanban")]
    project = demo.projects.find_project("WEB2")
    assert (project.name, project.methodology) == ("Web shop relaunch", "kanban")


def test_project_dialog_key_is_at_most_ten_characters(qtbot, demo) -> None:
    dialog, _ = open_project_dialog(qtbot, demo)
    qtbot.keyClicks(dialog.key_edit, "abcdefghijklmn")
    assert dialog.key_edit.text() == "ABCDEFGHIJ"
    assert dialog.methodology() == "scrum"


@pytest.mark.parametrize(
    ("key", "message"),
    [("demo", "already exists"), ("1abc", "is not valid"), ("x", "is not valid")],
)
def test_project_dialog_shows_refusals(qtbot, demo, key, message) -> None:
    before = [p.key for p in demo.projects.list_projects()]
    dialog, calls = open_project_dialog(qtbot, demo)
    qtbot.keyClicks(dialog.key_edit, key)
    qtbot.keyClicks(dialog.name_edit, "Another")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    label = error_label(dialog)
    assert calls and label.isVisible() and message in label.text()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.key_edit.text() == key.upper()
    assert [p.key for p in demo.projects.list_projects()] == before
