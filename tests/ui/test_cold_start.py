"""The window's first paint leaves out what it does not show (issue 19's demo cold start),
and what was left out still works the first time a person asks for it.

Each test starts the real entry point in a new process (modules imported by earlier tests
would hide a missing import in this one)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_runtime, run_window_child

# Imported when first used, never on the way to the first paint.
DEFERRED = (
    "app.ui.standup.view",
    "app.ui.standup.summary",
    "app.ui.dialogs.log_dialog",
    "app.ui.reports.export_files",
    "app.ui.comment_commands",
    "app.services.dto_rest",
    "zoneinfo",
    "platformdirs",
    "hashlib",
)

FIRST_PAINT = """
import sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
DEFERRED = {deferred!r}

def painted():
    window = next(w for w in app.topLevelWidgets() if isinstance(w, QMainWindow))
    window.repaint()
    print("LOADED", *sorted(m for m in DEFERRED if m in sys.modules), flush=True)
    print("TITLE", window.windowTitle(), flush=True)
    from PySide6.QtTest import QTest  # after the count: it imports traceback, unittest
    {after}
    app.quit()

QTimer.singleShot(0, painted)
from app.main import main
sys.exit(main(["--db", sys.argv[1]]))
"""


def _run(tmp_path: Path, after: str) -> dict[str, str]:
    path = tmp_path / "demo.db"
    make_runtime(path, demo=True).close()
    code = FIRST_PAINT.format(deferred=DEFERRED, after=after)
    done = run_window_child(code, path, tmp_path / "home")
    lines = {}
    for line in done.stdout.splitlines():
        head, _, rest = line.partition(" ")
        lines[head] = rest
    assert "LOADED" in lines, done.stderr
    return lines


def test_the_first_paint_imports_none_of_what_it_does_not_show(tmp_path: Path) -> None:
    lines = _run(tmp_path, "pass")
    assert lines["LOADED"] == ""  # none of DEFERRED
    assert lines["TITLE"].endswith("— demo.db — Sprintdeck")


def test_the_standup_shortcut_works_on_its_first_press(tmp_path: Path) -> None:
    """Ctrl+U, pressed once right after the first paint, opens the standup's start (its view
    and the dates it shows are imported then)."""
    after = """
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    QTest.keyClick(window.board, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    view = window.standup.view
    shown = view is not None and window.pages.currentWidget() is view
    print("STANDUP", shown, view.start_title.text() if view else "-", flush=True)
    print("SINCE", view.since_label.text() if view else "-", flush=True)
"""
    lines = _run(tmp_path, after)
    shown, _, title = lines["STANDUP"].partition(" ")
    assert shown == "True"
    assert title.startswith("Standup — ")
    assert lines["SINCE"].startswith(("Since the last standup", "No standup held yet"))


def test_a_deferred_dto_is_the_same_class_however_it_is_imported() -> None:
    """``from app.services.dto import ProjectSettings`` (as every caller writes it) gives
    app/services/dto_rest.py's class, once defined."""
    from app.services import dto, dto_rest
    from app.services.dto import LabelUsageDTO, ProjectSettings

    assert ProjectSettings is dto_rest.ProjectSettings is dto.ProjectSettings
    assert LabelUsageDTO(1, 2, "ui", "#fff", 3).cards == 3
    try:
        dto.NoSuchDTO  # noqa: B018 - the lookup is the test
    except AttributeError as exc:
        assert "NoSuchDTO" in str(exc)
    else:  # pragma: no cover - a failure
        raise AssertionError("an unknown name must raise AttributeError")
