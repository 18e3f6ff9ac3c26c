"""Keyboard focus in the window: the board has it when the window opens (its keys work at
once), and Tab follows what is shown: the toolbars after the board, the sprint's buttons
before the sprint's board."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def focus_chain(window: QWidget) -> list[QWidget]:
    """The widgets Tab visits, in order (those that take focus by Tab)."""
    chain, widget = [], window.nextInFocusChain()
    while widget is not window:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def test_the_board_has_the_focus_when_the_window_opens(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo, scope="active")
    focused = window.focusWidget()
    assert focused is not None and window.board.isAncestorOf(focused)
    chain = focus_chain(window)
    first_board = next(i for i, w in enumerate(chain) if window.board.isAncestorOf(w))
    assert first_board < chain.index(window.project_combo) < chain.index(window.filter_edit)


def test_tab_goes_from_the_sprints_buttons_to_its_board(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)  # DEMO Sprint 4 is active
    window.show_page("sprint")
    assert window.sprint_board.isVisible()
    chain = focus_chain(window)
    in_view = [i for i, w in enumerate(chain) if window.sprint_view.isAncestorOf(w)]
    on_board = [i for i, w in enumerate(chain) if window.sprint_board.isAncestorOf(w)]
    assert in_view and on_board and max(in_view) < min(on_board)
