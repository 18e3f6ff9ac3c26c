"""Cold start: a fresh interpreter, from before it starts to the main window painted.

The parent takes ``time.perf_counter()`` just before starting the child; the child prints
``time.perf_counter()`` once the window has painted. On Linux both read CLOCK_MONOTONIC,
so the difference is the wall time from process start (interpreter start-up and every
import included) to the first complete paint; the child's exit is not counted.

The app child runs the real entry point (``app.main.main(["--db", ...])``: ``run_gui``'s
stylesheet and icon, the start-up check and, for a healthy database, the first read of
app/startup.py (else ``open_runtime`` first), the ``MainWindow`` with its board loading the
remembered or first project). A zero-delay timer queued before ``app.exec()`` fires once
the event loop runs, i.e. after ``window.show()``; it then forces a synchronous repaint of
the whole window (``QWidget.repaint``), reads the clock and the peak RSS, and leaves with
``os._exit``.
The bare child does the same around a plain ``QMainWindow``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_FINISH = """
import os, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

def _finish():
    app = QApplication.instance()
    windows = [w for w in app.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
    if not windows:
        QTimer.singleShot(0, _finish)
        return
    windows[0].repaint()
    t = time.perf_counter()
    from bench.rss import peak_rss_mb  # after the clock: not part of the start

    rss = peak_rss_mb()
    title = windows[0].windowTitle()
    print("BENCH", t, rss, title, flush=True)
    os._exit(0)
"""

APP_CHILD = (
    _FINISH
    + """
import sys
app = QApplication(sys.argv[:1])
QTimer.singleShot(0, _finish)
from app.main import main
main(["--db", sys.argv[1]])
"""
)

BARE_CHILD = (
    _FINISH
    + """
import sys
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1200, 800)
window.show()
QTimer.singleShot(0, _finish)
app.exec()
"""
)


def child_env(home: Path) -> dict[str, str]:
    """Offscreen, and a throw-away home so no one's settings or data are read or written.

    With bytecode caching as a user has it: ``PYTHONDONTWRITEBYTECODE`` (set on this
    project's machines) is dropped -- any value, "0" included, turns caching off, and the
    app's ~90 modules were then compiled from source at every start (~20 ms) while the bare
    window compiles none. :func:`measure` byte-compiles the app first, as ``pip install``
    does."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
        }
    )
    return env


def compile_app() -> None:
    """Byte-compile the app's modules (what ``pip install`` does; a checkout's first start
    would write the same caches)."""
    import compileall

    compileall.compile_dir(str(ROOT / "app"), quiet=1)


def run_once(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(ms from before process start to painted, peak RSS in MB, window title)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"the start-up child failed:\n{done.stdout}\n{done.stderr}")
    _, painted, rss, title = line.split(" ", 3)
    return (float(painted) - start) * 1000, float(rss), title


def measure(db: Path | None, repeat: int, home: Path, warmup: int = 1) -> dict[str, list[float]]:
    """Alternate app and bare starts (same conditions for both); warm-up runs discarded."""
    env = child_env(home)
    compile_app()
    samples: dict[str, list[float]] = {"cold_start_ms": [], "bare_qt_start_ms": [], "rss": []}
    for i in range(warmup + repeat):
        bare_ms, _, _ = run_once(BARE_CHILD, [], env)
        if db is not None:
            app_ms, rss, _title = run_once(APP_CHILD, [str(db)], env)
        if i < warmup:
            continue
        samples["bare_qt_start_ms"].append(bare_ms)
        if db is not None:
            samples["cold_start_ms"].append(app_ms)
            samples["rss"].append(rss)
    return samples


if __name__ == "__main__":  # pragma: no cover - a manual check
    print(json.dumps(measure(Path(sys.argv[1]), 3, Path("/tmp/bench-home"))))
