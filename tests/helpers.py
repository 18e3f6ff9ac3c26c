"""Shared test helpers: a migrated database in a temp folder, services on it, the demo."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from app.main import Runtime, open_runtime

ROOT = Path(__file__).resolve().parent.parent


def make_runtime(path: Path, demo: bool = False) -> Runtime:
    """Services on a fresh SQLite file, migrated by alembic (never create_all)."""
    runtime = open_runtime("sqlite:///" + str(path))
    if demo:
        from app.services.demo import seed_demo

        seed_demo(runtime.services)
    return runtime


def run_cli(
    *args: str, db: Path | None = None, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real entry point (``python -m app``) in a child process."""
    command = [sys.executable, "-m", "app", *args]
    if db is not None:
        command += ["--db", str(db)]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        input=stdin,
        timeout=120,
    )


def dump_digest(path: Path) -> str:
    """The database's contents (schema and rows), whatever its pages look like."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()
    finally:
        conn.close()
