"""Fixtures of the widget tests: isolated settings, message boxes captured instead of
blocking, and a window factory that closes what it made."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import Services


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes the app would show, captured instead of blocking the test."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []

    def capture(_parent: object, _title: str, text: str, *args: object, **kwargs: object) -> object:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", capture)
    monkeypatch.setattr(QMessageBox, "critical", capture)
    return shown


@pytest.fixture
def make_window(qtbot, settings_path: Path, messages: list[str]):  # type: ignore[no-untyped-def]
    """A factory for main windows on given services; every window is closed afterwards."""
    from PySide6.QtCore import QSettings

    from app.ui.application import load_stylesheet
    from app.ui.mainwindow import MainWindow

    windows = []

    def factory(services: Services, poll=None, scope: str | None = "all", problem=None):  # type: ignore[no-untyped-def]
        """``scope`` presets the remembered board scope: "all" cards (what most tests
        count), "active" sprint, or None to leave the settings as they are."""
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None and not app.styleSheet():
            app.setStyleSheet(load_stylesheet())
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        if scope is not None:
            settings.setValue("board/scope", scope)
        window = MainWindow(services, settings, poll_external=poll, connection_problem=problem)
        qtbot.addWidget(window)
        window.resize(1300, 800)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        windows.append(window)
        return window

    yield factory
    for window in windows:
        window.close()
