"""The wheel: migrations and resources installed inside ``app``, and they work from there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a clean copy: a stale build/ folder in the checkout cannot leak into the
    # wheel, and the build leaves nothing behind in the checkout.
    source = tmp_path_factory.mktemp("source") / "sprintdeck"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.db*"
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(out.glob("sprintdeck-*.whl"))
    assert len(wheels) == 1, list(out.iterdir())
    return wheels[0]


def test_wheel_contains_migrations_and_resources_inside_app(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for required in (
        "app/__init__.py",
        "app/__main__.py",
        "app/migrations/env.py",
        "app/migrations/script.py.mako",
        "app/migrations/versions/0001_initial_schema.py",
        "app/services/cards.py",
        "app/models/card.py",
        "app/metrics/ranks.py",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    assert any(n.startswith("app/resources/") for n in names)
    top_level = {n.split("/", 1)[0] for n in names}
    assert "migrations" not in top_level
    assert "resources" not in top_level
    assert "tests" not in top_level
    assert not any(n.startswith(("bench/", ".ci/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "sprintdeck = app.main:main" in archive.read(entry_points).decode()


def test_installed_copy_finds_its_migrations_and_opens_a_database(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    script = textwrap.dedent(
        f"""
        import sys
        import app, app.db
        from app.db import package_dir
        from app.main import open_runtime

        print(app.__file__)
        print(package_dir("migrations"))
        print(package_dir("resources"))
        rt = open_runtime("sqlite:///" + {str(work / "installed.db")!r})
        try:
            project = rt.services.projects.create_project("PK", "Packaged")
            print(rt.migration, rt.services.cards.create_card(project.id, "works").key)
        finally:
            rt.close()
        """
    )
    env = {
        **os.environ,
        # Only the unpacked wheel (plus the venv's site-packages for the dependencies):
        # the source checkout, where an editable install points, must not be used.
        "PYTHONPATH": str(site),
        "SPRINTDECK_DATA_DIR": str(tmp_path / "data"),
        "PYTHONNOUSERSITE": "1",
        "PYTHONSAFEPATH": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    app_file, migrations, resources, outcome = result.stdout.strip().splitlines()
    assert Path(app_file).resolve().is_relative_to(site.resolve())
    assert Path(migrations).resolve() == (site / "app" / "migrations").resolve()
    assert Path(resources).resolve() == (site / "app" / "resources").resolve()
    assert outcome == "created PK-1"
    assert (work / "installed.db").exists()

    cli = subprocess.run(
        [sys.executable, "-m", "app", "card", "list", "--project", "PK", "--json"],
        cwd=work,
        capture_output=True,
        text=True,
        env={**env, "SPRINTDECK_DB": str(work / "installed.db")},
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert '"key": "PK-1"' in cli.stdout
