"""``sprintdeck activity --project KEY --since D [--member NAME] [--kind K]... --json|--md``:
what changed in a project since a moment, for a chat channel or a script.

D is a date (the start of that day in the project's zone), a date and time, ``yesterday``,
``today`` or ``last-standup`` (the start of the last standup held). ``--md`` groups the
lines by person, as a standup reads them; ``--json`` is an array, oldest first.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from app.cli.common import Handlers

if TYPE_CHECKING:
    from app.services import Services
    from app.services.activity import ActivityDTO


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    from app.services.activity import KINDS

    activity = commands.add_parser(
        "activity", parents=[db], help="what changed in a project since a moment"
    )
    activity.add_argument("--project", required=True, metavar="KEY")
    activity.add_argument(
        "--since",
        required=True,
        metavar="D",
        help="YYYY-MM-DD, a date and time, yesterday, today or last-standup",
    )
    activity.add_argument("--member", metavar="NAME", help="only what this person did")
    activity.add_argument(
        "--kind", action="append", choices=KINDS, help="only these kinds (repeat for more)"
    )
    shape = activity.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="a JSON array, oldest first")
    shape.add_argument("--md", action="store_true", help="Markdown grouped by person")
    return {("activity", None): _activity}, {}


def _activity(services: Services, args: argparse.Namespace) -> int:
    project = services.projects.find_project(args.project)
    since = services.activity.resolve_since(project.id, args.since)
    feed = services.activity.feed(project.id, since, member=args.member, kinds=args.kind)
    if args.json:
        rows = [
            {
                "at": i.at.isoformat(),
                "person": i.person,
                "kind": i.kind,
                "card": i.card_key,
                "title": i.card_title,
                "what": i.text,
            }
            for i in feed.items
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(markdown(project.key, feed, since_text=args.since))
    return 0


def markdown(project_key: str, feed: ActivityDTO, since_text: str) -> str:
    """The feed as Markdown: a heading, then each person's lines."""
    lines = [f"## {project_key}: activity since {since_text}", ""]
    if not feed.items:
        lines.append("Nothing changed.")
    for group in feed.by_person():
        lines.append(f"### {_md(group.title)}")
        for item in group.items:
            lines.append(f"- **{item.card_key}** {_md(item.card_title)}: {_md(item.text)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Text in a Markdown line: one line, Markdown's markup characters escaped."""
    flat = " ".join(str(text).split())
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in flat)
