"""Test configuration: offscreen Qt, an isolated user data folder, database fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["SPRINTDECK_USER"] = "tester"

from app.bootstrap import Runtime
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
