"""The card move on PostgreSQL in two round trips (app/storage/pg_move.py): the same rows as
the general path, the same refusals, nothing written on a stale version or a lost
connection; and the pool's check of a connection it hands out, which costs no round trip
when the connection is fine and replaces one the server dropped."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg import pq
from sqlalchemy import event, text

from app.bootstrap import Runtime
from app.errors import Conflict, DatabaseProblem, NotFound, StaleEdit, ValidationError
from app.services import Services
from app.services.events import Change
from tests.helpers import make_runtime

# Each test on a PostgreSQL database of its own (tests/storage/ runs on SQLite otherwise).
ON_PG = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def fixed_clock() -> Callable[[], dt.datetime]:
    """A clock that ticks one second per call, the same on every database."""
    ticks = iter(range(1_000_000))
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    return lambda: start + dt.timedelta(seconds=next(ticks))


def deterministic(rt: Runtime) -> Services:
    services = rt.services
    services.context.clock = fixed_clock()
    services.context.origin = "same-origin"
    services.context.actor = "tester"
    return services


def rows(rt: Runtime, sql: str) -> list[tuple[Any, ...]]:
    with rt.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def written(rt: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """What a move writes, row for row (JSON as its stored text)."""
    return {
        "card": rows(
            rt,
            "SELECT id, column_id, rank, resolved_at, version, updated_at FROM card ORDER BY id",
        ),
        "history_event": rows(
            rt,
            "SELECT id, project_id, card_id, at, actor, kind, before::text, after::text, "
            "column_id_after, category_after, sprint_id_after, points_after, archived_after "
            "FROM history_event ORDER BY id",
        ),
        "change_log": rows(
            rt, "SELECT id, origin, project_id, kind, card_ids, at FROM change_log ORDER BY id"
        ),
    }


def board_of(services: Services) -> tuple[Any, ...]:
    project = next(p for p in services.projects.list_projects() if p.key == "DEMO")
    board = services.board.load_board(project.id)
    return board.columns, [c for c in board.cards if c.type != "epic"]


def script(services: Services) -> list[tuple[int, int, dict[str, Any]]]:
    """Moves of every kind on the demo board: (card, column, placement)."""
    columns, cards = board_of(services)
    first, second, last = columns[0], columns[1], columns[-1]
    in_first = [c for c in cards if c.column_id == first.id]
    in_second = [c for c in cards if c.column_id == second.id]
    return [
        (in_first[0].id, second.id, {}),  # last in the column
        (in_first[1].id, second.id, {"after_id": in_second[0].id}),
        (in_first[2].id, second.id, {"before_id": in_second[0].id}),
        (in_first[3].id, second.id, {"position": 2}),
        (in_first[4].id, second.id, {"position": 10_000}),  # past the end: last
        (in_second[1].id, second.id, {"before_id": in_second[0].id}),  # re-rank in place
        (in_second[2].id, last.id, {}),  # into done: resolved
        (in_second[2].id, first.id, {}),  # out of done again
        (in_second[2].id, first.id, {}),  # already last there: nothing written
        (in_first[0].id, first.id, {"rank": in_first[0].rank}),  # back to its exact key
    ]


@pytest.fixture
def two(db_url: str, new_db_url: Callable[[str], str]) -> Iterator[tuple[Runtime, Runtime]]:
    fast, general = make_runtime(db_url, demo=True), make_runtime(new_db_url("b"), demo=True)
    yield fast, general
    fast.close()
    general.close()


@ON_PG
def test_both_paths_write_the_same_rows_and_return_the_same_cards(
    two: tuple[Runtime, Runtime],
) -> None:
    fast_rt, general_rt = two
    fast, general = deterministic(fast_rt), deterministic(general_rt)
    general.board.fast_moves = False
    assert fast.board.fast_moves
    assert written(fast_rt) == written(general_rt)
    published: dict[str, list[Change]] = {"fast": [], "general": []}
    fast.context.bus.subscribe(published["fast"].append)
    general.context.bus.subscribe(published["general"].append)
    moves = script(fast)
    assert moves == script(general)
    for card_id, column_id, placement in moves:
        version = fast.cards.get_card(card_id).version
        a = fast.board.move_card(card_id, column_id, expected_version=version, **placement)
        b = general.board.move_card(card_id, column_id, expected_version=version, **placement)
        assert a == b
        assert fast.cards.get_card(card_id) == a  # what it returns is what is stored
    assert written(fast_rt) == written(general_rt)
    assert published["fast"] == published["general"]
    assert len(published["fast"]) == len(moves) - 1  # the move to where it was: no change
    history = written(fast_rt)["history_event"]
    assert [h[5] for h in history[-len(moves) + 1 :]].count("moved") >= 6


def refusals(services: Services, other_project_column: int) -> list[Callable[[], object]]:
    columns, cards = board_of(services)
    card = cards[0]
    target = next(c for c in columns if c.id != card.column_id)
    elsewhere = next(c for c in cards if c.column_id not in (card.column_id, target.id))
    move = services.board.move_card
    return [
        lambda: move(999_999, target.id),
        lambda: move(card.id, 999_999),
        lambda: move(card.id, other_project_column),
        lambda: move(card.id, target.id, expected_version=card.version + 5),
        lambda: move(card.id, target.id, after_id=card.id),
        lambda: move(card.id, target.id, before_id=card.id),
        lambda: move(card.id, target.id, after_id=elsewhere.id),
        lambda: move(card.id, target.id, before_id=999_999),
        lambda: move(card.id, target.id, position=0),
        lambda: move(card.id, target.id, position="2"),  # type: ignore[arg-type]
        lambda: move(card.id, "2"),  # type: ignore[arg-type]
    ]


@ON_PG
def test_both_paths_refuse_alike_and_write_nothing(two: tuple[Runtime, Runtime]) -> None:
    fast_rt, general_rt = two
    fast, general = deterministic(fast_rt), deterministic(general_rt)
    general.board.fast_moves = False
    outcomes = []
    for services in (fast, general):
        other = services.projects.create_project("OTHR", "Other", "kanban")
        column = services.board.load_board(other.id).columns[0].id
        before = written(fast_rt if services is fast else general_rt)
        found = []
        for attempt in refusals(services, column):
            with pytest.raises((NotFound, Conflict, StaleEdit, ValidationError)) as caught:
                attempt()
            found.append((type(caught.value).__name__, str(caught.value)))
        assert written(fast_rt if services is fast else general_rt) == before
        outcomes.append(found)
    assert outcomes[0] == outcomes[1]
    kinds = {kind for kind, _ in outcomes[0]}
    assert {"NotFound", "Conflict", "StaleEdit", "ValidationError"} <= kinds


@ON_PG
def test_an_archived_card_or_column_is_refused_with_the_general_message(
    two: tuple[Runtime, Runtime],
) -> None:
    fast_rt, general_rt = two
    messages = []
    for rt, fast in ((fast_rt, True), (general_rt, False)):
        services = deterministic(rt)
        services.board.fast_moves = fast
        columns, cards = board_of(services)
        card = cards[0]
        target = next(c for c in columns if c.id != card.column_id)
        services.cards.archive_card(card.id)
        with pytest.raises(Conflict) as archived_card:
            services.board.move_card(card.id, target.id)
        with rt.engine.begin() as conn:
            conn.execute(
                text("UPDATE workflow_column SET archived = true WHERE id = :i"), {"i": target.id}
            )
        with pytest.raises(Conflict) as archived_column:
            services.board.move_card(cards[1].id, target.id)
        messages.append((str(archived_card.value), str(archived_column.value)))
    assert messages[0] == messages[1]
    assert "archived" in messages[0][0] and "archived" in messages[0][1]


class Trace:
    """libpq's trace of every connection the engine's pool hands out while active: the
    round trips are the server's ReadyForQuery answers (one per Sync or simple Query)."""

    def __init__(self) -> None:
        self.total = 0  # the round trips, once traced() is over
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - libpq writes to its fd; closed by traced()

    def on_checkout(self, dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.pgconn.trace(self.file.fileno())
        dbapi_connection.pgconn.set_trace_flags(
            pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
        )

    def on_checkin(self, dbapi_connection: Any, *_: Any) -> None:
        if not dbapi_connection.closed:
            dbapi_connection.pgconn.untrace()

    def round_trips(self) -> int:
        self.file.seek(0)
        lines = self.file.read().decode(errors="replace").splitlines()
        return sum(1 for line in lines if line.split("\t")[:3:2] == ["B", "ReadyForQuery"])


@contextmanager
def traced(rt: Runtime) -> Iterator[Trace]:
    trace = Trace()
    event.listen(rt.engine, "checkout", trace.on_checkout)
    event.listen(rt.engine, "checkin", trace.on_checkin)
    try:
        yield trace
    finally:
        event.remove(rt.engine, "checkout", trace.on_checkout)
        event.remove(rt.engine, "checkin", trace.on_checkin)
        trace.total = trace.round_trips()
        trace.file.close()


@ON_PG
def test_a_move_costs_two_round_trips(two: tuple[Runtime, Runtime]) -> None:
    fast_rt, general_rt = two
    counts = {}
    for rt, fast in ((fast_rt, True), (general_rt, False)):
        services = deterministic(rt)
        services.board.fast_moves = fast
        columns, cards = board_of(services)
        card, neighbour = cards[0], next(c for c in cards if c.column_id == columns[2].id)
        services.board.move_card(card.id, columns[1].id)  # the pool holds a connection now
        with traced(rt) as trace:
            services.board.move_card(card.id, columns[2].id, after_id=neighbour.id)
        counts[fast] = trace.total
    assert counts[True] == 2
    assert counts[False] >= 7  # BEGIN, card, extras, columns, rank, UPDATE, INSERT, log, COMMIT


def other_connection(rt: Runtime) -> psycopg.Connection:
    from app.storage.postgres import libpq_params

    return psycopg.connect(autocommit=True, **libpq_params(rt.url))


@ON_PG
def test_a_version_changed_between_read_and_write_writes_nothing(demo_runtime: Runtime) -> None:
    services = deterministic(demo_runtime)
    columns, cards = board_of(services)
    card = cards[0]
    target = next(c for c in columns if c.id != card.column_id)
    before = written(demo_runtime)
    tick = services.context.clock
    with other_connection(demo_runtime) as other:

        def clock_with_a_rival() -> dt.datetime:
            # Between the move's reads and its write (the clock is asked in between),
            # someone else saves the card.
            other.execute("UPDATE card SET version = version + 1 WHERE id = %s", (card.id,))
            services.context.clock = tick
            return tick()

        services.context.clock = clock_with_a_rival
        with pytest.raises(Conflict, match="changed while it was being moved"):
            services.board.move_card(card.id, target.id, expected_version=card.version)
    after = written(demo_runtime)
    assert after["history_event"] == before["history_event"]
    assert after["change_log"] == before["change_log"]
    stored = next(r for r in after["card"] if r[0] == card.id)
    assert (stored[1], stored[2], stored[4]) == (card.column_id, card.rank, card.version + 1)


@ON_PG
def test_a_connection_lost_before_the_write_leaves_nothing_half_written(
    demo_runtime: Runtime,
) -> None:
    services = deterministic(demo_runtime)
    columns, cards = board_of(services)
    card = cards[0]
    target = next(c for c in columns if c.id != card.column_id)
    services.board.move_card(cards[1].id, target.id)  # a pooled connection exists
    before = written(demo_runtime)
    tick = services.context.clock
    with other_connection(demo_runtime) as other:

        def clock_then_cut() -> dt.datetime:
            # The server drops the move's connection between its reads and its write.
            other.execute(  # (the timeout: returns once the backend is gone)
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND application_name = 'Sprintdeck'"
            )
            services.context.clock = tick
            return tick()

        services.context.clock = clock_then_cut
        with pytest.raises(DatabaseProblem, match="Connection lost"):
            services.board.move_card(card.id, target.id, expected_version=card.version)
    assert written(demo_runtime) == before
    # The next move gets a working connection and lands.
    moved = services.board.move_card(card.id, target.id, expected_version=card.version)
    assert moved.column_id == target.id
    assert services.cards.get_card(card.id).column_id == target.id


@ON_PG
def test_the_pool_replaces_a_connection_the_server_dropped_without_an_error(
    demo_runtime: Runtime,
) -> None:
    services = demo_runtime.services
    columns, cards = board_of(services)
    card = cards[0]
    target = next(c for c in columns if c.id != card.column_id)
    with demo_runtime.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with other_connection(demo_runtime) as other:
        # The timeout: returns once the backend is gone, its socket closed.
        other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    # Both paths check a connection out; neither sees the dropped one.
    moved = services.board.move_card(card.id, target.id, expected_version=card.version)
    assert moved.column_id == target.id
    services.board.fast_moves = False
    with demo_runtime.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with other_connection(demo_runtime) as other:
        other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    back = services.board.move_card(card.id, card.column_id, expected_version=moved.version)
    assert back.column_id == card.column_id


@ON_PG
def test_an_idle_connection_is_handed_out_without_a_ping(demo_runtime: Runtime) -> None:
    services = demo_runtime.services
    board_of(services)  # a connection in the pool
    with traced(demo_runtime) as trace, demo_runtime.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1").scalar()
    assert trace.total == 3  # BEGIN, SELECT 1, ROLLBACK: no ping before them


def test_sqlite_keeps_the_general_path(demo: Services) -> None:
    assert demo.board.fast_moves is False
    columns, cards = board_of(demo)
    target = next(c for c in columns if c.id != cards[0].column_id)
    assert demo.board.move_card(cards[0].id, target.id).column_id == target.id


@ON_PG
def test_moves_count_as_commits_and_the_pruning_one_prunes_the_change_log(
    demo_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import context as context_module

    services = demo_runtime.services
    columns, cards = board_of(services)
    target = next(c for c in columns if c.id != cards[0].column_id)
    start = services.context.commits
    services.board.move_card(cards[0].id, target.id)
    assert services.context.commits == start + 1
    monkeypatch.setattr(context_module, "CHANGE_LOG_KEEP", 1)
    services.context.commits = context_module.PRUNE_EVERY - 1  # the next commit prunes
    services.board.move_card(cards[1].id, target.id)
    logged = written(demo_runtime)["change_log"]
    assert len(logged) == 1 and logged[0][4] == str(cards[1].id)
