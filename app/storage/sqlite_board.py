"""The board read on SQLite: app/storage/dbapi_board.py with the ``sqlite3`` flavour.

Standard library and DTOs only, so that the first paint can use it before SQLAlchemy is
imported (app/startup.py)."""

from __future__ import annotations

import sqlite3

from app.services.dto import BoardDTO, ProjectDTO
from app.storage import dbapi_board
from app.storage.dbapi_board import _utc


def read_projects(conn: sqlite3.Connection) -> list[ProjectDTO]:
    """The projects that are not archived, by key (as ProjectService.list_projects)."""
    return dbapi_board.read_projects(conn, dbapi_board.SQLITE)


def read_board(conn: sqlite3.Connection, project_id: int) -> BoardDTO:
    """The board of one project, read in one go on ``conn`` (inside a transaction)."""
    return dbapi_board.read_board(conn, project_id, dbapi_board.SQLITE)


__all__ = ["_utc", "read_board", "read_projects"]
