"""Shared test helpers: a migrated database in a temp folder, services on it, the demo."""

from __future__ import annotations

import atexit
import contextlib
import copy
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app.bootstrap import Runtime, open_runtime
from tests import pg

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
        _TEMPLATES[demo] = _settled(path)
    return _TEMPLATES[demo]


def make_runtime(db: Path | str, demo: bool = False) -> Runtime:
    """Services on a database migrated by alembic (never create_all): ``db`` is a SQLite
    file's path or a database URL (see the ``db_url`` fixture). A new database is a copy of
    the per-process template (a SQLite file copied, a PostgreSQL database cloned); an
    existing one is opened as it is."""
    url = prepare_database(db, demo)
    return open_runtime(url)


def prepare_database(db: Path | str, demo: bool = False) -> str:
    """The URL of ``db``, made from the template first when it does not exist yet."""
    if isinstance(db, str) and pg.is_postgres(db):
        pg.ensure(db, demo=demo)
        return db
    path = sqlite_path(db)
    if path is None:
        return str(db)
    if not path.exists():
        shutil.copyfile(template_database(demo), path)
    elif demo:
        raise ValueError(f"{path} exists: the demo goes only into a new database")
    return "sqlite:///" + str(path)


T = TypeVar("T")
_WORLDS: dict[tuple[str, str], tuple[Path | str, Any]] = {}


def world_database(db: Path | str, build: Callable[[Path | str], T], key: str = "") -> T:
    """Fill ``db`` (a database of this test's own that does not exist yet, as the fixtures
    hand out) with the world ``build`` makes, and return a copy of what ``build`` returned.

    ``build`` runs once per test process and backend, on a scratch database of the same
    kind as ``db`` (a SQLite path, a ``sqlite:///`` URL or a PostgreSQL URL); each test then
    gets its own copy of the result (the SQLite file copied, the PostgreSQL database cloned
    with ``CREATE DATABASE ... TEMPLATE``), so a test that changes its world changes only
    its copy. What ``build`` returns is deep-copied for each test. Building a world through
    the services or the command line costs more than most tests that read it; the world is
    still made by the real code (migrations, services, CLI), only once.
    """
    postgres = isinstance(db, str) and pg.is_postgres(db)
    target = None if postgres else sqlite_path(db)
    if target is not None and target.exists():
        raise ValueError(f"{target} exists: a world goes only into a new database")
    kind = "postgresql" if postgres else "sqlite-url" if isinstance(db, str) else "sqlite-path"
    name = key or f"{build.__module__}.{build.__qualname__}"
    cached = _WORLDS.get((name, kind))
    if cached is None:
        scratch: Path | str
        if postgres:
            scratch = pg.new_url()
        else:
            folder = Path(tempfile.mkdtemp(prefix="sprintdeck-world-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "world.db"
            scratch = path if kind == "sqlite-path" else "sqlite:///" + str(path)
        try:
            value = build(scratch)
        except BaseException:
            if postgres and pg.exists(str(scratch)):
                pg.drop_later(str(scratch))  # a half-built world is nobody's template
            raise
        if postgres:
            pg.make_template(str(scratch))
            source: Path | str = pg.name_of(str(scratch))
        else:
            source = _settled(folder / "world.db")
        cached = _WORLDS[(name, kind)] = (source, value)
    source, value = cached
    if postgres:
        pg.clone(str(db), str(source))
    else:
        assert target is not None
        shutil.copyfile(source, target)
    return copy.deepcopy(value)


def _settled(path: Path) -> Path:
    """``path`` with everything in the file itself (no -wal or -shm beside it), so that a
    copy of the file alone is the whole database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def working_days(start: dt.date, count: int) -> list[dt.date]:
    """The first ``count`` weekdays from ``start`` on (a history's days in forecast tests)."""
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def run_window_child(code: str, db: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``code`` (a script that starts the real window on ``sys.argv[1]``) run in a new
    offscreen Python with ``home`` as an empty home and data folder, from the checkout's
    root; what it printed, for the test to read."""
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "SPRINTDECK_DATA_DIR": str(home / "data"),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-c", code, str(db)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def sqlite_path(db: Path | str) -> Path | None:
    """The file of a SQLite path or ``sqlite:///`` URL (None for any other URL)."""
    if isinstance(db, Path):
        return db
    if db.startswith("sqlite:///"):
        return Path(db.removeprefix("sqlite:///").split("?", 1)[0])
    if "://" in db:
        return None
    return Path(db)


def run_cli(
    *args: str,
    db: Path | str | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run the command line's entry point, ``app.main.main``, and collect what it printed.

    In this process by default (the same function ``sprintdeck`` and ``python -m app``
    call, with the environment, working folder, stdin, stdout and stderr it would have), so
    that hundreds of command-line tests stay fast; ``process=True`` runs ``python -m app``
    in a child process instead, for what only a real process shows (the interpreter's exit,
    a signal, two programs at once). Tests of each command keep some of both.

    ``db``: a SQLite file's path (as given: the command line creates a missing file) or a
    database URL; a PostgreSQL database of the ``db_url`` fixture that does not exist yet
    is cloned from the migrated template first (a server database is never made by the
    command line).
    """
    if isinstance(db, str) and pg.is_postgres(db):
        pg.ensure(db)
    argv = [*args, *(["--db", str(db)] if db is not None else [])]
    if process:
        return subprocess.run(
            [sys.executable, "-m", "app", *argv],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
            input=stdin,
            timeout=120,
        )
    return _run_in_process(argv, env or {}, stdin)


def _run_in_process(
    argv: list[str], env: dict[str, str], stdin: str | None
) -> subprocess.CompletedProcess[str]:
    from app.main import main

    out, err = io.StringIO(), io.StringIO()
    saved_env = {key: os.environ.get(key) for key in env}
    saved_cwd = os.getcwd()
    saved_stdin = sys.stdin
    os.environ.update(env)
    os.chdir(ROOT)
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as exc:  # argparse: usage errors, --help, --version
                status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(
        ["sprintdeck", *argv], int(status or 0), out.getvalue(), err.getvalue()
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


class Clock:
    """A clock the services read (``services.context.clock = Clock(...)``) and a test sets
    to the moment each step of a dated history happens (UTC)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2025, 3, 2, 10, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, day: int, hour: int = 12, month: int = 3, year: int = 2025) -> None:
        self.now = dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


# --- what a command-line run should look like ------------------------------------------


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 1, nothing on stdout, one readable line on stderr naming ``words``."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("sprintdeck: ")
    for word in words:
        assert word.lower() in line.lower(), line
    return line


def usage_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr  # one line: what is wrong and where help is
    assert ": error: " in lines[0] and "--help)" in lines[0]
    return result.stderr


def as_json(result: subprocess.CompletedProcess[str]) -> list[dict]:
    data = json.loads(ok(result))
    assert isinstance(data, list)
    return data


def database_rows(db: Engine | Path | str) -> list[str]:
    """Every row of every table, sorted, on either backend (a SQLite path, a URL or a
    runtime's engine): what a refused change must leave exactly as it was."""
    from sqlalchemy import create_engine, inspect, select, text
    from sqlalchemy.pool import NullPool

    import app.models  # noqa: F401 - every table on the metadata
    from app.models.base import Base

    if isinstance(db, (Path, str)):
        path = sqlite_path(db)
        url = "sqlite:///" + str(path) if path is not None else str(db)
        engine = create_engine(url, poolclass=NullPool)
    else:
        engine = db
    try:
        lines: list[str] = []
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                rows = connection.execute(select(table)).all()
                lines.extend(sorted(f"{table.name} {tuple(row)!r}" for row in rows))
            if inspect(connection).has_table("alembic_version"):
                revision = connection.execute(text("SELECT version_num FROM alembic_version"))
                lines.extend(f"alembic_version {row[0]!r}" for row in revision)
        return lines
    finally:
        if engine is not db:
            engine.dispose()
