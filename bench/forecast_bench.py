"""``python -m bench.forecast_bench [--cards 10000] [--repeat 7] [--no-ui]``: forecast speed.

Two figures, printed (never asserted):

- ``forecast``: a 10,000-trial forecast of 500 cards with dependencies, pure Monte Carlo
  (app/metrics/forecast.py). Goal: under 300 ms.
- ``timeline``: the Timeline page opened (offscreen, 1280x720, painted) on the synthetic
  Scrum project of bench/synth.py (``--cards`` cards: 10,000 give 50 epics), with five
  milestones linked to epics, 200 card dependencies and two risks; median and p90. Goal:
  under 300 ms. It also times ``forecasts.timeline`` alone (the shared trials for every
  epic and milestone) and, once, the old way: one forecast per epic and milestone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from app.bootstrap import open_runtime
from app.errors import DomainError
from app.metrics import forecast as fc
from app.models import Card, CardDependency, Milestone, MilestoneScope
from bench.figures import timed
from bench.synth import build

GOAL_MS = 300.0


def run(repeat: int = 5) -> dict[str, float]:
    rng = random.Random(1)
    history = [rng.choice([0, 0, 1, 2, 3, 5, 8]) for _ in range(60)]
    cards = list(range(500))
    # Chains of dependencies: every card waits for one of the ten before it.
    blocks = [(rng.randrange(max(0, c - 10), c), c) for c in cards[1:] if rng.random() < 0.6]
    risks = [fc.ScheduleRisk(0.3, 5), fc.ScheduleRisk(0.7, 2)]
    times = []
    for seed in range(repeat):
        start = time.perf_counter()
        path = fc.critical_path_length(cards, blocks)
        fc.when_done(500, history, seed=seed, critical_path=path, risks=risks)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "max_ms": max(times), "goal_ms": GOAL_MS}


def add_plans(url: str, project_id: int, seed: int = 18) -> None:
    """Five milestones over the next months, each linked to a few epics, 200 dependencies
    between the project's cards (earlier blocks later, so no cycle) and two risks."""
    rng = random.Random(seed)
    runtime = open_runtime(url)
    try:
        with runtime.engine.begin() as conn:
            rows = conn.execute(
                select(Card.id, Card.type).where(Card.project_id == project_id).order_by(Card.id)
            ).all()
            epics = [cid for cid, kind in rows if kind == "epic"]
            cards = [cid for cid, kind in rows if kind != "epic"]
            today = dt.date.today()
            for m in range(5):
                milestone_id = conn.execute(
                    insert(Milestone)
                    .values(project_id=project_id, name=f"Release {m + 1}",
                            day=today + dt.timedelta(days=30 * (m + 1)), description="",
                            version=1, created_at=dt.datetime.now(dt.UTC))
                    .returning(Milestone.id)
                ).scalar_one()  # fmt: skip
                linked = rng.sample(epics, min(4, len(epics)))
                conn.execute(
                    insert(MilestoneScope),
                    [{"milestone_id": milestone_id, "card_id": c} for c in linked],
                )
            pairs = set()
            while len(pairs) < min(200, len(cards) // 2):
                a, b = sorted(rng.sample(cards, 2))
                pairs.add((a, b))
            conn.execute(
                insert(CardDependency),
                [{"blocker_id": a, "blocked_id": b, "created_at": dt.datetime.now(dt.UTC)}
                 for a, b in sorted(pairs)],
            )  # fmt: skip
        services = runtime.services
        services.risks.add_risk(project_id, "Vendor API late", probability=3, impact=4,
                                schedule_days=5)  # fmt: skip
        services.risks.add_risk(project_id, "Key person away", probability=2, impact=3,
                                schedule_days=3, cards=["SCR-1"])  # fmt: skip
    finally:
        runtime.close()


def timeline(cards: int = 10_000, repeat: int = 7, ui: bool = True) -> dict[str, object]:
    """The Timeline figures on a synthetic project of ``cards`` cards (see the module doc)."""
    folder = Path(tempfile.mkdtemp(prefix="sprintdeck-forecast-bench-"))
    db = build(folder / "bench.db", cards)
    pid = db.scrum.project_id
    add_plans(db.url, pid)
    runtime = open_runtime(db.url)
    results: dict[str, object] = {}
    try:
        services = runtime.services
        data = services.plans.timeline(pid)
        results["epics"] = len(data.epics)
        results["milestones"] = len(data.milestones)
        batch = services.forecasts.timeline(pid)
        results["forecast_epics"] = len(batch.epics)
        results["timeline_data_ms"] = timed(lambda: services.plans.timeline(pid), repeat)
        results["forecasts_timeline_ms"] = timed(lambda: services.forecasts.timeline(pid), repeat)

        def one_by_one() -> None:
            asks = [{"epic": e.key} for e in data.epics]
            asks += [{"milestone": m.name} for m in data.milestones]
            for ask in asks:
                try:
                    services.forecasts.forecast(pid, seed=18, trials=2000, **ask)
                except DomainError:  # a scope the history cannot answer: no bar either
                    pass

        results["one_forecast_per_scope_ms"] = timed(one_by_one, 1)
        if ui:
            results["timeline_page_open_ms"] = _page(services, pid, repeat)
    finally:
        runtime.close()
        shutil.rmtree(folder, ignore_errors=True)
    return results


def _page(services, project_id: int, repeat: int) -> dict[str, float] | None:  # type: ignore[no-untyped-def]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    from app.ui.commands import CommandContext
    from app.ui.mainwindow.registry import PageContext
    from app.ui.store import BoardStore
    from app.ui.timeline.page import TimelinePage

    app = QApplication.instance() or QApplication([])
    store = BoardStore(services)
    store.load(project_id)
    host = QWidget()
    commands = CommandContext(services, report_error=print)
    ctx = PageContext(host, store, services, commands, lambda _c: True, lambda _i: None,
                      lambda: None)  # type: ignore[arg-type]  # fmt: skip

    def open_page() -> None:
        page = TimelinePage(ctx)
        page.resize(1280, 720)
        page.show()
        app.processEvents()
        page.grab()
        page.deleteLater()
        app.processEvents()

    try:
        return timed(open_page, repeat)
    finally:
        store.close()
        host.deleteLater()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast_bench")
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-ui", action="store_true")
    args = parser.parse_args(argv)
    result = run()
    verdict = "ok" if result["median_ms"] < GOAL_MS else "OVER GOAL"
    print(f"forecast 500 cards x 10,000 trials: median {result['median_ms']:.1f} ms, "
          f"max {result['max_ms']:.1f} ms (goal {GOAL_MS:.0f} ms) {verdict}")  # fmt: skip
    figures = timeline(args.cards, args.repeat, ui=not args.no_ui)
    print(f"timeline: {args.cards} cards, {figures['epics']} epics, "
          f"{figures['milestones']} milestones, {figures['forecast_epics']} epics forecast "
          "(median / p90 ms):")  # fmt: skip
    for name, summary in figures.items():
        if isinstance(summary, dict):
            print(f"  {name:<28} {summary['median']:.1f} / {summary['p90']:.1f}")
    page = figures.get("timeline_page_open_ms")
    if isinstance(page, dict):
        verdict = "ok" if page["median"] < GOAL_MS else "OVER GOAL"
        print(f"  timeline page goal {GOAL_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
