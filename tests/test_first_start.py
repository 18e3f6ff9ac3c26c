"""A new user's first start, through the real entry point in a child process: an account
with no data folder yet (a new HOME, no XDG_* variables, no SPRINTDECK_* overrides)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

CHILD = ROOT / "tests" / "first_start_child.py"


def fresh_env(home: Path) -> dict[str, str]:
    """What a new account has: a HOME, a PATH, offscreen Qt; nothing of Sprintdeck's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "SPRINTDECK_")) and key != "HOME"
    }
    env.update({"HOME": str(home), "QT_QPA_PLATFORM": "offscreen"})
    return env


def start(env: dict[str, str], *args: str, timeout: float = 20) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(CHILD), *args],
        capture_output=True,
        text=True,
        env={**env, "FIRSTSTART_TIMEOUT": str(timeout)},
        cwd=ROOT,
        timeout=timeout + 60,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("FIRSTSTART ")), None)
    assert line is not None, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(line.removeprefix("FIRSTSTART "))


def platformdirs_data_dir(env: dict[str, str]) -> Path:
    """Where platformdirs puts Sprintdeck's data for that account (asked in a child)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import platformdirs; print(platformdirs.user_data_dir('Sprintdeck', appauthor=False))",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return Path(done.stdout.strip())


def test_first_start_creates_the_data_folder_and_paints_the_demo_board(tmp_path: Path) -> None:
    home = tmp_path / "newuser"
    home.mkdir()
    env = fresh_env(home)
    data_dir = platformdirs_data_dir(env)
    assert data_dir.is_relative_to(home) and not data_dir.exists()

    first = start(env)
    assert first["modal"] is None, first["modal"]
    assert first["project"] == "DEMO"
    assert first["cards"] == 56 and first["shown"] > 0
    assert str(first["title"]).startswith("Payments Platform")
    assert (data_dir / "sprintdeck.db").is_file()

    again = start(env)  # the second start opens the same file: still one demo project
    assert again["modal"] is None and again["project"] == "DEMO" and again["cards"] == 56
    cli = subprocess.run(
        [sys.executable, "-m", "app", "project", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert cli.returncode == 0, cli.stderr
    assert [p["key"] for p in json.loads(cli.stdout)] == ["DEMO"]


def test_a_named_new_database_starts_empty_on_the_welcome_page(tmp_path: Path) -> None:
    env = fresh_env(tmp_path)
    shown = start(env, "--db", str(tmp_path / "team.db"))
    assert shown["modal"] is None
    assert shown["project"] is None and shown["cards"] == 0
    assert shown["title"] == "team.db — Sprintdeck"
    assert (tmp_path / "team.db").is_file()


def test_a_data_folder_that_cannot_be_made_is_explained(tmp_path: Path) -> None:
    home = tmp_path / "home-is-a-file"
    home.write_text("not a folder")
    shown = start(fresh_env(home), timeout=8)
    assert shown["modal"] is not None
    assert "does not exist" in str(shown["modal"]) and "Sprintdeck" in str(shown["modal"])


def test_init_without_db_creates_the_default_file(tmp_path: Path) -> None:
    env = fresh_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "app", "init", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert (platformdirs_data_dir(env) / "sprintdeck.db").is_file()
