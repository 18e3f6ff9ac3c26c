"""Import, export, backup and restore commands."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import Handlers, add_force, database_path
from app.outputs import check_input, check_output
from app.words import plural


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    imp = commands.add_parser(
        "import", parents=[db], help="import a Trello, Jira or Sprintdeck file"
    )
    kinds = imp.add_subparsers(dest="action", metavar="KIND", required=True)
    for kind, what in (
        ("trello", "a Trello board exported as JSON"),
        ("jira-csv", "a Jira CSV export (all fields)"),
    ):
        sub = kinds.add_parser(kind, parents=[db], help=f"import {what}")
        sub.add_argument("file", metavar="FILE")
        sub.add_argument(
            "--project",
            metavar="KEY",
            help="a new key creates the project, an existing one merges (default: from the file)",
        )
        sub.add_argument(
            "--on-duplicate",
            choices=("skip", "update"),
            help="what to do with cards imported before (default: refuse)",
        )
    native = kinds.add_parser(
        "sprintdeck",
        parents=[db],
        help="restore a Sprintdeck export into an empty database, or add an exported project",
    )
    native.add_argument("file", metavar="FILE.json")
    native.add_argument(
        "--key",
        metavar="NEW",
        help="a project export: add the project under this key (default: its own)",
    )

    exp = commands.add_parser(
        "export", parents=[db], help="export every project with its history as JSON"
    )
    exp.add_argument("-o", "--output", required=True, metavar="FILE.json")
    exp.add_argument(
        "--project",
        metavar="KEY",
        help="only this project, with its history, sprints and members (to move it)",
    )
    add_force(exp)

    backup = commands.add_parser(
        "backup", parents=[db], help="write a consistent copy of the database (SQLite)"
    )
    backup.add_argument("-o", "--output", required=True, metavar="FILE")
    add_force(backup)

    restore = commands.add_parser(
        "restore", parents=[db], help="bring a backup back (the current file is backed up first)"
    )
    restore.add_argument("file", metavar="FILE")

    handlers = {
        ("import", "trello"): _import_file,
        ("import", "jira-csv"): _import_file,
        ("import", "sprintdeck"): _import_native,
        ("export", None): _export,
    }
    raw = {("backup", None): _backup, ("restore", None): _restore}
    return handlers, raw


def _import_file(services: Any, args: argparse.Namespace) -> int:
    source = check_input(args.file, "import file")
    summary = services.transfer.import_file(
        args.action, source, project_key=args.project, on_duplicate=args.on_duplicate
    )
    for line in summary.lines():
        print(line)
    return 0


def _import_native(services: Any, args: argparse.Namespace) -> int:
    from app.bootstrap import schema_revision

    done = services.transfer.import_sprintdeck(
        check_input(args.file, "export file"), key=args.key, schema=schema_revision()
    )
    if done.project_key is None:
        print("Restored " + ", ".join(f"{n} {what}" for what, n in done.counts.items()) + ".")
        return 0
    counts = {k: n for k, n in done.counts.items() if k != "projects"}
    print(
        f"Added the project {done.project_key}: "
        + ", ".join(f"{n} {what}" for what, n in counts.items())
        + "."
    )
    return 0


def _export(services: Any, args: argparse.Namespace) -> int:
    from app.bootstrap import schema_revision

    target = check_output(args.output, database_path(args), args.force, "export")
    if args.project is not None:
        counts = services.transfer.export_project(target, args.project, schema=schema_revision())
        print(
            f"Exported the project {args.project.strip().upper()}: "
            f"{plural(counts['cards'], 'card')}, {plural(counts['sprints'], 'sprint')}, "
            f"{plural(counts['members'], 'member')} and "
            f"{plural(counts['history events'], 'history event')} to {args.output}."
        )
        return 0
    counts = services.transfer.export_all(target, schema=schema_revision())
    print(
        f"Exported {plural(counts['projects'], 'project')}, {plural(counts['cards'], 'card')} "
        f"and {plural(counts['history events'], 'history event')} to {args.output}."
    )
    return 0


def _backup(url: str, args: argparse.Namespace) -> int:
    """Raw handler: reads the live file through SQLite's backup API; never migrates."""
    from app.bootstrap import database_file
    from app.services.transfer import backup_file

    checked = check_output(args.output, database_file(url), args.force, "backup")
    target = backup_file(url, checked)
    print(f"Backed up to {target}.")
    return 0


def _restore(url: str, args: argparse.Namespace) -> int:
    """Raw handler: the current file is backed up first, then the given one comes back."""
    from app.bootstrap import backups_dir, database_file
    from app.services.transfer import restore_file

    source = check_input(args.file, "backup")
    kept = restore_file(url, source, backups_dir())
    where = database_file(url)
    print(f"Restored {where} from {source}.")
    if kept is not None:
        print(f"The previous contents were saved as {kept}.")
    return 0
