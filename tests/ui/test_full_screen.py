"""F11 and View › Full screen: the window fills the screen, and F11 again gives it back."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_f11_toggles_full_screen_and_the_menu_says_so(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    action = window.named_actions["view.full_screen"]
    assert action in window.menus["view"].actions()
    assert [k.toString() for k in action.shortcuts()] == ["F11"]
    assert not window.isFullScreen() and not action.isChecked()

    qtbot.keyClick(window.board, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    assert action.isChecked()

    qtbot.keyClick(window.board, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not action.isChecked()


def test_the_menu_item_works_like_the_key(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    action = window.named_actions["view.full_screen"]
    action.trigger()
    qtbot.waitUntil(window.isFullScreen)
    assert action.isChecked()
    window.showNormal()  # the window's state changed elsewhere: the check mark follows
    qtbot.waitUntil(lambda: not action.isChecked())


def test_f11_works_in_the_standup_too(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    window.named_actions["view.standup"].trigger()
    view = window.standup.view
    qtbot.keyClick(view, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    assert window.pages.currentWidget() is view
    qtbot.keyClick(view, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())
