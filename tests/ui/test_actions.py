"""The window's named actions and menus: every item has words, no two actions share a key,
every action does something and can be found; the menus are the ones people know; a page
is one registration."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QToolBar

from app.ui.mainwindow import registry
from app.ui.mainwindow import window as window_module

StandardKey = QKeySequence.StandardKey

MENUS = {
    "&File": [
        "New &project…", "", "New &database…", "&Open database…", "Open &recent", "",
        "&Import from Trello or Jira…", "", "Export &board as CSV…", "Export bac&klog as CSV…",
        "Export sprint &report…", "Export &status report…", "", "&Quit",
    ],
    "&Project": ["New &project…", "", "&Settings…", "&You are…"],
    "&Edit": ["&Undo", "&Redo", "", "&Filter cards", "&Clear filters"],
    "&Card": [
        "&New card…", "&Open card…", "&Delete card…", "", "Move to &previous column",
        "Move to &next column", "Move &up", "Move do&wn", "", "&Log time…", "Start/stop t&imer",
    ],
    "&Sprint": [
        "&Create sprint…", "&Edit sprint…", "&Plan sprint (capacity)…", "", "&Start sprint…",
        "C&omplete sprint…",
    ],
    "&View": [
        "&Board", "Back&log", "&Sprint", "&Reports", "&Team", "B&udget", "&Activity",
        "Ti&meline", "Ris&ks", "", "Zoom &in", "Zoom &out", "&Actual size", "", "&Full screen",
        "S&tandup…",
    ],
    "&Board": ["Edit &workflow…", "&Reload"],
    "&Help": ["&About Sprintdeck"],
}  # fmt: skip


def shortcuts() -> dict[str, list[object]]:
    """Each menu item's keys (standard keys as this platform spells them; needs the app)."""
    return {
        "&New card…": ["Ctrl+N"],
        "&Open card…": ["Return", "Enter"],
        "&Delete card…": [QKeySequence(StandardKey.Delete)],
        "Move to &previous column": ["Ctrl+Left"],
        "Move to &next column": ["Ctrl+Right"],
        "Move &up": ["Ctrl+Up"],
        "Move do&wn": ["Ctrl+Down"],
        "&Log time…": ["Ctrl+L"],
        "Start/stop t&imer": ["Ctrl+Shift+T"],
        "New &project…": ["Ctrl+Shift+N"],
        "&Open database…": [QKeySequence(StandardKey.Open)],
        "&Import from Trello or Jira…": ["Ctrl+I"],
        "Export sprint &report…": ["Ctrl+Shift+E"],
        "&Settings…": ["Ctrl+,"],
        "&Undo": [QKeySequence(StandardKey.Undo)],
        "&Redo": ["Ctrl+Shift+Z", "Ctrl+Y"],
        "&Filter cards": [QKeySequence(StandardKey.Find)],
        "&Reload": [QKeySequence(StandardKey.Refresh)],
        "&Quit": [QKeySequence(StandardKey.Quit)],
        "&Board": ["Ctrl+1"],
        "Back&log": ["Ctrl+2"],
        "&Sprint": ["Ctrl+3"],
        "&Reports": ["Ctrl+4"],
        "&Team": ["Ctrl+5"],
        "B&udget": ["Ctrl+6"],
        "&Activity": ["Ctrl+7"],
        "Ti&meline": ["Ctrl+8"],
        "Ris&ks": ["Ctrl+9"],
        "Zoom &in": ["Ctrl+=", "Ctrl++"],
        "Zoom &out": ["Ctrl+-"],
        "&Actual size": ["Ctrl+0"],
        "&Full screen": ["F11"],
        "S&tandup…": ["Ctrl+U"],
    }


def keys(action: QAction) -> list[str]:
    return [s.toString() for s in action.shortcuts() if not s.isEmpty()]


def menu_actions(menu: QMenu) -> list[QAction]:
    found = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        found.append(action)
        if action.menu() is not None:
            found.extend(menu_actions(action.menu()))
    return found


def test_the_menus_are_the_ones_people_know(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    shown = {
        a.text(): ["" if b.isSeparator() else b.text() for b in a.menu().actions()]
        for a in window.menuBar().actions()
    }
    assert shown == MENUS
    expected_keys = shortcuts()
    for menu in window.menuBar().actions():
        for action in menu.menu().actions():
            if not action.isSeparator() and action.menu() is None:
                expected = expected_keys.get(action.text(), [])
                wanted = [QKeySequence(k).toString() for k in expected]  # type: ignore[call-overload]
                assert keys(action) == [k for k in wanted if k], action.text()


def test_every_menu_item_has_words_and_no_two_actions_share_a_key(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    card = window.store.cards()[0]
    actions = [a for m in window.menuBar().actions() for a in menu_actions(m.menu())]
    actions += menu_actions(window.card_menu(card))
    actions += list(window.named_actions.values())
    owners: dict[str, QAction] = {}
    for action in actions:
        assert action.text().replace("&", "").strip(), action
        for key in keys(action):
            assert owners.setdefault(key, action) is action, (
                f"{key}: {owners[key].text()} and {action.text()}"
            )
    assert "Ctrl+N" in owners and "Ctrl+4" in owners


def test_every_named_action_does_something_and_can_be_found(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    named = window.named_actions
    assert named.unbound() == []
    reachable = {a for m in window.menuBar().actions() for a in menu_actions(m.menu())}
    reachable |= set(window.welcome.findChildren(QAction)) | set(window.welcome.actions())
    for bar in window.findChildren(QToolBar):
        reachable |= set(bar.actions())
    welcome_only = {"project.demo"}  # offered on the welcome page (a database with no project)
    for name, action in named.items():
        assert action in reachable or name in welcome_only, name
    # The old attribute names still reach the same actions (scripts, tests).
    assert window.new_card_action is named["card.new"]
    assert window.undo_action is named["edit.undo"]
    assert window.page_actions["reports"] is named["page.reports"]


class NotesPage(QLabel):
    """A page as a new one is written: one class, built with the window's PageContext."""

    built: list[NotesPage] = []

    def __init__(self, ctx: registry.PageContext) -> None:
        super().__init__("Notes", ctx.window)
        self.setObjectName("notesPage")
        NotesPage.built.append(self)


def test_a_page_is_one_registration(demo, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = registry.Page("notes", "&Notes", "Ctrl+5", registry.lazy(__name__, "NotesPage"))
    monkeypatch.setattr(window_module, "PAGES", (*registry.PAGES, page))
    monkeypatch.setattr(NotesPage, "built", [])
    window = make_window(demo)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    # The pages come first in the View menu (zoom, full screen and standup after them).
    assert [a.text() for a in view.actions()][len(registry.PAGES)] == "&Notes"
    toolbar = window.findChild(QToolBar, "boardToolbar")
    assert window.page_actions["notes"] in toolbar.actions()
    assert keys(window.page_actions["notes"]) == ["Ctrl+5"]
    assert NotesPage.built == []  # built the first time it is shown
    window.page_actions["notes"].trigger()
    assert window.current_page() == "notes"
    assert window.pages.currentWidget() is NotesPage.built[0]
    assert not window.filter_toolbar.isVisible()  # no board on it
    assert window.page_actions["notes"].isChecked()
    window.show_page("board")
    assert window.current_page() == "board" and window.filter_toolbar.isVisible()
