"""Sprint commands (``sprintdeck sprint list|add|start|complete``)."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.cli.common import Handlers, json_points
from app.metrics.points import format_points

if TYPE_CHECKING:
    from app.services import Services


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    sprint = commands.add_parser("sprint", parents=[db], help="sprints of a Scrum project")
    sprint_cmds = sprint.add_subparsers(dest="action", metavar="ACTION", required=True)
    slist = sprint_cmds.add_parser("list", parents=[db], help="sprints by start date")
    slist.add_argument("--project", required=True, metavar="KEY")
    slist.add_argument("--json", action="store_true")
    sadd = sprint_cmds.add_parser("add", parents=[db], help="plan a sprint; prints its name")
    sadd.add_argument("--project", required=True, metavar="KEY")
    sadd.add_argument("--name", help='default "<KEY> Sprint N"')
    sadd.add_argument("--goal", default="")
    sadd.add_argument("--start", metavar="YYYY-MM-DD", help="default: the next working day")
    sadd.add_argument("--end", metavar="YYYY-MM-DD", help="default: two weeks from the start")
    sstart = sprint_cmds.add_parser("start", parents=[db], help="start a planned sprint")
    sstart.add_argument("name")
    sstart.add_argument("--project", required=True, metavar="KEY")
    sstart.add_argument(
        "--allow-unestimated", action="store_true", help="start even with unestimated cards"
    )
    sstart.add_argument(
        "--start", metavar="YYYY-MM-DD", help="default: the planned start, never after today"
    )
    sstart.add_argument(
        "--end", metavar="YYYY-MM-DD", help="default: keeps the planned number of working days"
    )
    sdone = sprint_cmds.add_parser("complete", parents=[db], help="close the active sprint")
    sdone.add_argument("name")
    sdone.add_argument("--project", required=True, metavar="KEY")
    sdone.add_argument(
        "--carry-over",
        default="backlog",
        metavar="backlog|next|NAME",
        help="where unfinished cards go (default: the backlog)",
    )
    return {
        ("sprint", "list"): _sprint_list,
        ("sprint", "add"): _sprint_add,
        ("sprint", "start"): _sprint_start,
        ("sprint", "complete"): _sprint_complete,
    }, {}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _sprint_list(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    sprints = services.sprints.list_sprints(project.id)
    rows = [
        {
            "name": s.name,
            "state": s.state,
            "start": _iso(s.start_date),
            "end": _iso(s.end_date),
            "goal": s.goal,
            "committed_points": json_points(s.committed_points or Decimal(0)),
            "completed_points": json_points(s.completed_points or Decimal(0)),
        }
        for s in sprints
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            dates = f"{row['start'] or '?'} .. {row['end'] or '?'}"
            figures = f"{row['completed_points']}/{row['committed_points']} pt"
            print(f"{row['name']:<20} {row['state']:<8} {dates:<24} {figures}")
    return 0


def _sprint_add(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    sprint = services.sprints.create_sprint(
        project.id, name=args.name, goal=args.goal, start=args.start, end=args.end
    )
    print(sprint.name)
    return 0


def _sprint_start(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    sprint = services.sprints.find_sprint(project.id, args.name)
    started = services.sprints.start_sprint(
        sprint.id, allow_unestimated=args.allow_unestimated, start=args.start, end=args.end
    )
    points = started.committed_points
    unit = "point" if points == 1 else "points"
    print(f"Started {started.name} ({format_points(points)} {unit} committed).")
    return 0


def _sprint_complete(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    sprint = services.sprints.find_sprint(project.id, args.name)
    carry: str | int = args.carry_over.strip()
    if carry.lower() not in ("backlog", "next"):
        carry = services.sprints.find_sprint(project.id, carry).id
    closed = services.sprints.complete_sprint(sprint.id, carry_over=carry)
    print(
        f"Closed {closed.name}: {format_points(closed.completed_points)} of "
        f"{format_points(closed.committed_points)} committed points completed."
    )
    return 0
