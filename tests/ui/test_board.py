"""The board driven as a person drives it: looking, dragging, keys, undo, filters, lanes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services.demo import DEMO_KEY
from app.ui.board.model import CardListModel, CardRole
from tests.helpers import make_runtime
from tests.ui.helpers import card_by_key, column_named, drop_card, keys_in, select, with_dialog


@pytest.fixture
def window(demo, make_window):  # type: ignore[no-untyped-def]
    return make_window(demo)


def db_card(services, key: str):  # type: ignore[no-untyped-def]
    return services.cards.find_card(key)


def test_board_shows_columns_in_order_with_figures(window, demo) -> None:  # type: ignore[no-untyped-def]
    parts = window.board.column_parts()
    assert [column.name for column, _h, _m in parts] == [
        "To Do",
        "In Progress",
        "In Review",
        "Done",
    ]
    project = demo.projects.find_project(DEMO_KEY)
    cards = [c for c in demo.cards.list_cards(project.id) if c.type != "epic"]
    for column, header, models in parts:
        mine = [c for c in cards if c.column_id == column.id]
        points = sum(c.points or 0 for c in mine)
        assert header.name_label.text() == column.name
        assert header.stats_label.text().startswith(f"{len(mine)} card")
        assert f"{points.normalize():f} pts" in header.stats_label.text()
        assert sum(m.rowCount() for m in models) == len(mine)
    review = next(h for c, h, _m in parts if c.name == "In Review")
    assert review.over_limit and review.wip_label.text() == "4 / 3"
    assert "over its WIP limit" in review.accessibleName()
    in_progress = next(h for c, h, _m in parts if c.name == "In Progress")
    assert not in_progress.over_limit and in_progress.wip_label.text() == "3 / 8"


def test_cards_are_painted_with_their_details(window) -> None:  # type: ignore[no-untyped-def]
    column, models = column_named(window, "In Progress")
    card = models[0].data(models[0].index(0, 0), CardRole)
    assert card.key.startswith("DEMO-") and card.column_id == column.id
    tooltip = models[0].data(models[0].index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert card.key in tooltip and "Assignee" in tooltip
    image = window.grab().toImage()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 50  # a painted board, not a blank window


def test_every_board_model_passes_the_model_tester(window, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    for _column, _header, models in window.board.column_parts():
        for model in models:
            qtmodeltester.check(model)


def test_drop_on_another_column_moves_and_saves(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(window, "To Do")[0]
    drop_card(window, key, "In Review", row=1)
    qtbot.waitUntil(lambda: key in keys_in(window, "In Review"))
    assert key not in keys_in(window, "To Do")
    assert keys_in(window, "In Review")[1] == key
    saved = db_card(demo, key)
    assert demo.workflow.list_columns(saved.project_id)[2].id == saved.column_id
    assert [e.kind for e in demo.cards.history(saved.id)][-1] == "moved"
    assert window.undo_action.text() == f"&Undo Move {key} to In Review"


def test_drop_within_a_column_reorders(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    before = keys_in(window, "In Progress")
    drop_card(window, before[0], "In Progress")  # to the end
    qtbot.waitUntil(lambda: keys_in(window, "In Progress")[-1] == before[0])
    assert keys_in(window, "In Progress") == [*before[1:], before[0]]
    project = demo.projects.find_project(DEMO_KEY)
    doing_id = column_named(window, "In Progress")[0].id
    saved = [
        c.key
        for c in demo.cards.list_cards(project.id)
        if c.column_id == doing_id and c.type != "epic"
    ]
    assert saved == keys_in(window, "In Progress")


def test_done_lists_the_most_recently_finished_first(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    done = keys_in(window, "Done")
    finished = [card_by_key(window, key).resolved_at for key in done]
    assert finished == sorted(finished, reverse=True)
    key = keys_in(window, "To Do")[0]
    drop_card(window, key, "Done", row=len(done))  # dropped at the bottom...
    qtbot.waitUntil(lambda: key in keys_in(window, "Done"))
    assert keys_in(window, "Done") == [key, *done]  # ...it is the newest: on top
    # Within a done column there is no order to change: a drop there moves nothing.
    undo_text = window.undo_action.text()
    drop_card(window, key, "Done", row=len(done) + 1)
    qtbot.wait(50)
    assert keys_in(window, "Done") == [key, *done]
    assert window.undo_action.text() == undo_text
    assert "newest first" in window.statusBar().currentMessage()
    menu = window.card_menu(card_by_key(window, key))
    top = next(a for a in menu.actions() if a.text() == "Move to t&op of column")
    assert not top.isEnabled()


def test_keyboard_moves_undo_and_redo(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(window, "To Do")[0]
    select(window, key)
    view = window.board.view_for(card_by_key(window, key).id)[0]
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert key in keys_in(window, "In Progress")
    assert keys_in(window, "In Progress")[-1] == key  # lands last
    assert window.board.current_card().key == key  # the selection follows the card
    focused = window.focusWidget()
    qtbot.keyClick(focused, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert key in keys_in(window, "In Review")
    assert "Move " + key + " to In Review" in window.undo_action.text()

    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert key in keys_in(window, "In Progress")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert keys_in(window, "To Do")[0] == key  # back exactly where it was
    assert db_card(demo, key).column_id == column_named(window, "To Do")[0].id
    qtbot.keyClick(
        window.focusWidget(),
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert key in keys_in(window, "In Progress")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert key in keys_in(window, "In Review")
    kinds = [e.kind for e in demo.cards.history(db_card(demo, key).id)]
    assert kinds.count("moved") >= 4  # undo is a new change in the history, not an erasure


def test_keyboard_reorder_up_and_down(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    order = keys_in(window, "To Do")
    select(window, order[2])
    view = window.focusWidget()
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert keys_in(window, "To Do")[:3] == [order[0], order[2], order[1]]
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert keys_in(window, "To Do")[:4] == [order[0], order[1], order[3], order[2]]
    project = demo.projects.find_project(DEMO_KEY)
    todo = column_named(window, "To Do")[0].id
    assert [
        c.key for c in demo.cards.list_cards(project.id) if c.column_id == todo and c.type != "epic"
    ] == keys_in(window, "To Do")


def test_arrow_keys_hop_between_columns(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    first = keys_in(window, "To Do")[0]
    select(window, first)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Right)
    assert window.board.current_card().key == keys_in(window, "In Progress")[0]
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Left)
    assert window.board.current_card().key == first


def test_a_move_survives_a_restart(db_path: Path, make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    runtime = make_runtime(db_path, demo=True)
    window = make_window(runtime.services)
    key = keys_in(window, "To Do")[0]
    drop_card(window, key, "Done", row=0)
    qtbot.waitUntil(lambda: key in keys_in(window, "Done"))
    window.close()
    runtime.close()
    again = make_runtime(db_path)
    try:
        second = make_window(again.services)
        assert keys_in(second, "Done")[0] == key
    finally:
        again.close()


def test_stale_move_is_refused_and_explained(window, demo, db_path: Path, messages) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(window, "To Do")[0]
    other = make_runtime(db_path)  # a second process on the same file
    try:
        card = other.services.cards.find_card(key)
        other.services.cards.update_card(card.id, {"title": "Changed elsewhere"}, card.version)
    finally:
        other.close()
    select(window, key)
    window.move_right_action.trigger()
    assert messages and "changed by someone else" in messages[-1]
    assert key in keys_in(window, "To Do")
    assert db_card(demo, key).column_id == column_named(window, "To Do")[0].id
    assert window.undo_stack.count() == 0


def test_changes_from_another_process_appear(demo_runtime, db_path: Path, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo_runtime.services, poll=demo_runtime.feed.poll)
    assert not window.check_external_changes()
    other = make_runtime(db_path)
    try:
        project = other.services.projects.find_project(DEMO_KEY)
        added = other.services.cards.create_card(project.id, "Added from the command line")
    finally:
        other.close()
    assert window.check_external_changes()
    assert added.key in keys_in(window, "To Do")


def test_text_filter_narrows_cards_in_place(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(window.filter_edit, "checkout")
    shown = [
        key
        for name in ("To Do", "In Progress", "In Review", "Done")
        for key in keys_in(window, name)
    ]
    texts = [
        f"{card_by_key(window, k).title} {card_by_key(window, k).parent_title}".lower()
        for k in shown
    ]
    assert shown and all("checkout" in t for t in texts)
    assert len(shown) < 53
    header = column_named(window, "To Do")
    assert " of " in window.board.column_parts()[0][1].stats_label.text()
    assert header
    window.clear_filters()
    assert len(keys_in(window, "To Do")) == 18


def test_assignee_label_and_type_filters(window, demo) -> None:  # type: ignore[no-untyped-def]
    combo = window.assignee_combo
    combo.setCurrentIndex(combo.findText("Mei Chen"))
    shown = [
        card_by_key(window, k)
        for n in ("To Do", "In Progress", "In Review", "Done")
        for k in keys_in(window, n)
    ]
    assert shown and all(c.assignee_name == "Mei Chen" for c in shown)
    window.label_combo.setCurrentIndex(window.label_combo.findText("ux"))
    shown = [
        card_by_key(window, k)
        for n in ("To Do", "In Progress", "In Review", "Done")
        for k in keys_in(window, n)
    ]
    assert shown and all("ux" in [lb.name for lb in c.labels] for c in shown)
    window.clear_filters()
    window.type_combo.setCurrentIndex(window.type_combo.findData("bug"))
    shown = [
        card_by_key(window, k)
        for n in ("To Do", "In Progress", "In Review", "Done")
        for k in keys_in(window, n)
    ]
    assert shown and all(c.type == "bug" for c in shown)
    window.assignee_combo.setCurrentIndex(window.assignee_combo.findData(-1))
    shown = [
        card_by_key(window, k)
        for n in ("To Do", "In Progress", "In Review", "Done")
        for k in keys_in(window, n)
    ]
    assert shown and all(c.assignee_id is None and c.type == "bug" for c in shown)


@pytest.mark.parametrize("grouping", ["assignee", "epic", "priority"])
def test_swimlanes_group_cards(window, grouping: str) -> None:  # type: ignore[no-untyped-def]
    window.group_combo.setCurrentIndex(window.group_combo.findData(grouping))
    lanes = window.board.lane_titles()
    assert len(lanes) >= 3
    for _column, _header, models in window.board.column_parts():
        assert len(models) == len(lanes)
        for model, title in zip(models, lanes, strict=True):
            for card in model.cards():
                if grouping == "assignee":
                    assert title.startswith(card.assignee_name or "Unassigned")
                elif grouping == "epic":
                    assert title.startswith(card.parent_key or "No epic")
                else:
                    assert title.lower().startswith(card.priority)
    total = sum(len(keys_in(window, n)) for n in ("To Do", "In Progress", "In Review", "Done"))
    assert total == 53


def test_moves_work_inside_swimlanes(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.group_combo.setCurrentIndex(window.group_combo.findData("assignee"))
    key = next(k for k in keys_in(window, "To Do") if card_by_key(window, k).assignee_name)
    select(window, key)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert key in keys_in(window, "In Progress")
    assert db_card(demo, key).column_id == column_named(window, "In Progress")[0].id


def test_settings_are_remembered(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    first = make_window(demo)
    first.group_combo.setCurrentIndex(first.group_combo.findData("epic"))
    first.filter_edit.setText("payment")
    first.type_combo.setCurrentIndex(first.type_combo.findData("story"))
    first.assignee_combo.setCurrentIndex(first.assignee_combo.findText("Grace Hopper"))
    first.resize(1111, 777)
    first.close()
    second = make_window(demo)
    assert second.board.grouping == "epic"
    assert second.filter_edit.text() == "payment"
    assert second.type_combo.currentData() == "story"
    assert second.assignee_combo.currentText() == "Grace Hopper"
    assert second.store.project.key == DEMO_KEY


def test_delete_asks_archives_and_undo_restores(window, demo, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(window, "In Review")[0]
    asked: list[str] = []

    def answer(_parent, _title, text, *_args, **_kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    select(window, key)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Delete)
    assert key in keys_in(window, "In Review")  # "No" keeps it
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Delete)
    assert key in asked[-1]
    assert key not in keys_in(window, "In Review")
    assert db_card(demo, key).archived
    history_before = len(demo.cards.history(db_card(demo, key).id))
    window.undo_action.trigger()
    assert key in keys_in(window, "In Review")
    restored = db_card(demo, key)
    assert not restored.archived and restored.key == key
    assert len(demo.cards.history(restored.id)) == history_before + 1


def test_unicode_titles_are_shown_intact(window, demo) -> None:  # type: ignore[no-untyped-def]
    project = demo.projects.find_project(DEMO_KEY)
    titles = ["🚀 Launch 🎉", "دعم اللغة العربية", "支払い確認メール", "עברית ✓"]
    for title in titles:
        demo.cards.create_card(project.id, title)
    shown = {card_by_key(window, k).title for k in keys_in(window, "To Do")}
    assert set(titles) <= shown


def test_models_only_touch_the_moved_rows(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    _column, models = column_named(window, "In Progress")
    model: CardListModel = models[0]
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    key = keys_in(window, "To Do")[0]
    with qtbot.waitSignal(model.rowsInserted, timeout=2000):
        select(window, key)
        window.move_right_action.trigger()
    assert not resets


def test_ctrl_n_creates_a_card_and_undo_removes_it(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.title_edit.setText("Write the release notes ✍️")
        dialog.points_combo.setCurrentText("5")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    seen = with_dialog(fill)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen
    key = window.board.current_card().key
    assert key == "DEMO-57" and keys_in(window, "To Do")[-1] == key
    saved = db_card(demo, key)
    assert saved.title == "Write the release notes ✍️" and str(saved.points) == "5.0"
    assert window.undo_action.text() == f"&Undo Create {key}"
    window.undo_action.trigger()
    assert key not in keys_in(window, "To Do") and db_card(demo, key).archived
    window.redo_action.trigger()
    assert key in keys_in(window, "To Do") and not db_card(demo, key).archived


def test_enter_opens_the_card_and_edits_are_undoable(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(window, "In Progress")[0]
    original = db_card(demo, key)

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        assert key in dialog.windowTitle()
        dialog.title_edit.setText("Renamed in the editor")
        dialog.blocked_check.setChecked(True)
        dialog.reason_edit.setText("Waiting for legal")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    select(window, key)
    seen = with_dialog(fill)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)
    assert seen
    edited = db_card(demo, key)
    assert edited.title == "Renamed in the editor" and edited.blocked
    assert card_by_key(window, key).title == "Renamed in the editor"
    window.undo_action.trigger()
    back = db_card(demo, key)
    assert back.title == original.title and back.blocked == original.blocked
    assert card_by_key(window, key).title == original.title


def test_double_click_opens_and_bad_input_is_refused_in_the_dialog(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(window, "Done")[0]
    before = db_card(demo, key)
    errors: list[str] = []

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.points_combo.setCurrentText("-3")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        errors.append(dialog.error_label.text())
        assert dialog.isVisible()  # stays open with the input kept
        dialog.reject()

    found = window.board.view_for(card_by_key(window, key).id)
    view, row = found
    rect = view.visualRect(view.model().index(row, 0))
    seen = with_dialog(fill)
    # A real double click is press, release, double-click, release.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen and errors and "negative" in errors[0]
    assert db_card(demo, key) == before
    assert window.undo_stack.count() == 0


def test_new_project_from_the_file_menu(window, demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        qtbot.keyClicks(dialog.key_edit, "ops")
        dialog.name_edit.setText("Operations")
        dialog.methodology_buttons["kanban"].setChecked(True)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    seen = with_dialog(fill)
    window.new_project_action.trigger()
    assert seen
    assert window.store.project.key == "OPS"
    assert demo.projects.find_project("OPS").methodology == "kanban"
    assert [c.name for c, _h, _m in window.board.column_parts()] == ["To Do", "In Progress", "Done"]


def test_workflow_edits_show_on_the_board(window, demo, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.ui.dialogs.workflow_dialog import WorkflowDialog

    moved_to: list[int] = []

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        review = next(c for c in dialog.columns if c.name == "In Review")
        done = next(c for c in dialog.columns if c.name == "Done")
        monkeypatch.setattr(dialog, "_ask_target_column", lambda column, others: done.id)
        dialog.reload(select_id=review.id)
        qtbot.mouseClick(dialog.archive_button, Qt.MouseButton.LeftButton)
        moved_to.append(done.id)
        dialog.accept()

    assert WorkflowDialog
    review_cards = keys_in(window, "In Review")
    seen = with_dialog(fill)
    window.workflow_action.trigger()
    assert seen and moved_to
    assert [c.name for c, _h, _m in window.board.column_parts()] == ["To Do", "In Progress", "Done"]
    assert set(review_cards) <= set(keys_in(window, "Done"))


def test_context_menu_moves_to_a_column_and_to_the_top(window, demo) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(window, "In Progress")[2]
    select(window, key)
    menu = window.card_menu(card_by_key(window, key))
    entries = [a.text() for a in menu.actions()]
    assert "Move to t&op of column" in entries and "&Delete card…" in entries
    move_to = next(a for a in menu.actions() if a.text() == "Move &to").menu()
    current = next(a for a in move_to.actions() if a.text() == "In Progress")
    assert not current.isEnabled()  # already there
    next(a for a in menu.actions() if a.text() == "Move to t&op of column").trigger()
    assert keys_in(window, "In Progress")[0] == key
    menu = window.card_menu(card_by_key(window, key))
    move_to = next(a for a in menu.actions() if a.text() == "Move &to").menu()
    next(a for a in move_to.actions() if a.text() == "Done").trigger()
    assert keys_in(window, "Done")[0] == key  # the newest finished: on top
    assert db_card(demo, key).column_id == column_named(window, "Done")[0].id


def test_right_to_left_titles_are_recognised() -> None:
    from app.ui.board.delegate import is_rtl

    assert is_rtl("دعم اللغة العربية") and is_rtl("עברית ✓") and is_rtl("123 עברית")
    assert not is_rtl("Hello עברית") and not is_rtl("支払い") and not is_rtl("🚀")


def _shown_by_list(board):  # type: ignore[no-untyped-def]
    return [[c.key for c in m.cards()] for _col, _h, models in board.column_parts() for m in models]


def test_typing_and_erasing_shows_what_a_fresh_filter_shows(window, demo) -> None:  # type: ignore[no-untyped-def]
    """Typing on only re-tests the cards already shown; erasing re-tests them all. Either
    way each list must equal a board filtered from scratch, whatever else is set."""
    from app.ui.board.view import BoardFilter, BoardView

    fresh = BoardView(window.store)
    fresh.set_sprint_scope(window.board.sprint_scope)
    fresh.rebuild()
    mei = next(m.id for m in window.store.members if m.display_name == "Mei Chen")
    steps = ["p", "pa", "pay", "paym", "pay", "p", "", "c", "ch", "check o", "check", "e", ""]
    for assignee in (None, mei):
        for text in steps:
            wanted = BoardFilter(text=text, assignee_id=assignee)
            window.board.set_filter(wanted)
            fresh.set_filter(BoardFilter())
            fresh.set_filter(wanted)
            assert _shown_by_list(window.board) == _shown_by_list(fresh), (assignee, text)
    fresh.deleteLater()


def test_a_keystroke_leaves_unchanged_lists_alone(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.ui.board.view import BoardFilter

    board = window.board
    board.set_filter(BoardFilter(text="payment"))
    resets: list[int] = []
    for _col, _h, models in board.column_parts():
        for model in models:
            model.modelAboutToBeReset.connect(lambda: resets.append(1))
    before = _shown_by_list(board)
    board.set_filter(BoardFilter(text="payment "))  # a trailing space changes nothing shown
    assert _shown_by_list(board) == before
    assert resets == []
