"""Health commands (``sprintdeck check``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.common import Handlers


def register(commands: Any, db: argparse.ArgumentParser) -> Handlers:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    commands.add_parser(
        "check",
        parents=[db],
        help="check a database file without changing it (exit 0 healthy, 1 not)",
    )
    return {}, {("check", None): _check}


def _check(url: str, args: argparse.Namespace) -> int:
    """Raw handler: opens the file read-only itself; never migrates, never writes."""
    from app.services.health import check_database

    report = check_database(url)
    if report.kind in ("healthy", "outdated"):
        print(f"healthy: {report.summary}")
        return 0
    if report.kind == "empty":
        reason = (
            f"The file {report.path} is empty: not a Sprintdeck database yet (init creates one)."
        )
    else:
        reason = report.problem or report.summary
    print(f"sprintdeck: {reason}", file=sys.stderr)
    return 1
