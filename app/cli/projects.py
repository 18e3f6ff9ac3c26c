"""Database and project commands (``sprintdeck init``, ``project …``, ``column list``)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from app.cli.common import Handlers
from app.errors import NotFound

if TYPE_CHECKING:
    from app.services import Services


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
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
    return {
        ("init", None): _init,
        ("project", "add"): _project_add,
        ("project", "list"): _project_list,
        ("column", "list"): _column_list,
    }, {}


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
