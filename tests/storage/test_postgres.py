"""PostgreSQL through the storage seam (app/storage/postgres.py), on a real server.

The server is ``SPRINTDECK_TEST_PG`` (tests/pg.py finds it, else says how to get one);
each test makes its own database (``sdtest_<uuid>``) and drops it, and each role it makes
has a name of its own, dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.bootstrap import open_runtime
from app.db import create_db_engine, migrate
from app.dburl import head_revision
from app.errors import DatabaseProblem
from app.models import Base
from app.models.project import Project
from app.models.search import include_name
from app.storage import storage_for
from app.storage.postgres import MIGRATION_LOCK, PostgresStorage
from app.storage.postgres_team import team_init
from tests import pg

ROOT = Path(__file__).resolve().parents[2]


def admin() -> psycopg.Connection:
    """A connection of this test's own to the server's maintenance database."""
    url = make_url(pg.server_url())
    return psycopg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False),
        autocommit=True,
    )


def libpq(url: str) -> str:
    """``url`` as a libpq connection string (keywords, as app.storage.postgres reads it)."""
    from psycopg.conninfo import make_conninfo

    from app.storage.postgres import libpq_params

    return make_conninfo("", **libpq_params(url))


@pytest.fixture
def url() -> Iterator[str]:
    """A database of this test's own with no tables (what an administrator hands over)."""
    made = pg.new_url()
    pg.create(made, empty=True)
    try:
        yield made
    finally:
        pg.drop(made)


def snapshot(url: str) -> list[tuple[object, ...]]:
    """Every table's columns and types, and each table's row count."""
    with psycopg.connect(libpq(url)) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, data_type, collation_name "
            "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
        ).fetchall()
        tables = sorted({row[0] for row in columns})
        counts = [
            (t, conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # type: ignore[index]
            for t in tables
        ]
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    return [*columns, *counts, *version]


def test_init_creates_the_schema_the_models_describe(url: str) -> None:
    storage = storage_for(url)
    assert isinstance(storage, PostgresStorage)
    assert storage.check().kind == "new"
    runtime = open_runtime(url)
    try:
        assert runtime.migration == "created"
        assert set(Base.metadata.tables) <= set(inspect(runtime.engine).get_table_names())
        with runtime.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": False,
                    "include_name": include_name,  # the search index: triggers', not the models'
                },
            )
            assert compare_metadata(context, Base.metadata) == []
        project = runtime.services.projects.create_project("SD", "Shared")
        assert runtime.services.cards.create_card(project.id, "first").key == "SD-1"
    finally:
        runtime.close()
    report = storage.check()
    assert report.kind == "healthy" and report.revision == head_revision()
    assert report.counts["card"] == 1
    again = open_runtime(url)
    again.close()
    assert again.migration == "current"


def test_downgrade_to_base_and_upgrade_again(url: str) -> None:
    from alembic import command

    import app.db

    engine = create_db_engine(url)
    try:
        assert migrate(engine) == "created"
        with engine.connect() as connection:
            command.downgrade(app.db.alembic_config(connection), "base")
            connection.commit()
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrate(engine) == "created"
    finally:
        engine.dispose()


def test_naive_times_become_aware_in_the_upgrade(url: str) -> None:
    from alembic import command

    import app.db

    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            command.upgrade(app.db.alembic_config(connection), "0005")
            connection.commit()
    finally:
        engine.dispose()
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("SET TimeZone = 'Asia/Tokyo'")
        conn.execute(
            "INSERT INTO project (key, name, methodology, description, time_zone, "
            "working_weekdays, currency, next_card_number, archived, created_at, version) "
            "VALUES ('OLD', 'Old', 'scrum', '', 'UTC', 31, 'EUR', 1, false, "
            "'2026-01-01 12:00:00', 1)"
        )
    runtime = open_runtime(url)
    try:
        assert runtime.migration == "upgraded"
        with Session(runtime.engine) as session:
            created = session.scalars(select(Project.created_at)).one()
    finally:
        runtime.close()
    assert created == dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def test_a_newer_schema_is_refused_untouched(url: str) -> None:
    runtime = open_runtime(url)
    runtime.services.projects.create_project("SD", "Mine")
    runtime.close()
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    before = snapshot(url)
    with pytest.raises(DatabaseProblem) as refused:
        open_runtime(url)
    assert "newer version" in str(refused.value)
    assert "ffff_from_the_future" in str(refused.value)
    report = storage_for(url).check()
    assert report.kind == "newer" and not report.usable
    assert snapshot(url) == before


def test_a_foreign_database_is_refused_untouched(url: str) -> None:
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text)")
        conn.execute("INSERT INTO customers (name) VALUES ('ACME')")
    before = snapshot_foreign(url)
    assert storage_for(url).check().kind == "foreign"
    with pytest.raises(DatabaseProblem, match="not a Sprintdeck one"):
        open_runtime(url)
    assert snapshot_foreign(url) == before


def snapshot_foreign(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(libpq(url)) as conn:
        return conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "UNION ALL SELECT name FROM customers ORDER BY 1"
        ).fetchall()


CHILD = (
    "import sys\n"
    "from app.bootstrap import open_runtime\n"
    "runtime = open_runtime(sys.argv[1])\n"
    "print(runtime.migration)\n"
    "runtime.close()\n"
)


def test_two_clients_that_start_at_once_migrate_once(url: str, tmp_path: Path) -> None:
    """Both wait on the migration lock (held here until both are queued behind it): one
    creates the schema, the other finds it current."""
    name = make_url(url).database
    env = {**os.environ, "SPRINTDECK_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    with psycopg.connect(libpq(url), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        children = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, url],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            with admin() as watcher:
                waiting = 0
                deadline = time.monotonic() + 120  # a wait for an event, not an assertion
                while waiting < 2 and time.monotonic() < deadline:
                    if any(child.poll() is not None for child in children):
                        break
                    waiting = watcher.execute(
                        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = "
                        "l.database WHERE l.locktype = 'advisory' AND NOT l.granted "
                        "AND d.datname = %s",
                        (name,),
                    ).fetchone()[0]  # type: ignore[index]
                    time.sleep(0.05)
        finally:
            holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        results = [child.communicate(timeout=300) for child in children]
    assert waiting == 2, [r[1] for r in results]
    assert [child.returncode for child in children] == [0, 0], [r[1] for r in results]
    assert sorted(out.strip() for out, _err in results) == ["created", "current"]
    with psycopg.connect(libpq(url)) as conn:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert versions == [(head_revision(),)]


def test_rank_keys_compare_byte_wise_whatever_the_locale() -> None:
    """In a database whose collation puts 'a' before 'B', ranks still sort as Python does."""
    made = pg.new_url()
    name = make_url(made).database
    with admin() as conn:
        conn.execute(
            f'CREATE DATABASE "{name}" TEMPLATE template0 LOCALE_PROVIDER icu '
            "ICU_LOCALE 'en' LOCALE 'C.UTF-8'"
        )
    try:
        with psycopg.connect(libpq(made)) as conn:
            assert conn.execute("SELECT 'a' < 'B'").fetchone() == (True,)  # the locale's order
        runtime = open_runtime(made)
        try:
            project = runtime.services.projects.create_project("SD", "Ranks")
            keys = ["a", "B", "a0", "Zz", "0", "b", "A"]
            for key in keys:
                runtime.services.cards.create_card(project.id, f"card {key}")
        finally:
            runtime.close()
        with psycopg.connect(libpq(made)) as conn:
            ids = [row[0] for row in conn.execute("SELECT id FROM card ORDER BY id")]
            for card_id, key in zip(ids, keys, strict=True):
                conn.execute("UPDATE card SET rank = %s WHERE id = %s", (f"~{key}", card_id))
            for card_id, key in zip(ids, keys, strict=True):
                conn.execute("UPDATE card SET rank = %s WHERE id = %s", (key, card_id))
            ordered = [row[0] for row in conn.execute("SELECT rank FROM card ORDER BY rank")]
            above = [r[0] for r in conn.execute("SELECT rank FROM card WHERE rank > 'B'")]
            collation = conn.execute(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'card' AND column_name = 'rank'"
            ).fetchone()
        assert ordered == sorted(keys)
        assert sorted(above) == sorted(k for k in keys if k > "B")
        assert collation == ("C",)
    finally:
        pg.drop(made)


def test_times_round_trip_aware_whatever_the_session_zone(url: str) -> None:
    zoned = make_url(url).update_query_dict({"options": "-c TimeZone=America/New_York"})
    runtime = open_runtime(zoned.render_as_string(hide_password=False))
    try:
        moment = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        with Session(runtime.engine) as session:
            session.add(Project(key="TZ", name="Zones", created_at=moment))
            session.commit()
        with Session(runtime.engine) as session:
            back = session.scalars(select(Project.created_at)).one()
        project = runtime.services.projects.create_project("NOW", "Now")
        card = runtime.services.cards.create_card(project.id, "now")
        fetched = runtime.services.cards.get_card(card.id)
    finally:
        runtime.close()
    assert back == moment and back.utcoffset() == dt.timedelta(0)
    assert fetched.created_at.utcoffset() == dt.timedelta(0)
    assert abs(fetched.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)
    with psycopg.connect(libpq(url)) as conn:
        kind = conn.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'project' AND column_name = 'created_at'"
        ).fetchone()
        utc = conn.execute("SELECT created_at AT TIME ZONE 'UTC' FROM project WHERE key = 'TZ'")
        assert utc.fetchone() == (dt.datetime(2026, 3, 28, 23, 30),)
    assert kind == ("timestamp with time zone",)


def _as_role(url: str, role: str) -> str:
    """``url`` connecting as the same user but acting as ``role`` (libpq's options)."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-c role={role}"})
        .render_as_string(hide_password=False)
    )


def test_team_init_makes_an_owner_and_a_member_that_cannot_drop_tables(url: str) -> None:
    tag = uuid.uuid4().hex[:10]
    owner, member, person = f"sdtest_o_{tag}", f"sdtest_m_{tag}", f"sdtest_p_{tag}"
    try:
        first = team_init(url, owner=owner, member=member)
        assert f"Created the role {owner} (owns the tables, upgrades the schema)." in first
        assert any("schema was created" in line for line in first)
        second = team_init(url, owner=owner, member=member)
        assert f"The role {owner} exists." in second and f"The role {member} exists." in second
        assert any("nothing was changed" in line for line in second)
        assert not any(line.startswith(("Created", "Granted")) for line in second)
        with psycopg.connect(libpq(url)) as conn:
            owners = conn.execute(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
            conn.execute(f'CREATE ROLE "{person}" NOLOGIN IN ROLE "{member}"')
        assert owners == [(owner,)]

        runtime = open_runtime(_as_role(url, person))
        try:
            assert runtime.migration == "current"
            project = runtime.services.projects.create_project("TEAM", "Shared board")
            card = runtime.services.cards.create_card(project.id, "written by a member")
            assert card.key == "TEAM-1"
            # The card's search row was written by the trigger as the member; the owner
            # may not create extensions in this database, so the search runs without the
            # pg_trgm index, by LIKE over the table.
            assert runtime.services.search.matching(project.id, "BY A MEMBER") == {card.id}
            with runtime.engine.connect() as connection:
                indexes = connection.exec_driver_sql(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'card_search'"
                ).scalars()
                assert "ix_card_search_body" not in set(indexes)
        finally:
            runtime.close()
        with psycopg.connect(libpq(_as_role(url, person))) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("DROP TABLE card")
            conn.rollback()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("ALTER TABLE card ADD COLUMN x integer")
            conn.rollback()
            assert conn.execute("SELECT count(*) FROM card").fetchone() == (1,)
    finally:
        with admin() as conn:  # now, not behind the tests: the roles go after it
            name = make_url(url).database
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in (person, member, owner):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


SECRET = "s3cret-Pw_9"


@pytest.mark.parametrize(
    "where",
    ["unreachable", "no_database", "bad_user"],
)
def test_a_password_in_the_url_never_appears_in_a_message(where: str, tmp_path: Path) -> None:
    base = make_url(pg.server_url()).set(password=SECRET)
    target = {
        "unreachable": base.set(host="127.0.0.1", port=1),
        "no_database": base.set(database=f"sdtest_none_{uuid.uuid4().hex[:8]}"),
        "bad_user": base.set(username=f"sdtest_nobody_{uuid.uuid4().hex[:8]}"),
    }[where].render_as_string(hide_password=False)
    storage = storage_for(target)
    assert SECRET not in storage.describe() and "***" in storage.describe()
    report = storage.check()
    assert not report.usable and report.problem and SECRET not in report.problem
    assert "***" in report.problem
    with pytest.raises(DatabaseProblem) as refused:
        open_runtime(target)
    assert SECRET not in str(refused.value)
    env = {**os.environ, "SPRINTDECK_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    for args in (["check"], ["card", "list", "--project", "SD"], ["team", "init"]):
        done = subprocess.run(
            [sys.executable, "-m", "app", *args, "--db", target],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert SECRET not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    written = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert SECRET not in written


def test_urls_are_opened_with_psycopg_and_shown_without_their_password() -> None:
    from app.config import resolve_db_url
    from app.dburl import mask_password, postgres_url

    assert postgres_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert postgres_url("postgresql://h/db?sslmode=require") == (
        "postgresql+psycopg://h/db?sslmode=require"
    )
    assert resolve_db_url("postgres://ana@h:5433/db") == "postgresql+psycopg://ana@h:5433/db"
    assert mask_password("postgresql+psycopg://ana:p%40ss@h/db") == (
        "postgresql+psycopg://ana:***@h/db"
    )
    assert mask_password("postgresql://h/db?sslmode=require&password=x") == (
        "postgresql://h/db?sslmode=require&password=***"
    )
    assert storage_for("postgresql://ana:pw@h/db").describe() == (
        "The database postgresql+psycopg://ana:***@h/db"
    )
    params = storage_for("postgresql://ana@h/db?options=-c+role%3Dx&service=team")
    from app.storage.postgres import libpq_params

    assert libpq_params(params.url) == {
        "host": "h",
        "user": "ana",
        "dbname": "db",
        "options": "-c role=x",
        "service": "team",
    }
