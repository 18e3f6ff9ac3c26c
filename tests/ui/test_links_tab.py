"""The card editor's Links tab: add and remove "blocks" links by key, undo, bad keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QPushButton

from app.ui.commands import CommandContext
from app.ui.dialogs.comments_tab import CommentsSetup
from app.ui.timeline.links_tab import LinksTab


def texts(tab: LinksTab, side: str) -> list[str]:
    listing = tab.lists[side]
    return [listing.item(i).text() for i in range(listing.count())]


def test_links_tab_adds_removes_and_undoes(services, qtbot) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("LK", "Links")
    a = services.cards.create_card(project.id, "Alpha")
    b = services.cards.create_card(project.id, "Beta")
    stack = QUndoStack()
    errors: list[str] = []
    tab = LinksTab(CommentsSetup(services, CommandContext(services, errors.append), stack), b.id)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.keyClicks(tab.keys["blocked_by"], "lk-1")
    qtbot.keyClick(tab.keys["blocked_by"], Qt.Key.Key_Return)
    assert texts(tab, "blocked_by") == ["LK-1  Alpha"]
    assert [c.key for c in services.plans.links(a.id).blocks] == ["LK-2"]
    stack.undo()
    tab.refresh()
    assert texts(tab, "blocked_by") == []
    stack.redo()
    tab.refresh()
    tab.lists["blocked_by"].setCurrentRow(0)
    qtbot.mouseClick(
        tab.findChild(QPushButton, "links_blocked_by_remove"), Qt.MouseButton.LeftButton
    )
    assert texts(tab, "blocked_by") == []
    # A cycle is refused in the tab's error line, nothing written.
    services.plans.link(b.id, a.id)
    tab.refresh()
    qtbot.keyClicks(tab.keys["blocked_by"], "LK-1")
    qtbot.mouseClick(tab.findChild(QPushButton, "links_blocked_by_add"), Qt.MouseButton.LeftButton)
    assert "LK-1 → LK-2 → LK-1" in tab.error.text()
    assert texts(tab, "blocks") == ["LK-1  Alpha"]
    tab.keys["blocks"].setText("nope")
    qtbot.mouseClick(tab.findChild(QPushButton, "links_blocks_add"), Qt.MouseButton.LeftButton)
    assert "not a card key" in tab.error.text()
