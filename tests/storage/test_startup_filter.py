"""A remembered board filter at start: the first paint reads each column's first page of
the filter's matches and their counts on the first read's connection, without building the
services (no SQLAlchemy yet) and without reading every card; once the services exist the
filter asks them for its matches' counts and a page of them per column."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_runtime, run_window_child

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])

def shown(window):
    return sorted(c.key for _col, _h, models in window.board.column_parts()
                  for m in models for c in m.cards())

def painted():
    window = next(w for w in app.topLevelWidgets() if isinstance(w, QMainWindow))
    window.repaint()
    print("PAINTED", "sqlalchemy" in sys.modules, window.filter_edit.text(),
          ",".join(shown(window)), window.store.complete, flush=True)
    QTimer.singleShot(50, lambda: after(window))

def after(window):
    window._services.finish()  # the services, as the window builds them after its paint
    asked = []
    board = window._services.services.board
    real = board.column_figures
    def counting(p, s=None, matching=None):  # the filter's one grouped count a keystroke
        if matching is not None:
            asked.append(matching.text)
        return real(p, s, matching=matching)
    board.column_figures = counting
    window.filter_edit.setText("checkou")
    window.filter_edit.setText("checkout")
    import time  # the counts run on a worker thread: wait for both (at most 10 s)
    deadline = time.monotonic() + 10
    while not asked and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    print("ASKED", "|".join(asked), ",".join(shown(window)), flush=True)
    app.quit()

QTimer.singleShot(0, painted)
from app.main import main
sys.exit(main(["--db", sys.argv[1]]))
"""


def test_a_remembered_filter_is_painted_first_then_asked_of_the_index(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    make_runtime(path, demo=True).close()
    home = tmp_path / "home"
    settings = home / "config" / "Sprintdeck" / "Sprintdeck.ini"
    settings.parent.mkdir(parents=True)
    settings.write_text("[board]\nscope=all\n\n[filter]\ntext=checkout\n", encoding="utf-8")
    done = run_window_child(CHILD, path, home)
    lines = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line}
    assert "PAINTED" in lines and "ASKED" in lines, done.stderr[-3000:]
    imported, text, first, complete = lines["PAINTED"]
    # painted from the first read's pages of the matches: no SQLAlchemy, not every card
    assert imported == "False" and text == "checkout" and complete == "False"
    asked, later = lines["ASKED"]
    # once a keystroke, of the real services; "checkout" again is the first paint's count,
    # kept until something changes
    assert asked == "checkou"
    rt = make_runtime(path)
    try:
        project = rt.services.projects.find_project("DEMO")
        expected = sorted(
            c.key
            for c in rt.services.cards.list_cards(project.id)
            if c.type != "epic"
            and "checkout"
            in " ".join(
                (
                    c.key,
                    c.title,
                    c.assignee_name or "",
                    c.parent_title or "",
                    *(lb.name for lb in c.labels),
                )
            ).casefold()
        )
    finally:
        rt.close()
    assert expected and first.split(",") == expected == later.split(",")
