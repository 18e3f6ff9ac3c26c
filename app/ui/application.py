"""Starts the GUI: the QApplication, the database (with a clear message if it cannot be
used), and the main window."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from app import __version__, config
from app.config import package_dir
from app.errors import DomainError


def log_path() -> Path:
    return config.user_data_dir() / "sprintdeck.log"


def install_exception_hook() -> None:
    """An unexpected error is logged to a file and explained in a dialog, instead of the
    app dying silently (Qt swallows exceptions raised in slots)."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        import traceback  # here: only an unexpected error needs it, not the start

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
            from PySide6.QtWidgets import QMessageBox

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

    Returns (url to open, read-only?) or None to quit. ``support`` is app.bootstrap's
    StartupSupport: checks, backups and restores without the UI touching the database.
    """
    from PySide6.QtWidgets import QMessageBox

    from app.ui.dialogs.startup_dialog import (
        NEW_DATABASE,
        OPEN_OTHER,
        READ_ONLY,
        RESTORE,
        StartupDialog,
    )

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
        if dialog.choice in (OPEN_OTHER, NEW_DATABASE) and dialog.path is not None:
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


def run_gui(
    url: str,
    open_runtime: Callable[..., Any],
    support: Any = None,
    demo_url: str | Callable[[], str] | None = None,
) -> int:
    """Show the window on ``url``. ``open_runtime`` is app.bootstrap's builder (the composition
    root), handed in so the UI layer never reaches for the database itself; ``support``
    (app.bootstrap.StartupSupport) adds the start-up check, its ways out, and the second-window
    notice. ``demo_url``: the database that gets the demo project when it is created (the
    default file on a first start), or a function that names it when the ordinary start-up
    asks (the first paint never does); any other new database starts empty.

    *File › Open database…* and *New database…* close the window and come back here with
    the chosen file: each database gets its own runtime, lock and window. If the chosen
    file cannot be used and the person gives up, the previous database opens again.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Sprintdeck")
    app.setOrganizationName("Sprintdeck")
    app.setApplicationVersion(__version__)
    app.setStyleSheet(load_stylesheet())
    app.setWindowIcon(QIcon(str(package_dir("resources") / "icons" / "sprintdeck.svg")))
    install_exception_hook()
    settings = make_settings()
    previous: str | None = None
    while True:
        requested: list[str] = []
        code, opened = _run_database(url, open_runtime, support, settings, demo_url, requested)
        if requested:
            previous, url = url, requested[-1]
        elif not opened and previous is not None:
            url, previous = previous, None  # gave up on the new file: back to the last one
        else:
            return code


def _run_database(
    url: str,
    open_runtime: Callable[..., Any],
    support: Any,
    settings: QSettings,
    demo_url: str | Callable[[], str] | None,
    requested: list[str],
) -> tuple[int, bool]:
    """One database's window, until it closes: (exit code, whether it opened at all).
    A database the window asks for is appended to ``requested``."""
    if support is not None and hasattr(support, "starting_services"):
        started = _start_painted_first(url, open_runtime, support, settings, requested)
        if started is not None:
            return started, True
        # None: the file needs the ordinary start-up, or the check after the first paint
        # found it damaged; either way the check and its dialog come next.
    read_only = False
    lock = None
    if support is not None:
        chosen = choose_database(url, support)
        if chosen is None:
            return 1, False
        url, read_only = chosen
    try:
        demo = demo_url() if callable(demo_url) else demo_url
        runtime = open_runtime(url, seed_demo_if_new=not read_only and url == demo)
    except DomainError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "Sprintdeck cannot open the database", str(exc))
        return 1, False
    if support is not None:
        lock = _take_lock(url, support)
    from app.ui.mainwindow import MainWindow

    window = MainWindow(
        runtime.services,
        settings,
        poll_external=runtime.feed.poll,
        database=_database_path(url, support, settings),
        connection_problem=lambda: runtime.feed.problem,
    )
    runtime.feed.wakeup = window.external_rang.emit
    _connect_requests(window, requested, support)
    if read_only:
        window.setWindowTitle(window.windowTitle() + " (read-only)")
    window.show()
    try:
        return app_exec(), True
    finally:
        _dispose(window)
        runtime.close()
        if lock is not None:
            lock.release()


def app_exec() -> int:
    app = QApplication.instance()
    assert app is not None
    return app.exec()


def _database_path(url: str, support: Any, settings: QSettings) -> Path | None:
    """The file behind ``url`` (shown in the title and remembered in Open Recent)."""
    if support is None or not hasattr(support, "path_of"):
        return None
    path = support.path_of(url)
    if path is not None:
        from app.ui.recent import remember_recent

        remember_recent(settings, path)
    return path


def _connect_requests(window: Any, requested: list[str], support: Any) -> None:
    """The window asks for another database file: note its URL and close the window."""

    def on_requested(path: str) -> None:
        chosen = Path(path)
        requested.append(
            support.url_for(chosen) if support is not None else f"sqlite:///{chosen.absolute()}"
        )
        window.close()

    window.database_requested.connect(on_requested)


def _dispose(window: QWidget) -> None:
    """Close and delete a window now, before its services' runtime is closed."""
    from PySide6.QtCore import QCoreApplication, QEvent

    if window.isVisible():
        window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _take_lock(url: str, support: Any, parent: QWidget | None = None) -> Any:
    """Hold the second-window lock; say so when another window has the file open."""
    lock, holder = support.lock(url)
    if holder:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(
            parent,
            "Sprintdeck: already open elsewhere",
            f"This database is already open in another Sprintdeck window ({holder}).\n\n"
            "You can use both: changes made in the other window appear here within "
            "seconds, and saving a card that was changed there meanwhile is refused "
            "instead of overwriting it.",
        )
    return lock


class _CheckRelay(QObject):
    """Carries the health check's report from its worker thread to the window's thread
    (a queued signal: the worker never touches a widget)."""

    checked = Signal(object)

    def emit_checked(self, report: object) -> None:
        try:
            self.checked.emit(report)
        except RuntimeError:
            pass  # the window (and this relay) is gone already: nobody is waiting


def _start_painted_first(
    url: str,
    open_runtime: Callable[..., Any],
    support: Any,
    settings: QSettings,
    requested: list[str],
) -> int | None:
    """Paint the first board from the first paint, before the services exist
    (app/startup.py: StartingServices), then run the health check in a worker thread and
    build the services once it says healthy; None when the database needs the ordinary
    start-up (also when that check found it damaged: the window closes, nothing was
    written, and the ordinary start-up shows why)."""
    runtimes: list[Any] = []

    def build(bus: object) -> Any:
        runtime = open_runtime(url, bus=bus)
        runtimes.append(runtime)
        return runtime.services

    services = support.starting_services(url, settings.value("board/project"), build)
    if services is None:
        return None
    from app.ui.mainwindow import MainWindow

    app = QApplication.instance()
    locks: list[Any] = []
    try:
        window = MainWindow(
            services,
            settings,
            poll_external=lambda: bool(runtimes) and runtimes[0].feed.poll(),
            database=_database_path(url, support, settings),
            connection_problem=lambda: runtimes[0].feed.problem if runtimes else None,
        )
    except DomainError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "Sprintdeck cannot open the database", str(exc))
        return 1

    damaged: list[Any] = []

    def checked(report: Any) -> None:
        if report.kind != "healthy":
            damaged.append(report)
            window.close()
            app.exit(1)
            return
        finish()

    relay = _CheckRelay(window)
    relay.checked.connect(checked)

    def start_check() -> None:
        services.check.start(relay.emit_checked)

    def finish() -> None:
        try:
            changed = services.finish()
        except DomainError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(window, "Sprintdeck cannot open the database", str(exc))
            app.exit(1)
            return
        if runtimes:
            runtimes[0].feed.wakeup = window.external_rang.emit
        window.time.refresh()  # the running timers: asked once the services exist
        if changed:  # another program wrote between the first read and now
            window.reload_projects()
            window.store.reload()
        locks.append(_take_lock(url, support, window))

    _connect_requests(window, requested, support)
    window.show()
    services.painted()  # the first paint's questions are asked: the rest is the services'
    # Bound to the window: if it is gone before the event loop ran (another database was
    # asked for), the check is not run, the services are not built and no lock is taken.
    # The check starts after the paint, so the first paint does not pay for it.
    QTimer.singleShot(0, window, start_check)
    try:
        code = app_exec()
        if damaged:
            return None
        if not services.ready and not requested and services.check.wait().kind != "healthy":
            # The loop ended before the check's verdict arrived (the window was closed at
            # once): nothing was built, so nothing was written; the verdict still stands.
            return None
        return code
    finally:
        if not services.ready:
            services.first_paint.close()
        _dispose(window)
        for runtime in runtimes:
            runtime.close()
        for lock in locks:
            if lock is not None:
                lock.release()
