"""The layer rules of DESIGN.md, checked on the source: a line that crosses fails here."""

from __future__ import annotations

import ast
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


NO_QT = python_files("models", "services", "metrics", "db.py", "errors.py", "config.py")


def test_there_are_files_to_check() -> None:
    names = {p.relative_to(APP).as_posix() for p in NO_QT}
    assert {"db.py", "services/cards.py", "models/card.py", "metrics/ranks.py"} <= names


@pytest.mark.parametrize("path", NO_QT, ids=lambda p: p.relative_to(APP).as_posix())
def test_core_layers_never_import_qt(path: Path) -> None:
    found = violations([path], ("PySide6", "shiboken6", "app.ui", "app.reports"))
    assert not found, "Qt (or a Qt layer) imported below the UI: " + "; ".join(found)


def test_services_and_models_do_not_import_the_cli_or_main() -> None:
    found = violations(python_files("models", "services", "metrics"), ("app.cli", "app.main"))
    assert not found, "a lower layer imports a higher one: " + "; ".join(found)


def test_ui_never_imports_sqlalchemy_or_alembic() -> None:
    files = python_files("ui")
    found = violations(files, ("sqlalchemy", "alembic", "app.models", "app.db", "app.main"))
    assert not found, "app/ui must use services and DTOs, never the ORM: " + "; ".join(found)


def test_reports_never_import_ui_widgets() -> None:
    found = violations(python_files("reports"), ("app.ui", "sqlalchemy", "alembic"))
    assert not found, "app/reports must not import app.ui: " + "; ".join(found)


def test_cli_uses_services_not_the_database() -> None:
    found = violations(python_files("cli"), ("sqlalchemy", "alembic", "app.models", "PySide6"))
    assert not found, "; ".join(found)
