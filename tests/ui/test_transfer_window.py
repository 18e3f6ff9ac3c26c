"""File menu: export the board or backlog as CSV, import a Trello board."""

from __future__ import annotations

import csv

from PySide6.QtWidgets import QFileDialog

from tests.helpers import ROOT
from tests.ui.helpers import keys_in

FIXTURES = ROOT / "tests" / "fixtures"


def test_export_board_as_csv_writes_what_the_board_shows(
    demo, make_window, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    window.type_combo.setCurrentIndex(window.type_combo.findData("bug"))
    target = tmp_path / "board.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.export_board_csv_action.trigger()
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    shown = [k for n in ("To Do", "In Progress", "In Review", "Done") for k in keys_in(window, n)]
    assert sorted(r["key"] for r in rows) == sorted(shown)
    assert rows and all(r["type"] == "bug" for r in rows)


def test_export_to_an_unwritable_place_is_explained(
    demo, make_window, tmp_path, monkeypatch, messages
) -> None:  # type: ignore[no-untyped-def]
    window = make_window(demo)
    target = tmp_path / "missing-folder" / "board.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.export_backlog_csv_action.trigger()
    assert messages and messages[-1] == (
        f"Cannot write {target}: the folder {target.parent} does not exist."
    )
    assert not target.exists()


def test_export_never_writes_over_the_open_database(
    tmp_path, make_window, monkeypatch, messages
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    from app.ui.mainwindow import MainWindow
    from tests.helpers import make_runtime

    db = tmp_path / "board.db"
    rt = make_runtime(db, demo=True)
    try:
        before = db.read_bytes()
        window = MainWindow(
            rt.services,
            QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
            database=db,
        )
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(db), ""))
        window.export_board_csv_action.trigger()
        assert messages and "is the database in use" in messages[-1]
        assert db.read_bytes() == before
        window.close()
    finally:
        rt.close()
