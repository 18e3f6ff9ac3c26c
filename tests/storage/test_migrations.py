"""Alembic migrations, the schema check at start, backups and the connection settings.

The tests of the migration path run on SQLite and PostgreSQL (the ``backend`` fixture,
tests/conftest.py); backups, files and pragmas are SQLite's own.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import app.db
import app.dburl
from app.bootstrap import Runtime, open_runtime
from app.db import (
    check_schema,
    create_db_engine,
    current_revision,
    head_revision,
    migrate,
    opened_engine,
)
from app.errors import DatabaseProblem
from app.models import Base
from app.models.search import include_name
from app.storage import storage_for
from tests import pg
from tests.helpers import database_rows, make_runtime


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


def files_beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def new_url(db_url: str) -> str:
    """A database with nothing in it: a SQLite file not made yet, or a PostgreSQL database
    without tables (what a server's administrator hands over)."""
    if pg.is_postgres(db_url):
        pg.create(db_url, empty=True)
    return db_url


def test_migrated_schema_matches_the_models(runtime: Runtime) -> None:
    with runtime.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": False,
                "include_name": include_name,  # the search index: triggers', not the models'
            },
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"migrations and models disagree: {diff}"


def test_migrations_create_every_model_table(runtime: Runtime) -> None:
    tables = set(inspect(runtime.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert current_revision(runtime.engine) == head_revision()


def test_new_database_is_created_then_current(new_url: str) -> None:
    first = open_runtime(new_url)
    first.close()
    assert first.migration == "created"
    second = open_runtime(new_url)
    second.close()
    assert second.migration == "current"


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    from alembic import command

    rt = make_runtime(db_url)
    rt.close()
    with opened_engine(db_url) as engine:
        with engine.connect() as connection:
            command.downgrade(app.db.alembic_config(connection), "base")
            connection.commit()
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert check_schema(engine) in ("empty", "outdated")
    rt = open_runtime(db_url)
    try:
        project = rt.services.projects.create_project("SD", "Back again")
        assert rt.services.cards.create_card(project.id, "works").key == "SD-1"
    finally:
        rt.close()


def test_newer_database_refused_and_untouched(db_url: str, backend: str, db_path: Path) -> None:
    rt = make_runtime(db_url)
    rt.services.projects.create_project("SD", "Mine")
    with rt.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE alembic_version SET version_num = 'ffff_from_the_future'"
        )
    rt.close()
    before = digest(db_path) if backend == "sqlite" else database_rows(db_url)
    listing = files_beside(db_path)
    with pytest.raises(DatabaseProblem) as info:
        open_runtime(db_url)
    message = str(info.value)
    assert "newer version" in message
    assert "ffff_from_the_future" in message
    assert (digest(db_path) if backend == "sqlite" else database_rows(db_url)) == before
    assert files_beside(db_path) == listing


def test_foreign_sqlite_database_refused_and_untouched(db_path: Path) -> None:
    connection = sqlite3.connect(db_path)
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO customers (name) VALUES ('ACME')")
    connection.commit()
    connection.close()
    before = digest(db_path)
    with pytest.raises(DatabaseProblem) as info:
        open_runtime(url(db_path))
    message = str(info.value)
    assert "not a Sprintdeck" in message
    assert "customers" in message
    assert digest(db_path) == before
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("SELECT name FROM customers").fetchall() == [("ACME",)]
    finally:
        connection.close()


def test_file_that_is_not_sqlite_refused_and_untouched(db_path: Path) -> None:
    db_path.write_bytes(bytes(range(256)) * 16)
    before = digest(db_path)
    with pytest.raises(DatabaseProblem, match="not a SQLite database"):
        open_runtime(url(db_path))
    assert digest(db_path) == before
    assert files_beside(db_path) == [db_path.name]


def _migrations_with_extra_revision(tmp_path: Path) -> Path:
    """A copy of the migrations with a harmless revision 0002 on top of the real head."""
    copy = tmp_path / "migrations"
    shutil.copytree(
        app.db.package_dir("migrations"), copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    head = head_revision()
    (copy / "versions" / "0002_test_extra.py").write_text(
        f'''"""test only: one extra column"""
import sqlalchemy as sa
from alembic import op

revision = "0002test"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("test_extra", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("test_extra")
''',
        encoding="utf-8",
    )
    return copy


def _use_migrations(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Point alembic (app.db) and the head-revision reader (app.dburl) at ``folder``."""
    real = app.db.package_dir

    def package_dir(name: str) -> Path:
        return folder if name == "migrations" else real(name)

    monkeypatch.setattr(app.db, "package_dir", package_dir)
    monkeypatch.setattr(app.dburl, "package_dir", package_dir)


def test_upgrade_takes_a_backup_first(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = make_runtime(db_path)
    project = rt.services.projects.create_project("SD", "Before the upgrade")
    rt.services.cards.create_card(project.id, "Survives")
    rt.close()
    old_head = head_revision()

    copy = _migrations_with_extra_revision(tmp_path)
    _use_migrations(monkeypatch, copy)
    assert head_revision() == "0002test"
    backups = tmp_path / "backups"
    with opened_engine(url(db_path)) as engine:
        assert check_schema(engine) == "outdated"
        assert migrate(engine, backup_dir=backups) == "upgraded"
        assert current_revision(engine) == "0002test"
        assert "test_extra" in inspect(engine).get_table_names()
    taken = list(backups.glob("*.db"))
    assert len(taken) == 1
    assert old_head in taken[0].name
    backup = sqlite3.connect(taken[0])
    try:
        assert backup.execute("SELECT version_num FROM alembic_version").fetchall() == [(old_head,)]
        assert backup.execute("SELECT key, name FROM project").fetchall() == [
            ("SD", "Before the upgrade")
        ]
        assert backup.execute("SELECT title FROM card").fetchall() == [("Survives",)]
    finally:
        backup.close()


def test_open_runtime_backs_up_into_user_data_folder(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _isolated_data_dir: Path
) -> None:
    rt = make_runtime(db_path)
    rt.close()
    copy = _migrations_with_extra_revision(tmp_path)
    _use_migrations(monkeypatch, copy)
    rt = open_runtime(url(db_path))
    rt.close()
    assert rt.migration == "upgraded"
    assert len(list((_isolated_data_dir / "backups").glob("sprintdeck-*.db"))) == 1


def test_backup_database_copies_rows(db_path: Path, tmp_path: Path) -> None:
    rt = make_runtime(db_path, demo=True)
    try:
        target = rt.storage.backup_into(tmp_path / "backups", "manual")
        assert target is not None and target.exists()
        live = sqlite3.connect(db_path)
        copy = sqlite3.connect(target)
        try:
            for table in ("project", "card", "history_event", "workflow_column", "member"):
                query = f"SELECT * FROM {table} ORDER BY id"
                assert copy.execute(query).fetchall() == live.execute(query).fetchall()
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            live.close()
            copy.close()
        # And the copy opens as a Sprintdeck database.
        other = open_runtime(url(target))
        try:
            project = other.services.projects.find_project("DEMO")
            assert len(other.services.cards.list_cards(project.id)) == len(
                rt.services.cards.list_cards(project.id)
            )
            assert other.migration == "current"
        finally:
            other.close()
    finally:
        rt.close()


def test_backups_keep_the_last_ten(db_path: Path, tmp_path: Path) -> None:
    rt = make_runtime(db_path)
    try:
        folder = tmp_path / "backups"
        folder.mkdir()
        for i in range(12):
            (folder / f"sprintdeck-2000010{i:02d}-000000-old.db").write_bytes(b"")
        rt.storage.backup_into(folder, "manual")
        kept = sorted(p.name for p in folder.glob("sprintdeck-*.db"))
        assert len(kept) == 10
        assert not any(name.startswith("sprintdeck-2000010") and name < kept[0] for name in kept)
        assert any("manual" in name for name in kept)
    finally:
        rt.close()


def test_backup_of_memory_database_is_none(tmp_path: Path) -> None:
    assert storage_for("sqlite://").backup_into(tmp_path / "b", "manual") is None


@pytest.mark.sqlite_only
def test_connection_pragmas(runtime: Runtime) -> None:
    with runtime.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_foreign_keys_enforced(runtime: Runtime) -> None:
    from sqlalchemy.exc import IntegrityError

    with runtime.engine.connect() as connection:
        with pytest.raises(IntegrityError):
            connection.exec_driver_sql(
                "INSERT INTO workflow_column (project_id, name, position, category, archived, "
                "version) VALUES (999999, 'x', 0, 'todo', FALSE, 1)"
            )
        connection.rollback()


def test_missing_folder_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseProblem, match="does not exist"):
        create_db_engine(url(tmp_path / "nope" / "x.db"))
