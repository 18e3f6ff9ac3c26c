"""What the command groups share: the handler tables' types, --force, the file in use, points."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from app import config

# (command, action) -> handler; ``action`` is None for a command without subcommands.
Key = tuple[str, str | None]
# Handlers take ``(services, args)`` on an opened (migrated) database.
Handler = Callable[[Any, argparse.Namespace], int]
# Raw handlers take ``(url, args)`` and open the database themselves (check, backup and
# restore must never migrate or write to a file they were asked to inspect or replace).
RawHandler = Callable[[str, argparse.Namespace], int]
Handlers = tuple[dict[Key, Handler], dict[Key, RawHandler]]


def json_points(value: Decimal | None) -> int | float | None:
    """Points as a JSON number (``5``, ``2.5``) or null; text goes through format_points."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def database_path(args: argparse.Namespace) -> Path | None:
    """The SQLite file a command works on (None for a server database): outputs must
    never be written over it."""
    from app.bootstrap import database_file

    return database_file(config.resolve_db_url(getattr(args, "db", None)))


def add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="write over another SQLite database (never over the one in use)",
    )
