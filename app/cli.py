"""The command-line face: parses arguments, calls services, prints results.

Exit status: 0 success, 1 refused operation (domain error), 2 usage error. Errors are one
readable line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app import __version__, config
from app.errors import DomainError, NotFound, ValidationError
from app.metrics.points import format_points
from app.outputs import csv_cell
from app.services.dto import CardDTO

if TYPE_CHECKING:
    from app.services import Services


def _json_points(value: Decimal | None) -> int | float | None:
    """Points as a JSON number (``5``, ``2.5``) or null; text goes through format_points."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line: ``sprintdeck card add: error: …``, exit 2
    (``--help`` still prints the whole usage)."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        if len(text) > 240:
            text = text[:239] + "…"
        self.exit(2, f"{self.prog}: error: {text} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted before or after the subcommand; SUPPRESS keeps a later default from
    # overwriting an earlier value.
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="PATH_OR_URL",
        help=f"database file or URL (default: ${config.DB_ENV}, else the user data folder)",
    )
    parser = _Parser(
        prog="sprintdeck",
        description="Sprintdeck: a Kanban/Scrum board. Without a command, opens the window.",
        parents=[db],
    )
    parser.add_argument("--version", action="version", version=f"sprintdeck {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", parents=[db], help="create or upgrade the database")
    init.add_argument("--demo", action="store_true", help="add the demo project DEMO")

    project = commands.add_parser("project", parents=[db], help="projects")
    project_cmds = project.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = project_cmds.add_parser("add", parents=[db], help="create a project")
    add.add_argument("key", help="2-10 upper-case letters or digits, starting with a letter")
    add.add_argument("--name", required=True)
    add.add_argument("--kanban", action="store_true", help="a Kanban project (default Scrum)")
    plist = project_cmds.add_parser("list", parents=[db], help="list projects")
    plist.add_argument("--json", action="store_true")

    column = commands.add_parser("column", parents=[db], help="workflow columns")
    column_cmds = column.add_subparsers(dest="action", metavar="ACTION", required=True)
    clist = column_cmds.add_parser("list", parents=[db], help="columns in workflow order")
    clist.add_argument("--project", required=True, metavar="KEY")
    clist.add_argument("--json", action="store_true")

    card = commands.add_parser("card", parents=[db], help="cards")
    card_cmds = card.add_subparsers(dest="action", metavar="ACTION", required=True)
    cardlist = card_cmds.add_parser("list", parents=[db], help="cards in board order")
    cardlist.add_argument("--project", required=True, metavar="KEY")
    fmt = cardlist.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    cardlist.add_argument("--all", action="store_true", help="include archived cards")
    cadd = card_cmds.add_parser("add", parents=[db], help="add a card; prints its key")
    cadd.add_argument("--project", required=True, metavar="KEY")
    cadd.add_argument("--title", required=True)
    cadd.add_argument("--type", default="story")
    cadd.add_argument("--priority", default="medium")
    cadd.add_argument("--points")
    cadd.add_argument("--assignee", metavar="NAME")
    cadd.add_argument("--column", metavar="NAME")
    cadd.add_argument("--sprint", metavar="NAME")
    cmove = card_cmds.add_parser("move", parents=[db], help="move a card to a column")
    cmove.add_argument("key")
    cmove.add_argument("--to", required=True, metavar="COLUMN")
    cmove.add_argument("--position", type=int, metavar="N", help="1-based place in the column")
    cplan = card_cmds.add_parser("plan", parents=[db], help="put a card into a sprint or backlog")
    cplan.add_argument("key")
    cplan.add_argument("--sprint", required=True, metavar="NAME|backlog")

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
    for module in _extension_modules():
        handlers, raw = module.register(commands, db)
        _HANDLERS.update(handlers)
        _RAW_HANDLERS.update(raw)
    return parser


# Command groups that live in their own modules. Each module has
# ``register(commands, db_parent) -> (handlers, raw_handlers)``: handlers take
# ``(services, args)`` on an opened (migrated) database; raw handlers take ``(url, args)`` and
# must open the database themselves (check, backup, restore must never migrate or write to a
# file they were asked to inspect or replace).
EXTENSIONS = (
    "app.cli_reports",
    "app.cli_transfer",
    "app.cli_maintenance",
    "app.cli_team",
    "app.cli_metrics",
)


def _extension_modules() -> list[Any]:
    import importlib

    return [importlib.import_module(name) for name in EXTENSIONS]


def run_command(args: argparse.Namespace) -> int:
    from app.main import open_runtime

    try:
        url = config.resolve_db_url(getattr(args, "db", None))
    except DomainError as exc:
        return _fail(exc)
    key = (args.command, getattr(args, "action", None))
    if key in _RAW_HANDLERS:
        try:
            return _RAW_HANDLERS[key](url, args)
        except DomainError as exc:
            return _fail(exc)
    try:
        runtime = open_runtime(url)
    except DomainError as exc:
        return _fail(exc)
    try:
        handler = _HANDLERS[key]
        return handler(runtime.services, args)
    except DomainError as exc:
        return _fail(exc)
    finally:
        runtime.close()


def database_path(args: argparse.Namespace) -> Path | None:
    """The SQLite file a command works on (None for a server database): outputs must
    never be written over it."""
    from app.dburl import sqlite_path

    return sqlite_path(config.resolve_db_url(getattr(args, "db", None)))


def add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="write over another SQLite database (never over the one in use)",
    )


def _fail(exc: DomainError) -> int:
    print(f"sprintdeck: {exc}", file=sys.stderr)
    return 1


def _init(services: Services, args: argparse.Namespace) -> int:
    if args.demo:
        from app.services.demo import DEMO_KEY, seed_demo

        try:
            services.projects.find_project(DEMO_KEY)
            print(f"The demo project {DEMO_KEY} is already there.")
        except NotFound:
            seed_demo(services)
            print(f"Added the demo project {DEMO_KEY}.")
    print("The database is ready.")
    return 0


def _project_add(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.create_project(
        args.key, args.name, "kanban" if args.kanban else "scrum"
    )
    print(project.key)
    return 0


def _project_list(services: Services, args: argparse.Namespace) -> int:
    projects = services.projects.list_projects()
    if args.json:
        rows = [{"key": p.key, "name": p.name, "methodology": p.methodology} for p in projects]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for p in projects:
            print(f"{p.key:<10} {p.methodology:<7} {p.name}")
    return 0


def _column_list(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    columns = services.workflow.list_columns(project.id)
    if args.json:
        rows = [{"name": c.name, "category": c.category, "wip_limit": c.wip_limit} for c in columns]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for c in columns:
            limit = f"WIP {c.wip_limit}" if c.wip_limit else ""
            print(f"{c.name:<20} {c.category:<12} {limit}")
    return 0


def _card_rows(services: Services, project_id: int, include_archived: bool) -> list[dict[str, Any]]:
    columns = {c.id: c for c in services.workflow.list_columns(project_id, include_archived=True)}
    cards: list[CardDTO] = services.cards.list_cards(project_id, include_archived=include_archived)
    rows = []
    positions: dict[int, int] = {}
    for card in cards:
        positions[card.column_id] = positions.get(card.column_id, 0) + 1
        row: dict[str, Any] = {
            "key": card.key,
            "title": card.title,
            "type": card.type,
            "column": columns[card.column_id].name,
            "position": positions[card.column_id],
            "sprint": card.sprint_name,
            "points": _json_points(card.points),
            "assignee": card.assignee_name,
            "labels": sorted(label.name for label in card.labels),
        }
        if include_archived:
            row["archived"] = card.archived
        rows.append(row)
    return rows


def _card_list(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    rows = _card_rows(services, project.id, args.all)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif args.csv:
        fields = [
            "key",
            "title",
            "type",
            "column",
            "position",
            "sprint",
            "points",
            "assignee",
            "labels",
        ] + (["archived"] if args.all else [])
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            cells = {**row, "labels": ";".join(row["labels"])}
            writer.writerow({name: csv_cell(value) for name, value in cells.items()})
    else:
        for row in rows:
            points = "" if row["points"] is None else f"{row['points']} pt"
            print(f"{row['key']:<10} {row['column']:<14} {points:>6}  {row['title']}")
    return 0


def _card_add(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    column_id = services.workflow.find_column(project.id, args.column).id if args.column else None
    assignee_id = (
        services.projects.find_member(project.id, args.assignee).id if args.assignee else None
    )
    sprint_id = services.sprints.find_sprint(project.id, args.sprint).id if args.sprint else None
    card = services.cards.create_card(
        project.id,
        args.title,
        type=args.type,
        priority=args.priority,
        points=args.points,
        assignee_id=assignee_id,
        column_id=column_id,
        sprint_id=sprint_id,
    )
    print(card.key)
    return 0


def _card_move(services: Services, args: argparse.Namespace) -> int:
    card = services.cards.find_card(args.key)
    column = services.workflow.find_column(card.project_id, args.to)
    if args.position is not None and args.position < 1:
        raise ValidationError("--position is a whole number from 1.")
    moved = services.board.move_card(card.id, column.id, position=args.position)
    print(f"{moved.key} is now in {column.name}.")
    return 0


def _card_plan(services: Services, args: argparse.Namespace) -> int:
    card = services.cards.find_card(args.key)
    if args.sprint.strip().lower() == "backlog":
        planned = services.sprints.plan_card(card.id, None)
        print(f"{planned.key} is now in the backlog.")
    else:
        sprint = services.sprints.find_sprint(card.project_id, args.sprint)
        planned = services.sprints.plan_card(card.id, sprint.id)
        print(f"{planned.key} is now in {sprint.name}.")
    return 0


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
            "committed_points": _json_points(s.committed_points or Decimal(0)),
            "completed_points": _json_points(s.completed_points or Decimal(0)),
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


_RAW_HANDLERS: dict[tuple[str, str | None], Any] = {}
_HANDLERS: dict[tuple[str, str | None], Any] = {
    ("init", None): _init,
    ("project", "add"): _project_add,
    ("project", "list"): _project_list,
    ("column", "list"): _column_list,
    ("card", "list"): _card_list,
    ("card", "add"): _card_add,
    ("card", "move"): _card_move,
    ("card", "plan"): _card_plan,
    ("sprint", "list"): _sprint_list,
    ("sprint", "add"): _sprint_add,
    ("sprint", "start"): _sprint_start,
    ("sprint", "complete"): _sprint_complete,
}
