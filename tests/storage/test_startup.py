"""The first paint before SQLAlchemy: app/startup.py (FirstPaint + StartingServices)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Runtime, StartupSupport, open_runtime
from app.services import Services
from app.services.dto import CardMatch
from app.services.events import ChangeBus
from app.startup import FirstPaintBoard, FirstPaintProjects, StartingServices, first_paint
from tests.helpers import make_runtime, run_window_child


def _url(path: Path) -> str:
    return "sqlite:///" + str(path)


def _demo_file(path: Path) -> None:
    make_runtime(path, demo=True).close()


@pytest.fixture
def deferred(tmp_path: Path) -> Iterator[tuple[Path, StartingServices, list[Runtime]]]:
    """The demo file, StartingServices on its first paint, and the runtimes they built."""
    path = tmp_path / "demo.db"
    _demo_file(path)
    first = first_paint(_url(path), None)
    assert first is not None
    runtimes: list[Runtime] = []

    def build(bus: ChangeBus) -> Services:
        runtime = open_runtime(_url(path), bus=bus)
        runtimes.append(runtime)
        return runtime.services

    support = StartupSupport()
    yield path, StartingServices(first, build, lambda: support.check(_url(path))), runtimes
    for runtime in runtimes:
        runtime.close()


def test_first_read_only_for_a_healthy_file_with_projects(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert first_paint(_url(missing), None) is None  # new: the ordinary start-up creates it
    empty = tmp_path / "empty.db"
    make_runtime(empty).close()
    assert first_paint(_url(empty), None) is None  # no project: the demo is seeded the usual way
    outdated = tmp_path / "old.db"
    _demo_file(outdated)
    with sqlite3.connect(outdated) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0003'")
    assert first_paint(_url(outdated), None) is None  # needs an upgrade (with its backup)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    assert first_paint(_url(damaged), None) is None
    demo = tmp_path / "demo.db"
    _demo_file(demo)
    read_only = f"sqlite:///file:{demo}?mode=ro&uri=true"
    assert first_paint(read_only, None) is None
    first = first_paint(_url(demo), None)
    assert first is not None
    assert [p.key for p in first.projects] == ["DEMO"]
    assert first.board.project.key == first.projects[0].key
    assert first.board.cards


def test_first_read_takes_the_remembered_project(tmp_path: Path) -> None:
    path = tmp_path / "two.db"
    runtime = make_runtime(path, demo=True)
    other = runtime.services.projects.create_project("ZZ", "Remembered")
    runtime.services.cards.create_card(other.id, "Only here")
    runtime.close()
    remembered = first_paint(_url(path), "zz")
    assert remembered is not None
    assert [p.key for p in remembered.projects] == ["DEMO", "ZZ"]
    assert remembered.board.project.key == "ZZ"
    assert remembered.board.cards == () and not remembered.board.complete  # the head only
    todo = remembered.board.columns[0].id
    page = remembered.column_page(other.id, todo, offset=0, limit=100)
    assert page is not None and [c.title for c in page] == ["Only here"]
    assert remembered.column_figures(other.id, None)[todo].count == 1  # type: ignore[index]
    assert remembered.column_page(1, todo) is None  # another project's: the services'
    unknown = first_paint(_url(path), "NOPE")
    assert unknown is not None and unknown.board.project.key == "DEMO"


def test_deferred_services_answer_the_first_questions_without_building(deferred) -> None:  # type: ignore[no-untyped-def]
    _path, services, runtimes = deferred
    assert isinstance(services.projects, FirstPaintProjects)
    assert isinstance(services.board, FirstPaintBoard)
    projects = services.projects.list_projects()
    assert services.projects.find_project(projects[0].key.lower()) == projects[0]
    pid = projects[0].id
    head = services.board.load_board_head(pid)
    assert head is services.first_paint.board and not head.complete
    board = services.board.load_board(pid)  # every card, read without SQLAlchemy too
    pages = {
        (column.id, newest): services.board.column_page(
            pid, column.id, newest_first=newest, offset=1, limit=3
        )
        for column in head.columns
        for newest in (False, True)
    }
    sprint = next(s.id for s in head.sprints if s.state == "active")
    figures = (services.board.column_figures(pid), services.board.column_figures(pid, sprint))
    # A filter remembered from the last session: its pages and counts from the first read
    # too (a short word, a trigram one, a field, both, one that matches nothing).
    filters = [
        CardMatch("pa"),
        CardMatch("checkout"),
        CardMatch(card_type="bug"),
        CardMatch("the", assignee_id=-1),
        CardMatch("zzzqqq"),
    ]
    matched = {
        (m, column.id, newest, density): services.board.column_page(
            pid, column.id, newest_first=newest, limit=3, matching=m, density=density
        )
        for m in filters
        for column in head.columns
        for newest in (False, True)
        for density in (None, 0.01)
    }
    counted = {
        (m, s): services.board.column_figures(pid, s, matching=m)
        for m in filters
        for s in (None, sprint)
    }
    assert not services.ready and runtimes == []
    # The first read is what the real services give.
    assert services.finish() is False
    assert services.ready and len(runtimes) == 1
    real: Services = runtimes[0].services
    assert real.bus is services.bus  # the window's subscriptions keep working
    assert head == real.board.load_board_head(pid)
    assert board == real.board.load_board(pid)
    for (column_id, newest), page in pages.items():
        assert page == real.board.column_page(
            pid, column_id, newest_first=newest, offset=1, limit=3
        )
    assert any(pages.values())
    assert figures == (real.board.column_figures(pid), real.board.column_figures(pid, sprint))
    for (m, column_id, newest, density), page in matched.items():
        assert page == real.board.column_page(
            pid, column_id, newest_first=newest, limit=3, matching=m, density=density
        ), (m, column_id, newest, density)
    assert any(matched.values())
    for (m, s), found in counted.items():
        assert found == real.board.column_figures(pid, s, matching=m), (m, s)
    assert any(counted.values())
    assert projects == services.projects.list_projects()
    # After the paint every member is the real service's.
    assert services.projects is real.projects and services.board is real.board
    assert services.charts is real.charts and services.reports is real.reports


def test_after_the_window_is_built_the_first_paint_no_longer_answers(deferred) -> None:  # type: ignore[no-untyped-def]
    _path, services, runtimes = deferred
    services.painted()
    assert not services.ready  # nothing asked yet
    projects = services.projects.list_projects()  # the real service's answer: built now
    assert services.ready and len(runtimes) == 1
    assert projects == list(services.first_paint.projects)


def test_a_project_the_first_read_does_not_have_is_asked_of_the_services(deferred) -> None:  # type: ignore[no-untyped-def]
    from app.errors import NotFound

    _path, services, runtimes = deferred
    with pytest.raises(NotFound):
        services.projects.find_project("NOPE")
    assert services.ready and len(runtimes) == 1


def test_using_anything_else_builds_the_services_on_the_spot(deferred) -> None:  # type: ignore[no-untyped-def]
    _path, services, runtimes = deferred
    project = services.projects.list_projects()[0]
    card = services.cards.create_card(project.id, "Made before the timer fired")
    assert services.ready and len(runtimes) == 1
    assert services.finish() is False  # built once only
    assert len(runtimes) == 1
    assert services.cards.get_card(card.id).title == "Made before the timer fired"


def test_a_write_elsewhere_before_the_services_exist_is_noticed(deferred) -> None:  # type: ignore[no-untyped-def]
    path, services, _runtimes = deferred
    with sqlite3.connect(path) as other:
        other.execute("UPDATE card SET title = 'Changed elsewhere' WHERE id = 1")
    assert services.finish() is True


def test_window_paints_the_first_board_before_sqlalchemy_is_imported(tmp_path: Path) -> None:
    """The real entry point in a child process: at the first paint SQLAlchemy is not loaded,
    the board shows the demo's cards, and once the services are built a card move is saved."""
    path = tmp_path / "demo.db"
    _demo_file(path)
    code = """
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])

def painted():
    window = next(w for w in app.topLevelWidgets() if isinstance(w, QMainWindow))
    window.repaint()
    print("LOADED", "sqlalchemy" in sys.modules, len(window.store.cards()), flush=True)
    QTimer.singleShot(50, lambda: after(window))

def after(window):
    card = next(c for c in window.store.cards() if c.type != "epic")
    columns = window.store.columns
    target = next(c for c in columns if c.id != card.column_id)
    window._services.board.move_card(card.id, target.id)
    print("MOVED", "sqlalchemy" in sys.modules, card.key, target.id, flush=True)
    app.quit()

QTimer.singleShot(0, painted)
from app.main import main
sys.exit(main(["--db", sys.argv[1]]))
"""
    home = tmp_path / "home"
    done = run_window_child(code, path, home)
    lines = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line}
    assert "LOADED" in lines, done.stderr
    assert lines["LOADED"][0] == "False" and int(lines["LOADED"][1]) > 10
    assert lines["MOVED"][0] == "True", done.stderr
    key, column_id = lines["MOVED"][1], int(lines["MOVED"][2])
    number = int(key.split("-")[1])
    with sqlite3.connect(path) as conn:
        (saved,) = conn.execute("SELECT column_id FROM card WHERE number = ?", (number,)).fetchone()
    assert saved == column_id


def _damage_unread_table(path: Path, table: str = "risk") -> None:
    """Break the root page of ``table`` (one the first board never reads): the header and
    the board read are fine, ``PRAGMA quick_check`` is not."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size] = 0x77  # not a b-tree page type
    path.write_bytes(bytes(data))


def test_the_first_read_does_not_pay_for_the_page_check(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No PRAGMA quick_check (linear in the file's size) before the first paint; the full
    check is the StartingServices' BackgroundCheck."""
    import app.storage.sqlite_health as health

    path = tmp_path / "demo.db"
    _demo_file(path)
    asked: list[bool] = []
    real = health.check_database

    def spy(url: str, quick: bool = False, deep: bool = True):  # type: ignore[no-untyped-def]
        asked.append(deep)
        return real(url, quick=quick, deep=deep)

    monkeypatch.setattr(health, "check_database", spy)
    assert first_paint(_url(path), None) is not None
    assert asked == [False]


def test_a_damaged_file_is_painted_but_gets_no_service(tmp_path: Path) -> None:
    from app.errors import DatabaseProblem

    path = tmp_path / "demo.db"
    _demo_file(path)
    _damage_unread_table(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    first = first_paint(_url(path), None)
    assert first is not None and first.board.cards  # the board was read all the same
    built: list[object] = []
    services = StartingServices(first, built.append, lambda: StartupSupport().check(_url(path)))
    services.check.start()
    report = services.check.wait()
    assert report.kind == "corrupt" and "damaged" in (report.problem or "")
    with pytest.raises(DatabaseProblem, match="Nothing was written"):
        services.cards  # noqa: B018 - a write would start here
    with pytest.raises(DatabaseProblem):
        services.finish()
    assert built == [] and not services.ready
    first.close()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_the_check_runs_once_in_a_worker_thread(deferred) -> None:  # type: ignore[no-untyped-def]
    import threading

    _path, services, runtimes = deferred
    seen: list[tuple[str, str]] = []
    done = threading.Event()

    def on_done(report) -> None:  # type: ignore[no-untyped-def]
        seen.append((report.kind, threading.current_thread().name))
        done.set()

    services.check.start(on_done)
    services.check.start(on_done)  # once only
    assert done.wait(30)
    assert seen == [("healthy", "sprintdeck-health")]
    assert services.finish() is False and len(runtimes) == 1
