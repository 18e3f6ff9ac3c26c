"""app.dburl reads URLs as SQLAlchemy does, without importing it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url

from app.dburl import is_read_only_url, is_sqlite, parse_url, sqlite_path

URLS = [
    "sqlite://",
    "sqlite:///:memory:",
    "sqlite:///relative/board.db",
    "sqlite:////abs/path/board.db",
    "sqlite:////abs/with%20space/b%C3%B6rd.db",
    "sqlite:///file:/abs/board.db?mode=ro&uri=true",
    "sqlite+pysqlite:////abs/board.db?timeout=3",
    "postgresql+psycopg://user:secret@db.example:5432/sprintdeck?sslmode=require",
    "postgresql://localhost/sprintdeck",
]


@pytest.mark.parametrize("url", URLS)
def test_parse_url_agrees_with_sqlalchemy(url: str) -> None:
    ours = parse_url(url)
    theirs = make_url(url)
    assert ours.backend == theirs.get_backend_name()
    assert ours.database == theirs.database
    assert ours.query == dict(theirs.query)


def test_helpers() -> None:
    assert is_sqlite("sqlite:////x.db") and not is_sqlite("postgresql://h/db")
    assert str(sqlite_path("sqlite:///file:/abs/board.db?mode=ro&uri=true")) == "/abs/board.db"
    assert sqlite_path("sqlite://") is None and sqlite_path("sqlite:///:memory:") is None
    assert is_read_only_url("sqlite:///file:/abs/board.db?mode=ro&uri=true")
    assert not is_read_only_url("sqlite:////abs/board.db")


def test_unparseable_url_is_refused() -> None:
    with pytest.raises(Exception, match=r"(?i)parse"):
        parse_url("not a url")


def test_start_up_modules_do_not_import_sqlalchemy() -> None:
    """What the window needs for its first paint must not pull in SQLAlchemy (~150 ms)."""
    code = (
        "import sys\n"
        "import app.dburl, app.services.health, app.storage.sqlite_board, app.services.events\n"
        "import app.ui.mainwindow, app.ui.application, app.startup\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert done.stdout.strip() == "[]"
