"""Card commands (``sprintdeck card list|add|move|plan|history``)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import TYPE_CHECKING, Any

from app.cli.common import Handlers, json_points
from app.errors import ValidationError
from app.outputs import csv_cell
from app.services.dto import CardDTO

if TYPE_CHECKING:
    from app.services import Services


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
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
    chistory = card_cmds.add_parser(
        "history",
        parents=[db],
        help="what happened to a card, who did it and when, oldest first",
    )
    chistory.add_argument("key")
    chistory.add_argument("--json", action="store_true")
    return {
        ("card", "history"): _card_history,
        ("card", "list"): _card_list,
        ("card", "add"): _card_add,
        ("card", "move"): _card_move,
        ("card", "plan"): _card_plan,
    }, {}


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
            "points": json_points(card.points),
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


def _card_history(services: Services, args: argparse.Namespace) -> int:
    """Each event: when (UTC), who (the name it was recorded under), what, in words."""
    from app.services.history_text import HistoryNames, describe_lines

    card = services.cards.find_card(args.key)
    board = services.board.load_board(card.project_id)
    names = HistoryNames(
        members={m.id: m.display_name for m in board.members},
        epics={e.id: f"{e.key} {e.title}" for e in board.epics},
        labels={lb.id: lb.name for lb in board.labels},
        sprints={sp.id: sp.name for sp in board.sprints},
    )
    events = services.cards.history(card.id)
    if args.json:
        rows = [
            {
                "at": event.at.isoformat(),
                "actor": event.actor,
                "kind": event.kind,
                "what": describe_lines(event, names),
            }
            for event in events
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for event in events:
        when = event.at.strftime("%Y-%m-%d %H:%M")
        lines = describe_lines(event, names) or [event.kind]
        print(f"{when}  {event.actor:<20} {lines[0]}")
        for more in lines[1:]:
            print(f"{'':<18}{'':<21}{more}")
    return 0
