"""``sprintdeck metrics burndown|velocity|cfd|cycle`` through the real entry point.

The history is built in-process with a fixed clock (project MET, Scrum, columns To Do, In
Progress, Review, Done):

* 27 Feb 09:00: A 5, B 3, F 3 created in sprint S1 (3-14 March); X 8 and C 2 ("=SUM(A1)",
  a title a spreadsheet would run) in the backlog. 28 Feb: F done, before the start.
* S1 starts Mon 3 March 08:00: the commitment is A and B, 8 points (F is done already).
  4 Mar: X added (10:00), B in progress (12:00), A done (15:00). 5 Mar: X removed (10:00),
  B into Review (18:00). 6 Mar 15:00: B done. Closed 14 Mar 17:00: 8 of 8.
* S2 (17-28 March) commits C: in progress 17 Mar 12:00, done 18 Mar 18:00. Closed 28 Mar.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import Clock, make_runtime, run_cli, world_database


def _met(db: Path | str) -> None:
    """The history of the module's docstring (projects MET and KAN)."""
    runtime = make_runtime(db)
    try:
        services = runtime.services
        clock = Clock(dt.datetime(2025, 2, 27, 9, tzinfo=dt.UTC))
        services.context.clock = clock
        pid = services.projects.create_project("MET", "Metrics").id
        services.workflow.add_column(pid, "Review")  # before Done
        col = {c.name: c.id for c in services.workflow.list_columns(pid)}
        s1 = services.sprints.create_sprint(pid, "S1", "", "2025-03-03", "2025-03-14").id
        s2 = services.sprints.create_sprint(pid, "S2", "", "2025-03-17", "2025-03-28").id
        services.sprints.create_sprint(pid, "S3", "", "2025-03-31", "2025-04-11")

        def card(title: str, points: str, sprint: int | None) -> int:
            return services.cards.create_card(pid, title, points=points, sprint_id=sprint).id

        a, b, f = card("A", "5", s1), card("B", "3", s1), card("F", "3", s1)
        x, c = card("X", "8", None), card("=SUM(A1)", "2", None)
        clock.set(28, 15, month=2)
        services.board.move_card(f, col["Done"])
        clock.set(3, 8)
        services.sprints.start_sprint(s1)
        clock.set(4, 10)
        services.sprints.plan_card(x, s1)
        clock.set(4, 12)
        services.board.move_card(b, col["In Progress"])
        clock.set(4, 15)
        services.board.move_card(a, col["Done"])
        clock.set(5, 10)
        services.sprints.plan_card(x, None)
        clock.set(5, 18)
        services.board.move_card(b, col["Review"])
        clock.set(6, 15)
        services.board.move_card(b, col["Done"])
        clock.set(14, 17)
        services.sprints.complete_sprint(s1, "backlog")
        services.sprints.plan_card(c, s2)
        clock.set(17, 8)
        services.sprints.start_sprint(s2)
        clock.set(17, 12)
        services.board.move_card(c, col["In Progress"])
        clock.set(18, 18)
        services.board.move_card(c, col["Done"])
        clock.set(28, 17)
        services.sprints.complete_sprint(s2, "backlog")
        services.projects.create_project("KAN", "Flow only", "kanban")
    finally:
        runtime.close()


@pytest.fixture
def db(db_url: str) -> str:
    """The MET and KAN history, built once per process and backend, copied per test."""
    world_database(db_url, _met)
    return db_url


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def metrics(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("metrics", *args, db=db)


def one_line_error(result: subprocess.CompletedProcess[str], status: int, *words: str) -> str:
    assert result.returncode == status, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]
    return lines[0]


GUIDELINE = [7.2, 6.4, 5.6, 4.8, 4, 4, 4, 3.2, 2.4, 1.6, 0.8, 0]


def test_burndown_json_per_day(db: str) -> None:
    rows = json.loads(ok(metrics(db, "burndown", "--project", "MET", "--sprint", "S1", "--json")))
    assert [r["date"] for r in rows] == [f"2025-03-{d:02d}" for d in range(3, 15)]
    assert set(rows[0]) == {
        "date",
        "working_day",
        "remaining",
        "guideline",
        "scope_added",
        "scope_removed",
        "burned",
    }
    assert [r["working_day"] for r in rows] == [True] * 5 + [False] * 2 + [True] * 5
    # The guideline starts at the commitment (8, not 11: F was done before the start) and is
    # flat over the weekend.
    assert [r["guideline"] for r in rows] == GUIDELINE
    assert [r["remaining"] for r in rows] == [8, 11, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert [r["scope_added"] for r in rows] == [0, 8] + [0] * 10
    assert [r["scope_removed"] for r in rows] == [0, 0, 8] + [0] * 9
    assert [r["burned"] for r in rows] == [0, 5, 0, 3] + [0] * 8
    for row in rows:  # numbers, not strings
        assert all(isinstance(row[k], int | float) for k in row if k not in ("date", "working_day"))


def test_burndown_csv_and_the_default_sprint(db: str) -> None:
    text = ok(metrics(db, "burndown", "--project", "MET", "--sprint", "s1", "--csv"))
    lines = text.splitlines()
    assert lines[0] == "date,working_day,remaining,guideline,scope_added,scope_removed,burned"
    assert lines[1:4] == [
        "2025-03-03,yes,8,7.2,0,0,0",
        "2025-03-04,yes,11,6.4,8,0,5",
        "2025-03-05,yes,3,5.6,0,8,0",
    ]
    assert lines[6] == "2025-03-08,no,0,4,0,0,0"
    # Without --sprint: the active sprint, else the last closed one (S2: C, 2 points).
    rows = json.loads(ok(metrics(db, "burndown", "--project", "MET", "--json")))
    assert rows[0]["date"] == "2025-03-17"
    assert [r["remaining"] for r in rows[:3]] == [2, 0, 0]
    assert rows == json.loads(
        ok(metrics(db, "burndown", "--project", "MET", "--sprint", "last", "--json"))
    )
    table = ok(metrics(db, "burndown", "--project", "MET", "--sprint", "S1")).splitlines()
    assert table[0].split() == [
        "date",
        "working_day",
        "remaining",
        "guideline",
        "scope_added",
        "scope_removed",
        "burned",
    ]
    assert table[2].split() == ["2025-03-04", "yes", "11", "6.4", "8", "0", "5"]


def test_velocity_json_csv_and_last(db: str) -> None:
    rows = json.loads(ok(metrics(db, "velocity", "--project", "MET", "--json")))
    assert rows == [
        {"name": "S1", "start": "2025-03-03", "end": "2025-03-14", "commitment": 8, "completed": 8},
        {"name": "S2", "start": "2025-03-17", "end": "2025-03-28", "commitment": 2, "completed": 2},
    ]
    assert ok(metrics(db, "velocity", "--project", "MET", "--last", "1", "--csv")) == (
        "name,start,end,commitment,completed\nS2,2025-03-17,2025-03-28,2,2\n"
    )
    # The sprint list says the same.
    listed = json.loads(ok(run_cli("sprint", "list", "--project", "MET", "--json", db=db)))
    assert [(s["name"], s["committed_points"], s["completed_points"]) for s in listed] == [
        ("S1", 8, 8),
        ("S2", 2, 2),
        ("S3", 0, 0),
    ]


def test_cumulative_flow_columns_in_workflow_order(db: str) -> None:
    args = ("cfd", "--project", "MET", "--from", "2025-03-03", "--to", "2025-03-06")
    rows = json.loads(ok(metrics(db, *args, "--json")))
    assert rows == [
        {"date": "2025-03-03", "columns": {"To Do": 4, "In Progress": 0, "Review": 0, "Done": 1}},
        {"date": "2025-03-04", "columns": {"To Do": 2, "In Progress": 1, "Review": 0, "Done": 2}},
        {"date": "2025-03-05", "columns": {"To Do": 2, "In Progress": 0, "Review": 1, "Done": 2}},
        {"date": "2025-03-06", "columns": {"To Do": 2, "In Progress": 0, "Review": 0, "Done": 3}},
    ]
    assert list(rows[0]["columns"]) == ["To Do", "In Progress", "Review", "Done"]
    assert ok(metrics(db, *args, "--csv")).splitlines() == [
        "date,To Do,In Progress,Review,Done",
        "2025-03-03,4,0,0,1",
        "2025-03-04,2,1,0,2",
        "2025-03-05,2,0,1,2",
        "2025-03-06,2,0,0,3",
    ]


def test_cycle_and_lead_time_per_finished_card(db: str) -> None:
    args = ("cycle", "--project", "MET", "--from", "2025-03-01", "--to", "2025-03-31")
    rows = json.loads(ok(metrics(db, *args, "--json")))
    assert rows == [
        {
            "key": "MET-1",
            "title": "A",
            "created": "2025-02-27T09:00:00+00:00",
            "started": None,  # never in an in-progress column: no cycle time
            "finished": "2025-03-04T15:00:00+00:00",
            "cycle_days": None,
            "lead_days": 5.25,
        },
        {
            "key": "MET-2",
            "title": "B",
            "created": "2025-02-27T09:00:00+00:00",
            "started": "2025-03-04T12:00:00+00:00",  # In Progress, then Review: one start
            "finished": "2025-03-06T15:00:00+00:00",
            "cycle_days": 2.12,  # 2.125, rounded half to even
            "lead_days": 7.25,
        },
        {
            "key": "MET-5",
            "title": "=SUM(A1)",
            "created": "2025-02-27T09:00:00+00:00",
            "started": "2025-03-17T12:00:00+00:00",
            "finished": "2025-03-18T18:00:00+00:00",
            "cycle_days": 1.25,
            "lead_days": 19.38,
        },
    ]
    table = list(csv.reader(io.StringIO(ok(metrics(db, *args, "--csv")))))
    assert table[0] == [
        "key",
        "title",
        "created",
        "started",
        "finished",
        "cycle_days",
        "lead_days",
    ]
    assert table[1] == [
        "MET-1",
        "A",
        "2025-02-27T09:00:00+00:00",
        "",
        "2025-03-04T15:00:00+00:00",
        "",
        "5.25",
    ]
    assert table[3][1] == "'=SUM(A1)"  # never a formula in a spreadsheet
    # F was finished on 28 February, outside that range.
    february = ("cycle", "--project", "MET", "--from", "2025-02-28", "--to", "2025-02-28")
    assert [r["key"] for r in json.loads(ok(metrics(db, *february, "--json")))] == ["MET-3"]


def test_refused_operations_exit_1_with_one_line(db: str) -> None:
    one_line_error(metrics(db, "burndown", "--project", "NOPE", "--json"), 1, "NOPE")
    one_line_error(
        metrics(db, "burndown", "--project", "MET", "--sprint", "Nope", "--json"), 1, "Nope"
    )
    one_line_error(
        metrics(db, "burndown", "--project", "MET", "--sprint", "S3", "--json"), 1, "not started"
    )
    for chart in ("burndown", "velocity"):
        one_line_error(metrics(db, chart, "--project", "KAN", "--json"), 1, "Kanban", chart)
    one_line_error(
        metrics(db, "cfd", "--project", "MET", "--from", "2025-03-10", "--to", "2025-03-01"),
        1,
        "ends before it starts",
    )
    # A Kanban board has a cumulative flow and cycle times.
    assert json.loads(ok(metrics(db, "cfd", "--project", "KAN", "--json")))[0]["columns"] == {
        "To Do": 0,
        "In Progress": 0,
        "Done": 0,
    }


@pytest.mark.parametrize(
    "args",
    [
        ("burndown", "--json"),  # no --project
        ("burndown", "--project", "MET", "--json", "--csv"),
        ("velocity", "--project", "MET", "--last", "0"),
        ("velocity", "--project", "MET", "--last", "many"),
        ("cfd", "--project", "MET", "--from", "03/03/2025"),
        ("cycle", "--project", "MET", "--to", "yesterday"),
        ("chart", "--project", "MET"),
        (),
    ],
)
def test_usage_errors_exit_2_with_one_line(db: str, args: tuple[str, ...]) -> None:
    one_line_error(metrics(db, *args), 2, "error")
