"""The command-line face: parses arguments, calls services, prints results.

One module per command group (projects, cards, sprints, reports, transfer, maintenance,
team, metrics, time), each with ``register(commands, db_parent) -> (handlers, raw_handlers)``
(app/cli/common.py). The CLI reaches the database only through :mod:`app.bootstrap`
(a runtime's services) and the services; it never imports the ORM or app.main.

Exit status: 0 success, 1 refused operation (domain error), 2 usage error. Errors are one
readable line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from app import __version__, config
from app.cli.common import Handler, Key, RawHandler, add_force, database_path
from app.errors import DomainError

__all__ = ["GROUPS", "add_force", "build_parser", "database_path", "run_command"]

# The command groups, in the order ``sprintdeck --help`` lists their commands.
GROUPS = (
    "app.cli.projects",
    "app.cli.cards",
    "app.cli.sprints",
    "app.cli.reports",
    "app.cli.transfer",
    "app.cli.maintenance",
    "app.cli.team",
    "app.cli.metrics",
    "app.cli.comments",
    "app.cli.activity",
    "app.cli.time",
    "app.cli.budget",
    "app.cli.standups",
    "app.cli.plans",
    "app.cli.risks",
    "app.cli.forecast",
)

_HANDLERS: dict[Key, Handler] = {}
_RAW_HANDLERS: dict[Key, RawHandler] = {}


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line: ``sprintdeck card add: error: …``, exit 2
    (``--help`` still prints the whole usage)."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        if len(text) > 240:
            text = text[:239] + "…"
        self.exit(2, f"{self.prog}: error: {text} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole ``sprintdeck`` parser; registers every group's handlers for run_command."""
    # --db is accepted before or after the subcommand; SUPPRESS keeps a later default from
    # overwriting an earlier value.
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="PATH_OR_URL",
        help=f"database file or URL (default: ${config.DB_ENV}, else the user data folder)",
    )
    db.add_argument(
        "--as",
        dest="actor",
        default=argparse.SUPPRESS,
        metavar="NAME",
        help=f"the name this command's history events record (default: ${config.USER_ENV}, "
        "on PostgreSQL the database user, else your login)",
    )
    parser = _Parser(
        prog="sprintdeck",
        description="Sprintdeck: a Kanban/Scrum board. Without a command, opens the window.",
        parents=[db],
    )
    parser.add_argument("--version", action="version", version=f"sprintdeck {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in GROUPS:
        handlers, raw = importlib.import_module(name).register(commands, db)
        _HANDLERS.update(handlers)
        _RAW_HANDLERS.update(raw)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run the command ``args`` names (parsed by :func:`build_parser`); the exit status."""
    from app.bootstrap import open_runtime

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
        runtime = open_runtime(url, actor=getattr(args, "actor", None))
    except DomainError as exc:
        return _fail(exc)
    try:
        handler = _HANDLERS[key]
        return handler(runtime.services, args)
    except DomainError as exc:
        return _fail(exc)
    finally:
        runtime.close()


def _fail(exc: DomainError) -> int:
    print(f"sprintdeck: {exc}", file=sys.stderr)
    return 1
