"""Crash safety: kill a busy Sprintdeck process with SIGKILL, again and again, and check.

``python -m bench.crash_harness --kills 200 [--db PATH] [--seed N]``

Each cycle starts ``bench.crash_child`` on the same database, lets it work for a random
moment, kills it with SIGKILL and then checks the file:

* ``PRAGMA integrity_check`` is ok and ``PRAGMA foreign_key_check`` finds nothing;
* every change the child reported as committed is there: each card is at least at the
  version it reported, and exactly as reported when no later change followed; each sprint
  is at least as far along (planned < active < closed) as reported;
* nothing is half applied: every card has its 'created' event, every event's card exists,
  a card's version equals its number of history events (each committed change writes the
  row and one event together), card numbers are unique and below the project's next number.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATES = {"planned": 0, "active": 1, "closed": 2}


@dataclass
class Figures:
    kills: int = 0
    survived: int = 0
    operations: int = 0
    cycle_seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        median = statistics.median(self.cycle_seconds) if self.cycle_seconds else 0.0
        return (
            f"kills: {self.kills}, survived: {self.survived}, "
            f"committed operations verified: {self.operations}, "
            f"median seconds per cycle: {median:.2f}"
        )


def verify(db: Path, reported: list[dict]) -> list[str]:
    """Problems found in ``db`` after a kill (empty: all good)."""
    problems: list[str] = []
    connection = sqlite3.connect(db)
    try:
        integrity = [r[0] for r in connection.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            return [f"integrity_check: {integrity[:3]}"]
        fk = connection.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:3]}")
        cards = {
            row[0]: row
            for row in connection.execute(
                "SELECT id, version, column_id, rank, title, points, sprint_id, archived FROM card"
            )
        }
        events = dict(
            connection.execute("SELECT card_id, count(*) FROM history_event GROUP BY card_id")
        )
        created = {
            r[0]
            for r in connection.execute("SELECT card_id FROM history_event WHERE kind='created'")
        }
        orphans = connection.execute(
            "SELECT count(*) FROM history_event WHERE card_id NOT IN (SELECT id FROM card)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} history events of missing cards")
        for card_id, row in cards.items():
            if card_id not in created:
                problems.append(f"card {card_id} has no 'created' event")
            if row[1] != events.get(card_id, 0):
                problems.append(
                    f"card {card_id}: version {row[1]} but {events.get(card_id, 0)} events"
                )
        duplicate = connection.execute(
            "SELECT project_id, number FROM card GROUP BY project_id, number HAVING count(*) > 1"
        ).fetchall()
        if duplicate:
            problems.append(f"duplicate card numbers: {duplicate[:3]}")
        overrun = connection.execute(
            "SELECT count(*) FROM card JOIN project ON project.id = card.project_id "
            "WHERE card.number >= project.next_card_number"
        ).fetchone()[0]
        if overrun:
            problems.append(f"{overrun} card numbers not below the project's next number")
        sprints = dict(connection.execute("SELECT id, state FROM sprint"))
    finally:
        connection.close()

    last_card: dict[int, dict] = {}
    last_sprint: dict[int, dict] = {}
    for line in reported:
        if "card" in line:
            last_card[line["card"]] = line
        elif "sprint" in line:
            last_sprint[line["sprint"]] = line
    for card_id, line in last_card.items():
        row = cards.get(card_id)
        if row is None:
            problems.append(f"reported card {line['key']} is missing")
            continue
        if row[1] < line["version"]:
            problems.append(f"{line['key']}: version {row[1]} older than reported {line}")
        elif row[1] == line["version"]:
            points = None if row[5] is None else str(row[5])
            actual = (row[2], row[3], row[4], row[6], bool(row[7]))
            expected = (
                line["column"],
                line["rank"],
                line["title"],
                line["sprint"],
                line["archived"],
            )
            if actual != expected or (points is not None) != (line["points"] is not None):
                problems.append(f"{line['key']}: {actual} differs from reported {expected}")
    for sprint_id, line in last_sprint.items():
        state = sprints.get(sprint_id)
        if state is None or STATES[state] < STATES[line["state"]]:
            problems.append(f"sprint {sprint_id}: {state} behind reported {line['state']}")
    return problems


def run(kills: int, db: Path, seed: int, min_delay: float, max_delay: float) -> Figures:
    rng = random.Random(seed)
    figures = Figures()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SPRINTDECK_USER": "crash-child"}
    env.setdefault("SPRINTDECK_DATA_DIR", str(db.parent / "userdata"))
    out_path = db.parent / "child.out"
    for cycle in range(kills):
        started = time.monotonic()
        with out_path.open("w") as out:
            child = subprocess.Popen(
                [sys.executable, "-m", "bench.crash_child", str(db), str(rng.randrange(10**9))],
                stdout=out,
                stderr=subprocess.PIPE,
                cwd=ROOT,
                env=env,
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and child.poll() is None:
                if out_path.stat().st_size:
                    break
                time.sleep(0.005)
            time.sleep(rng.uniform(min_delay, max_delay))
            if child.poll() is not None:
                figures.failures.append(
                    f"cycle {cycle}: child ended by itself: {child.stderr.read().decode()[-500:]}"
                )
                child.stderr.close()
                break
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stderr.close()
        figures.kills += 1
        lines = out_path.read_text().splitlines()
        reported = []
        for text in lines[1:]:
            try:
                reported.append(json.loads(text))
            except json.JSONDecodeError:
                pass  # the last line was cut by the kill: not reported as committed
        reported = [r for r in reported if r.get("op") != "refused"]
        problems = verify(db, reported)
        if problems:
            figures.failures.append(f"cycle {cycle}: " + "; ".join(problems[:5]))
        else:
            figures.survived += 1
            figures.operations += len(reported)
        figures.cycle_seconds.append(time.monotonic() - started)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--db", type=Path, help="database file (default: a new temp file)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--min-delay", type=float, default=0.0)
    parser.add_argument("--max-delay", type=float, default=0.4)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sprintdeck-crash-") as tmp:
        db = args.db or Path(tmp) / "crash.db"
        figures = run(args.kills, db, args.seed, args.min_delay, args.max_delay)
    print(figures.summary())
    for failure in figures.failures[:20]:
        print("FAILED", failure)
    return 0 if not figures.failures and figures.survived == args.kills else 1


if __name__ == "__main__":
    sys.exit(main())
