"""Time on the board, driven like a person: Ctrl+L's log dialog, the card editor's Time tab
(add and delete, undoable), the card's right-click menu, and the timer in the status bar,
which survives a window rebuilt on the same database."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ui.dialogs.log_dialog import LogDialog, TimeTab
from tests.ui.helpers import card_by_key, keys_in, select, with_dialog

ME = "Mei Chen"


@pytest.fixture
def window(demo, make_window):  # type: ignore[no-untyped-def]
    demo.set_actor(ME)
    return make_window(demo)


@pytest.fixture
def key(window) -> str:  # type: ignore[no-untyped-def]
    """A card of the To Do column, selected on the board."""
    key = keys_in(window, "To Do")[0]
    select(window, key)
    return key


def logs_of(demo, key: str):  # type: ignore[no-untyped-def]
    return demo.time.card_logs(demo.cards.find_card(key).id)


def test_ctrl_l_logs_time_for_you_and_undo_removes_it(window, demo, key, qtbot) -> None:  # type: ignore[no-untyped-def]
    before = len(logs_of(demo, key))

    opened: list[str] = []

    def fill(dialog: LogDialog) -> None:
        opened.extend([dialog.windowTitle(), dialog.member_combo.currentText()])
        qtbot.keyClicks(dialog.duration_edit, "1h30m")
        qtbot.keyClicks(dialog.note_edit, "spike")
        dialog.note_edit.insert(" ✓")  # typed by an input method
        qtbot.keyClick(dialog.duration_edit, Qt.Key.Key_Return)

    seen = with_dialog(fill)
    qtbot.keyClick(window.board, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert seen
    # "You are" is the default person
    assert opened == [f"Log time on {key}", ME]
    logs = logs_of(demo, key)
    assert len(logs) == before + 1
    assert (logs[-1].minutes, logs[-1].member_name, logs[-1].note) == (90, ME, "spike ✓")
    assert f"Logged 1.50 h on {key}" in window.statusBar().currentMessage()
    assert window.undo_action.text() == f"&Undo Log 1.50 h on {key}"
    window.undo_action.trigger()
    assert len(logs_of(demo, key)) == before
    window.redo_action.trigger()
    assert len(logs_of(demo, key)) == before + 1


def test_bad_time_is_shown_in_the_dialog_and_nothing_written(window, demo, key, qtbot) -> None:  # type: ignore[no-untyped-def]
    before = len(logs_of(demo, key))
    shown: list[str] = []

    def fill(dialog: LogDialog) -> None:
        for text in ("0h", "lots", "25h"):
            dialog.duration_edit.setText(text)
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            assert dialog.isVisible() and dialog.error_label.isVisible()
            shown.append(dialog.error_label.text())
        assert dialog.date_edit.maximumDate() == dialog.date_edit.date()  # no future day
        dialog.reject()

    with_dialog(fill)
    window.log_time_action.trigger()
    assert len(shown) == 3 and "at least one minute" in shown[0] and "24 hours" in shown[2]
    assert all("\n" not in s for s in shown)
    assert len(logs_of(demo, key)) == before


def test_the_card_menu_offers_log_time_and_the_timer(window, key) -> None:  # type: ignore[no-untyped-def]
    menu = window.card_menu(card_by_key(window, key))
    texts = [a.text() for a in menu.actions()]
    assert "&Log time…" in texts and "Start/stop t&imer" in texts


def test_the_time_tab_lists_logs_totals_and_deletes_undoably(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    # A card with logs from the demo's closed sprints
    logged = demo.time.project_logs(demo.projects.find_project("DEMO").id)
    card = demo.cards.get_card(logged[0].card_id)
    select_any(window, card.key)
    before = demo.time.card_time(card.id)
    assert before.logs
    seen: dict[str, object] = {}

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        try:
            look(dialog)
        except Exception as exc:
            seen["error"] = repr(exc)
        dialog.reject()

    def look(dialog) -> None:  # type: ignore[no-untyped-def]
        seen["titles"] = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        dialog.tabs.setCurrentIndex(seen["titles"].index("&Time"))
        tab = dialog.tabs.currentWidget()
        table = tab.table
        seen["rows"] = table.rowCount()
        seen["first"] = [table.item(0, c).text() for c in range(5)]
        seen["summary"] = tab.summary_label.text()
        dialog.grab().save("/tmp/logs_time_tab.png")
        # delete the first log with the Delete key
        table.setFocus()
        table.selectRow(0)
        qtbot.keyClick(table, Qt.Key.Key_Delete)
        seen["after_delete"] = table.rowCount()

    with_dialog(fill)
    window.open_card_action.trigger()
    first = before.logs[0]
    assert "error" not in seen, seen.get("error")
    assert "&Time" in seen["titles"] and "&History" in seen["titles"]
    assert seen["rows"] == len(before.logs)
    assert seen["first"] == [
        first.day.isoformat(),
        first.member_name,
        f"{first.hours.normalize():f} h",
        "",
        f"{first.cost:,.2f}",
    ]
    assert f"Logged <b>{before.logged_hours.normalize():f} h</b>" in str(seen["summary"])
    assert "EUR" in str(seen["summary"])
    assert seen["after_delete"] == len(before.logs) - 1
    assert len(demo.time.card_logs(card.id)) == len(before.logs) - 1
    window.undo_action.trigger()
    assert len(demo.time.card_logs(card.id)) == len(before.logs)


def test_the_time_tab_logs_time_through_its_button(window, demo, key, qtbot) -> None:  # type: ignore[no-untyped-def]
    rows: list[int] = []

    def fill_log(dialog: LogDialog) -> None:
        qtbot.keyClicks(dialog.duration_edit, "45m")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        tab = next(
            dialog.tabs.widget(i)
            for i in range(dialog.tabs.count())
            if isinstance(dialog.tabs.widget(i), TimeTab)
        )
        dialog.tabs.setCurrentWidget(tab)
        assert tab.empty_label.isVisible()
        with_dialog(fill_log)
        qtbot.mouseClick(tab.log_button, Qt.MouseButton.LeftButton)
        rows.append(tab.table.rowCount())
        assert "45m" not in tab.summary_label.text()
        rows.append(int("0.75 h" in tab.summary_label.text()))
        dialog.reject()

    with_dialog(fill)
    window.open_card_action.trigger()
    assert rows == [1, 1]
    assert [x.minutes for x in logs_of(demo, key)] == [45]


def test_timer_in_the_status_bar_survives_a_rebuilt_window(
    window, demo, key, qtbot, make_window
) -> None:  # type: ignore[no-untyped-def]
    label = window.time.timer_label
    assert not label.isVisible()
    clock_start = dt.datetime.now(dt.UTC)
    demo.context.clock = lambda: clock_start
    qtbot.keyClick(
        window.board,
        Qt.Key.Key_T,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert label.isVisible() and label.text() == f"⏱ {key} 0:00"
    window.grab().save("/tmp/logs_timer_window.png")
    demo.context.clock = lambda: clock_start + dt.timedelta(minutes=14, seconds=30)
    window.time.show_timers()  # what the minute tick does
    assert label.text() == f"⏱ {key} 0:14"
    window.close()

    second = make_window(demo)
    assert second.time.timer_label.isVisible()
    assert second.time.timer_label.text() == f"⏱ {key} 0:14"
    before = len(logs_of(demo, key))
    second.timer_action.trigger()  # stops it: 14 minutes logged
    assert not second.time.timer_label.isVisible()
    logs = logs_of(demo, key)
    assert len(logs) == before + 1 and logs[-1].minutes == 14 and logs[-1].member_name == ME
    second.undo_action.trigger()  # the log goes, the timer runs again from its start
    assert len(logs_of(demo, key)) == before
    assert second.time.timer_label.text() == f"⏱ {key} 0:14"


def test_a_second_timer_is_refused_with_a_message(window, demo, key, messages) -> None:  # type: ignore[no-untyped-def]
    other = keys_in(window, "To Do")[1]
    me = next(m for m in window.store.members if m.display_name == ME)
    demo.time.start_timer(card_by_key(window, other).id, me.id)
    # the key stops the running timer rather than starting a second one
    window.timer_action.trigger()
    assert demo.time.running_timer(me.id) is None
    assert f"on {other}" in window.statusBar().currentMessage()


def select_any(window, key: str) -> None:  # type: ignore[no-untyped-def]
    """Select ``key`` on the board (a closed sprint's card is shown with scope "all")."""
    select(window, key)
    QApplication.processEvents()
