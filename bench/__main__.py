"""``python -m bench [--sizes 1000,10000,50000,200000] [--repeat N] [--out PATH]``.

For each size: build the synthetic database (bench.synth), run the in-process figures in a
fresh interpreter (bench.worker), time cold starts of the app and of a bare QMainWindow
(bench.coldstart); then print one table and write bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import coldstart
from bench.figures import FIGURES, summarise, table, target_report

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run_worker(db: Path, repeat: int, home: Path) -> dict:
    env = coldstart.child_env(home)
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", str(db), str(repeat)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=3600,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"bench.worker failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(line[len("BENCHJSON ") :])


def demo_database(folder: Path) -> Path | None:
    """The demo database the app seeds on first start (None if seeding is unavailable)."""
    path = folder / "demo.db"
    code = (
        "import sys\nfrom app.bootstrap import open_runtime\n"
        "open_runtime('sqlite:///' + sys.argv[1], seed_demo_if_new=True).close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT
    )
    return path if done.returncode == 0 else None


# Issue 19's two large sizes are measured by default; .ci/run's smoke test runs 200 cards.
DEFAULT_SIZES = "1000,10000,50000,200000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"cards per project (default {DEFAULT_SIZES}; the databases are built once "
        "and kept in ~/.cache/sprintdeck-bench; --fresh builds them again)",
    )
    parser.add_argument("--fresh", action="store_true", help="build the synthetic databases again")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per figure")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--keep", type=Path, default=None, help="keep the databases here")
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: the team database's figures (bench/pg_bench.py; default sizes "
        "1000,10000)",
    )
    args = parser.parse_args(argv)
    if args.backend == "postgresql" and args.sizes == DEFAULT_SIZES:
        args.sizes = "1000,10000"
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    repeat = max(1, args.repeat)
    if args.backend == "postgresql":
        from bench import pg_bench

        with tempfile.TemporaryDirectory(prefix="sprintdeck-bench-") as tmp:
            results = pg_bench.run(sizes, repeat, args.keep or Path(tmp))
        out = args.out if args.out != RESULTS else RESULTS.with_name("results-postgresql.json")
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"Sprintdeck on PostgreSQL ({machine()}); median / p90, ms")
        print(pg_bench.report(results))
        print(f"\nwritten to {out}")
        return 0

    results: dict[str, dict] = {}
    notes: dict[str, dict] = {}
    from bench.synth import build_cached

    with tempfile.TemporaryDirectory(prefix="sprintdeck-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        home = Path(tmp) / "home"
        home.mkdir(exist_ok=True)
        demo = demo_database(folder)
        if demo is not None:
            samples = coldstart.measure(demo, repeat, home)
            results["demo"] = {
                "cold_start_ms": summarise(samples["cold_start_ms"]),
                "bare_qt_start_ms": summarise(samples["bare_qt_start_ms"]),
            }
        for size in sizes:
            started = time.perf_counter()
            db = build_cached(folder / f"bench-{size}.db", size, fresh=args.fresh)
            print(
                f"[{size:,} cards] database ready in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            worker = run_worker(db.path, repeat, home)
            samples = dict(worker["samples"])
            starts = coldstart.measure(db.path, repeat, home)
            samples["cold_start_ms"] = starts["cold_start_ms"]
            samples["bare_qt_start_ms"] = starts["bare_qt_start_ms"]
            # Peak RSS of the real app process with the board open (the cold-start child).
            samples["peak_rss_mb"] = starts["rss"]
            figures = {name: summarise(samples.get(name)) for name in FIGURES}
            for extra in ("card_undo_ms", "worker_rss_mb"):
                if samples.get(extra):
                    figures[extra] = summarise(samples[extra])
            results[str(size)] = figures
            notes[str(size)] = worker["notes"]
            print(
                f"[{size:,} cards] measured in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )

    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Sprintdeck benchmarks on {machine()}; median / p90, ms unless named otherwise")
    print(table(results))
    for size in sizes:
        print(f"\nTargets at {size:,} cards:")
        print("\n".join(target_report(results, str(size))))
        for key, text in notes.get(str(size), {}).items():
            print(f"  note ({key}): {text}")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
