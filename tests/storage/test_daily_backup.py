"""The window's start takes at most one automatic backup a day; the CLI takes none."""

from __future__ import annotations

from pathlib import Path

from app import config
from app.bootstrap import open_runtime


def test_one_backup_a_day_when_the_window_starts(db_path: Path) -> None:
    url = "sqlite:///" + str(db_path)
    for _ in range(3):
        open_runtime(url, seed_demo_if_new=True).close()
    backups = sorted((config.user_data_dir() / "backups").glob("*-daily.db"))
    assert len(backups) == 1
    open_runtime(url).close()  # the command line does not add backups
    assert len(sorted((config.user_data_dir() / "backups").glob("*-daily.db"))) == 1
