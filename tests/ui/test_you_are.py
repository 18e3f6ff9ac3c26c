"""*Project › You are…* driven as a person would: the name the next change records, the
status bar, a new person added to the team after a yes, the choice remembered."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QTableWidget

from app.services import Services
from app.ui.you_are import SETTING, YouAreDialog
from tests.ui.helpers import card_by_key, keys_in, select, with_dialog


def last_actor(services: Services, key: str) -> str:
    project = services.projects.find_project(key.split("-")[0])
    card_id = next(c.id for c in services.board.load_board(project.id).cards if c.key == key)
    return services.cards.history(card_id)[-1].actor


def when_asked(answer: Callable[[QMessageBox], None]) -> list[QMessageBox]:
    """Answer the next question box (opened over a dialog) once it is up."""
    seen: list[QMessageBox] = []

    def handle() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, handle)
            return
        seen.append(box)
        answer(box)

    QTimer.singleShot(0, handle)
    return seen


def open_you_are(window, qtbot, fill) -> list[object]:  # type: ignore[no-untyped-def]
    """Project › You are… from the keyboard (Alt+P, Y), ``fill`` operating the dialog."""

    def guarded(dialog) -> None:  # type: ignore[no-untyped-def]
        try:
            fill(dialog)
        except BaseException:
            for box in QApplication.topLevelWidgets():
                if isinstance(box, QMessageBox) and box.isVisible():
                    box.reject()
            dialog.reject()  # a failed step must not leave the dialog waiting
            raise

    seen = with_dialog(guarded)
    window.menuBar().setFocus()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    menu = window.project_menu
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClick(menu, Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: bool(seen))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    return seen


def move_right(window, qtbot, key: str) -> None:  # type: ignore[no-untyped-def]
    select(window, key)
    window.move_right_action.trigger()  # Ctrl+Right on the board


def test_first_start_uses_the_default_without_asking(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    assert QApplication.activeModalWidget() is None
    assert window.you_are.label.text() == "You are: tester"
    key = keys_in(window, "To Do")[0]
    move_right(window, qtbot, key)
    qtbot.waitUntil(lambda: key in keys_in(window, "In Progress"))
    assert last_actor(demo, key) == "tester"


def test_pick_a_member_with_keys_and_the_next_move_names_them(  # type: ignore[no-untyped-def]
    demo, make_window, qtbot, settings_path
) -> None:
    window = make_window(demo)

    def fill(dialog: YouAreDialog) -> None:
        combo = dialog.combo
        assert dialog.focusWidget() in (combo, combo.lineEdit())  # typing goes to the name
        names = [combo.itemText(i) for i in range(combo.count())]
        assert names == sorted(names, key=str.lower) and "Grace Hopper" in names
        qtbot.keyClick(combo, Qt.Key.Key_Home)  # the first of the team ...
        for _ in range(combo.count()):  # ... and down the list to her
            if combo.currentText() == "Grace Hopper":
                break
            qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentText() == "Grace Hopper"
        qtbot.keyClick(combo, Qt.Key.Key_Return)  # OK is the default button

    seen = open_you_are(window, qtbot, fill)
    assert isinstance(seen[0], YouAreDialog)
    assert window.you_are.label.text() == "You are: Grace Hopper"
    assert "recorded as Grace Hopper" in window.statusBar().currentMessage()
    assert QSettings(str(settings_path), QSettings.Format.IniFormat).value(SETTING) == (
        "Grace Hopper"
    )
    key = keys_in(window, "To Do")[0]
    move_right(window, qtbot, key)
    qtbot.waitUntil(lambda: key in keys_in(window, "In Progress"))
    assert last_actor(demo, key) == "Grace Hopper"

    # The card's History tab names her
    def look(dialog) -> None:  # type: ignore[no-untyped-def]
        table = dialog.findChild(QTableWidget, "historyTable")
        assert table is not None
        assert table.item(table.rowCount() - 1, 1).text() == "Grace Hopper"
        dialog.reject()

    shown = with_dialog(look)
    window.open_card(card_by_key(window, key).id)
    assert shown


def test_typing_a_members_name_in_any_case_picks_them(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)

    def fill(dialog: YouAreDialog) -> None:
        dialog.combo.lineEdit().clear()
        qtbot.keyClicks(dialog.combo.lineEdit(), "alan tur")  # completes inline
        assert dialog.combo.currentText().lower() == "alan turing"
        qtbot.keyClick(dialog.combo, Qt.Key.Key_Return)

    open_you_are(window, qtbot, fill)
    assert demo.actor == "Alan Turing"  # the team's spelling, no question asked
    assert window.you_are.label.text() == "You are: Alan Turing"


def test_a_new_name_joins_the_team_after_a_yes(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    questions: list[list[QMessageBox]] = []

    def fill(dialog: YouAreDialog) -> None:
        dialog.combo.lineEdit().clear()
        qtbot.keyClicks(dialog.combo.lineEdit(), "Lin Dev")
        asked = when_asked(lambda box: qtbot.keyClick(box, Qt.Key.Key_Return))  # Yes: default
        questions.append(asked)
        qtbot.keyClick(dialog.combo, Qt.Key.Key_Return)

    open_you_are(window, qtbot, fill)
    assert questions[0] and "Lin Dev is not in the team" in questions[0][0].text()
    project = window.store.project
    assert "Lin Dev" in demo.me.candidates(project.id)
    assert window.you_are.label.text() == "You are: Lin Dev"
    assert "added to the team" in window.statusBar().currentMessage()
    key = keys_in(window, "To Do")[0]
    move_right(window, qtbot, key)
    qtbot.waitUntil(lambda: key in keys_in(window, "In Progress"))
    assert last_actor(demo, key) == "Lin Dev"


def test_no_keeps_the_dialog_and_cancel_changes_nothing(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    project = window.store.project
    before = demo.me.candidates(project.id)
    states: list[bool] = []

    def fill(dialog: YouAreDialog) -> None:
        dialog.combo.lineEdit().clear()
        qtbot.keyClicks(dialog.combo.lineEdit(), "Nobody Yet")

        def after_no() -> None:
            states.append(dialog.isVisible())
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Cancel

        def no(box: QMessageBox) -> None:
            box.button(QMessageBox.StandardButton.No).click()
            QTimer.singleShot(0, after_no)

        when_asked(no)
        qtbot.keyClick(dialog.combo, Qt.Key.Key_Return)

    open_you_are(window, qtbot, fill)
    assert states == [True]
    assert demo.me.candidates(project.id) == before
    assert demo.actor == "tester" and window.you_are.label.text() == "You are: tester"


def test_the_choice_is_remembered_and_the_default_comes_back(  # type: ignore[no-untyped-def]
    demo, make_window, qtbot, settings_path
) -> None:
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    settings.setValue(SETTING, "Mei Chen")
    settings.sync()
    window = make_window(demo)
    assert demo.actor == "Mei Chen"
    assert window.you_are.label.text() == "You are: Mei Chen"

    def fill(dialog: YouAreDialog) -> None:
        assert dialog.combo.currentText() == "Mei Chen"
        assert dialog.default_button.text() == "Use the &default (tester)"  # Alt+D
        dialog.default_button.setFocus()
        qtbot.keyClick(dialog.default_button, Qt.Key.Key_Space)

    open_you_are(window, qtbot, fill)
    assert demo.actor == "tester" and window.you_are.label.text() == "You are: tester"
    assert QSettings(str(settings_path), QSettings.Format.IniFormat).value(SETTING) is None


def test_an_empty_name_is_said_in_the_dialog(demo, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    said: list[str] = []

    def fill(dialog: YouAreDialog) -> None:
        dialog.combo.lineEdit().clear()
        qtbot.keyClick(dialog.combo, Qt.Key.Key_Return)
        said.append(dialog.problem.text() if dialog.isVisible() else "closed")
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    open_you_are(window, qtbot, fill)
    assert said == ["Type your name or pick it from the list."]
    assert demo.actor == "tester"


def test_a_saved_name_history_cannot_take_is_ignored(demo, make_window, settings_path) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    settings.setValue(SETTING, "x" * 150)
    settings.sync()
    window = make_window(demo)
    assert demo.actor == "tester" and window.you_are.label.text() == "You are: tester"
