"""The layer rules of DESIGN.md, checked on the source: a line that crosses fails here."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"


def python_files(*parts: str) -> list[Path]:
    files: list[Path] = []
    for part in parts:
        path = APP / part
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
    return files


def imported_modules(path: Path, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"
        elif isinstance(node, ast.Call):
            # importlib.import_module("PySide6...") / __import__("...") with a literal name
            func = node.func
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            if (
                name in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield node.lineno, node.args[0].value


def violations(files: list[Path], forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    found = []
    for path in files:
        for line, module in imported_modules(path, root):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root).as_posix()}:{line} imports {module}")
    return sorted(set(found))


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    """The checker itself must catch each form of import (else the rules prove nothing)."""
    source = (
        "import PySide6.QtCore\n"
        "from PySide6 import QtWidgets\n"
        "def f():\n"
        "    from sqlalchemy.orm import Session\n"
        "    import importlib; importlib.import_module('alembic.command')\n"
        "from .ui import board_model\n"
    )
    sample = tmp_path / "app" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(source, encoding="utf-8")
    forbidden = ("PySide6", "sqlalchemy", "alembic", "app.ui")
    found = violations([sample], forbidden, root=tmp_path)
    assert found == [
        "app/sample.py:1 imports PySide6.QtCore",
        "app/sample.py:2 imports PySide6",
        "app/sample.py:2 imports PySide6.QtWidgets",
        "app/sample.py:4 imports sqlalchemy.orm",
        "app/sample.py:4 imports sqlalchemy.orm.Session",
        "app/sample.py:5 imports alembic.command",
        "app/sample.py:6 imports app.ui",
        "app/sample.py:6 imports app.ui.board_model",
    ]


NO_QT = python_files(
    "models", "services", "metrics", "storage", "db.py", "dburl.py", "errors.py", "config.py"
)


def test_there_are_files_to_check() -> None:
    names = {p.relative_to(APP).as_posix() for p in NO_QT}
    assert {"db.py", "services/cards.py", "models/card.py", "metrics/ranks.py"} <= names
    assert {"storage/__init__.py", "storage/sqlite.py"} <= names
    assert {"cli/__init__.py", "cli/transfer.py", "cli/cards.py"} <= {
        p.relative_to(APP).as_posix() for p in python_files("cli")
    }


@pytest.mark.parametrize("path", NO_QT, ids=lambda p: p.relative_to(APP).as_posix())
def test_core_layers_never_import_qt(path: Path) -> None:
    found = violations([path], ("PySide6", "shiboken6", "app.ui", "app.reports"))
    assert not found, "Qt (or a Qt layer) imported below the UI: " + "; ".join(found)


def test_lower_layers_do_not_import_the_faces_or_the_composition() -> None:
    files = python_files("models", "services", "metrics", "storage", "db.py", "dburl.py")
    found = violations(files, ("app.cli", "app.main", "app.bootstrap", "app.startup"))
    assert not found, "a lower layer imports a higher one: " + "; ".join(found)


def test_ui_never_imports_sqlalchemy_or_alembic() -> None:
    files = python_files("ui")
    forbidden = ("sqlalchemy", "alembic", "app.models", "app.db", "app.storage", "app.main")
    found = violations(files, (*forbidden, "app.bootstrap", "app.cli"))
    assert not found, "app/ui must use services and DTOs, never the ORM: " + "; ".join(found)


def test_reports_never_import_ui_widgets() -> None:
    found = violations(python_files("reports"), ("app.ui", "sqlalchemy", "alembic"))
    assert not found, "app/reports must not import app.ui: " + "; ".join(found)


# What the command line may import of the app: its own modules, the services (and the
# pure figures and renderers they feed), the runtime's builder, and the small shared
# modules. Never the ORM, the engine, the storage, Qt or the entry point.
CLI_MAY_IMPORT = (
    "app.cli",
    "app.services",
    "app.bootstrap",
    "app.errors",
    "app.config",
    "app.outputs",
    "app.words",
    "app.metrics",
    "app.reports",
)


def test_cli_uses_services_not_the_database() -> None:
    files = python_files("cli")
    forbidden = ("sqlalchemy", "alembic", "PySide6", "shiboken6")
    found = violations(files, (*forbidden, "app.models", "app.db", "app.storage", "app.main"))
    assert not found, "; ".join(found)
    # ``from app import __version__, config`` reads as app, app.__version__ and app.config.
    allowed = (*CLI_MAY_IMPORT, "app.__version__")
    others = sorted(
        {
            f"{path.relative_to(ROOT).as_posix()}:{line} imports {module}"
            for path in files
            for line, module in imported_modules(path)
            if module.startswith("app.")
            and not any(module == m or module.startswith(m + ".") for m in allowed)
        }
    )
    assert not others, "the CLI reaches past the services: " + "; ".join(others)


def test_cli_would_be_caught_importing_the_database(tmp_path: Path) -> None:
    """What the CLI rule is for: today's cli_transfer.py imported app.db unnoticed."""
    sample = tmp_path / "app" / "cli" / "transfer.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("def f():\n    from app.db import head_revision\n", encoding="utf-8")
    found = violations([sample], ("app.db",), root=tmp_path)
    assert found == [
        "app/cli/transfer.py:2 imports app.db",
        "app/cli/transfer.py:2 imports app.db.head_revision",
    ]


# The modules of the window's first paint (and the entry point before it): importing them
# must not load SQLAlchemy or alembic, which an import rule cannot tell (it is about what
# gets imported at run time, through every module these import).
FIRST_PAINT = (
    "app.main",
    "app.bootstrap",
    "app.startup",
    "app.storage",
    "app.storage.sqlite",
    "app.storage.sqlite_health",
    "app.storage.sqlite_board",
    "app.services.health",
    "app.services.events",
    "app.ui.application",
    "app.ui.mainwindow",
)


def test_first_paint_modules_do_not_load_sqlalchemy() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {FIRST_PAINT!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout
