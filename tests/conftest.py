"""Test configuration: offscreen Qt, an isolated user data folder, database fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["SPRINTDECK_USER"] = "tester"

from app.main import Runtime
from app.services import Services
from tests.helpers import make_runtime


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Nothing a test does touches the real user data folder or the real settings."""
    data = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("SPRINTDECK_DATA_DIR", str(data))
    monkeypatch.delenv("SPRINTDECK_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(data / "config"))
    return data


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sprintdeck.db"


@pytest.fixture
def runtime(db_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(db_path)
    yield rt
    rt.close()


@pytest.fixture
def services(runtime: Runtime) -> Services:
    return runtime.services


@pytest.fixture
def demo_runtime(db_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(db_path, demo=True)
    yield rt
    rt.close()


@pytest.fixture
def demo(demo_runtime: Runtime) -> Services:
    return demo_runtime.services


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
    from app.ui.main_window import MainWindow

    windows = []

    def factory(services: Services, poll=None, scope: str | None = "all"):  # type: ignore[no-untyped-def]
        """``scope`` presets the remembered board scope: "all" cards (what most tests
        count), "active" sprint, or None to leave the settings as they are."""
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None and not app.styleSheet():
            app.setStyleSheet(load_stylesheet())
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        if scope is not None:
            settings.setValue("board/scope", scope)
        window = MainWindow(services, settings, poll_external=poll)
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
