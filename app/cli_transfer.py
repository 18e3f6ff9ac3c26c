"""Import, export, backup and restore commands."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any, db: argparse.ArgumentParser) -> tuple[dict, dict]:
    """Add this group's subcommands; return (handlers, raw handlers) keyed like app.cli's."""
    return {}, {}
