"""Is this PostgreSQL database usable? (:meth:`app.storage.postgres.PostgresStorage.check`)

One short connection (``connect_timeout``), read-only queries, nothing written. Kinds:
``healthy``, ``new`` (an empty database: init creates the schema), ``outdated`` (upgraded
on the next start), ``newer`` (a newer Sprintdeck wrote it: refused untouched),
``foreign`` (tables, but not Sprintdeck's), and, when it cannot be opened at all,
``unreachable``, ``no_database``, ``auth_failed``, ``permission_denied``, ``unusable``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.dburl import head_revision
from app.errors import DatabaseProblem
from app.storage import HealthReport
from app.storage.postgres import COUNTED

if TYPE_CHECKING:
    from app.storage.postgres import PostgresStorage


def _kind_of(problem: str) -> str:
    if "cannot be reached" in problem:
        return "unreachable"
    if "has no database" in problem:
        return "no_database"
    if "authentication failed" in problem:
        return "auth_failed"
    if "permission denied" in problem:
        return "permission_denied"
    return "unusable"


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from app.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def check_database(storage: PostgresStorage) -> HealthReport:
    """The verdict on ``storage``'s database, from one short read-only connection."""
    url, where = storage.url, storage.describe()

    def report(kind: str, problem: str | None, summary: str = "", **kw: object) -> HealthReport:
        return HealthReport(url, None, kind, problem, summary or problem or "", **kw)  # type: ignore[arg-type]

    try:
        conn = storage.connect()
    except DatabaseProblem as exc:
        return report(_kind_of(str(exc)), str(exc))
    import psycopg

    try:
        with conn:
            conn.read_only = True
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            }
            revision = None
            if "alembic_version" in tables:
                rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
                revision = rows[0][0] if len(rows) == 1 else None
            counts = {
                table: int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # type: ignore[index]
                for table in COUNTED
                if table in tables and revision is not None
            }
            server = conn.info.parameter_status("server_version") or "?"
    except psycopg.Error as exc:
        problem = storage.describe_error(exc)
        return report(_kind_of(problem), problem)
    if not tables or (tables == {"alembic_version"} and revision is None):
        return report(
            "new", None, f"{where} is empty: not a Sprintdeck database yet (init creates one)."
        )
    if revision is None:
        return report(
            "foreign",
            f"{where} is a database but not a Sprintdeck one (it holds tables such as "
            f"{', '.join(sorted(tables)[:3])}).",
        )
    head = head_revision()
    if revision != head and revision not in _known_revisions():
        return report(
            "newer",
            f"{where} was written by a newer version of Sprintdeck (schema revision "
            f"{revision}); this version cannot use it. Please update Sprintdeck.",
            revision=revision,
        )
    state = "current" if revision == head else f"older; upgraded to {head} on next start"
    summary = (
        f"schema {revision} ({state}), {counts.get('project', 0)} project(s), "
        f"{counts.get('card', 0)} card(s), {counts.get('sprint', 0)} sprint(s), "
        f"{counts.get('history_event', 0)} history event(s), PostgreSQL {server}"
    )
    kind = "healthy" if revision == head else "outdated"
    return report(kind, None, summary, revision=revision, counts=counts)
