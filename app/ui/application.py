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

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

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


def choose_database(url: str, support: Any) -> tuple[str, bool] | None:
    """Check ``url`` before opening it; while it cannot be used, ask the user for a way out.

    Returns (url to open, read-only?) or None to quit. ``support`` is app.main's
    StartupSupport: checks, backups and restores without the UI touching the database.
    """
    from app.ui.startup_dialog import OPEN_OTHER, READ_ONLY, RESTORE, StartupDialog

    while True:
        report = support.check(url)
        read_only = support.is_read_only(url)
        if report.usable or (read_only and report.readable):
            return url, read_only
        dialog = StartupDialog(
            report.problem or report.summary,
            support.backups(url),
            can_read_only=report.readable and not read_only,
        )
        dialog.exec()
        if dialog.choice == OPEN_OTHER and dialog.path is not None:
            url = support.url_for(dialog.path)
        elif dialog.choice == RESTORE and dialog.path is not None:
            try:
                kept = support.restore(dialog.path, url)
            except (OSError, DomainError) as exc:
                QMessageBox.critical(None, "Sprintdeck: restore failed", str(exc))
                continue
            if kept:
                QMessageBox.information(
                    None,
                    "Sprintdeck: backup restored",
                    f"The backup {dialog.path.name} was restored. The damaged file was kept, "
                    f"unchanged, as {kept}.",
                )
        elif dialog.choice == READ_ONLY:
            url = support.read_only_url(url)
        else:
            return None


def run_gui(url: str, open_runtime: Callable[..., Any], support: Any = None) -> int:
    """Show the window on ``url``. ``open_runtime`` is app.main's builder (the composition
    root), handed in so the UI layer never reaches for the database itself; ``support``
    (app.main.StartupSupport) adds the start-up check, its ways out, and the second-window
    notice."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Sprintdeck")
    app.setOrganizationName("Sprintdeck")
    app.setApplicationVersion(__version__)
    app.setStyleSheet(load_stylesheet())
    app.setWindowIcon(QIcon(str(package_dir("resources") / "icons" / "sprintdeck.svg")))
    install_exception_hook()
    settings = make_settings()
    if support is not None and hasattr(support, "deferred_services"):
        started = _start_deferred(url, open_runtime, support, settings)
        if started is not None:
            return started
    read_only = False
    lock = None
    if support is not None:
        chosen = choose_database(url, support)
        if chosen is None:
            return 1
        url, read_only = chosen
    try:
        runtime = open_runtime(url, seed_demo_if_new=not read_only)
    except DomainError as exc:
        QMessageBox.critical(None, "Sprintdeck cannot open the database", str(exc))
        return 1
    if support is not None:
        lock = _take_lock(url, support)
    from app.ui.main_window import MainWindow

    window = MainWindow(runtime.services, settings, poll_external=runtime.probe.changed)
    if read_only:
        window.setWindowTitle(window.windowTitle() + " (read-only)")
    window.show()
    try:
        return app.exec()
    finally:
        runtime.close()
        if lock is not None:
            lock.release()


def _take_lock(url: str, support: Any, parent: QWidget | None = None) -> Any:
    """Hold the second-window lock; say so when another window has the file open."""
    lock, holder = support.lock(url)
    if holder:
        QMessageBox.information(
            parent,
            "Sprintdeck: already open elsewhere",
            f"This database is already open in another Sprintdeck window ({holder}).\n\n"
            "You can use both: changes made in the other window appear here within "
            "seconds, and saving a card that was changed there meanwhile is refused "
            "instead of overwriting it.",
        )
    return lock


def _start_deferred(
    url: str, open_runtime: Callable[..., Any], support: Any, settings: QSettings
) -> int | None:
    """Paint the first board before the services exist (app/startup.py), build them right
    after; None when the database needs the ordinary start-up."""
    runtimes: list[Any] = []

    def build(bus: object) -> Any:
        runtime = open_runtime(url, seed_demo_if_new=True, bus=bus)
        runtimes.append(runtime)
        return runtime.services

    services = support.deferred_services(url, settings.value("board/project"), build)
    if services is None:
        return None
    from app.ui.main_window import MainWindow

    app = QApplication.instance()
    locks: list[Any] = []
    try:
        window = MainWindow(
            services,
            settings,
            poll_external=lambda: bool(runtimes) and runtimes[0].probe.changed(),
        )
    except DomainError as exc:
        QMessageBox.critical(None, "Sprintdeck cannot open the database", str(exc))
        return 1

    def finish() -> None:
        try:
            changed = services.finish()
        except DomainError as exc:
            QMessageBox.critical(window, "Sprintdeck cannot open the database", str(exc))
            app.exit(1)
            return
        if changed:  # another program wrote between the first read and now
            window.reload_projects()
            window.store.reload()
        locks.append(_take_lock(url, support, window))

    window.show()
    QTimer.singleShot(0, finish)
    try:
        return app.exec()
    finally:
        for runtime in runtimes:
            runtime.close()
        for lock in locks:
            if lock is not None:
                lock.release()
