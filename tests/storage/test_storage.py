"""The storage seam (app/storage/__init__.py): one protocol, a module per engine, chosen by URL."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from app.errors import ValidationError
from app.storage import NO_BACKUPS, Storage, storage_for
from app.storage.postgres import PostgresStorage
from app.storage.server import ServerStorage
from app.storage.sqlite import SqliteStorage

SERVER = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def _members(cls: type) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("_")}


@pytest.mark.parametrize(
    "engine", [SqliteStorage, PostgresStorage, ServerStorage], ids=lambda c: c.__name__
)
def test_each_engine_has_every_member_of_the_protocol(engine: type) -> None:
    wanted = _members(Storage) - {"url", "path"}
    assert wanted <= {name for name in dir(engine) if not name.startswith("_")}  # inherited too
    for name in wanted:
        ours = inspect.signature(getattr(Storage, name)).parameters
        theirs = inspect.signature(getattr(engine, name)).parameters
        assert list(ours) == list(theirs), name


def test_the_engine_is_chosen_by_url(tmp_path: Path) -> None:
    sqlite = storage_for("sqlite:///" + str(tmp_path / "x.db"))
    assert isinstance(sqlite, SqliteStorage) and sqlite.path == tmp_path / "x.db"
    assert sqlite.describe() == f"The file {tmp_path / 'x.db'}"
    assert isinstance(storage_for(SERVER), PostgresStorage)
    for other in ("postgresql://h/db", "postgres://h/db?sslmode=require"):
        assert isinstance(storage_for(other), PostgresStorage)
        assert storage_for(other).url.startswith("postgresql+psycopg://h/db")
    assert isinstance(storage_for("mysql://h/db"), ServerStorage)


def test_a_server_database_assumes_no_file(tmp_path: Path) -> None:
    server = storage_for(SERVER)
    assert server.path is None and server.describe() == f"The database {SERVER}"
    assert not server.is_read_only() and server.read_only_url() == SERVER
    report = server.check(quick=True)  # nothing listens on port 1
    assert report.kind == "unreachable" and report.problem is not None
    assert "cannot be reached" in report.problem and "127.0.0.1:1" in report.problem
    assert server.damage() is None
    assert server.first_read(None) is None
    assert server.lock(tmp_path / "locks") is None
    assert server.backups(tmp_path) == []
    assert server.backup_into(tmp_path, "daily") is None
    with pytest.raises(ValidationError, match="server's own"):
        server.backup(tmp_path / "copy.db")
    with pytest.raises(ValidationError) as refused:
        server.restore_from(tmp_path / "copy.db", tmp_path)
    assert str(refused.value) == NO_BACKUPS


def test_a_memory_database_has_no_file_to_back_up(tmp_path: Path) -> None:
    memory = storage_for("sqlite://")
    assert memory.path is None and memory.lock(tmp_path) is None
    assert memory.backup_into(tmp_path, "manual") is None
    with pytest.raises(ValidationError, match="SQLite database files"):
        memory.backup(tmp_path / "copy.db")
