"""Two writers: an edit based on a card someone else saved meanwhile is never applied
silently; the person sees what changed and chooses."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.helpers import make_runtime
from tests.ui.helpers import keys_in, select, with_dialog


def _teammate_edits(db_path: Path, key: str) -> None:
    other = make_runtime(db_path)  # another process on the same file
    try:
        card = other.services.cards.find_card(key)
        other.services.cards.update_card(
            card.id, {"title": "Renamed by a teammate", "points": "13"}, card.version
        )
    finally:
        other.close()


@pytest.mark.parametrize("choice", ["Apply mine on top", "Discard mine"])
def test_conflicting_edit_shows_their_changes_and_lets_the_person_choose(
    demo, db_path: Path, make_window, qtbot, choice: str
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    key = keys_in(window, "In Progress")[0]
    shown: list[str] = []

    def answer_conflict() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_conflict)
            return
        shown.append(box.text())
        next(b for b in box.buttons() if b.text() == choice).click()

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        _teammate_edits(db_path, key)
        dialog.description_edit.setPlainText("My notes from the standup")
        QTimer.singleShot(0, answer_conflict)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    select(window, key)
    with_dialog(fill)
    window.open_card_action.trigger()
    assert shown and "Renamed by a teammate" in shown[0] and "points" in shown[0]
    saved = demo.cards.find_card(key)
    assert saved.title == "Renamed by a teammate" and str(saved.points) == "13.0"
    if choice == "Apply mine on top":
        assert saved.description == "My notes from the standup"
    else:
        assert saved.description != "My notes from the standup"
    shown_title = next(c for c in window.store.cards() if c.key == key).title
    assert shown_title == "Renamed by a teammate"
