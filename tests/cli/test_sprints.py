"""Sprints from the command line, through the real entry point, in a child process."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from tests.helpers import run_cli


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sprintdeck: ")
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]
    return lines[0]


def sprints(db: str) -> list[dict]:
    data = json.loads(ok(run_cli("sprint", "list", "--project", "SD", "--json", db=db)))
    assert isinstance(data, list)
    return data


def cards(db: str) -> dict[str, dict]:
    rows = json.loads(ok(run_cli("card", "list", "--project", "SD", "--json", db=db)))
    return {row["title"]: row for row in rows}


def add_card(db: str, title: str, *extra: str) -> str:
    out = ok(run_cli("card", "add", "--project", "SD", "--title", title, *extra, db=db))
    return out.strip()


@pytest.fixture
def db(db_url: str) -> str:
    path = db_url
    ok(run_cli("init", db=path))
    ok(run_cli("project", "add", "SD", "--name", "Sprintdeck", db=path))
    return path


def test_sprint_add_with_defaults_and_list(db: str) -> None:
    assert ok(run_cli("sprint", "add", "--project", "SD", db=db)) == "SD Sprint 1\n"
    out = run_cli(
        "--db", str(db), "sprint", "add", "--project", "SD", "--name", "Beta", "--goal", "Go"
    )
    assert ok(out) == "Beta\n"
    rows = sprints(db)
    assert [r["name"] for r in rows] == ["SD Sprint 1", "Beta"]
    first = rows[0]
    assert set(first) == {
        "name",
        "state",
        "start",
        "end",
        "goal",
        "committed_points",
        "completed_points",
    }
    start = dt.date.fromisoformat(first["start"])
    end = dt.date.fromisoformat(first["end"])
    assert start > dt.date.today() - dt.timedelta(days=1)
    assert start.weekday() < 5 and end.weekday() < 5
    assert 7 <= (end - start).days <= 13
    assert first["state"] == "planned"
    assert (first["committed_points"], first["completed_points"]) == (0, 0)
    assert rows[1]["goal"] == "Go"
    assert dt.date.fromisoformat(rows[1]["start"]) > end
    text = ok(run_cli("sprint", "list", "--project", "SD", db=db))
    assert "SD Sprint 1" in text and "planned" in text


def test_plan_start_complete_with_carry_over(db: str) -> None:
    for name, start, end in (
        ("One", "2026-12-07", "2026-12-18"),
        ("Two", "2026-12-21", "2027-01-01"),
        ("Three", "2027-01-04", "2027-01-15"),
    ):
        assert ok(
            run_cli("sprint", "add", "--project", "SD", "--name", name, "--start", start,
                    "--end", end, db=db)
        ) == f"{name}\n"  # fmt: skip
    done = add_card(db, "Done one", "--points", "3", "--sprint", "one")
    open_key = add_card(db, "Open one", "--points", "2")
    bare = add_card(db, "No estimate")
    assert ok(run_cli("card", "plan", open_key, "--sprint", "One", db=db)) == (
        f"{open_key} is now in One.\n"
    )
    ok(run_cli("card", "plan", bare, "--sprint", "one", db=db))
    refused(run_cli("sprint", "start", "One", "--project", "SD", db=db), "1 card", "estimate")
    assert sprints(db)[0]["state"] == "planned"
    ok(run_cli("card", "plan", bare, "--sprint", "backlog", db=db))
    assert cards(db)["No estimate"]["sprint"] is None
    ok(run_cli("card", "plan", bare, "--sprint", "One", db=db))
    out = ok(run_cli("sprint", "start", "one", "--project", "SD", "--allow-unestimated", db=db))
    assert "Started One" in out
    refused(run_cli("sprint", "start", "Two", "--project", "SD", db=db), "still active")
    ok(run_cli("card", "move", done, "--to", "Done", db=db))

    rows = {r["name"]: r for r in sprints(db)}
    assert rows["One"]["state"] == "active"
    assert (rows["One"]["committed_points"], rows["One"]["completed_points"]) == (5, 3)

    refused(run_cli("sprint", "complete", "Two", "--project", "SD", db=db), "planned")
    out = ok(
        run_cli("sprint", "complete", "One", "--project", "SD", "--carry-over", "Three", db=db)
    )
    assert "Closed One" in out
    listed = cards(db)
    assert listed["Open one"]["sprint"] == "Three"
    assert listed["No estimate"]["sprint"] == "Three"
    assert listed["Done one"]["sprint"] == "One"
    rows = {r["name"]: r for r in sprints(db)}
    assert rows["One"]["state"] == "closed"
    assert (rows["One"]["committed_points"], rows["One"]["completed_points"]) == (5, 3)
    refused(run_cli("card", "plan", open_key, "--sprint", "One", db=db), "closed")

    # Reopening the done card after the close leaves the closed sprint's figures alone.
    ok(run_cli("card", "move", done, "--to", "To Do", db=db))
    assert {r["name"]: r for r in sprints(db)}["One"]["completed_points"] == 3

    ok(run_cli("sprint", "start", "Two", "--project", "SD", db=db))
    ok(run_cli("card", "plan", open_key, "--sprint", "Two", db=db))
    ok(run_cli("sprint", "complete", "Two", "--project", "SD", "--carry-over", "next", db=db))
    assert cards(db)["Open one"]["sprint"] == "Three"


def test_complete_to_backlog_by_default(db: str) -> None:
    ok(run_cli("sprint", "add", "--project", "SD", "--name", "A", db=db))
    key = add_card(db, "Unfinished", "--points", "1", "--sprint", "A")
    ok(run_cli("sprint", "start", "A", "--project", "SD", db=db))
    refused(
        run_cli("sprint", "complete", "A", "--project", "SD", "--carry-over", "next", db=db),
        "no planned sprint",
    )
    ok(run_cli("sprint", "complete", "A", "--project", "SD", db=db))
    assert cards(db)["Unfinished"]["sprint"] is None
    assert key.startswith("SD-")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--start", "2026-12-10", "--end", "2026-12-09"), ("before it starts",)),
        (("--start", "10/12/2026"), ("not a date",)),
        (("--name", "Taken"), ("already a sprint",)),
    ],
)
def test_sprint_add_refused(db: str, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    ok(
        run_cli("sprint", "add", "--project", "SD", "--name", "Taken", "--start", "2026-12-07",
                "--end", "2026-12-18", db=db)
    )  # fmt: skip
    refused(run_cli("sprint", "add", "--project", "SD", *args, db=db), *words)
    assert [r["name"] for r in sprints(db)] == ["Taken"]


def test_sprint_start_with_dates_and_overlaps(db: str) -> None:
    """Planned sprints may overlap; ``sprint start --start --end`` confirms other dates; a
    closed sprint holds its dates until the day it was closed."""
    today = dt.datetime.now(dt.UTC).date()  # a new project's time zone is UTC

    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    add = ("sprint", "add", "--project", "SD")
    ok(run_cli(*add, "--name", "A", "--start", day(-3), "--end", day(10), db=db))
    ok(run_cli(*add, "--name", "B", "--start", day(-1), "--end", day(12), db=db))  # overlaps A
    refused(
        run_cli("sprint", "start", "A", "--project", "SD", "--start", day(1), db=db),
        "starts today or earlier",
    )
    out = ok(
        run_cli("sprint", "start", "A", "--project", "SD", "--start", day(-2), "--end", day(9),
                db=db)
    )  # fmt: skip
    assert out == "Started A (0 points committed).\n"
    rows = {r["name"]: r for r in sprints(db)}
    assert (rows["A"]["state"], rows["A"]["start"], rows["A"]["end"]) == (
        "active",
        day(-2),
        day(9),
    )
    ok(run_cli("sprint", "complete", "A", "--project", "SD", db=db))  # closed today
    refused(
        run_cli("sprint", "start", "B", "--project", "SD", "--start", day(-1), db=db),
        "overlap",
        "'A'",
        "closed on " + day(0),
    )
    ok(run_cli("sprint", "start", "B", "--project", "SD", "--start", day(0), "--end", day(13),
               db=db))  # fmt: skip
    assert {r["name"]: r for r in sprints(db)}["B"]["start"] == day(0)


def test_other_refusals_and_usage_errors(db: str) -> None:
    ok(run_cli("project", "add", "KB", "--name", "Flow", "--kanban", db=db))
    refused(run_cli("sprint", "add", "--project", "KB", db=db), "kanban")
    refused(run_cli("sprint", "start", "Nope", "--project", "SD", db=db), "no sprint called")
    refused(run_cli("card", "plan", "SD-99", "--sprint", "backlog", db=db), "SD-99")
    refused(run_cli("sprint", "list", "--project", "ZZ", db=db))
    result = run_cli("sprint", "start", "One", db=db)
    assert result.returncode == 2 and "--help)" in result.stderr
    result = run_cli("card", "plan", "SD-1", db=db)
    assert result.returncode == 2 and "--help)" in result.stderr
