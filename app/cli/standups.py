"""Standup commands: ``sprintdeck standup list --project KEY [--json]`` and ``standup show
--project KEY [--id N] [--json]``.

The standup mode stores its summary (Markdown) with the standup when it ends; these print
the past ones again — the durable home of "add the summary to the sprint", for a chat
channel or the sprint's review. ``show`` without ``--id`` prints the last standup's.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from app.cli.common import Handlers
from app.errors import NotFound

if TYPE_CHECKING:
    from app.services import Services
    from app.services.standups import StandupDTO


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    standup = commands.add_parser("standup", parents=[db], help="past standups and summaries")
    actions = standup.add_subparsers(dest="action", metavar="ACTION", required=True)
    slist = actions.add_parser("list", parents=[db], help="a project's standups, newest first")
    slist.add_argument("--project", required=True, metavar="KEY")
    slist.add_argument("--json", action="store_true", help="a JSON array with the summaries")
    show = actions.add_parser("show", parents=[db], help="one standup's summary (Markdown)")
    show.add_argument("--project", required=True, metavar="KEY")
    show.add_argument("--id", type=int, metavar="N", help="which standup (default: the last)")
    show.add_argument("--json", action="store_true")
    return {("standup", "list"): _list, ("standup", "show"): _show}, {}


def standup_row(standup: StandupDTO) -> dict[str, Any]:
    """A standup as a JSON object (``ended`` is None for one still being held)."""
    return {
        "id": standup.id,
        "started": standup.started_at.isoformat(),
        "ended": standup.ended_at.isoformat() if standup.ended_at else None,
        "held_by": standup.started_by,
        "summary": standup.summary,
    }


def _list(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    standups = services.standups.list(project.id)
    if args.json:
        print(json.dumps([standup_row(s) for s in standups], ensure_ascii=False, indent=2))
        return 0
    if not standups:
        print(f"{project.key} has held no standup yet.")
    for s in standups:
        when = s.started_at.strftime("%Y-%m-%d %H:%M")
        state = "" if s.ended_at else " (not ended)"
        first = next((ln for ln in s.summary.splitlines() if ln.strip()), "no summary")
        print(f"#{s.id}  {when}  {s.started_by}{state}: {first.lstrip('# ')}")
    return 0


def _show(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    if args.id is None:
        standup = services.standups.last(project.id)
        if standup is None:
            raise NotFound(f"{project.key} has held no standup yet.")
    else:
        standup = services.standups.get(args.id)
        if standup.project_id != project.id:
            raise NotFound(f"Standup {args.id} is not one of {project.key}'s.")
    if args.json:
        print(json.dumps(standup_row(standup), ensure_ascii=False, indent=2))
        return 0
    if standup.summary:
        print(standup.summary.rstrip("\n"))
    else:
        when = standup.started_at.strftime("%Y-%m-%d %H:%M")
        print(f"The standup of {when} has no summary (it was not ended in the standup mode).")
    return 0
