"""``python -m bench --backend postgresql``: the team database's figures, beside a plain psycopg
UPDATE + INSERT + COMMIT in the same run.

For each size the synthetic SQLite database (bench.synth) is copied into a fresh PostgreSQL
database migrated by alembic (rows table by table, then each id sequence moved past the
largest id), and a worker process measures on it (``python -m bench.pg_bench URL REPEAT``):

* ``card_move_ms``: ``BoardService.move_card`` end to end through the store (as on SQLite);
* ``propagation_ms``: from a move committed by one client to a second client's store having
  applied it (NOTIFY → the listening thread → the change feed → the store's models), the
  second client waiting on its feed's wake-up as the window does;
* ``board_open_ms``, ``backlog_open_ms``: the store loaded (SQLAlchemy path) and the view
  rebuilt and painted, as bench.worker measures them on SQLite;
* ``filter_ms``: a filter keystroke on the open board;
* ``pg_baseline_ms``: psycopg alone, BEGIN; UPDATE card; INSERT history_event; COMMIT;
* ``move_round_trips``: the round trips of one ``BoardService.move_card`` (libpq's trace of
  the pooled connection: the server's ReadyForQuery answers), a figure the machine's load
  does not move.

The copied database is ANALYZEd, as autovacuum would do soon after such a bulk load (and as
``pg_restore`` users are told to): without planner statistics PostgreSQL guesses 19 cards
per project instead of 10,000 and picks nested loops for the board's reads.

The server is ``SPRINTDECK_BENCH_PG`` (a SQLAlchemy URL of a database where we may CREATE
DATABASE), else ``SPRINTDECK_TEST_PG``, else postgres on 127.0.0.1:5432.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.figures import summarise

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FIGURES = (
    "card_move_ms",
    "pg_baseline_ms",
    "propagation_ms",
    "board_open_ms",
    "backlog_open_ms",
    "filter_ms",
    "move_round_trips",
)
GOALS = {
    ("card_move_ms", "median"): 10.0,
    ("propagation_ms", "p90"): 300.0,
    ("board_open_ms", "median"): 400.0,
    ("backlog_open_ms", "median"): 400.0,
}


def server() -> str:
    return os.environ.get("SPRINTDECK_BENCH_PG") or os.environ.get("SPRINTDECK_TEST_PG") or DEFAULT


def _admin():  # type: ignore[no-untyped-def]
    import psycopg

    from app.dburl import libpq_uri

    return psycopg.connect(libpq_uri(server()), autocommit=True)


def database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server()).set(database=name).render_as_string(hide_password=False)


def copy_into_postgres(source: Path, name: str) -> str:
    """A fresh PostgreSQL database ``name`` holding the rows of the SQLite file ``source``,
    migrated first by alembic; its URL."""
    from sqlalchemy import create_engine, func, select, text

    from app.bootstrap import open_runtime
    from app.models import Base

    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    open_runtime(url).close()
    reader = create_engine("sqlite:///" + str(source))
    writer = create_engine(url)
    tables = [t for t in Base.metadata.sorted_tables if t.name not in ("change_log",)]
    with reader.connect() as src, writer.begin() as dst:
        dst.execute(text("SET session_replication_role = replica"))  # FKs: rows come in order
        for table in reversed(tables):
            dst.execute(table.delete())
        for table in tables:
            rows = [dict(r._mapping) for r in src.execute(select(table))]
            for start in range(0, len(rows), 5_000):
                dst.execute(table.insert(), rows[start : start + 5_000])
        for table in tables:
            if "id" in table.c and table.c.id.autoincrement:
                top = dst.scalar(select(func.max(table.c.id))) or 0
                dst.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, :called)"),
                    {"t": table.name, "v": max(top, 1), "called": top > 0},
                )
        dst.execute(text("SET session_replication_role = origin"))
        # The rows came in with the triggers off (replica): the search index is filled
        # from them here, as migration 0013 fills it (issue 19).
        dst.execute(text("SELECT card_search_refresh(ARRAY(SELECT id FROM card))"))
    with writer.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    reader.dispose()
    writer.dispose()
    return url


def drop(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(sizes: list[int], repeat: int, folder: Path) -> dict[str, dict]:
    """Build, copy and measure each size; the summaries by size."""
    from bench.synth import build

    results: dict[str, dict] = {}
    for size in sizes:
        started = time.perf_counter()
        db = build(folder / f"bench-{size}.db", size)
        name = f"sprintdeck_bench_{size}"
        url = copy_into_postgres(db.path, name)
        print(
            f"[{size:,} cards] PostgreSQL database ready in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        done = subprocess.run(
            [sys.executable, "-m", "bench.pg_bench", url, str(repeat)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=3600,
        )
        drop(name)
        line = next((x for x in done.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
        if line is None:
            raise RuntimeError(
                f"bench.pg_bench failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        samples = json.loads(line[len("BENCHJSON ") :])
        results[str(size)] = {name: summarise(samples.get(name)) for name in FIGURES}
    return results


def report(results: dict[str, dict]) -> str:
    sizes = list(results)
    lines = ["| figure | " + " | ".join(f"{int(s):,} cards" for s in sizes) + " |"]
    lines.append("|---" * (len(sizes) + 1) + "|")
    for figure in FIGURES:
        cells = []
        for size in sizes:
            summary = results[size].get(figure)
            cells.append(
                "n/a" if summary is None else f"{summary['median']:.1f} / {summary['p90']:.1f}"
            )
        lines.append(f"| {figure} | " + " | ".join(cells) + " |")
    for (figure, stat), goal in GOALS.items():
        for size in sizes:
            summary = results[size].get(figure)
            if summary is None:
                continue
            value = summary[stat]
            verdict = "met" if value < goal else "MISSED"
            lines.append(
                f"  {size} cards: {figure} {stat} {value:.1f} ms (goal < {goal:.0f}): {verdict}"
            )
    return "\n".join(lines)


# --- the worker (a fresh interpreter per size) ---------------------------------------------


def _worker(url: str, repeat: int) -> dict[str, list[float]]:
    import psycopg
    from PySide6.QtWidgets import QApplication

    from app.bootstrap import open_runtime
    from app.dburl import libpq_uri
    from app.ui.store import BoardStore
    from bench import worker as sqlite_worker

    QApplication.instance() or QApplication([])
    samples: dict[str, list[float]] = {}
    # The SQLite worker's figures that are the same code on any engine.
    figures = sqlite_worker.Worker(url, repeat)
    figures.board_open()
    figures.backlog_open()
    figures.card_moves()
    samples.update(figures.samples)
    services = figures.services

    # Propagation: client B's store applies what client A commits.
    other = open_runtime(url)
    store = BoardStore(services)
    store.load(figures.kanban_id)
    landed = threading.Event()
    rang = threading.Event()
    figures.runtime.feed.wakeup = rang.set
    wanted: dict[str, int] = {}

    def on_moved(_old, new) -> None:  # type: ignore[no-untyped-def]
        if new.id == wanted.get("id") and new.column_id == wanted.get("column"):
            landed.set()

    store.card_moved.connect(on_moved)
    columns = store.columns
    values = []
    for i in range(2 + repeat * 3):
        src, dst = (columns[1], columns[2]) if i % 2 == 0 else (columns[2], columns[1])
        card = next(c for c in store.cards_in_column(src.id) if c.type != "epic")
        wanted.update(id=card.id, column=dst.id)
        landed.clear()
        rang.clear()
        start = time.perf_counter()
        other.services.board.move_card(card.id, dst.id, expected_version=card.version)
        deadline = start + 10
        while not landed.is_set() and time.perf_counter() < deadline:
            rang.wait(0.5)
            rang.clear()
            figures.runtime.feed.poll()
        if i >= 2 and landed.is_set():
            values.append((time.perf_counter() - start) * 1000)
    samples["propagation_ms"] = values
    other.close()

    samples["move_round_trips"] = [float(_move_round_trips(figures))]

    # psycopg alone: the floor of a move on this server.
    with psycopg.connect(libpq_uri(url)) as conn:
        card_id, column_id, project_id = conn.execute(
            "SELECT id, column_id, project_id FROM card WHERE type <> 'epic' LIMIT 1"
        ).fetchone()
        base = []
        for i in range(2 + repeat * 5):
            start = time.perf_counter()
            with conn.transaction():
                conn.execute(
                    "UPDATE card SET version = version + 1, updated_at = now() WHERE id = %s",
                    (card_id,),
                )
                conn.execute(
                    "INSERT INTO history_event (project_id, card_id, at, actor, kind, before, "
                    "after, column_id_after, category_after, sprint_id_after, points_after, "
                    "archived_after) VALUES (%s, %s, now(), 'bench', 'moved', '{}', '{}', %s, "
                    "'in_progress', NULL, NULL, false)",
                    (project_id, card_id, column_id),
                )
            if i >= 2:
                base.append((time.perf_counter() - start) * 1000)
        samples["pg_baseline_ms"] = base
    figures.runtime.close()
    return samples


def _move_round_trips(figures) -> int:  # type: ignore[no-untyped-def]
    """The round trips of one card move through the services, counted in libpq's trace of
    every connection the pool hands out meanwhile."""
    import tempfile

    from psycopg import pq
    from sqlalchemy import event

    engine = figures.runtime.engine
    services = figures.services
    board = services.board.load_board(figures.kanban_id)
    source, target = board.columns[1], board.columns[2]
    card = next(c for c in board.cards if c.column_id == source.id and c.type != "epic")
    neighbour = next(c for c in board.cards if c.column_id == target.id)
    with tempfile.TemporaryFile() as trace:

        def on_checkout(dbapi_connection, *_):  # type: ignore[no-untyped-def]
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(
                pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
            )

        def on_checkin(dbapi_connection, *_):  # type: ignore[no-untyped-def]
            if not dbapi_connection.closed:
                dbapi_connection.pgconn.untrace()

        event.listen(engine, "checkout", on_checkout)
        event.listen(engine, "checkin", on_checkin)
        try:
            services.board.move_card(
                card.id, target.id, after_id=neighbour.id, expected_version=card.version
            )
        finally:
            event.remove(engine, "checkout", on_checkout)
            event.remove(engine, "checkin", on_checkin)
        trace.seek(0)
        lines = trace.read().decode(errors="replace").splitlines()
    return sum(1 for line in lines if line.split("\t")[:3:2] == ["B", "ReadyForQuery"])


def main(argv: list[str]) -> int:
    url, repeat = argv[0], int(argv[1])
    samples = _worker(url, repeat)
    print("BENCHJSON " + json.dumps(samples), flush=True)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
