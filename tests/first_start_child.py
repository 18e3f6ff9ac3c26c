"""Run by tests/test_first_start.py in a child process: the real entry point, then a report.

Once the main window has painted, prints one ``FIRSTSTART`` line of JSON (window title,
the project shown, the cards on its board, the modal dialog if one is up) and leaves. A
modal dialog that is still up after a few seconds (the start-up dialog offering a way out
of a problem) is reported the same way instead of waiting forever for a click.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

# This checkout's app, not whichever one the environment has installed: run as a script,
# the folder on sys.path is tests/, and an editable install may point at another tree.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

DEADLINE = time.monotonic() + float(os.environ.get("FIRSTSTART_TIMEOUT", "20"))


def report() -> None:
    app = QApplication.instance()
    assert app is not None
    modal = app.activeModalWidget()
    windows = [w for w in app.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
    if modal is None and not windows and time.monotonic() < DEADLINE:
        QTimer.singleShot(50, report)
        return
    if modal is None and windows and not _services_ready(windows[0]):
        QTimer.singleShot(50, report)
        return
    out: dict[str, object] = {"modal": None, "title": None}
    if modal is not None:
        out["modal"] = " ".join(label.text() for label in modal.findChildren(QLabel))
    if windows:
        window = windows[0]
        window.repaint()
        if os.environ.get("FIRSTSTART_SCREENSHOT"):
            window.grab().save(os.environ["FIRSTSTART_SCREENSHOT"])
        store = window.store
        out["title"] = window.windowTitle()
        out["project"] = store.project.key if store.project is not None else None
        out["cards"] = sum(1 for _ in store.cards())
        out["shown"] = sum(
            model.rowCount() for _c, _h, models in window.board.column_parts() for model in models
        )
    print("FIRSTSTART " + json.dumps(out), flush=True)
    os._exit(0)


def _services_ready(window: QMainWindow) -> bool:
    services = window._services  # the deferred first paint builds them after painting
    return bool(getattr(services, "ready", True))


app = QApplication(sys.argv[:1])
QTimer.singleShot(0, report)
from app.main import main  # noqa: E402 - after the QApplication, as the real start does

main(sys.argv[1:])
