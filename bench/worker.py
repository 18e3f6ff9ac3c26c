"""The in-process figures, run in a fresh interpreter per size (so RSS and caches are its own).

``python -m bench.worker DB_PATH REPEAT`` prints one JSON object of raw samples.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import event, select

from app.bootstrap import open_runtime
from app.models import Project, Sprint
from app.storage.sqlite import SYNCHRONOUS
from app.ui.application import load_stylesheet
from app.ui.backlog.view import BacklogView
from app.ui.board.view import BoardFilter, BoardView
from app.ui.commands import CommandContext, MoveCardCommand
from app.ui.store import BoardStore
from bench.rss import peak_rss_mb
from bench.synth import KANBAN_KEY, SCRUM_KEY

WARMUP = 2
VIEW_SIZE = (1400, 900)


def ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def settle(app: QApplication) -> None:
    app.processEvents()
    app.processEvents()


class Worker:
    def __init__(self, db: Path | str, repeat: int) -> None:
        """``db``: a SQLite file, or a database URL (bench/pg_bench.py passes PostgreSQL's)."""
        self.app = QApplication.instance() or QApplication(["bench"])
        self.app.setStyleSheet(load_stylesheet())
        self.db = db
        self.repeat = repeat
        self.runtime = open_runtime(str(db) if "://" in str(db) else "sqlite:///" + str(db))
        self.services = self.runtime.services
        with self.runtime.engine.connect() as conn:
            ids = dict(conn.execute(select(Project.key, Project.id)).all())
            self.kanban_id, self.scrum_id = ids[KANBAN_KEY], ids[SCRUM_KEY]
            self.active_sprint = conn.scalar(
                select(Sprint.id).where(
                    Sprint.project_id == self.scrum_id, Sprint.state == "active"
                )
            )
        self.samples: dict[str, list[float]] = {}
        self.notes: dict[str, str] = {}
        self.rng = random.Random(11)

    def record(self, name: str, values: list[float]) -> None:
        self.samples[name] = values

    # --- opening -------------------------------------------------------------------------

    def board_open(self) -> None:
        """BoardStore.load (the queries and DTOs) + the BoardView rebuilt + a full paint."""
        values = []
        for i in range(WARMUP + self.repeat):
            store = BoardStore(self.services)
            view = BoardView(store)
            view.resize(*VIEW_SIZE)
            view.show()
            settle(self.app)

            def run(store: BoardStore = store, view: BoardView = view) -> None:
                store.load(self.kanban_id)
                settle(self.app)
                view.grab()

            t = ms(run)
            if i >= WARMUP:
                values.append(t)
            if i == WARMUP + self.repeat - 1:
                # Peak memory of this process with the board open (cold start also reports it).
                self.record("worker_rss_mb", [peak_rss_mb()])
            view.close()
            store.close()
            view.deleteLater()
            settle(self.app)
            gc.collect()
        self.record("board_open_ms", values)

    def backlog_open(self) -> None:
        """BoardStore.load of the Scrum project + BacklogView rebuilt (sprints and backlog
        sections, epics panel) + a full paint."""
        values = []
        for i in range(WARMUP + self.repeat):
            store = BoardStore(self.services)
            stack = QUndoStack()
            context = CommandContext(self.services, print)
            view = BacklogView(
                store, self.services, context, lambda c, s=stack: (s.push(c), True)[1]
            )
            view.resize(*VIEW_SIZE)
            view.show()
            settle(self.app)

            def run(store: BoardStore = store, view: BacklogView = view) -> None:
                store.load(self.scrum_id)
                settle(self.app)
                view.grab()

            t = ms(run)
            if i >= WARMUP:
                values.append(t)
            view.close()
            store.close()
            view.deleteLater()
            settle(self.app)
            gc.collect()
        self.record("backlog_open_ms", values)

    def team_open(self) -> None:
        """The Team page (issue 16) opened on a loaded board: WorkloadService.grid (one
        grouped query), the grid model and a full paint; on the Scrum project (its active
        and planned sprints) and on the Kanban one (six weeks)."""
        from app.ui.mainwindow.registry import PageContext
        from app.ui.team.page import TeamPage

        for name, project_id in (
            ("team_open_ms", self.scrum_id),
            ("team_open_kanban_ms", self.kanban_id),
        ):
            values = []
            for i in range(WARMUP + self.repeat):
                window = QWidget()
                window.resize(*VIEW_SIZE)
                store = BoardStore(self.services)
                store.load(project_id)
                stack = QUndoStack()
                context = CommandContext(self.services, print)
                ctx = PageContext(
                    window=window,
                    store=store,
                    services=self.services,
                    commands=context,
                    push=lambda c, s=stack: (s.push(c), True)[1],
                    open_card=lambda _card_id: None,
                    new_board=lambda store=store: BoardView(store),
                )
                window.show()
                settle(self.app)
                pages: list[TeamPage] = []

                def run(ctx: PageContext = ctx, pages: list[TeamPage] = pages) -> None:
                    page = TeamPage(ctx)
                    page.resize(*VIEW_SIZE)
                    page.show()
                    settle(self.app)
                    page.grab()
                    pages.append(page)

                t = ms(run)
                if i >= WARMUP:
                    values.append(t)
                for page in pages:
                    page.close()
                    page.deleteLater()
                store.close()
                window.close()
                window.deleteLater()
                settle(self.app)
                gc.collect()
            self.record(name, values)
        self.notes["team_open"] = "TeamPage built on a loaded store: workload grid + paint"

    # --- the hot paths -------------------------------------------------------------------

    def card_moves(self) -> None:
        """MoveCardCommand pushed on a QUndoStack: service call, commit with history event,
        store notification, both column models updated (and the headers' figures). Paint
        is not included. Cards move between the middle columns, placed after a card."""
        store = BoardStore(self.services)
        # With the search service, as the window's board has it: the filter keystrokes
        # below ask the database's index (issue 19).
        view = BoardView(store, search=self.services.search.matching)
        view.resize(*VIEW_SIZE)
        view.show()
        store.load(self.kanban_id)
        settle(self.app)
        view.grab()
        stack = QUndoStack()
        context = CommandContext(self.services, lambda m: print("error:", m, file=sys.stderr))
        columns = store.columns
        source, target = columns[1], columns[2]
        values = []
        for i in range(WARMUP + self.repeat * 5):
            src, dst = (source, target) if i % 2 == 0 else (target, source)
            movable = [c for c in store.cards() if c.column_id == src.id and c.type != "epic"]
            others = [c for c in store.cards() if c.column_id == dst.id and c.type != "epic"]
            card = self.rng.choice(movable)
            after = self.rng.choice(others).id if others else None
            command = MoveCardCommand(context, card, dst.id, dst.name, after_id=after)
            t = ms(lambda command=command: stack.push(command))
            moved = store.card(card.id)
            assert moved is not None and moved.column_id == dst.id, "the move did not land"
            if i >= WARMUP:
                values.append(t)
            settle(self.app)
        self.record("card_move_ms", values)
        # An undo is the same path backwards; one sample set for the report.
        self.record("card_undo_ms", [ms(stack.undo) for _ in range(min(10, stack.count()))])
        self.filter_keystrokes(view)
        view.close()
        store.close()
        view.deleteLater()
        settle(self.app)

    def filter_keystrokes(self, view: BoardView) -> None:
        """BoardView.set_filter once per keystroke of typing a word and erasing it (the
        lists' first pages of matches read), plus the events it posts (layout, repaint)
        processed: ``filter_ms``. ``filter_counted_ms``: from the keystroke until the
        headers' "N of M cards" is exact (the matches' count, on a worker thread)."""
        words = ["fix", "search bo", "payment"]
        texts: list[str] = []
        for word in words:
            texts += [word[:k] for k in range(1, len(word) + 1)]
            texts += [word[:k] for k in range(len(word) - 1, -1, -1)]
        values = []
        counted = []  # until the headers' "N of M" is exact (the count comes from a thread)
        for i, text in enumerate(texts * max(1, self.repeat // 10)):

            def run(text: str = text) -> None:
                view.set_filter(BoardFilter(text=text))
                settle(self.app)

            start = time.perf_counter()
            t = ms(run)
            while view.counting:  # the next keystroke waits for it: no count piles up
                self.app.processEvents()
                time.sleep(0.0005)
            if i >= WARMUP:
                values.append(t)
                counted.append((time.perf_counter() - start) * 1000)
        self.record("filter_ms", values)
        self.record("filter_counted_ms", counted)

    def sqlite_baseline(self) -> None:
        """A plain sqlite3 UPDATE + INSERT + COMMIT on the same file, with the app's journal
        mode (WAL, from the file) and synchronous setting."""
        conn = sqlite3.connect(self.db, isolation_level=None)
        conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        sync = conn.execute("PRAGMA synchronous").fetchone()[0]
        self.notes["sqlite"] = f"journal_mode={mode} synchronous={sync} ({SYNCHRONOUS})"
        card_id, column_id = conn.execute(
            "SELECT id, column_id FROM card WHERE project_id = ? AND type != 'epic' LIMIT 1",
            (self.kanban_id,),
        ).fetchone()
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM workflow_column WHERE project_id = ? ORDER BY position",
                (self.kanban_id,),
            )
        ]
        values = []
        for i in range(WARMUP + self.repeat * 5):
            to = columns[1] if i % 2 == 0 else columns[2]

            def run(to: int = to) -> None:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "UPDATE card SET column_id = ?, version = version + 1, updated_at = ? "
                    "WHERE id = ?",
                    (to, "2026-01-01 00:00:00.000000", card_id),
                )
                conn.execute(
                    "INSERT INTO history_event (project_id, card_id, at, actor, kind, before, "
                    "after, column_id_after, category_after, sprint_id_after, points_after, "
                    "archived_after) VALUES (?, ?, ?, ?, 'moved', ?, ?, ?, 'in_progress', NULL, "
                    "NULL, 0)",
                    (
                        self.kanban_id,
                        card_id,
                        "2026-01-01 00:00:00.000000",
                        "bench",
                        '{"column": "a"}',
                        '{"column": "b"}',
                        to,
                    ),
                )
                conn.execute("COMMIT")

            t = ms(run)
            if i >= WARMUP:
                values.append(t)
        conn.execute("UPDATE card SET column_id = ? WHERE id = ?", (column_id, card_id))
        conn.close()
        self.record("sqlite_baseline_ms", values)

    def reranks(self) -> None:
        """BoardService.rank_cards of one backlog card after another one, with the store
        and a BacklogView listening (so the backlog shows the new order); rows written are
        counted from the cursors of INSERT/UPDATE/DELETE statements."""
        store = BoardStore(self.services)
        stack = QUndoStack()
        context = CommandContext(self.services, print)
        view = BacklogView(store, self.services, context, lambda c: (stack.push(c), True)[1])
        view.resize(*VIEW_SIZE)
        view.show()
        store.load(self.scrum_id)
        settle(self.app)
        written = [0]

        def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            head = statement.lstrip()[:6].upper()
            if head in ("INSERT", "UPDATE", "DELETE"):
                written[0] += max(cursor.rowcount, 0)

        event.listen(self.runtime.engine, "after_cursor_execute", count)
        backlog = [c for c in store.cards() if c.sprint_id is None and c.type != "epic"]
        times, rows = [], []
        for i in range(WARMUP + self.repeat * 2):
            card, anchor = self.rng.sample(backlog, 2)
            card = store.card(card.id) or card
            written[0] = 0

            def run(
                card_id: int = card.id, anchor_id: int = anchor.id, v: int = card.version
            ) -> None:
                self.services.board.rank_cards(
                    [card_id], after_id=anchor_id, expected_versions={card_id: v}
                )
                settle(self.app)

            t = ms(run)
            if i >= WARMUP:
                times.append(t)
                rows.append(float(written[0]))
        event.remove(self.runtime.engine, "after_cursor_execute", count)
        view.close()
        store.close()
        self.record("rerank_ms", times)
        self.record("rerank_rows", rows)

    # --- charts and reports ----------------------------------------------------------------

    def metrics(self) -> None:
        """Burndown + velocity (+ cumulative flow when the chart service has it) of the
        500-card active sprint."""
        charts, sprints = self.services.charts, self.services.sprints
        parts: list[tuple[str, Callable[[], object]]] = [
            ("burndown", lambda: charts.sprint_burndown(self.active_sprint)),
            ("velocity", lambda: sprints.velocity(self.scrum_id)),
        ]
        for name in ("cumulative_flow", "sprint_cumulative_flow", "cfd"):
            fn = getattr(charts, name, None)
            if fn is not None:
                parts.append((name, self._cfd_call(fn)))
                break
        self.notes["metrics"] = " + ".join(n for n, _ in parts)
        values = []
        for i in range(WARMUP + self.repeat):
            t = ms(lambda: [fn() for _, fn in parts])
            if i >= WARMUP:
                values.append(t)
        self.record("metrics_ms", values)

    def _cfd_call(self, fn: Callable[..., object]) -> Callable[[], object]:
        import inspect

        params = list(inspect.signature(fn).parameters)
        if params and params[0].startswith("sprint"):
            return lambda: fn(self.active_sprint)
        return lambda: fn(self.scrum_id)

    def reports(self, out: Path) -> None:
        """The sprint report of the 500-card active sprint: gathering its figures
        (ReportService.report_for) and writing the file (write_report), for PDF and HTML."""
        try:
            from app.reports import sprint_report_render as sprint_report
            from app.services import sprint_report_data as report_services
        except ImportError as exc:
            self.notes["reports"] = f"not measured: the sprint report export is missing ({exc})"
            return
        service_class = getattr(report_services, "ReportService", None)
        service = getattr(self.services, "reports", None)
        if not hasattr(service, "report_for"):
            service = service_class(self.services.context) if service_class else None
        if service is None or not hasattr(sprint_report, "write_report"):
            self.notes["reports"] = "not measured: no report service or write_report"
            return
        for kind in ("pdf", "html"):
            values = []
            for i in range(WARMUP + max(3, self.repeat // 2)):
                target = out / f"report-{i}.{kind}"

                def run(kind: str = kind, target: Path = target) -> None:
                    report = service.report_for(self.active_sprint)
                    sprint_report.write_report(report, kind, target)

                t = ms(run)
                if i >= WARMUP:
                    values.append(t)
            self.record(f"report_{kind}_ms", values)
        self.notes["reports"] = "ReportService.report_for + sprint_report.write_report"

    def run(self, out: Path) -> dict[str, object]:
        self.board_open()
        self.backlog_open()
        self.team_open()
        self.card_moves()
        self.sqlite_baseline()
        self.reranks()
        self.metrics()
        self.reports(out)
        self.runtime.close()
        return {"samples": self.samples, "notes": self.notes}


def main(argv: list[str]) -> int:
    db, repeat = Path(argv[0]), int(argv[1])
    out = db.parent
    result = Worker(db, repeat).run(out)
    print("BENCHJSON " + json.dumps(result), flush=True)
    os._exit(0)  # skip Qt's and SQLAlchemy's teardown


if __name__ == "__main__":
    QWidget  # noqa: B018 - keep the import (offscreen platform set before Qt loads)
    QSettings  # noqa: B018
    sys.exit(main(sys.argv[1:]))
