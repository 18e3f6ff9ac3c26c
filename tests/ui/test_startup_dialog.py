"""Start-up on a database that cannot be used: a dialog with ways out, never a traceback,
never a write to the damaged file; a second window is told, not refused."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app.bootstrap import StartupSupport, open_runtime
from app.db import opened_engine
from app.ui.application import run_gui
from app.ui.dialogs import startup_dialog
from app.ui.dialogs.startup_dialog import OPEN_OTHER, QUIT, READ_ONLY, RESTORE, StartupDialog
from tests.helpers import ROOT, make_runtime


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch, messages: list[str]) -> list[str]:
    def capture(_parent, _title, text, *a, **k):  # type: ignore[no-untyped-def]
        messages.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "information", capture)
    monkeypatch.setattr(QApplication, "exec", lambda *_a: 0)  # no event loop in tests
    return messages


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Script the start-up dialog: each entry is (choice, path) for one showing."""
    script: list[tuple[str, Path | None]] = []
    seen: list[StartupDialog] = []

    def fake_exec(self: StartupDialog) -> int:
        seen.append(self)
        self.choice, self.path = script.pop(0)
        return 1

    monkeypatch.setattr(startup_dialog.StartupDialog, "exec", fake_exec)
    return script, seen


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(4096 + 8, 4096 * 4):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged(db_path: Path, _isolated_data_dir: Path) -> Path:
    rt = make_runtime(db_path, demo=True)
    rt.storage.backup_into(_isolated_data_dir / "backups", "auto")
    rt.close()
    corrupt(db_path)
    return db_path


def test_damaged_file_quit_shows_reason_and_leaves_it_alone(
    qapp, damaged: Path, dialogs, shown: list[str]
) -> None:
    script, seen = dialogs
    script.append((QUIT, None))
    before = digest(damaged)
    assert run_gui("sqlite:///" + str(damaged), open_runtime, StartupSupport()) == 1
    assert "damaged" in seen[0].message.text()
    assert seen[0].backups.count() == 1 and seen[0].restore_button.isEnabled()
    assert not seen[0].read_only_button.isEnabled()
    assert digest(damaged) == before


def test_restore_latest_backup(qapp, damaged: Path, dialogs, shown: list[str]) -> None:
    script, _seen = dialogs
    before = digest(damaged)
    backups = StartupSupport().backups("sqlite:///" + str(damaged))
    script.append((RESTORE, backups[0]))
    assert run_gui("sqlite:///" + str(damaged), open_runtime, StartupSupport()) == 0
    kept = [p for p in damaged.parent.iterdir() if ".damaged-" in p.name and p.suffix != ""]
    kept = [p for p in kept if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and digest(kept[0]) == before  # the damaged bytes, untouched
    assert any("restored" in m for m in shown)
    rt = open_runtime("sqlite:///" + str(damaged))
    try:
        assert rt.services.projects.find_project("DEMO")
    finally:
        rt.close()


def test_open_another_file(qapp, damaged: Path, tmp_path: Path, dialogs, shown) -> None:  # type: ignore[no-untyped-def]
    script, _seen = dialogs
    other = tmp_path / "other" / "fine.db"
    other.parent.mkdir()
    script.append((OPEN_OTHER, other))
    assert run_gui("sqlite:///" + str(damaged), open_runtime, StartupSupport()) == 0
    assert other.exists()


def test_read_only_way_out_for_an_unwritable_file(
    qapp, db_path: Path, dialogs, shown, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import app.storage.sqlite_health as health

    rt = make_runtime(db_path, demo=True)
    rt.close()
    before = digest(db_path)

    class Usage:
        free = 10

    monkeypatch.setattr(health.shutil, "disk_usage", lambda _p: Usage())  # a full disk
    script, seen = dialogs
    script.append((READ_ONLY, None))
    assert run_gui("sqlite:///" + str(db_path), open_runtime, StartupSupport()) == 0
    assert "full" in seen[0].message.text() and seen[0].read_only_button.isEnabled()
    assert digest(db_path) == before


def test_dialog_lists_backups_newest_first(qapp, tmp_path: Path) -> None:
    older, newer = tmp_path / "sprintdeck-1.db", tmp_path / "sprintdeck-2.db"
    older.write_bytes(b"")
    newer.write_bytes(b"")
    import os

    os.utime(older, (1_000_000, 1_000_000))
    dialog = StartupDialog("broken", [newer, older], can_read_only=True)
    assert dialog.backups.count() == 2
    dialog.restore()
    assert dialog.choice == RESTORE and dialog.path == newer
    dialog.close()


def test_second_window_is_told(qapp, db_path: Path, shown: list[str]) -> None:
    support = StartupSupport()
    url = "sqlite:///" + str(db_path)
    first, holder = support.lock(url)
    assert first is not None and holder is None
    try:
        assert run_gui(url, open_runtime, support) == 0
        assert any("already open in another Sprintdeck window" in m for m in shown)
    finally:
        first.release()


def test_missing_folder_offers_ways_out(qapp, tmp_path: Path, dialogs, shown) -> None:  # type: ignore[no-untyped-def]
    script, seen = dialogs
    script.append((QUIT, None))
    assert (
        run_gui("sqlite:///" + str(tmp_path / "gone" / "x.db"), open_runtime, StartupSupport()) == 1
    )
    assert "does not exist" in seen[0].message.text()
    assert not (tmp_path / "gone").exists()


def test_newer_schema_is_refused_untouched(qapp, db_path: Path, dialogs, shown) -> None:  # type: ignore[no-untyped-def]
    rt = make_runtime(db_path)
    rt.close()
    with opened_engine("sqlite:///" + str(db_path)) as engine, engine.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num = 'zz_future'")
    before = digest(db_path)
    script, seen = dialogs
    script.append((QUIT, None))
    assert run_gui("sqlite:///" + str(db_path), open_runtime, StartupSupport()) == 1
    assert "newer version" in seen[0].message.text()
    assert digest(db_path) == before
    shutil.rmtree(db_path.parent / "nothing", ignore_errors=True)


CHILD = ROOT / "tests" / "damaged_start_child.py"


@pytest.mark.slow
def test_a_damaged_file_painted_first_gets_no_write_and_the_damage_dialog(
    db_path: Path, _isolated_data_dir: Path
) -> None:
    """Damage the page check finds but the first read does not touch: the window paints
    the board from the first read, the check (in its worker thread, after the paint) says
    damaged, the window closes, the damage dialog explains, and the file is unchanged.

    The whole window runs in a child process (tests/damaged_start_child.py): the
    application it leaves behind broke the window tests run after it in the same process.
    """
    rt = make_runtime(db_path, demo=True)
    rt.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'risk'").fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    data = bytearray(db_path.read_bytes())
    data[(root - 1) * page_size] = 0x77  # not a b-tree page: only quick_check notices
    db_path.write_bytes(bytes(data))
    before = (db_path.read_bytes(), db_path.stat().st_mtime_ns)
    done = subprocess.run(
        [sys.executable, str(CHILD), str(db_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=ROOT,
        timeout=120,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("DAMAGEDSTART ")), None)
    assert line is not None, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(line.removeprefix("DAMAGEDSTART "))
    assert Path(report["app"]).is_relative_to(ROOT)  # this checkout's code, not another's
    assert done.returncode == report["code"] == 1
    ((title, cards),) = report["painted"]
    assert "Payments Platform" in title and cards > 10
    assert len(report["dialogs"]) == 1 and "damaged" in report["dialogs"][0]
    assert report["visible"] == []
    assert (db_path.read_bytes(), db_path.stat().st_mtime_ns) == before
    assert not report["wal"] and not db_path.with_name(db_path.name + "-wal").exists()
