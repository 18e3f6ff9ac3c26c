"""Shared test helpers: a migrated database in a temp folder, services on it, the demo."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from app.main import Runtime, open_runtime

ROOT = Path(__file__).resolve().parent.parent


_TEMPLATES: dict[bool, Path] = {}


def template_database(demo: bool = False) -> Path:
    """A database migrated by alembic (and, with ``demo``, holding the demo project), made
    once per test process and copied for each test: migrating a file and seeding the demo
    cost more than most tests themselves. Every database still comes from the real
    upgrade path, never from ``create_all``."""
    if demo not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="sprintdeck-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / ("demo.db" if demo else "empty.db")
        runtime = open_runtime("sqlite:///" + str(path))
        try:
            if demo:
                from app.services.demo import seed_demo

                seed_demo(runtime.services)
        finally:
            runtime.close()
        conn = sqlite3.connect(path)
        try:  # everything in the file itself: a copy of it alone is complete
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        _TEMPLATES[demo] = path
    return _TEMPLATES[demo]


def make_runtime(path: Path, demo: bool = False) -> Runtime:
    """Services on a SQLite file migrated by alembic (never create_all): a copy of the
    per-process template when ``path`` does not exist yet, else the file as it is."""
    if not path.exists():
        shutil.copyfile(template_database(demo), path)
    elif demo:
        raise ValueError(f"{path} exists: the demo goes only into a new database")
    return open_runtime("sqlite:///" + str(path))


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
