"""Swimlanes: a drop into a lane sets that lane's value, as one undoable step; a filter
hides the lanes with nothing to show; moves and undo say what they did."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.helpers import card_by_key, drop_card, keys_in, select


@pytest.fixture
def window(demo, make_window):  # type: ignore[no-untyped-def]
    return make_window(demo)


def group(window, by: str) -> None:  # type: ignore[no-untyped-def]
    window.group_combo.setCurrentIndex(window.group_combo.findData(by))


def lane_of(window, key: str) -> str:  # type: ignore[no-untyped-def]
    """The title of the lane a card is shown in."""
    found = window.board.view_for(card_by_key(window, key).id)
    assert found is not None
    view, _row = found
    titles = window.board.lane_titles()
    for _column, _header, models in window.board.column_parts():
        for index, model in enumerate(models):
            if window.board.view_for_model(model) is view:
                return titles[index]
    raise AssertionError(key)


def test_drop_into_another_persons_lane_reassigns_and_moves(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    group(window, "assignee")
    key = next(
        k for k in keys_in(window, "To Do") if card_by_key(window, k).assignee_name == "Mei Chen"
    )
    drop_card(window, key, "In Progress", lane="Grace Hopper")
    qtbot.waitUntil(lambda: card_by_key(window, key).assignee_name == "Grace Hopper")
    saved = demo.cards.find_card(key)
    assert saved.assignee_name == "Grace Hopper"
    assert key in keys_in(window, "In Progress")
    assert lane_of(window, key) == "Grace Hopper"  # it stays where it was dropped
    assert window.statusBar().currentMessage() == (
        f"Moved {key} to In Progress; assigned to Grace Hopper"
    )
    step = f"Move {key} to In Progress; assign to Grace Hopper"
    assert window.undo_action.text() == f"&Undo {step}"

    window.undo_action.trigger()  # one step undoes both
    saved = demo.cards.find_card(key)
    assert saved.assignee_name == "Mei Chen" and key in keys_in(window, "To Do")
    assert lane_of(window, key) == "Mei Chen"
    assert window.statusBar().currentMessage() == f"Undone: {step}"
    window.redo_action.trigger()
    assert demo.cards.find_card(key).assignee_name == "Grace Hopper"
    assert window.statusBar().currentMessage() == f"Redone: {step}"


def test_drop_into_the_unassigned_lane_of_the_same_column(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    group(window, "assignee")
    key = next(k for k in keys_in(window, "To Do") if card_by_key(window, k).assignee_name)
    drop_card(window, key, "To Do", lane="Unassigned")
    qtbot.waitUntil(lambda: card_by_key(window, key).assignee_id is None)
    assert demo.cards.find_card(key).assignee_id is None
    assert window.statusBar().currentMessage() == f"{key} unassigned"
    assert window.undo_action.text() == f"&Undo Unassign ({key})"
    assert lane_of(window, key) == "Unassigned"


@pytest.mark.parametrize(
    ("grouping", "lane", "field", "expected"),
    [
        ("priority", "Lowest", "priority", "lowest"),
        ("epic", "No epic", "parent_id", None),
    ],
)
def test_drop_into_an_epic_or_priority_lane(
    window, demo, qtbot, grouping, lane, field, expected
) -> None:  # type: ignore[no-untyped-def]
    group(window, grouping)
    key = next(
        k for k in keys_in(window, "To Do") if getattr(card_by_key(window, k), field) != expected
    )
    drop_card(window, key, "In Progress", lane=lane)
    qtbot.waitUntil(lambda: getattr(card_by_key(window, key), field) == expected)
    assert getattr(demo.cards.find_card(key), field) == expected
    assert lane_of(window, key) == lane


def test_a_filter_hides_lanes_without_matches(window) -> None:  # type: ignore[no-untyped-def]
    group(window, "assignee")
    everyone = window.board.visible_lane_titles()
    assert everyone == window.board.lane_titles() and "Unassigned" in everyone
    window.assignee_combo.setCurrentIndex(window.assignee_combo.findText("Grace Hopper"))
    assert window.board.visible_lane_titles() == ["Grace Hopper"]
    window.clear_filters()
    assert window.board.visible_lane_titles() == everyone


def test_a_move_within_a_column_says_up_or_down(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    second = keys_in(window, "In Review")[1]
    select(window, second)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert keys_in(window, "In Review")[0] == second
    assert window.statusBar().currentMessage() == f"Moved {second} up in In Review"
    assert window.undo_action.text() == f"&Undo Move {second} up in In Review"
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == f"Moved {second} down in In Review"


def test_undoing_a_delete_replaces_its_message(window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    key = keys_in(window, "In Review")[0]
    select(window, key)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Delete)
    assert window.statusBar().currentMessage() == f"Deleted {key} (Ctrl+Z to undo)"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert key in keys_in(window, "In Review")
    assert window.statusBar().currentMessage() == f"Undone: Delete {key}"
