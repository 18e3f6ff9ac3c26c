"""Is this database usable? The use case behind ``sprintdeck check`` and the window's start-up.

The checks themselves are the engine's (:meth:`app.storage.Storage.check`; for SQLite,
app/storage/sqlite_health.py): nothing here knows what a file is. No Qt, no SQLAlchemy.
"""

from __future__ import annotations

from app.storage import USABLE_KINDS, HealthReport, storage_for

__all__ = ["USABLE_KINDS", "HealthReport", "check_database"]


def check_database(url: str, quick: bool = False) -> HealthReport:
    """Check the database at ``url`` without writing to it.

    ``quick`` is the window's start-up check (SQLite: ``PRAGMA quick_check``), else the
    thorough one (``integrity_check``).
    """
    return storage_for(url).check(quick=quick)
