"""The benchmark suite still runs, at its smallest size; no timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synth
from bench.figures import FIGURES

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_and_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SPRINTDECK_BENCH_CACHE": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "200", "--repeat", "2", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "card_move / sqlite_baseline" in done.stdout
    results = json.loads(out.read_text())
    assert "200" in results
    figures = results["200"]
    for name in FIGURES:
        assert name in figures
        summary = figures[name]
        if name.startswith("report_") and summary is None:
            continue  # the sprint report export may not exist
        assert summary is not None, name
        assert set(summary) == {"median", "p90"}
        assert 0 <= summary["median"] <= summary["p90"]
    assert figures["rerank_rows"]["median"] >= 1


def test_a_built_database_is_reused_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second run copies the database the first one built (same size, seed and recipe)
    instead of building it again; --fresh builds it again; the copy is the one measured."""
    monkeypatch.setenv("SPRINTDECK_BENCH_CACHE", str(tmp_path / "cache"))
    built: list[int] = []
    real_build = synth.build

    def counting_build(path: Path, size: int, seed: int = 7) -> synth.BenchDatabase:
        built.append(size)
        return real_build(path, size, seed)

    monkeypatch.setattr(synth, "build", counting_build)
    first = synth.build_cached(tmp_path / "a.db", 120)
    second = synth.build_cached(tmp_path / "b.db", 120)
    assert built == [120]
    assert second.path == tmp_path / "b.db" and second.url.endswith("b.db")
    assert (second.kanban, second.scrum, second.active_sprint_id) == (
        first.kanban,
        first.scrum,
        first.active_sprint_id,
    )
    assert (tmp_path / "b.db").read_bytes() == (tmp_path / "a.db").read_bytes()
    (tmp_path / "b.db").write_bytes(b"changed by a run")  # the cache is a copy, untouched
    synth.build_cached(tmp_path / "c.db", 120)
    assert built == [120]
    synth.build_cached(tmp_path / "d.db", 120, fresh=True)
    assert built == [120, 120]
    assert len(list((tmp_path / "cache").glob("*.db"))) == 1


def test_the_bulk_insert_stores_what_sqlalchemy_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The synthetic rows go through the driver's executemany with each column's own bind
    processor: the database is the same, value for value and type for type, as with
    SQLAlchemy's ``insert()`` (a clock fixed for both builds)."""
    import contextlib
    import datetime as dt
    import sqlite3

    from sqlalchemy import insert

    fixed = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    synth.build(tmp_path / "bulk.db", 150, now=fixed)
    monkeypatch.setattr(
        synth, "_bulk_insert", lambda conn, table, rows: conn.execute(insert(table), rows)
    )
    # ... and with the search index kept by its triggers, row by row, as the app keeps it.
    monkeypatch.setattr(synth, "_search_filled_afterwards", lambda conn: contextlib.nullcontext())
    synth.build(tmp_path / "orm.db", 150, now=fixed)
    for table in ("card", "card_label", "history_event", "sprint_snapshot", "card_search"):
        rows = []
        for name in ("bulk.db", "orm.db"):
            with sqlite3.connect(tmp_path / name) as conn:
                names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                typed = ", ".join(f'"{n}", typeof("{n}")' for n in names)
                rows.append(conn.execute(f"SELECT {typed} FROM {table} ORDER BY 1, 3").fetchall())
        assert rows[0] and rows[0] == rows[1], table
    answers = []
    for name in ("bulk.db", "orm.db"):
        with sqlite3.connect(tmp_path / name) as conn:
            triggers = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
            ).fetchone()
            answers.append(
                conn.execute(
                    "SELECT rowid FROM card_search_fts WHERE card_search_fts MATCH '\"ort\"'"
                    " ORDER BY rowid"
                ).fetchall()
            )
        assert triggers[0] >= 10, name  # put back after the bulk build
    assert answers[0] and answers[0] == answers[1]  # the trigram index answers alike


@pytest.mark.parametrize(
    ("module", "args", "expected"),
    [
        (
            "bench.forecast_bench",
            ["--cards", "300"],
            ("timeline_page_open_ms", "timeline page goal"),
        ),
        (
            "bench.budget_bench",
            ["--cards", "300", "--logs", "500"],
            ("budget_page_open_ms", "team_page_open_ms", "evm_ms"),
        ),
    ],
)
def test_the_page_benches_run_to_their_figures(
    module: str, args: list[str], expected: tuple[str, ...]
) -> None:
    # The benches are run by hand, so nothing else would notice one that no longer runs.
    done = subprocess.run(
        [sys.executable, "-m", module, *args, "--repeat", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for figure in expected:
        assert figure in done.stdout, done.stdout
