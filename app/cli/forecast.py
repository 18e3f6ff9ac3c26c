"""``sprintdeck forecast``: when the scope will be done, with odds (services.forecasts)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli.common import Handlers


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add ``forecast``; return (handlers, raw handlers) keyed like app.cli's."""
    parser = commands.add_parser(
        "forecast",
        parents=[db],
        help="when the work will be done, at 50/70/85/95%%",
        description="A Monte Carlo forecast from the project's own throughput (10,000 "
        "trials over the last working days; dependencies and open risks with a schedule "
        "impact included). Without a scope: every open card.",
    )
    parser.add_argument("--project", required=True, metavar="KEY")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--epic", metavar="KEY", help="an epic's open cards")
    scope.add_argument("--milestone", metavar="NAME", help="a milestone's scope")
    scope.add_argument("--cards", metavar="N", help="N cards")
    scope.add_argument("--to", dest="to_card", metavar="KEY", help="the backlog down to KEY")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="also: how many cards by then")
    parser.add_argument("--seed", metavar="S", help="reproduce a forecast (default: random)")
    parser.add_argument("--window", default="60", metavar="DAYS", help="30 to 90 (default 60)")
    parser.add_argument("--trials", default="10000", metavar="N")
    parser.add_argument("--publish", action="store_true", help="store it for the reports")
    parser.add_argument("--json", action="store_true")
    return {("forecast", None): _forecast}, {}


def _forecast(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    result = services.forecasts.forecast(
        project.id,
        epic=args.epic,
        milestone=args.milestone,
        to_card=args.to_card,
        cards=args.cards,
        date=args.date,
        seed=args.seed,
        window=args.window,
        trials=args.trials,
        publish=args.publish,
    )
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return 0
    print(f"{result.scope}: {result.cards} cards, {result.trials:,} trials, seed {result.seed}")
    print(f"history: {result.finished_in_window} finished in {result.window} working days")
    for confidence, days in result.days.items():
        print(f"  {confidence}%: {result.dates[confidence].isoformat()} ({days} working days)")
    if result.cards_by_date:
        print(f"by {result.by_date.isoformat()}:")
        for confidence, count in result.cards_by_date.items():
            print(f"  {confidence}%: {count} cards")
    if result.cost is not None and result.cost.within_budget is not None:
        print(f"within budget: {result.cost.within_budget:.0%}")
    elif result.cost_note:
        print(result.cost_note)
    return 0
