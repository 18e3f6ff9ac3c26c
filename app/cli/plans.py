"""Milestone and dependency commands (issue 18): ``sprintdeck milestone add|list|link`` and
``sprintdeck card link KEY --blocks KEY2 [--unlink]`` (added to the card group)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli.common import Handlers


def _card_actions(commands: Any) -> Any:
    """The ``card`` group's subcommands (app/cli/cards.py registers it first), so that
    ``card link`` lives with the other card commands."""
    card = commands.choices["card"]
    for action in card._actions:  # argparse keeps its subparsers action here
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("the card command group has no subcommands")


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    milestone = commands.add_parser("milestone", parents=[db], help="a project's milestones")
    cmds = milestone.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = cmds.add_parser("add", parents=[db], help="add a milestone; prints its name")
    add.add_argument("name")
    add.add_argument("--project", required=True, metavar="KEY")
    add.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--description", default="", metavar="TEXT")
    mlist = cmds.add_parser("list", parents=[db], help="milestones by date, with their scope")
    mlist.add_argument("--project", required=True, metavar="KEY")
    mlist.add_argument("--json", action="store_true")
    link = cmds.add_parser("link", parents=[db], help="put cards or epics in a milestone's scope")
    link.add_argument("name")
    link.add_argument("keys", nargs="+", metavar="KEY", help="card or epic keys, such as SD-4")
    link.add_argument("--project", required=True, metavar="KEY")

    card_link = _card_actions(commands).add_parser(
        "link",
        parents=[db],
        help="record that a card blocks another (or --unlink it)",
        description="Record that KEY blocks KEY2: KEY2 cannot be done before KEY. A link "
        "that would close a cycle is refused with the cycle named.",
    )
    card_link.add_argument("key", metavar="KEY")
    card_link.add_argument("--blocks", required=True, metavar="KEY2")
    card_link.add_argument("--unlink", action="store_true", help="remove the link instead")
    return {
        ("milestone", "add"): _add,
        ("milestone", "list"): _list,
        ("milestone", "link"): _link,
        ("card", "link"): _card_link,
    }, {}


def _row(m: Any) -> dict[str, Any]:
    return {
        "name": m.name,
        "date": m.day.isoformat(),
        "description": m.description,
        "scope": list(m.scope_keys),
        "scope_size": m.scope_size,
        "done": m.done_count,
    }


def _add(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    milestone = services.plans.add_milestone(project.id, args.name, args.date, args.description)
    print(milestone.name)
    return 0


def _list(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    milestones = services.plans.list_milestones(project.id)
    if args.json:
        print(json.dumps([_row(m) for m in milestones], ensure_ascii=False, indent=2))
        return 0
    for m in milestones:
        print(f"{m.day.isoformat()}  {m.name:<30} {m.done_count}/{m.scope_size} done")
    return 0


def _link(services: Any, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    milestone = services.plans.link_scope_keys(project.id, args.name, args.keys)
    print(f"{milestone.name}: {', '.join(milestone.scope_keys)}")
    return 0


def _card_link(services: Any, args: argparse.Namespace) -> int:
    links = services.plans.link_keys(args.key, args.blocks, unlink=args.unlink)
    blockers = ", ".join(c.key for c in links.blocked_by) or "nothing"
    print(f"{args.blocks.strip().upper()} is blocked by {blockers}")
    return 0
