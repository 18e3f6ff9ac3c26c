"""Who is at the keyboard by default: the name history events record when nobody chose one
in *Settings › You are* (app/services/actor.py keeps the choice).

The first of: the name chosen, ``SPRINTDECK_USER``, on PostgreSQL the database user name
(the URL's, else ``PGUSER``, as libpq takes it), the OS login. No SQLAlchemy here: the
window's first paint may ask.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping

USER_ENV = "SPRINTDECK_USER"


def actor_name(
    chosen: str | None = None,
    url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The name written into history events, the first of: ``chosen`` (*Settings › You
    are*), ``SPRINTDECK_USER``, on PostgreSQL the database user name (the URL's, else
    ``PGUSER``, as libpq has it), the OS login."""
    env = os.environ if environ is None else environ
    for name in (chosen, env.get(USER_ENV), database_user(url, env) if url else None):
        if name and name.strip():
            return name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def database_user(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The user a PostgreSQL URL connects as (``postgresql+psycopg://ana@host/db``, or
    ``?user=ana``, else ``PGUSER``); None for any other database, or when libpq would take
    the OS login."""
    from urllib.parse import parse_qs, unquote, urlsplit

    env = os.environ if environ is None else environ
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.split("+", 1)[0].lower() not in ("postgresql", "postgres"):
        return None
    if parts.username:
        return unquote(parts.username)
    query_user = parse_qs(parts.query).get("user")
    if query_user and query_user[0]:
        return query_user[0]
    return env.get("PGUSER") or None
