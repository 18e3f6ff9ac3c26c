"""The change feed: what another process committed arrives on the bus as Change deltas (which
cards, which kind), its own changes are not heard twice, and when it cannot tell what
changed it says "reload" rather than guess."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import StaleEdit
from app.services.events import Change, ChangeKind
from app.storage.change_feed import ChangeFeed
from tests.helpers import make_runtime, run_cli


class Heard:
    """What one window's bus heard."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def __call__(self, change: Change) -> None:
        self.changes.append(change)

    def kinds(self) -> list[tuple[str, int | None, tuple[str, ...]]]:
        return [
            (str(c.kind), c.project_id, tuple(card.key for card in c.cards)) for c in self.changes
        ]


@pytest.fixture
def two(db_path: Path) -> Iterator[tuple]:
    """Two running apps (two windows, two processes) on one file; B's bus is listened to."""
    a = make_runtime(db_path)
    b = make_runtime(db_path)
    heard = Heard()
    b.services.bus.subscribe(heard)
    try:
        yield a, b, heard
    finally:
        a.close()
        b.close()


def test_a_card_moved_elsewhere_arrives_as_that_card_moved(two: tuple) -> None:
    a, b, heard = two
    project = a.services.projects.create_project("SD", "Feed")
    card = a.services.cards.create_card(project.id, "Shared")
    b.feed.poll()  # the project and the card
    heard.changes.clear()
    done = next(c for c in a.services.workflow.list_columns(project.id) if c.name == "Done")
    a.services.board.move_card(card.id, done.id, expected_version=card.version)

    assert b.feed.poll() == 1
    (change,) = heard.changes
    assert change.kind is ChangeKind.CARD_MOVED and change.elsewhere
    assert change.project_id == project.id
    assert [(c.key, c.column_id, c.version) for c in change.cards] == [
        (card.key, done.id, card.version + 1)
    ]
    assert b.feed.poll() == 0  # nothing new: nothing published


def test_own_changes_are_not_heard_twice(two: tuple) -> None:
    _a, b, heard = two
    project = b.services.projects.create_project("SD", "Mine")
    b.services.cards.create_card(project.id, "Mine")
    own = len(heard.changes)
    assert own == 2 and not any(c.elsewhere for c in heard.changes)
    assert b.feed.poll() == 0
    assert len(heard.changes) == own


def test_the_command_line_is_another_process(two: tuple, db_path: Path) -> None:
    a, b, heard = two
    project = a.services.projects.create_project("SD", "Feed")
    b.feed.poll()
    heard.changes.clear()
    result = run_cli("card", "add", "--project", "SD", "--title", "From a script", db=db_path)
    assert result.returncode == 0, result.stderr
    assert b.feed.poll() == 1
    assert heard.kinds() == [("card_added", project.id, (result.stdout.strip(),))]


def test_several_changes_to_one_card_arrive_once_with_its_latest_state(two: tuple) -> None:
    a, b, heard = two
    project = a.services.projects.create_project("SD", "Feed")
    b.feed.poll()
    heard.changes.clear()
    card = a.services.cards.create_card(project.id, "New")
    card = a.services.cards.update_card(card.id, {"title": "Renamed"}, card.version)
    card = a.services.cards.update_card(card.id, {"points": 3}, card.version)
    other = a.services.cards.create_card(project.id, "Other")

    assert b.feed.poll() == 2
    assert heard.kinds() == [
        ("card_changed", project.id, (card.key,)),
        ("card_added", project.id, (other.key,)),
    ]
    (renamed,) = heard.changes[0].cards
    assert renamed.title == "Renamed" and renamed.points == 3 and renamed.version == card.version


def test_an_archived_card_arrives_archived(two: tuple) -> None:
    a, b, heard = two
    project = a.services.projects.create_project("SD", "Feed")
    card = a.services.cards.create_card(project.id, "Going")
    b.feed.poll()
    heard.changes.clear()
    a.services.cards.archive_card(card.id, card.version)
    b.feed.poll()
    assert heard.kinds() == [("card_archived", project.id, (card.key,))]
    assert heard.changes[0].cards[0].archived


def test_other_kinds_are_passed_on_once_each(two: tuple) -> None:
    a, b, heard = two
    project = a.services.projects.create_project("SD", "Feed")
    b.feed.poll()
    heard.changes.clear()
    columns = a.services.workflow.list_columns(project.id)
    a.services.workflow.update_column(columns[0].id, name="Ideas")
    a.services.workflow.update_column(columns[1].id, name="Doing")
    assert b.feed.poll() == 1
    assert heard.kinds() == [("columns_changed", project.id, ())]


def test_a_commit_without_a_log_row_reloads(two: tuple, db_path: Path) -> None:
    a, b, heard = two
    project = a.services.projects.create_project("SD", "Feed")
    b.feed.poll()
    heard.changes.clear()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE project SET name = 'Edited by hand' WHERE id = ?", (project.id,))
    conn.close()
    assert b.feed.poll() == 1
    assert heard.kinds() == [("reloaded", None, ())]


def test_rows_pruned_before_they_were_read_reload(two: tuple, db_path: Path) -> None:
    a, b, heard = two
    project = a.services.projects.create_project("SD", "Feed")
    b.feed.poll()
    heard.changes.clear()
    a.services.cards.create_card(project.id, "One")
    a.services.cards.create_card(project.id, "Two")
    conn = sqlite3.connect(db_path)
    with conn:  # as a prune by a busy writer would
        conn.execute("DELETE FROM change_log WHERE id < (SELECT MAX(id) FROM change_log)")
    conn.close()
    assert b.feed.poll() == 1
    assert heard.kinds() == [("reloaded", None, ())]


def test_a_rolled_back_change_leaves_no_log_row(services, db_path: Path) -> None:
    project = services.projects.create_project("SD", "Feed")
    card = services.cards.create_card(project.id, "Card")
    before = _log_rows(db_path)
    with pytest.raises(StaleEdit):
        services.cards.update_card(card.id, {"title": "x"}, expected_version=card.version + 7)
    assert _log_rows(db_path) == before


def test_a_move_writes_one_log_row_naming_the_card(services, db_path: Path) -> None:
    project = services.projects.create_project("SD", "Feed")
    card = services.cards.create_card(project.id, "Card")
    done = services.workflow.list_columns(project.id)[-1]
    before = _log_rows(db_path)
    services.board.move_card(card.id, done.id, expected_version=card.version)
    rows = _log_rows(db_path)
    assert rows[len(before) :] == [(project.id, "card_moved", str(card.id))]


def test_unknown_kind_text_is_refused_at_once() -> None:
    with pytest.raises(ValueError):
        Change("card_teleported")
    assert Change("card_moved").kind is ChangeKind.CARD_MOVED


def test_feed_started_on_an_empty_log_sees_the_first_change(db_path: Path) -> None:
    a = make_runtime(db_path)
    b = make_runtime(db_path)
    try:
        heard = Heard()
        b.services.bus.subscribe(heard)
        a.services.projects.create_project("SD", "First")
        assert b.feed.poll() == 1
        assert heard.kinds()[0][0] == "project_added"
    finally:
        a.close()
        b.close()


def test_feed_type_is_the_runtime_one(runtime) -> None:
    assert isinstance(runtime.feed, ChangeFeed)


def _log_rows(db_path: Path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT project_id, kind, card_ids FROM change_log ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
