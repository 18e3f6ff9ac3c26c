"""PostgreSQL for the tests: the server, a migrated template per worker, a database per test.

The server is the one named by ``SPRINTDECK_TEST_PG`` (a SQLAlchemy URL of a maintenance
database where we may ``CREATE DATABASE``, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``), else the one on
127.0.0.1:5432. ``./dev.sh test`` finds one or starts a private throwaway cluster
(tests/pg_cluster.sh), so a test never lacks a server; run bare, pytest fails the
PostgreSQL tests with a sentence saying how to get one (they are never skipped).

Each worker process (pytest-xdist) migrates its own template databases once, through
``app.bootstrap.open_runtime`` (the real alembic path, never ``create_all``), one empty and
one holding the demo project; each test then gets ``CREATE DATABASE sdtest_<uuid> TEMPLATE
...`` and drops it at teardown. Creating and dropping a database cost the server a
checkpoint's worth of writing (most of a PostgreSQL test's time on a server with fsync
on), so a worker thread drops databases behind the tests and clones the next database of
each template ahead of them (renamed to the test's name when it is asked for); the drops
are finished when the session ends (:func:`finish`).
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import uuid
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

ENV = "SPRINTDECK_TEST_PG"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PREFIX = "sdtest_"

_state: dict[str, Any] = {}
_created: set[str] = set()


def server_url() -> str:
    """The maintenance database's SQLAlchemy URL (``SPRINTDECK_TEST_PG`` or the default)."""
    return os.environ.get(ENV) or DEFAULT_URL


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def _connect_args(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    args: dict[str, Any] = {"dbname": parsed.database or "postgres", "connect_timeout": 5}
    for key in ("host", "port", "username", "password"):
        value = getattr(parsed, key)
        if value is not None:
            args["user" if key == "username" else key] = value
    args.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
    return args


def _admin() -> psycopg.Connection:
    """One autocommit connection per process to the maintenance database, or a test
    failure (not a skip) saying how to get a server."""
    problem = _state.get("problem")
    if problem is None and "admin" not in _state:
        try:
            _state["admin"] = psycopg.connect(**_connect_args(server_url()), autocommit=True)
        except (psycopg.Error, ValueError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            problem = _state["problem"] = (
                f"PostgreSQL tests need a server and none answers at {_masked(server_url())} "
                f"({reason}): run ./dev.sh test (it finds or starts one) or set {ENV} to "
                "the SQLAlchemy URL of a database where we may CREATE DATABASE."
            )
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    return _state["admin"]


def _masked(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def available() -> bool:
    """Whether a server answers (without failing the test that asks)."""
    try:
        _admin()
    except pytest.fail.Exception:
        return False
    return True


def url_of(name: str) -> str:
    """The SQLAlchemy URL of database ``name`` on the test server."""
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


def name_of(url: str) -> str:
    name = make_url(url).database
    assert name and name.startswith(PREFIX), url
    return name


def _tag() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{worker}_{os.getpid()}"


def new_url() -> str:
    """The URL of a database of this test's own, not created yet (see :func:`ensure`)."""
    _admin()
    return url_of(f"{PREFIX}{uuid.uuid4().hex[:16]}")


def template(demo: bool = False) -> str:
    """This worker's migrated template database (with the demo project for ``demo``)."""
    key = "demo" if demo else "empty"
    if key not in _state:
        name = f"{PREFIX}tmpl_{key}_{_tag()}"
        admin = _admin()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop_quietly, name)
        from app.bootstrap import open_runtime

        runtime = open_runtime(url_of(name))
        try:
            if demo:
                from app.services.demo import seed_demo

                seed_demo(runtime.services)
        finally:
            runtime.close()
        _terminate(name)
        _state[key] = name
    return _state[key]


def create(url: str, demo: bool = False, empty: bool = False) -> None:
    """Create the database of ``url``: a clone of the migrated template (with the demo for
    ``demo``), or with ``empty`` a database without any table (what a team's server
    administrator hands over: the app migrates it)."""
    if empty:
        name = name_of(url)
        _admin().execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        _created.add(name)
    else:
        clone(url, template(demo))


def clone(url: str, source: str) -> None:
    """Create the database of ``url`` as a copy of database ``source`` (a template: see
    :func:`make_template`), taking the copy made ahead when there is one."""
    name = name_of(url)
    ready = _background().take(source)
    if ready is None:
        _admin().execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    else:
        _admin().execute(f'ALTER DATABASE "{ready}" RENAME TO "{name}"')
    _background().prepare(source)
    _created.add(name)


def make_template(url: str) -> None:
    """Keep the database of ``url`` (filled by a test helper) as a template to
    :func:`clone` from until the process ends: no test owns it any more, and whatever is
    still connected to it is ended (a clone needs its template to itself)."""
    name = name_of(url)
    _created.discard(name)
    atexit.register(_drop_quietly, name)
    _terminate(name)


def _terminate(name: str) -> None:
    # The change listener's connection closes by itself a moment after its runtime does;
    # CREATE DATABASE ... TEMPLATE refuses a template anyone is connected to (the timeout:
    # returns once each backend is gone).
    _admin().execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )


def ensure(url: str, demo: bool = False) -> bool:
    """Create the database of ``url`` from the template unless it exists; True if made."""
    name = name_of(url)
    if name in _created:
        if demo:
            raise ValueError(f"{name} exists: the demo goes only into a new database")
        return False
    create(url, demo=demo)
    return True


def exists(url: str) -> bool:
    row = _admin().execute("SELECT 1 FROM pg_database WHERE datname = %s", (name_of(url),))
    return row.fetchone() is not None


def drop(url: str) -> None:
    """Drop the database of ``url`` now."""
    name = name_of(url)
    _created.discard(name)
    _admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_later(url: str) -> None:
    """Drop the database of ``url`` behind the tests, on the worker thread (the fixtures'
    teardown: nothing else needs it gone at once)."""
    name = name_of(url)
    _created.discard(name)
    _background().drop(name)


def finish() -> None:
    """Drop what is still to be dropped, and the clones made ahead (the session's end)."""
    worker = _state.pop("background", None)
    if worker is not None:
        worker.finish()


class _Background:
    """One thread with its own connection: drops queued databases, and keeps one clone of
    each template asked for ready (``sdtest_ready_<uuid>``)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._ready: dict[str, str] = {}  # template -> its clone made ahead
        self._making: set[str] = set()
        self._failed: list[str] = []  # drops to try again at the end
        self._thread = threading.Thread(target=self._run, name="sdtest-pg", daemon=True)
        self._thread.start()

    def drop(self, name: str) -> None:
        self._jobs.put(("drop", name))

    def prepare(self, source: str) -> None:
        with self._lock:
            if source in self._ready or source in self._making:
                return
            self._making.add(source)
        self._jobs.put(("clone", source))

    def take(self, source: str) -> str | None:
        with self._lock:
            return self._ready.pop(source, None)

    def finish(self) -> None:
        self._jobs.put(None)
        self._thread.join(300)
        with self._lock:
            left, self._ready = [*self._ready.values(), *self._failed], {}
        for name in left:
            _drop_quietly(name)

    def _run(self) -> None:
        connection = psycopg.connect(**_connect_args(server_url()), autocommit=True)
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                kind, name = job
                try:
                    if kind == "drop":
                        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    else:
                        ready = f"{PREFIX}ready_{uuid.uuid4().hex[:16]}"
                        connection.execute(f'CREATE DATABASE "{ready}" TEMPLATE "{name}"')
                        with self._lock:
                            self._ready[name] = ready
                except psycopg.Error:  # a clone not made is made by the test itself
                    if kind == "drop":
                        self._failed.append(name)
                finally:
                    if kind == "clone":
                        with self._lock:
                            self._making.discard(name)
        finally:
            connection.close()


def _background() -> _Background:
    worker = _state.get("background")
    if worker is None:
        worker = _state["background"] = _Background()
        atexit.register(finish)
    return worker


def _drop_quietly(name: str) -> None:
    admin = _state.get("admin")
    if admin is None or admin.closed:
        return
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass


__all__ = [
    "DEFAULT_URL",
    "ENV",
    "available",
    "clone",
    "create",
    "drop",
    "drop_later",
    "ensure",
    "exists",
    "is_postgres",
    "make_template",
    "new_url",
    "server_url",
    "template",
    "url_of",
]
