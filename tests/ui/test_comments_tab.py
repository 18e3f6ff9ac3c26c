"""The card editor's Comments tab, driven as a person drives it: type, Ctrl+Enter, see it;
edit one's own; delete then Ctrl+Z; @ completion; history interleaved; the window opens the
editor with the tab and the board shows the count."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QLabel

from app.services import Services
from app.services.dto import BoardDTO, CardDTO
from app.ui.commands import CommandContext
from app.ui.dialogs.card_dialog import CardDialog
from app.ui.dialogs.comments_tab import CommentsSetup, CommentsTab

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def board(demo: Services) -> BoardDTO:
    return demo.board.load_board(demo.projects.find_project("DEMO").id)


@pytest.fixture
def card(board: BoardDTO) -> CardDTO:
    return next(c for c in board.cards if c.type != "epic")


@pytest.fixture
def errors() -> list[str]:
    return []


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def dialog(qtbot, demo: Services, board: BoardDTO, card: CardDTO, stack, errors) -> CardDialog:
    setup = CommentsSetup(demo, CommandContext(demo, errors.append), stack)
    dialog = CardDialog(
        columns=board.columns,
        members=board.members,
        labels=board.labels,
        epics=board.epics,
        submit=lambda values: None,
        card=card,
        history=demo.cards.history(card.id),
        project=board.project,
        comments=setup,
    )
    qtbot.addWidget(dialog)
    dialog.resize(640, 640)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    dialog.tabs.setCurrentWidget(dialog.comments_tab)
    return dialog


def tab_of(dialog: CardDialog) -> CommentsTab:
    tab = dialog.comments_tab
    assert isinstance(tab, CommentsTab)
    return tab


def texts(tab: CommentsTab) -> list[str]:
    return [label.text() for label in tab.entries]


def post(qtbot, tab: CommentsTab, text: str) -> None:
    tab.editor.setFocus()
    qtbot.keyClicks(tab.editor, text)
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return, CTRL)


def test_type_and_ctrl_enter_posts_and_shows_rendered(qtbot, dialog, demo, card) -> None:
    tab = tab_of(dialog)
    assert tab.caption.text() == "No comments yet: be the first."
    post(qtbot, tab, "Looks **good** <script>x</script>")
    assert dialog.isVisible()  # Ctrl+Enter posted; it did not save and close the editor
    assert tab.editor.toPlainText() == ""
    (shown,) = texts(tab)
    assert "<b>good</b>" in shown and "<script>" not in shown and "&lt;script&gt;" in shown
    assert tab.caption.text() == "1 comment, the latest at the bottom"
    assert "Comments (1)" in dialog.tabs.tabText(dialog.tabs.currentIndex()).replace("&", "")
    assert [c.text for c in demo.comments.list(card.id)] == ["Looks **good** <script>x</script>"]
    post(qtbot, tab, "second")
    assert "second" in texts(tab)[-1]  # newest last


def test_empty_comment_says_why_and_writes_nothing(qtbot, dialog, demo, card) -> None:
    tab = tab_of(dialog)
    post(qtbot, tab, "   ")
    assert tab.error_label.isVisible()
    assert tab.error_label.text() == "A comment cannot be empty."
    assert demo.comments.list(card.id) == []


def test_edit_own_comment(qtbot, dialog, demo, card) -> None:
    tab = tab_of(dialog)
    post(qtbot, tab, "typo hre")
    (comment,) = tab.comments
    qtbot.mouseClick(tab.edit_buttons[comment.id], LEFT)
    assert tab.editor.toPlainText() == "typo hre"
    assert tab.post_button.text().replace("&", "") == "Save edit"
    tab.editor.selectAll()
    qtbot.keyClicks(tab.editor, "typo here")
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return, CTRL)
    (edited,) = tab.comments
    assert edited.text == "typo here" and edited.edited
    assert any("edited" in label.text() for label in tab.findChildren(QLabel))
    assert tab.post_button.text().replace("&", "") == "Post"


def test_no_edit_or_delete_on_someone_elses(qtbot, demo, board, card, stack, errors) -> None:
    demo.set_actor("Somebody Else")
    demo.comments.add(card.id, "not yours")
    demo.set_actor(None)
    setup = CommentsSetup(demo, CommandContext(demo, errors.append), stack)
    tab = CommentsTab(setup, card, [], None, [], None)  # type: ignore[arg-type]
    qtbot.addWidget(tab)
    assert len(tab.comments) == 1 and tab.edit_buttons == {} and tab.delete_buttons == {}


def test_delete_then_ctrl_z_restores(qtbot, dialog, demo, card) -> None:
    tab = tab_of(dialog)
    post(qtbot, tab, "oops")
    (comment,) = tab.comments
    qtbot.mouseClick(tab.delete_buttons[comment.id], LEFT)
    assert texts(tab) == [f"<i style='color: #6b778c;'>Comment deleted by {comment.author}</i>"]
    assert tab.caption.text() == "No comments yet: be the first."
    tab.scroll.setFocus()
    qtbot.keyClick(tab.scroll, Qt.Key.Key_Z, CTRL)
    (restored,) = tab.comments
    assert not restored.deleted and "oops" in texts(tab)[0]
    qtbot.keyClick(tab.scroll, Qt.Key.Key_Z, CTRL)  # and undo the post itself
    assert demo.comments.list(card.id) == []
    qtbot.keyClick(
        tab.scroll,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [c.text for c in tab.comments] == ["oops"]  # redone: posted again


def test_ctrl_z_in_comments_leaves_other_changes_alone(qtbot, dialog, stack, demo, card) -> None:
    from app.ui.commands import EditCardCommand

    stack.push(EditCardCommand(CommandContext(demo, print), card, {"title": "Renamed"}))
    tab = tab_of(dialog)
    tab.scroll.setFocus()
    qtbot.keyClick(tab.scroll, Qt.Key.Key_Z, CTRL)
    assert tab.error_label.text() == "Nothing to undo in the comments."
    assert demo.cards.get_card(card.id).title == "Renamed"


def test_at_completion_offers_members_and_inserts_the_name(qtbot, dialog, board) -> None:
    tab = tab_of(dialog)
    member = board.members[0].display_name
    tab.editor.setFocus()
    qtbot.keyClicks(tab.editor, "thanks @" + member[:2].lower())
    popup = tab.editor.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    offered = [popup.model().index(row, 0).data() for row in range(popup.model().rowCount())]
    assert member in offered
    popup.setCurrentIndex(popup.model().index(offered.index(member), 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert tab.editor.toPlainText() == f"thanks @{member} "
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return, CTRL)
    assert "<span" in texts(tab)[-1] and f"@{member}" in texts(tab)[-1]


def test_no_completion_without_at(qtbot, dialog) -> None:
    tab = tab_of(dialog)
    tab.editor.setFocus()
    qtbot.keyClicks(tab.editor, "email me@")
    assert not tab.editor.completer.popup().isVisible()


def test_show_history_interleaves_the_cards_changes(qtbot, dialog, demo, card) -> None:
    tab = tab_of(dialog)
    post(qtbot, tab, "a comment")
    assert len(tab.entries) == 1
    qtbot.mouseClick(tab.history_check, LEFT)
    history = demo.cards.history(card.id)
    assert len(tab.entries) == 1 + len(history)
    assert "Created" in texts(tab)[0]  # the oldest first: the card's creation
    assert "a comment" in texts(tab)[-1]


def test_an_imported_comment_is_shown(qtbot, demo, board, card, stack, errors) -> None:
    """Trello and Jira imports write author, time and text only; the tab shows them."""
    import datetime as dt

    from app.models import Comment

    with demo.context.write() as uow:
        uow.session.add(
            Comment(
                card_id=card.id,
                author="trello: Ann",
                created_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
                text="Imported *note*",
            )
        )
        uow.commit()
    setup = CommentsSetup(demo, CommandContext(demo, errors.append), stack)
    tab = CommentsTab(setup, card, [], None, [], board.project.time_zone)  # type: ignore[arg-type]
    qtbot.addWidget(tab)
    assert texts(tab) == ["<p>Imported <i>note</i></p>"]
    assert tab.edit_buttons == {}


def test_the_window_opens_the_editor_with_comments_and_the_board_counts(
    qtbot, demo, make_window, card
) -> None:
    window = make_window(demo)
    demo.comments.add(card.id, "one")
    demo.comments.add(card.id, "two")
    window.store.reload()
    assert window.store.comment_count(card.id) == 2
    seen: list[str] = []

    def look() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CardDialog))
        tab = dialog.comments_tab
        seen.extend(c.text for c in tab.comments)
        post(qtbot, tab, "three")
        dialog.reject()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(50, look)
    window.cards.open_card(card.id)
    assert seen == ["one", "two"]
    assert window.store.comment_count(card.id) == 3  # the COMMENTED change refreshed it
    assert window.undo_stack.text(window.undo_stack.index() - 1) == f"Comment on {card.key}"


def test_a_comment_from_elsewhere_updates_the_board_count(qtbot, demo, make_window, card) -> None:
    """Another process's comment reaches the bus as a COMMENTED change without cards (the
    change feed carries cards for card kinds only): the count and that card's row update."""
    import datetime as dt

    from app.models import Comment
    from app.services.events import Change, ChangeKind

    window = make_window(demo)
    changed: list[int] = []
    window.store.card_changed.connect(lambda old, new: changed.append(new.id))
    with demo.context.write() as uow:  # as another process writes it: nothing published here
        uow.session.add(
            Comment(
                card_id=card.id, author="Elsewhere", created_at=dt.datetime.now(dt.UTC), text="hi"
            )
        )
        uow.commit()
    assert window.store.comment_count(card.id) == 0
    demo.bus.publish(Change(ChangeKind.COMMENTED, card.project_id, elsewhere=True))
    assert window.store.comment_count(card.id) == 1
    assert changed == [card.id]


def test_undoing_an_edit_takes_the_edited_mark_away(qtbot, dialog, demo, card) -> None:
    tab = tab_of(dialog)
    post(qtbot, tab, "first try")
    (comment,) = tab.comments
    qtbot.mouseClick(tab.edit_buttons[comment.id], LEFT)
    tab.editor.selectAll()
    qtbot.keyClicks(tab.editor, "second try")
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return, CTRL)
    assert tab.comments[0].edited
    tab.scroll.setFocus()
    qtbot.keyClick(tab.scroll, Qt.Key.Key_Z, CTRL)
    (undone,) = tab.comments
    assert undone.text == "first try" and not undone.edited
    assert not any("edited" in label.text() for label in tab.findChildren(QLabel))
    assert demo.comments.list(card.id)[0].edited_at is None


def test_a_comment_made_elsewhere_appears_and_the_draft_stays(qtbot, dialog, demo, card) -> None:
    tab = tab_of(dialog)
    tab.editor.setFocus()
    qtbot.keyClicks(tab.editor, "half a tho")
    demo.set_actor("Grace Hopper")
    demo.comments.add(card.id, "From the standup")  # publishes COMMENTED with the card
    demo.set_actor(None)
    qtbot.waitUntil(lambda: len(tab.entries) == 1)
    assert "From the standup" in texts(tab)[0]
    assert tab.editor.toPlainText() == "half a tho"
    assert tab.editor.hasFocus()
    qtbot.keyClicks(tab.editor, "ught")
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return, CTRL)
    assert "half a thought" in texts(tab)[-1]


def test_a_comment_from_another_process_appears_in_the_open_tab(qtbot, dialog, demo, card) -> None:
    """The change feed publishes COMMENTED for the project without cards: the tab reads
    its card's comments again; a change on another project leaves it alone."""
    import datetime as dt

    from app.models import Comment
    from app.services.events import Change, ChangeKind

    tab = tab_of(dialog)
    with demo.context.write() as uow:  # as another process writes it: nothing published here
        uow.session.add(
            Comment(
                card_id=card.id, author="Elsewhere", created_at=dt.datetime.now(dt.UTC), text="hi"
            )
        )
        uow.commit()
    demo.bus.publish(Change(ChangeKind.COMMENTED, card.project_id + 1000, elsewhere=True))
    qtbot.wait(10)  # let a (wrong) redraw run, if one was scheduled
    assert tab.entries == []
    demo.bus.publish(Change(ChangeKind.COMMENTED, card.project_id, elsewhere=True))
    qtbot.waitUntil(lambda: len(tab.entries) == 1)
    assert "hi" in texts(tab)[0]


def test_a_closed_comments_tab_stops_listening(qtbot, dialog, demo, card) -> None:
    tab = tab_of(dialog)
    assert tab._on_change in demo.bus._listeners
    dialog.reject()
    assert tab._on_change not in demo.bus._listeners


def test_a_reader_scrolled_up_stays_put_and_ones_own_post_shows_the_newest(
    qtbot, dialog, demo, card
) -> None:
    tab = tab_of(dialog)
    demo.set_actor("Grace Hopper")
    for n in range(12):
        demo.comments.add(card.id, f"Note {n}\n\nwith a second paragraph")
    qtbot.waitUntil(lambda: len(tab.entries) == 12)
    bar = tab.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.setValue(0)  # reading the oldest
    demo.comments.add(card.id, "Another from elsewhere")
    qtbot.waitUntil(lambda: len(tab.entries) == 13)
    QApplication.processEvents()
    assert bar.value() == 0
    demo.set_actor(None)
    post(qtbot, tab, "mine")
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() and bar.value() > 0)
    assert "mine" in texts(tab)[-1]
