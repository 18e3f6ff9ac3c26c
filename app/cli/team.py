"""Team and label commands (``sprintdeck member …``, ``sprintdeck label …``) and the setup of
a team's PostgreSQL database (``sprintdeck team init``)."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from typing import Any

from app.cli.common import Handlers


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    member = commands.add_parser("member", parents=[db], help="a project's people")
    member_cmds = member.add_subparsers(dest="action", metavar="ACTION", required=True)
    madd = member_cmds.add_parser(
        "add",
        parents=[db],
        help="add a person to a project's team; prints the name",
        description="Add a person to a project's team. People are shared by projects: a "
        "name already known (in any case) is that person; a former member comes back.",
    )
    madd.add_argument("name", help="display name, such as 'Ada Lovelace'")
    madd.add_argument("--project", required=True, metavar="KEY")
    madd.add_argument("--role", default="")
    madd.add_argument("--hours-per-day", metavar="H", help="0 to 24 (default 6)")
    mlist = member_cmds.add_parser("list", parents=[db], help="a project's people by name")
    mlist.add_argument("--project", required=True, metavar="KEY")
    mlist.add_argument("--json", action="store_true")
    mlist.add_argument("--all", action="store_true", help="include former members")

    label = commands.add_parser("label", parents=[db], help="a project's labels")
    label_cmds = label.add_subparsers(dest="action", metavar="ACTION", required=True)
    ladd = label_cmds.add_parser("add", parents=[db], help="add a label; prints its name")
    ladd.add_argument("name", help="one word, such as frontend or tech-debt")
    ladd.add_argument("--project", required=True, metavar="KEY")
    ladd.add_argument("--color", metavar="#RRGGBB", help="default: the next palette colour")
    llist = label_cmds.add_parser("list", parents=[db], help="labels with their card counts")
    llist.add_argument("--project", required=True, metavar="KEY")
    llist.add_argument("--json", action="store_true")

    team = commands.add_parser("team", parents=[db], help="a team's shared PostgreSQL database")
    team_cmds = team.add_subparsers(dest="action", metavar="ACTION", required=True)
    tinit = team_cmds.add_parser(
        "init",
        parents=[db],
        help="create or upgrade a PostgreSQL database for a team, with its owner and member roles",
        description="Create or upgrade the schema of a PostgreSQL database (--db "
        "postgresql+psycopg://user@host/dbname) and two roles: an owner, which owns the "
        "tables and upgrades the schema, and a member role, which reads and writes rows "
        "but cannot drop or alter tables. Run it as a user who may create roles "
        "(CREATEROLE) and owns the database; running it again changes nothing.",
    )
    tinit.add_argument("--owner", default="sprintdeck_owner", metavar="NAME")
    tinit.add_argument("--member", default="sprintdeck_member", metavar="NAME")
    return {
        ("member", "add"): _member_add,
        ("member", "list"): _member_list,
        ("label", "add"): _label_add,
        ("label", "list"): _label_list,
    }, {("team", "init"): _team_init}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def _member_add(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    member = services.projects.add_member(
        project.id, args.name, args.role, hours_per_day=args.hours_per_day
    )
    print(member.display_name)
    return 0


def _member_list(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    team = services.team.list_team(project.id, include_inactive=args.all)
    if args.json:
        rows = [
            {
                "name": m.display_name,
                "role": m.role,
                "hours_per_day": _number(m.hours_per_day),
                "active": m.active,
            }
            for m in team
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for m in team:
        former = "" if m.active else "  (former member)"
        print(f"{m.display_name:<24} {m.role:<24} {_hours(m.hours_per_day):>5} h/day{former}")
    return 0


def _label_add(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    label = services.projects.add_label(project.id, args.name, args.color)
    print(label.name)
    return 0


def _label_list(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    labels = services.team.list_labels(project.id)
    if args.json:
        rows = [{"name": lb.name, "color": lb.color, "cards": lb.cards} for lb in labels]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for lb in labels:
        print(f"{lb.name:<24} {lb.color}  {lb.cards} card{'' if lb.cards == 1 else 's'}")
    return 0


def _team_init(url: str, args: argparse.Namespace) -> int:
    """Raw handler: sets up roles and privileges itself, then migrates as the owner."""
    from app.bootstrap import team_init

    for line in team_init(url, owner=args.owner, member=args.member):
        print(line)
    return 0
