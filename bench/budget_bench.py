"""Budget figures at scale (issue 16): the Budget page's figures and the EVM table.

``python -m bench.budget_bench [--cards 10000] [--logs 50000] [--repeat 7]`` builds the
synthetic Scrum project of bench/synth.py, adds rates and ``--logs`` work logs over its
closed sprints (bulk-inserted), a budget and a release, then prints the median and p90 of:
``overview`` (the Budget page's cost figures), ``evm`` (the release's AgileEVM table),
``workload`` (the Team page's grid) and, unless ``--no-ui``, the Budget page and the Team
page opened on it (offscreen: built, shown, painted). Targets (issue 16): both pages under
300 ms, the EVM figures under 100 ms. Nothing here is a test: timings are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from app.bootstrap import open_runtime
from app.models import Card, Member, MemberRate, ProjectMember, WorkLog
from bench.figures import timed
from bench.synth import build


def add_logs(url: str, project_id: int, logs: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    runtime = open_runtime(url)
    try:
        with runtime.engine.begin() as conn:
            members = list(
                conn.scalars(
                    select(Member.id)
                    .join(ProjectMember, ProjectMember.member_id == Member.id)
                    .where(ProjectMember.project_id == project_id)
                )
            )
            cards = list(
                conn.scalars(select(Card.id).where(Card.project_id == project_id).limit(5000))
            )
            start = dt.date.today() - dt.timedelta(days=120)
            conn.execute(
                insert(MemberRate),
                [
                    {"member_id": m, "project_id": None, "effective_from": start,
                     "hourly_rate": Decimal(60 + 5 * i), "currency": "EUR"}
                    for i, m in enumerate(members)
                ],
            )  # fmt: skip
            rows = [
                {
                    "card_id": rng.choice(cards),
                    "member_id": rng.choice(members),
                    "day": start + dt.timedelta(days=rng.randrange(110)),
                    "minutes": rng.choice((15, 30, 60, 90, 120, 240)),
                    "note": "",
                    "created_at": dt.datetime.now(dt.UTC),
                    "created_by": "bench",
                    "version": 1,
                }
                for _ in range(logs)
            ]
            for i in range(0, len(rows), 5000):
                conn.execute(insert(WorkLog), rows[i : i + 5000])
        services = runtime.services
        services.budget.set_budget(project_id, "900000")
        services.budget.add_release(project_id, "Bench release", 10, "800000")
    finally:
        runtime.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.budget_bench")
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--logs", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-ui", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="sprintdeck-budget-bench-"))
    db = build(folder / "bench.db", args.cards)
    pid = db.scrum.project_id
    add_logs(db.url, pid, args.logs)
    runtime = open_runtime(db.url)
    try:
        services = runtime.services
        results = {
            "overview_ms": timed(lambda: services.budget.overview(pid), args.repeat),
            "evm_ms": timed(lambda: services.budget.evm(pid), args.repeat),
            "workload_ms": timed(lambda: services.workload.grid(pid), args.repeat),
        }
        if not args.no_ui:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            from PySide6.QtWidgets import QApplication, QWidget

            from app.ui.budget.page import BudgetView
            from app.ui.commands import CommandContext
            from app.ui.mainwindow.registry import PageContext
            from app.ui.store import BoardStore
            from app.ui.team.page import TeamPage

            app = QApplication.instance() or QApplication([])
            store = BoardStore(services)
            store.load(pid)
            window = QWidget()
            context = PageContext(
                window=window,
                store=store,
                services=services,
                commands=CommandContext(services, print),
                push=lambda command: True,
                open_card=lambda card_id: None,
                new_board=lambda: None,  # type: ignore[arg-type,return-value]
            )

            def open_page(build) -> None:  # type: ignore[no-untyped-def]
                page = build()
                page.resize(1280, 720)
                page.show()
                app.processEvents()
                page.grab()
                page.deleteLater()
                app.processEvents()

            results["budget_page_open_ms"] = timed(
                lambda: open_page(lambda: BudgetView(services, store)), args.repeat
            )
            results["team_page_open_ms"] = timed(
                lambda: open_page(lambda: TeamPage(context)), args.repeat
            )
            window.deleteLater()
            store.close()
    finally:
        runtime.close()
    print(f"{args.cards} cards, {args.logs} work logs (median / p90 ms):")
    for name, summary in results.items():
        cell = "n/a" if summary is None else f"{summary['median']:.1f} / {summary['p90']:.1f}"
        print(f"  {name:<22} {cell}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
