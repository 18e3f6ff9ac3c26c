"""PostgreSQL: a team's shared database (``postgresql+psycopg://user@host:port/db``, psycopg 3).

The URL's query goes to libpq as it is (``?sslmode=require``, ``?service=team`` for a
service file, ``?connect_timeout=``); passwords come the way libpq users expect
(``~/.pgpass``, ``PGPASSWORD``, the service file). A password written in the URL works
too, but Sprintdeck never shows it: :meth:`PostgresStorage.describe` and every error
sentence name the database with the password masked (``***``).

No file: nothing to back up or restore (``pg_dump`` is the server's tool), no window lock
(many clients at once is the point), no fast board read (the SQLAlchemy path). The schema
is upgraded under an advisory lock taken in the migration's transaction
(:meth:`PostgresStorage.migrating`), so two clients that start at once do not migrate
twice: the one that waited finds the schema current. When the tables belong to a role
the connecting user is a member of (``sprintdeck team init``'s owner role), the upgrade
runs as that role, so new tables belong to it too.

SQLAlchemy and psycopg are imported inside the methods that need them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.dburl import mask_password, parse_url, postgres_url, scrub
from app.errors import DatabaseProblem
from app.storage import HealthReport
from app.storage.server import FilelessStorage

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

    from app.services.dto import BoardDTO
    from app.services.events import ChangeBus
    from app.storage.change_feed import ChangeFeed, LoadCards
    from app.storage.pg_notify import NotifyProbe

# Seconds to wait for the server to answer a connection (unless the URL says otherwise).
CONNECT_TIMEOUT = 5
# The advisory lock every Sprintdeck migration takes first ("SprintDk" in ASCII).
MIGRATION_LOCK = 0x5370_7269_6E74_446B
# The tables whose counts the health check reports.
COUNTED = ("project", "card", "history_event", "sprint")

# What libpq / the server say, by kind of problem (lower-cased message fragments).
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "could not translate host name",
    "name or service not known",
    "timeout expired",
    "no route to host",
    "network is unreachable",
    "server closed the connection",
    "connection timed out",
    "is the server running",
)
_AUTH = (
    "password authentication failed",
    "no password supplied",
    "authentication failed",
    "pg_hba.conf",
    "fe_sendauth",
)


class PostgresStorage(FilelessStorage):
    """The :class:`app.storage.Storage` of one PostgreSQL URL."""

    path: Path | None = None

    def __init__(self, url: str) -> None:
        self.url = postgres_url(url)

    # --- where it is and how it is opened ---------------------------------------------

    def read_board(self, connection: Connection, project_id: int) -> BoardDTO | None:
        """The board through psycopg's own rows in ``connection``'s transaction (a third
        less time than the SQLAlchemy path at 10,000 cards; docs/benchmarks.md)."""
        from app.storage.dbapi_board import POSTGRESQL, read_board

        return read_board(connection.connection.driver_connection, project_id, POSTGRESQL)  # type: ignore[arg-type]

    def shown_url(self) -> str:
        """The URL as messages show it: the password masked."""
        return mask_password(self.url)

    def describe(self) -> str:
        return f"The database {self.shown_url()}"

    def is_read_only(self) -> bool:
        return False

    def read_only_url(self) -> str:
        return self.url

    def create_engine(self) -> Engine:
        from sqlalchemy import create_engine

        args: dict[str, Any] = {"application_name": "Sprintdeck"}
        if "connect_timeout" not in parse_url(self.url).query:
            args["connect_timeout"] = CONNECT_TIMEOUT
        try:
            engine = create_engine(self.url, connect_args=args)
        except ModuleNotFoundError as exc:
            raise DatabaseProblem(
                "Opening PostgreSQL databases needs the Python package "
                f"{exc.name!r}, which is not installed (pip install 'psycopg[binary]')."
            ) from exc
        _bind_integers_wide(engine)
        _ping_when_readable(engine)
        return engine

    @contextmanager
    def migrating(self, connection: Connection) -> Iterator[Callable[[], None]]:
        """The advisory lock, first thing in the migration's transaction (held until it
        commits or rolls back); then, when the schema belongs to a role this user may act
        as, that role for the rest of the transaction."""
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        owner = connection.exec_driver_sql(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'alembic_version' "
            "AND schemaname = current_schema()"
        ).scalar()
        if owner is not None:
            may = connection.exec_driver_sql(
                "SELECT %(owner)s <> current_user AND pg_has_role(current_user, %(owner)s, "
                "'MEMBER')",
                {"owner": owner},
            ).scalar()
            if may:
                connection.exec_driver_sql(f"SET LOCAL ROLE {quote_ident(owner)}")
        yield lambda: None

    def describe_error(self, exc: Exception) -> str:
        return scrub(describe_pg_error(self.describe(), self.url, exc), self.url)

    # --- health ------------------------------------------------------------------------

    def check(self, quick: bool = False) -> HealthReport:
        from app.storage.postgres_health import check_database

        return check_database(self)

    def damage(self) -> str | None:
        return None

    def connect(self) -> Any:
        """A plain psycopg connection (autocommit) to the database, for checks and admin;
        raises :class:`DatabaseProblem` with a readable sentence when it cannot."""
        try:
            import psycopg
        except ModuleNotFoundError as exc:
            raise DatabaseProblem(
                "Opening PostgreSQL databases needs the Python package 'psycopg', which is "
                "not installed (pip install 'psycopg[binary]')."
            ) from exc
        kwargs = {"connect_timeout": CONNECT_TIMEOUT, **libpq_params(self.url)}
        kwargs.setdefault("application_name", "Sprintdeck")
        try:
            return psycopg.connect(autocommit=True, **kwargs)
        except psycopg.Error as exc:
            raise DatabaseProblem(self.describe_error(exc)) from exc

    # --- changes made elsewhere ---------------------------------------------------------

    def change_probe(self, engine: Engine) -> NotifyProbe:
        """LISTEN on a connection of its own (app/storage/pg_notify.py)."""
        from app.storage.pg_notify import NotifyProbe

        params = {"connect_timeout": CONNECT_TIMEOUT, **libpq_params(self.url)}
        params["application_name"] = "Sprintdeck (listening)"

        def connect() -> Any:
            import psycopg

            return psycopg.connect(autocommit=True, **params)

        return NotifyProbe(connect)

    def change_feed(
        self, engine: Engine, bus: ChangeBus, origin: str, load_cards: LoadCards, probe: Any
    ) -> ChangeFeed:
        from app.storage.change_feed import ChangeFeed

        # A notification only rings the bell: without one of our log rows behind it there
        # is nothing to reload (unlike SQLite's data_version, which moves only on commits).
        feed = ChangeFeed(
            engine,
            bus,
            origin,
            load_cards,
            poke=probe.changed,
            poke_means_commit=False,
            problem=lambda: getattr(probe, "problem", None),
        )
        if hasattr(probe, "on_ring"):
            probe.on_ring = feed.ring
        return feed


def _ping_when_readable(engine: Engine) -> None:
    """The pool's check of a connection it hands out, without a round trip when it can.

    An idle connection's socket has nothing to read: the server says nothing unprompted to
    a connection that is not LISTENing, except when it goes away (a restart, a terminated
    backend, a cut relay: an error message or the end of the stream). So the socket is
    looked at first (``select`` with timeout 0); only a readable one is pinged, and a
    connection that fails the ping, or is already known broken, is replaced by a new one
    (SQLAlchemy's DisconnectionError: the pool reconnects and tries again). This saves the
    round trip ``pool_pre_ping`` spends on every checkout (two with psycopg: BEGIN and
    SELECT 1), which was a fifth of a card move."""
    import select

    from sqlalchemy import event
    from sqlalchemy.exc import DisconnectionError

    dialect = engine.dialect

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if dbapi_connection.closed or dbapi_connection.broken:
            raise DisconnectionError("the connection to the server was lost")
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        if not readable:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the connection to the server was lost") from exc


def _bind_integers_wide(engine: Engine) -> None:
    """Integer parameters are sent without SQLAlchemy's ``::INTEGER`` cast: psycopg types
    each by its value (int2 … int8), so an id past 2**31 (a mistyped or hostile one)
    finds no row and is refused as not found, as on SQLite, instead of failing with
    "integer out of range". Columns stay ``integer``; ``int4 = int8`` uses their indexes;
    a value too large for a column is still refused by the server when it is stored."""
    from sqlalchemy import types

    class UncastInteger(types.Integer):
        render_bind_cast = False

    dialect = engine.dialect
    dialect.colspecs = {**dialect.colspecs, types.Integer: UncastInteger}  # type: ignore[misc]


def libpq_params(url: str) -> dict[str, Any]:
    """libpq's connection parameters for ``url`` (as SQLAlchemy reads it: ``+`` and ``%20``
    in the query are spaces), the query's options (``sslmode``, ``service``…) included."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    params: dict[str, Any] = {
        key: value
        for key, value in (
            ("host", u.host),
            ("port", u.port),
            ("user", u.username),
            ("password", u.password),
            ("dbname", u.database),
        )
        if value
    }
    for key, value in u.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    return params


def quote_ident(name: str) -> str:
    """``name`` as a PostgreSQL identifier, always quoted."""
    return '"' + name.replace('"', '""') + '"'


def _where(url: str) -> str:
    """ "the server at host:port" (or the socket / service the URL names)."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
    except Exception:  # an unparseable URL was refused before; be safe anyway
        return "the database server"
    service = u.query.get("service")
    if u.host:
        return f"the server at {u.host}:{u.port or 5432}"
    if service:
        return f"the server of service {service!r}"
    return "the local database server"


def describe_pg_error(where: str, url: str, exc: BaseException) -> str:
    """One readable sentence for what psycopg (or SQLAlchemy around it) raised."""
    from sqlalchemy.engine import make_url

    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    lowered = text.lower()
    sqlstate = getattr(orig, "sqlstate", None)
    try:
        u = make_url(url)
        user, database = u.username, u.database
    except Exception:
        user = database = None
    if sqlstate == "3D000" or ("database" in lowered and "does not exist" in lowered):
        name = f" named {database}" if database else " of that name"
        return (
            f"{where} cannot be opened: {_where(url)} has no database{name} (create it "
            f"first, e.g. with createdb {database or 'NAME'})."
        )
    if (
        sqlstate in ("28P01", "28000")
        or any(s in lowered for s in _AUTH)
        or ("role" in lowered and "does not exist" in lowered)
    ):
        who = f"user {user}" if user else "the user"
        return (
            f"{where} refused {who}: authentication failed (check the user name and the "
            "password in ~/.pgpass, PGPASSWORD or the service file)."
        )
    if "must be owner" in lowered:  # only DDL says so: a schema upgrade by a member
        return (
            f"{where} needs a schema upgrade that only the owner of its tables may make "
            f"({_first_line(text.split('[SQL', 1)[0].strip())}): ask whoever set it up "
            "(sprintdeck team init) to run sprintdeck init --db with this version of "
            "Sprintdeck. Nothing was changed."
        )
    if sqlstate == "42501" or "permission denied" in lowered:
        detail = text.split("[SQL", 1)[0].strip()
        return f"{where}: permission denied ({_first_line(detail)})."
    if any(s in lowered for s in _UNREACHABLE):
        return (
            f"{where} cannot be reached: {_where(url)} does not answer (is it running, and "
            "are the host and port right?)."
        )
    return f"{where} cannot be used: {_first_line(text.split('[SQL', 1)[0].strip())}"


def _first_line(text: str) -> str:
    text = text.removeprefix("FATAL: ").removeprefix("ERROR: ")
    for prefix in ("(psycopg.errors.", "(psycopg.OperationalError)", "(psycopg."):
        if text.startswith(prefix):
            text = text.split(")", 1)[-1].strip()
    if "FATAL:" in text:
        text = text.split("FATAL:", 1)[1].strip()
    return text[:300]


__all__ = ["MIGRATION_LOCK", "PostgresStorage", "describe_pg_error", "quote_ident"]
