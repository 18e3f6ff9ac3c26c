"""Changes made elsewhere (a second window, the command line) reach an open board as deltas:
the card that moved moves, the card that was edited is redrawn, the rest of the board and the
person's selection stay as they were; only when the feed cannot tell what changed does the
board reload."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services.demo import DEMO_KEY
from tests.helpers import make_runtime, run_cli
from tests.ui.helpers import card_by_key, keys_in, select


@pytest.fixture
def live(demo_runtime, make_window):  # type: ignore[no-untyped-def]
    """A window on the demo database polling its runtime's change feed."""
    return make_window(demo_runtime.services, poll=demo_runtime.feed.poll)


@pytest.fixture
def elsewhere(db_path: Path, live):  # type: ignore[no-untyped-def]
    other = make_runtime(db_path)
    yield other.services
    other.close()


def _resets(window, qtbot) -> list[int]:  # type: ignore[no-untyped-def]
    counted: list[int] = []
    window.store.board_reset.connect(lambda: counted.append(1))
    return counted


def test_a_card_moved_in_another_window_moves_here_and_nothing_reloads(
    live, elsewhere, qtbot
) -> None:  # type: ignore[no-untyped-def]
    todo = keys_in(live, "To Do")
    key, keep = todo[0], todo[1]
    select(live, keep)
    resets = _resets(live, qtbot)
    moved: list[str] = []
    live.store.card_moved.connect(lambda _old, new: moved.append(new.key))

    card = elsewhere.cards.find_card(key)
    project = elsewhere.projects.find_project(DEMO_KEY)
    doing = elsewhere.workflow.find_column(project.id, "In Progress")
    elsewhere.board.move_card(card.id, doing.id, expected_version=card.version)

    assert live.check_external_changes()
    assert moved == [key]
    assert resets == []
    assert key not in keys_in(live, "To Do") and key in keys_in(live, "In Progress")
    current = live.board.current_card()
    assert current is not None and current.key == keep  # the selection stayed
    assert "elsewhere" in live.statusBar().currentMessage()


def test_a_card_edited_by_a_script_is_redrawn_with_its_new_title(
    live, db_path: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(live, "In Progress")[0]
    resets = _resets(live, qtbot)
    result = run_cli("card", "list", "--project", DEMO_KEY, "--json", db=db_path)
    assert result.returncode == 0
    other = make_runtime(db_path)
    try:
        card = other.services.cards.find_card(key)
        other.services.cards.update_card(card.id, {"title": "Retitled elsewhere"}, card.version)
    finally:
        other.close()
    assert live.check_external_changes()
    assert card_by_key(live, key).title == "Retitled elsewhere"
    assert resets == []
    assert not live.check_external_changes()  # heard once


def test_a_change_the_feed_cannot_describe_reloads_the_board(live, db_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    key = keys_in(live, "To Do")[0]
    resets = _resets(live, qtbot)
    conn = sqlite3.connect(db_path)
    with conn:  # a commit with no change_log row (an older Sprintdeck, a script)
        conn.execute(
            "UPDATE card SET title = 'By hand' WHERE number = ?", (int(key.split("-")[1]),)
        )
    conn.close()
    assert live.check_external_changes()
    assert resets == [1]
    assert card_by_key(live, key).title == "By hand"


def test_a_lost_connection_is_shown_until_it_is_back(demo, make_window) -> None:  # type: ignore[no-untyped-def]
    from app.storage.pg_notify import LOST

    state: dict[str, str | None] = {"problem": None}
    window = make_window(demo, poll=lambda: 0, problem=lambda: state["problem"])
    label = window.connection_label
    window.check_external_changes()
    assert label.isHidden()
    state["problem"] = LOST
    window.check_external_changes()
    assert not label.isHidden() and label.text() == "Connection lost — reconnecting…"
    state["problem"] = None
    window.check_external_changes()
    assert label.isHidden()
    assert "Connected again" in window.statusBar().currentMessage()


def test_a_read_failing_while_the_bell_rings_is_one_line(demo, make_window, messages) -> None:  # type: ignore[no-untyped-def]
    from app.errors import DatabaseProblem

    def poll() -> int:
        raise DatabaseProblem("Connection lost — reconnecting…: nothing was changed.")

    window = make_window(demo, poll=poll)
    assert not window.check_external_changes()
    assert "Connection lost" in window.statusBar().currentMessage()
    assert messages == []  # no dialog: the poll repeats twice a second


def test_changes_wait_while_a_card_is_dragged(live, elsewhere, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QListView

    from app.ui.drags import dragging

    key = keys_in(live, "To Do")[0]
    card = elsewhere.cards.find_card(key)
    project = elsewhere.projects.find_project(DEMO_KEY)
    doing = elsewhere.workflow.find_column(project.id, "In Progress")
    seen: list[tuple[bool, bool, list[str]]] = []

    def the_drag(view, actions) -> None:  # type: ignore[no-untyped-def]
        # While the person drags, a teammate moves a card: nothing moves under the cursor.
        elsewhere.board.move_card(card.id, doing.id, expected_version=card.version)
        seen.append((dragging(), live.check_external_changes(), keys_in(live, "To Do")))

    monkeypatch.setattr(QListView, "startDrag", the_drag)  # the drag's own event loop
    from app.ui.board.view import CardListView

    live.board.findChildren(CardListView)[0].startDrag(Qt.DropAction.MoveAction)

    (during,) = seen
    assert during[0] is True and during[1] is False and key in during[2]
    assert not dragging()
    assert live.check_external_changes()  # the drop is over: now it moves
    assert key in keys_in(live, "In Progress")


def test_on_a_team_database_a_teammates_move_shows_without_waiting_for_a_poll(
    make_window, qtbot
) -> None:  # type: ignore[no-untyped-def]
    from tests import pg

    url = pg.new_url()
    pg.create(url, demo=True)
    mine = make_runtime(url)
    teammate = make_runtime(url)
    try:
        window = make_window(mine.services, poll=mine.feed.poll)
        window._poll_timer.stop()  # only the NOTIFY's wake-up is left to bring it
        mine.feed.wakeup = window.external_rang.emit
        key = keys_in(window, "To Do")[0]
        card = teammate.services.cards.find_card(key)
        project = teammate.services.projects.find_project(DEMO_KEY)
        doing = teammate.services.workflow.find_column(project.id, "In Progress")
        teammate.services.board.move_card(card.id, doing.id, expected_version=card.version)
        qtbot.waitUntil(lambda: key in keys_in(window, "In Progress"), timeout=10_000)
        assert key not in keys_in(window, "To Do")
    finally:
        mine.feed.wakeup = None
        teammate.close()
        mine.close()
        pg.drop(url)
