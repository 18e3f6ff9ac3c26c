"""A card created where the board does not show it is announced, with a way to show it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.ui.helpers import keys_in, with_dialog


def create(window, qtbot, title: str) -> None:  # type: ignore[no-untyped-def]
    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.title_edit.setText(title)
        sprint_combo = getattr(dialog, "sprint_combo", None)
        if sprint_combo is not None:  # the card goes to the backlog
            sprint_combo.setCurrentIndex(sprint_combo.findText("Backlog"))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    seen = with_dialog(fill)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen


def offer(window) -> QPushButton | None:  # type: ignore[no-untyped-def]
    button = window.statusBar().findChild(QPushButton, "statusOffer")
    return button if button is not None and button.isVisible() else None


def test_a_backlog_card_created_on_the_sprint_board_is_announced(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo, scope="active")
    sprint = window.store.active_sprint
    assert window.board.sprint_scope == sprint.id
    create(window, qtbot, "Document the refund flow")
    card = demo.cards.find_card("DEMO-57")
    assert card.sprint_id is None
    assert window.statusBar().currentMessage() == (
        f"Created DEMO-57, not shown: it is in the backlog, and the board shows {sprint.name}."
    )
    button = offer(window)
    assert button is not None and button.text() == "Show it"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.board.sprint_scope is None and window.scope_combo.currentText() == "All cards"
    assert window.board.current_card().key == "DEMO-57"
    assert "DEMO-57" in keys_in(window, "To Do")
    assert offer(window) is None


def test_a_card_hidden_by_the_filter_is_announced(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    window.filter_edit.setText("checkout")
    create(window, qtbot, "Refund flow documentation")
    assert window.statusBar().currentMessage() == (
        "Created DEMO-57, not shown: the filters hide it."
    )
    qtbot.mouseClick(offer(window), Qt.MouseButton.LeftButton)
    assert window.filter_edit.text() == ""
    assert window.board.current_card().key == "DEMO-57"


def test_a_card_the_board_shows_is_selected(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    create(window, qtbot, "Shown at once")
    assert window.board.current_card().key == "DEMO-57"
    assert window.statusBar().currentMessage() == "Created DEMO-57"
    assert offer(window) is None


def test_ctrl_n_on_the_sprint_board_makes_a_card_in_that_sprint(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo, scope="active")
    sprint = window.store.active_sprint

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert dialog.sprint_combo.currentText() == sprint.name  # what the board shows
        dialog.title_edit.setText("Shown where it was made")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    seen = with_dialog(fill)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen
    assert demo.cards.find_card("DEMO-57").sprint_id == sprint.id
    assert window.board.current_card().key == "DEMO-57"
    assert window.statusBar().currentMessage() == "Created DEMO-57"
    window.undo_action.trigger()
    assert demo.cards.find_card("DEMO-57").archived
