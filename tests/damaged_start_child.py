"""Run by tests/ui/test_startup_dialog.py in a child process: the whole window on a damaged
SQLite file (``argv[1]``), then a report.

The start-up dialog is answered "Quit" as a person would (its ``exec`` records the message
it shows and returns at once); the main loop is the real one, wrapped only to note what
the window painted before the check's verdict. Prints one ``DAMAGEDSTART`` line of JSON
and exits with ``run_gui``'s exit code. In a process of its own because the application
object it leaves behind would break the window tests run after it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# This checkout's app, not whichever one the environment has installed: run as a script,
# the folder on sys.path is tests/, and an editable install may point at another tree.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import app as package
from app.bootstrap import StartupSupport, open_runtime
from app.ui import application
from app.ui.application import run_gui
from app.ui.dialogs import startup_dialog
from app.ui.dialogs.startup_dialog import QUIT, StartupDialog

painted: list[tuple[str, int]] = []
dialogs: list[str] = []
loops: list[list[str]] = []  # the visible top-level windows each time the main loop ran
real_exec = application.app_exec


def exec_and_look() -> int:
    """The real main loop, after noting the window's title and cards as painted."""
    app = QApplication.instance()
    assert app is not None
    loops.append([type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()])
    window = next((w for w in app.topLevelWidgets() if hasattr(w, "store")), None)
    if window is not None and window.isVisible():
        window.repaint()
        painted.append((window.windowTitle(), len(window.store.held_cards())))
    QTimer.singleShot(30_000, app.quit)  # a safety net: never hang the test
    return real_exec()


def answer_quit(self: StartupDialog) -> int:
    dialogs.append(self.message.text())
    self.choice, self.path = QUIT, None
    return 1


application.app_exec = exec_and_look
startup_dialog.StartupDialog.exec = answer_quit  # type: ignore[method-assign]

app = QApplication(sys.argv[:1])
code = run_gui("sqlite:///" + sys.argv[1], open_runtime, StartupSupport())
report = {
    "app": package.__file__,
    "code": code,
    "painted": painted,
    "dialogs": dialogs,
    "loops": loops,
    "visible": [w.objectName() or type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()],
    "wal": os.path.exists(sys.argv[1] + "-wal"),
}
print("DAMAGEDSTART " + json.dumps(report), flush=True)
os._exit(code)
