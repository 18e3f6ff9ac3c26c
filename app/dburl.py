"""Facts about a database URL and the schema's head revision, without importing SQLAlchemy.

The window's first paint reads the board with ``sqlite3`` before SQLAlchemy (~150 ms of
imports) is loaded (see app/startup.py); the start-up health check and the URL helpers it
needs live here for that reason. ``app.db`` re-exports them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote

from app.config import package_dir

# The URL grammar SQLAlchemy's make_url accepts: name://user:password@host:port/database?query
_URL = re.compile(
    r"""
    (?P<name>[\w+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    """,
    re.X,
)


class ParsedURL(NamedTuple):
    backend: str  # "sqlite", "postgresql", ... (without the driver)
    database: str | None
    query: dict[str, str]


def parse_url(url: str) -> ParsedURL:
    """Backend, database and query of ``url``, as SQLAlchemy's ``make_url`` reads them."""
    m = _URL.match(url)
    if m is None:
        from sqlalchemy.engine import make_url

        make_url(url)  # raises SQLAlchemy's own error for a URL it cannot parse either
        raise ValueError(f"Could not parse the database URL {url!r}")
    database = m.group("database")
    query = dict(parse_qsl(m.group("query"))) if m.group("query") is not None else {}
    return ParsedURL(
        m.group("name").split("+", 1)[0],
        unquote(database) if database is not None else None,
        query,
    )


def is_sqlite(url: str) -> bool:
    return parse_url(url).backend == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for memory databases and other backends."""
    parsed = parse_url(url)
    if parsed.backend != "sqlite" or not parsed.database:
        return None
    database = parsed.database
    if database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    return Path(database)


def is_read_only_url(url: str) -> bool:
    """A SQLite URL opened with ``mode=ro``: readable, never written."""
    parsed = parse_url(url)
    if parsed.backend != "sqlite":
        return False
    return parsed.query.get("mode") == "ro" or "mode=ro" in (parsed.database or "")


def read_only_url(path: Path) -> str:
    """The SQLite URL that opens ``path`` read-only (writes fail with a readable error)."""
    return f"sqlite:///file:{path.absolute()}?mode=ro&uri=true"


def head_revision() -> str:
    """The schema revision this build of the app writes (alembic decides when unclear)."""
    known = known_head()
    if known is not None:
        return known
    from alembic.script import ScriptDirectory

    from app.db import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


_REVISION_LINE = re.compile(
    r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(None|\"([^\"]*)\"|'([^']*)')\s*$", re.M
)


def known_head() -> str | None:
    """The head revision id read from the migration scripts' text (no alembic import);
    None when that is not clear-cut (then alembic decides)."""
    versions = package_dir("migrations") / "versions"
    try:  # re-read when a script is added, removed or edited
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in versions.glob("*.py")))
    except OSError:
        return None
    return _head_of(str(versions), stamp)


@lru_cache(maxsize=8)
def _head_of(versions: str, _stamp: tuple[tuple[str, int], ...]) -> str | None:
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for script in Path(versions).glob("*.py"):
            found = {}
            for m in _REVISION_LINE.finditer(script.read_text(encoding="utf-8")):
                found[m.group(1)] = m.group(3) or m.group(4)  # None for "None"
            if not found.get("revision"):
                continue
            revisions.add(found["revision"])
            if found.get("down_revision"):
                parents.add(found["down_revision"])
    except OSError:
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


# --- PostgreSQL URLs ---------------------------------------------------------------------------

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
MASK = "***"
_SCHEME = re.compile(r"^(?P<scheme>[\w+]+)://")
_PASSWORD_IN_QUERY = re.compile(r"(?i)([?&]password=)[^&]*")


def is_postgres(url: str) -> bool:
    m = _SCHEME.match(url)
    return m is not None and m.group("scheme").lower() in POSTGRES_SCHEMES


def postgres_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` as the SQLAlchemy URL Sprintdeck opens
    (``postgresql+psycopg://``, psycopg 3); anything else unchanged."""
    m = _SCHEME.match(url)
    if m is None or m.group("scheme").lower() not in POSTGRES_SCHEMES:
        return url
    return "postgresql+psycopg://" + url[m.end() :]


def libpq_uri(url: str) -> str:
    """The same database as a libpq connection URI (what ``psql`` and psycopg take): the
    query (``sslmode``, ``service``, ``connect_timeout``…) goes to libpq as it is."""
    m = _SCHEME.match(url)
    return url if m is None else "postgresql://" + url[m.end() :]


def url_password(url: str) -> str | None:
    """The password written in ``url`` (in its user part or as ``?password=``), or None."""
    m = _URL.match(url)
    if m is None:
        return None
    if m.group("password"):
        return unquote(m.group("password"))
    query = dict(parse_qsl(m.group("query") or ""))
    return query.get("password") or None


def mask_password(url: str) -> str:
    """``url`` with any password replaced by ``***``: how messages, logs and settings name
    a database (never with its password)."""
    m = _URL.match(url)
    if m is not None and m.group("password"):
        start, end = m.span("password")
        url = url[:start] + MASK + url[end:]
    return _PASSWORD_IN_QUERY.sub(lambda g: g.group(1) + MASK, url)


def scrub(text: str, url: str) -> str:
    """``text`` (an error message) with the password of ``url`` masked wherever it occurs."""
    password = url_password(url)
    if password:
        text = text.replace(password, MASK)
        raw = _URL.match(url)
        if raw is not None and raw.group("password") and raw.group("password") != password:
            text = text.replace(raw.group("password"), MASK)
    return text.replace(url, mask_password(url))
