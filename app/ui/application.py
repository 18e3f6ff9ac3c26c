"""Starts the GUI: the QApplication, the database (with a clear message if it cannot be
used), and the main window."""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__, config
from app.config import package_dir
from app.errors import DomainError


def log_path() -> Path:
    return config.user_data_dir() / "sprintdeck.log"


def install_exception_hook() -> None:
    """An unexpected error is logged to a file and explained in a dialog, instead of the
    app dying silently (Qt swallows exceptions raised in slots)."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        path = log_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(f"--- {dt.datetime.now(dt.UTC).isoformat()} Sprintdeck {__version__}\n")
                log.write("".join(traceback.format_exception(exc_type, exc, tb)))
        except OSError:
            pass
        sys.__excepthook__(exc_type, exc, tb)
        if QApplication.instance() is not None:
            QMessageBox.critical(
                None,
                "Sprintdeck: unexpected error",
                f"Something went wrong: {exc}\n\nNothing half-done was saved. The details "
                f"are in {path}; please include that file when you report this.",
            )

    sys.excepthook = hook


def load_stylesheet() -> str:
    try:
        return (package_dir("resources") / "style.qss").read_text(encoding="utf-8")
    except OSError:
        return ""


def make_settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Sprintdeck", "Sprintdeck"
    )


def run_gui(url: str, open_runtime: Callable[..., Any]) -> int:
    """Show the window on ``url``. ``open_runtime`` is app.main's builder (the composition
    root), handed in so the UI layer never reaches for the database itself."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Sprintdeck")
    app.setOrganizationName("Sprintdeck")
    app.setApplicationVersion(__version__)
    app.setStyleSheet(load_stylesheet())
    app.setWindowIcon(QIcon(str(package_dir("resources") / "icons" / "sprintdeck.svg")))
    install_exception_hook()
    try:
        runtime = open_runtime(url, seed_demo_if_new=True)
    except DomainError as exc:
        QMessageBox.critical(None, "Sprintdeck cannot open the database", str(exc))
        return 1
    from app.ui.main_window import MainWindow

    window = MainWindow(runtime.services, make_settings(), poll_external=runtime.probe.changed)
    window.show()
    try:
        return app.exec()
    finally:
        runtime.close()
