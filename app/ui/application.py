"""Starts the GUI: the QApplication, the database (with a clear message if it cannot be
used), and the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__
from app.db import package_dir
from app.errors import DomainError


def load_stylesheet() -> str:
    try:
        return (package_dir("resources") / "style.qss").read_text(encoding="utf-8")
    except OSError:
        return ""


def make_settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Sprintdeck", "Sprintdeck"
    )


def run_gui(url: str) -> int:
    from app.main import open_runtime

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Sprintdeck")
    app.setOrganizationName("Sprintdeck")
    app.setApplicationVersion(__version__)
    app.setStyleSheet(load_stylesheet())
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
