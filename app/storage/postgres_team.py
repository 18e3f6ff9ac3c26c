"""``sprintdeck team init``: a PostgreSQL database set up for a team.

Two roles (neither logs in; people are granted them):

- the owner (``sprintdeck_owner``) owns the tables and sequences and makes the schema
  upgrades: whoever is a member of it upgrades the schema as it
  (:meth:`app.storage.postgres.PostgresStorage.migrating`);
- the member (``sprintdeck_member``) may SELECT, INSERT, UPDATE and DELETE rows of every
  table and use the sequences, for the tables there are and those a later upgrade adds
  (default privileges); it owns nothing, so it can neither drop nor alter a table.

Idempotent: a second run says what exists and changes nothing. Every step that changes
the roles or privileges runs in one transaction: refused half way, nothing is left.
"""

from __future__ import annotations

import re
from typing import Any

from app.errors import DatabaseProblem, ValidationError
from app.storage.postgres import PostgresStorage, quote_ident

OWNER = "sprintdeck_owner"
MEMBER = "sprintdeck_member"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_ROW_RIGHTS = ("SELECT", "INSERT", "UPDATE", "DELETE")


def _check_name(name: str, what: str) -> str:
    if not _ROLE_NAME.match(name):
        raise ValidationError(
            f"The {what} role name {name!r} must be lower-case letters, digits and _ "
            "(starting with a letter or _, at most 63)."
        )
    return name


def team_init(url: str, owner: str = OWNER, member: str = MEMBER) -> list[str]:
    """Create or upgrade the schema of the database at ``url`` and the two roles; the
    lines say what was done or what already was there."""
    from app.storage import storage_for

    storage = storage_for(url)
    if not isinstance(storage, PostgresStorage):
        raise ValidationError(
            "sprintdeck team init sets up a shared PostgreSQL database "
            "(--db postgresql+psycopg://user@host/dbname); a SQLite file needs none."
        )
    owner, member = _check_name(owner, "owner"), _check_name(member, "member")
    if owner == member:
        raise ValidationError("The owner and member roles must have different names.")
    lines: list[str] = []
    conn = storage.connect()
    try:
        with conn:
            _roles(conn, storage, owner, member, lines)
            _take_ownership(conn, storage, owner, lines)
        lines.append(_migrate(storage, owner))
        conn = storage.connect()
        with conn:
            _grant(conn, storage, owner, member, lines)
    except DatabaseProblem:
        raise
    except Exception as exc:  # psycopg's errors: one sentence, the password masked
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise DatabaseProblem(f"{storage.describe_error(exc)} Nothing was changed.") from exc
        raise
    return lines


def _one(conn: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


def _roles(conn: Any, storage: PostgresStorage, owner: str, member: str, lines: list[str]) -> None:
    me, superuser, createrole = conn.execute(
        "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    existing = {
        row[0]
        for row in conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", ([owner, member],)
        )
    }
    missing = [r for r in (owner, member) if r not in existing]
    if missing and not (superuser or createrole):
        raise DatabaseProblem(
            f"sprintdeck team init must create the role(s) {', '.join(missing)}, and the user "
            f"{me} may not create roles (it has neither CREATEROLE nor SUPERUSER). Run it as "
            f"a user who may (ask your database administrator, or ALTER ROLE {me} CREATEROLE); "
            "nothing was changed."
        )
    with conn.transaction():
        for role, does in (
            (owner, "owns the tables, upgrades the schema"),
            (member, "reads and writes rows"),
        ):
            if role in existing:
                lines.append(f"The role {role} exists.")
            else:
                conn.execute(f"CREATE ROLE {quote_ident(role)} NOLOGIN")
                lines.append(f"Created the role {role} ({does}).")
        if not superuser and not _one(
            conn, "SELECT pg_has_role(current_user, %s, 'MEMBER')", (owner,)
        ):
            conn.execute(f"GRANT {quote_ident(owner)} TO {quote_ident(me)}")
            lines.append(f"Granted {owner} to {me} (who upgrades the schema as {owner}).")
        schema = _one(conn, "SELECT current_schema()")
        if not _one(conn, "SELECT has_schema_privilege(%s, current_schema(), 'CREATE')", (owner,)):
            try:
                with conn.transaction():
                    target = f"SCHEMA {quote_ident(schema)} TO {quote_ident(owner)}"
                    conn.execute(f"GRANT USAGE, CREATE ON {target}")
            except Exception as exc:
                raise DatabaseProblem(
                    f"The user {me} cannot let {owner} create tables in the schema {schema} "
                    "(only the schema's owner can: in PostgreSQL 15 the database's owner). "
                    "Run team init as the database's owner or a superuser; nothing was changed."
                ) from exc
            lines.append(f"{owner} may create tables in the schema {schema}.")
        if not _one(conn, "SELECT has_schema_privilege(%s, current_schema(), 'USAGE')", (member,)):
            conn.execute(f"GRANT USAGE ON SCHEMA {quote_ident(schema)} TO {quote_ident(member)}")
            lines.append(f"{member} may use the schema {schema}.")


def _ours(conn: Any) -> list[tuple[str, str]]:
    """(name, owner) of the Sprintdeck tables in the schema (those of the models, the
    search index their triggers write, and alembic_version)."""
    from app.models import Base
    from app.models.search import SEARCH_TABLE

    names = [*Base.metadata.tables, SEARCH_TABLE, "alembic_version"]
    return [
        (row[0], row[1])
        for row in conn.execute(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) ORDER BY tablename",
            (names,),
        )
    ]


def _take_ownership(conn: Any, storage: PostgresStorage, owner: str, lines: list[str]) -> None:
    """Tables made before (a plain ``sprintdeck init``) become the owner role's."""
    others = [(name, who) for name, who in _ours(conn) if who != owner]
    if not others:
        return
    with conn.transaction():
        for name, _who in others:
            # The table's own sequences (its serial columns) move with it.
            conn.execute(f"ALTER TABLE {quote_ident(name)} OWNER TO {quote_ident(owner)}")
    lines.append(f"{owner} now owns the {len(others)} table(s) made before.")


def _migrate(storage: PostgresStorage, owner: str) -> str:
    """Create or upgrade the schema as the owner role (its tables are the owner's)."""
    from sqlalchemy import event

    from app.db import migrate

    engine = storage.create_engine()

    def as_owner(dbapi_connection: Any, _record: object) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {quote_ident(owner)}")
        dbapi_connection.commit()

    event.listen(engine, "connect", as_owner)
    try:
        done = migrate(engine)
        revision = _revision(engine)
    finally:
        engine.dispose()
    says = {
        "created": "The schema was created",
        "upgraded": "The schema was upgraded",
        "current": "The schema is current",
    }[done]
    return f"{says} (revision {revision}), owned by {owner}."


def _revision(engine: Any) -> str:
    with engine.connect() as connection:
        return str(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar())


def _grant(conn: Any, storage: PostgresStorage, owner: str, member: str, lines: list[str]) -> None:
    schema = _one(conn, "SELECT current_schema()")
    tables = [name for name, _who in _ours(conn)]
    lacking = [
        name
        for name in tables
        if not all(
            _one(conn, "SELECT has_table_privilege(%s, %s, %s)", (member, quote_ident(name), right))
            for right in _ROW_RIGHTS
        )
    ]
    sequences = [
        row[0]
        for row in conn.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
            "AND sequenceowner = %s AND NOT has_sequence_privilege(%s, "
            "quote_ident(schemaname) || '.' || quote_ident(sequencename), 'USAGE')",
            (owner, member),
        )
    ]
    defaults = _one(
        conn,
        "SELECT count(*) FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a "
        "WHERE d.defaclrole = %s::regrole AND d.defaclnamespace = current_schema()::regnamespace "
        "AND a.grantee = %s::regrole AND ((d.defaclobjtype = 'r' AND a.privilege_type = ANY(%s)) "
        "OR (d.defaclobjtype = 'S' AND a.privilege_type = 'USAGE'))",
        (quote_ident(owner), quote_ident(member), list(_ROW_RIGHTS)),
    )
    s, o, m = quote_ident(schema), quote_ident(owner), quote_ident(member)
    rights = ", ".join(_ROW_RIGHTS)
    with conn.transaction():
        conn.execute(f"SET LOCAL ROLE {o}")
        for name in lacking:
            conn.execute(f"GRANT {rights} ON TABLE {quote_ident(name)} TO {m}")
        for name in sequences:
            conn.execute(f"GRANT USAGE ON SEQUENCE {quote_ident(name)} TO {m}")
        if defaults != len(_ROW_RIGHTS) + 1:
            later = f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT"
            conn.execute(f"{later} {rights} ON TABLES TO {m}")
            conn.execute(f"{later} USAGE ON SEQUENCES TO {m}")
    if lacking or sequences:
        lines.append(
            f"{member} may now read and write the rows of {len(lacking)} table(s) and use "
            f"{len(sequences)} sequence(s)."
        )
    if defaults != len(_ROW_RIGHTS) + 1:
        lines.append(f"{member} may read and write the rows of the tables later upgrades add.")
    if not lacking and not sequences and defaults == len(_ROW_RIGHTS) + 1:
        lines.append(
            f"{member} may read and write every table's rows already; nothing was changed."
        )
    if _one(conn, "SELECT has_schema_privilege(%s, current_schema(), 'CREATE')", (member,)):
        lines.append(
            f"Note: {member} may create tables in the schema {schema} (every role may: PUBLIC "
            f"has CREATE there); REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC stops that."
        )
    from sqlalchemy.engine import make_url

    theirs = make_url(storage.url).set(username="alice", password=None)
    lines.append(
        f"Give each teammate the member role (GRANT {member} TO alice;); each then runs "
        f"sprintdeck --db {theirs.render_as_string(hide_password=True)}"
    )
