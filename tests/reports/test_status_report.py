"""The project status report: its figures taken as a snapshot, rendered in four formats from
that snapshot (so a past report never changes), and exported from the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.bootstrap import Runtime
from app.errors import NotFound, ValidationError
from app.models import StatusSnapshot
from app.reports import status_report_render as st
from app.services import status_report as sr
from tests.budget_world import build_budget, built, on_clock
from tests.helpers import as_json, make_runtime, ok, refused, run_cli, world_database


def _with_sprint_3(runtime: Runtime) -> dict:  # type: ignore[type-arg]
    world = build_budget(runtime)
    services, pid, clock = runtime.services, world["pid"], world["clock"]
    s3 = services.sprints.create_sprint(pid, "Sprint 3", "", "2025-03-17", "2025-03-28")
    services.cards.create_card(pid, "Big", points="8", assignee_id=world["ann"], sprint_id=s3.id)
    services.cards.create_card(pid, "Tiny", points="1", assignee_id=world["ben"], sprint_id=s3.id)
    clock.set(17, 9)
    services.sprints.start_sprint(s3.id)
    return world


def _opened(db: Path | str, make: Callable[[Runtime], dict]) -> Iterator[tuple[Runtime, dict]]:  # type: ignore[type-arg]
    """``db`` filled with the world ``make`` builds (once per process and backend, then
    copied), and a runtime on it whose clock is where the history stopped."""
    world = world_database(db, built(make))
    runtime = make_runtime(db)
    try:
        yield runtime, on_clock(runtime, world)
    finally:
        runtime.close()


@pytest.fixture
def bg(tmp_path: Path) -> Iterator[tuple[Runtime, dict]]:  # type: ignore[type-arg]
    yield from _opened(tmp_path / "status.db", _with_sprint_3)


def test_the_figures_of_a_report(bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    r = runtime.services.status_reports.take(world["pid"])
    assert r.snapshot_id is not None and r.taken_by == "tester"
    assert (r.project_key, r.as_of.isoformat()) == ("BG", "2025-03-17")
    assert (r.cards_done, r.cards_total) == (3, 6)
    assert (r.points_done, r.points_total) == (Decimal("13.0"), Decimal("24.0"))
    assert (r.active_sprint, r.sprint_committed, r.sprint_done) == (
        "Sprint 3",
        Decimal("9.0"),
        Decimal("0"),
    )
    assert (r.budget, r.cost_to_date) == (Decimal("1800.00"), Decimal("1550.00"))
    assert r.warnings[0] == "86% of the project budget is spent (1550.00 of 1800.00)."
    assert [e.sprint for e in r.evm] == ["Sprint 1", "Sprint 2"]
    assert r.evm[-1].ev == Decimal("1560.00")  # 13/15 of the project budget
    assert r.workload_sprint == "Sprint 3"
    assert [w.name for w in r.over_capacity] == ["Ann Able"]
    assert {w.name for w in r.workload} == {"Ann Able", "Ben Best"}


def test_a_past_report_never_changes(bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    services, pid = runtime.services, world["pid"]
    first = services.status_reports.take(pid)
    before = st.render_markdown(first)
    services.budget.set_budget(pid, "99999")
    world["clock"].set(20, 9)
    second = services.status_reports.take(pid)
    assert second.budget == Decimal("99999.00") and second.warnings[0].startswith("Over")
    again = services.status_reports.load(pid, "1")
    assert st.render_markdown(again) == before
    assert services.status_reports.load(pid, "2025-03-19").snapshot_id == first.snapshot_id
    assert services.status_reports.load(pid, "last").snapshot_id == second.snapshot_id
    assert [s.number for s in services.status_reports.list_snapshots(pid)] == [1, 2]
    with pytest.raises(NotFound, match="no status report 3; this project has 2"):
        services.status_reports.load(pid, "3")
    with pytest.raises(NotFound, match="on or before 2025-03-01"):
        services.status_reports.load(pid, "2025-03-01")
    with pytest.raises(ValidationError, match="--as-of takes last"):
        services.status_reports.load(pid, "yesterday")


def test_no_report_yet(bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    with pytest.raises(NotFound, match="No status report has been exported"):
        runtime.services.status_reports.load(world["pid"])


def test_every_format_says_the_same(bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    r = runtime.services.status_reports.take(world["pid"])
    md = st.render_markdown(r)
    assert md.startswith("# Status report: Budget project (BG), 2025-03-17")
    assert "| Cost to date | 1,550.00 EUR |" in md
    assert "Over capacity: Ann Able" in md
    assert "under budget, ahead of schedule" in md
    page = st.render_html(r)
    assert "<h2>Earned value</h2>" in page and "1,560.00" in page
    assert '<p class="warn">Over capacity: Ann Able' in page
    rows = list(csv.reader(io.StringIO(st.render_csv(r))))
    assert rows[0] == ["section", "row", "figure", "value"]
    assert ["Budget", "", "Cost to date", "1,550.00 EUR"] in rows
    assert ["Earned value", "Sprint 2", "EV", "1,560.00"] in rows
    pdf = st.render(r, "pdf")
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_hostile_names_stay_text(bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    services = runtime.services
    services.team.rename_person(world["pid"], world["ben"], "<b>Ben</b> | *x*")
    r = services.status_reports.take(world["pid"])
    assert "<b>Ben</b>" not in st.render_html(r) and "&lt;b&gt;Ben" in st.render_html(r)
    assert "\\<b\\>Ben\\</b\\> \\| \\*x\\*" in st.render_markdown(r)


def test_the_command_line_exports_and_lists(bg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runtime, _world = bg
    db = tmp_path / "status.db"
    runtime.close()
    out = tmp_path / "status.md"
    said = ok(run_cli("report", "--project", "BG", "--kind", "status", "-o", str(out), db=db))
    assert said.startswith("Wrote the MD status report of BG (snapshot 1, ")
    assert "| Cost to date | 1,550.00 EUR |" in out.read_text(encoding="utf-8")
    ok(run_cli("budget", "set", "--project", "BG", "5000", db=db))
    again = tmp_path / "again.md"
    ok(
        run_cli(
            "report", "--project", "BG", "--kind", "status", "--as-of", "1", "-o", str(again), db=db
        )
    )
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    for fmt in ("html", "csv", "pdf"):
        target = tmp_path / f"status.{fmt}"
        ok(run_cli("report", "--project", "BG", "--kind", "status", "-o", str(target), db=db))
        assert target.stat().st_size > 100
    listed = as_json(run_cli("status", "list", "--project", "BG", "--json", db=db))
    assert [row["number"] for row in listed] == [1, 2, 3, 4]
    assert listed[0]["taken_by"] == "tester"
    stdout = ok(
        run_cli(
            "report",
            "--project",
            "BG",
            "--kind",
            "status",
            "--as-of",
            "1",
            "--format",
            "md",
            "-o",
            "-",
            db=db,
        )
    )
    assert stdout == out.read_text(encoding="utf-8")


def test_bad_outputs_are_refused_and_store_nothing(bg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runtime, _world = bg
    db = tmp_path / "status.db"
    runtime.close()
    base = ("report", "--project", "BG", "--kind", "status")
    refused(run_cli(*base, "-o", str(tmp_path / "no" / "such" / "x.md"), db=db), "folder")
    refused(run_cli(*base, "-o", str(db), "--format", "md", db=db), "database")
    refused(run_cli(*base, "-o", str(tmp_path / "x.txt"), db=db), "format")
    refused(run_cli(*base, "-o", "-", "--format", "pdf", db=db), "pdf")
    refused(run_cli(*base, "--sprint", "last", "-o", str(tmp_path / "x.md"), db=db), "sprint")
    no_sprint = run_cli("report", "--project", "BG", "-o", str(tmp_path / "x.md"), db=db)
    assert no_sprint.returncode == 2 and "--sprint" in no_sprint.stderr  # a usage error
    assert not (tmp_path / "x.md").exists()
    assert as_json(run_cli("status", "list", "--project", "BG", "--json", db=db)) == []


# --- milestones, risks, dependencies and the forecast (issue 18), on both backends ---------


def _planned(runtime: Runtime) -> dict:  # type: ignore[type-arg]
    world = build_budget(runtime)
    s, pid, clock = runtime.services, world["pid"], world["clock"]
    s3 = s.sprints.create_sprint(pid, "Sprint 3", "", "2025-03-17", "2025-03-28")
    s4 = s.sprints.create_sprint(pid, "Sprint 4", "", "2025-03-31", "2025-04-11")
    big = s.cards.create_card(pid, "Big", points="8", assignee_id=world["ann"], sprint_id=s3.id)
    tiny = s.cards.create_card(pid, "Tiny", points="1", assignee_id=world["ben"], sprint_id=s3.id)
    later = s.cards.create_card(pid, "Later", points="5", assignee_id=world["ben"], sprint_id=s4.id)
    loose = s.cards.create_card(pid, "Loose", points="2")
    near = s.cards.create_card(pid, "Near", points="1", sprint_id=s3.id)
    clock.set(17, 9)
    s.sprints.start_sprint(s3.id)
    s.plans.add_milestone(pid, "Beta", "2025-03-28")
    s.plans.link_scope_keys(pid, "Beta", [big.key, tiny.key])
    s.plans.add_milestone(pid, "GA", "2025-04-30")
    s.plans.link_scope_keys(pid, "GA", ["BG-2"])
    s.plans.add_milestone(pid, "Shipped", "2025-03-20")
    s.plans.link_scope_keys(pid, "Shipped", ["BG-3"])
    s.plans.add_milestone(pid, "Past", "2025-03-10")
    s.plans.link_scope_keys(pid, "Past", ["BG-6"])
    for blocker, blocked in ((later, big), (loose, tiny), (near, tiny)):
        s.plans.link(blocker.id, blocked.id)
    s.plans.link_keys("BG-5", tiny.key)
    s.risks.add_risk(
        pid, "Vendor late", probability=4, impact=5, residual_probability=2, residual_impact=3
    )
    s.risks.add_risk(pid, "Key person leaves", probability=3, impact=4, owner="Ann Able")
    s.risks.add_risk(pid, "Gone already", probability=5, impact=5, status="closed")
    world.update(s3=s3, s4=s4)
    return world


@pytest.fixture
def plan(db_url: str) -> Iterator[tuple[Runtime, dict]]:  # type: ignore[type-arg]
    """BG with Sprint 3 active (17-28 Mar) and Sprint 4 planned (31 Mar - 11 Apr):

    - Beta (28 Mar): BG-7 Big (Ann, Sprint 3) blocked by BG-9 Later (Ben, Sprint 4) and
      BG-8 Tiny (Ben, Sprint 3) blocked by BG-10 Loose (no sprint) — both threats — and by
      BG-11 Near (Sprint 3, planned no later: no threat) and BG-5 (done: no threat);
    - GA (30 Apr): the epic BG-2 Search (BG-4 done, BG-6 open);
    - Shipped (20 Mar): BG-3 only, done: met;
    - Past (10 Mar): BG-6, open: missed;
    - risks R-1 (20 -> 6), R-2 (12), R-3 closed (25).
    """
    yield from _opened(db_url, _planned)


BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_workload_per_sprint_names_who_is_over_where(plan) -> None:  # type: ignore[no-untyped-def]
    runtime, world = plan
    r = runtime.services.status_reports.take(world["pid"])
    assert r.workload_sprints == ("Sprint 3", "Sprint 4")
    assert [(w.sprint, w.name) for w in r.over_capacity] == [
        ("Sprint 3", "Ann Able"),
        ("Sprint 4", "Ben Best"),
    ]
    grid = runtime.services.workload.over_allocated(world["pid"])
    assert {(o.column_title, o.display_name, o.assigned) for o in grid} == {
        (w.sprint, w.name, w.assigned) for w in r.over_capacity
    }
    md = st.render_markdown(r)
    assert "## Workload (Sprint 3, Sprint 4, points)" in md
    assert "| Sprint 4 | Ben Best | 5 | " in md
    assert "Over capacity: Ann Able (+" in md and "points in Sprint 4)" in md
    rows = list(csv.reader(io.StringIO(st.render_csv(r))))
    assert ["Workload (Sprint 3, Sprint 4, points)", "Sprint 4 / Ben Best", "Assigned", "5"] in rows


@BOTH
def test_milestones_with_their_odds(plan) -> None:  # type: ignore[no-untyped-def]
    runtime, world = plan
    services, pid = runtime.services, world["pid"]
    r = services.status_reports.take(pid)
    by_name = {m.name: m for m in r.milestones}
    assert [m.name for m in r.milestones] == ["Past", "Shipped", "Beta", "GA"]  # by date
    assert (by_name["Shipped"].chance, by_name["Shipped"].note) == (1, "met: its scope is done")
    assert (by_name["Past"].chance, by_name["Past"].note) == (0, "missed: its date has passed")
    # Beta's odds: the share of the same seeded forecast's trials done within the 9 working
    # days from 18 to 28 March.
    answer = services.forecasts.forecast(pid, milestone="Beta", seed=sr.FORECAST_SEED)
    within = sum(n for days, n in answer.histogram if days <= 9)
    beta = by_name["Beta"]
    assert beta.chance == (Decimal(within) / answer.trials).quantize(Decimal("0.001"))
    assert beta.p85 == answer.dates[85]  # type: ignore[index]
    assert (beta.scope, beta.done) == (2, 0)
    assert (by_name["GA"].scope, by_name["GA"].done) == (2, 1)
    md = st.render_markdown(r)
    assert "| Shipped | 2025-03-20 | 1 of 1 | 100% |" in md
    assert "| Past | 2025-03-10 | 0 of 1 | 0% |" in md
    pct = f"{(beta.chance * 100).quantize(Decimal(1))}%"  # type: ignore[operator]
    assert f"| Beta | 2025-03-28 | 0 of 2 | {pct} | {answer.dates[85].isoformat()} |" in md  # type: ignore[index]
    assert "At risk (under 85%): Past (0%), Beta" in md
    page = st.render_html(r)
    assert "<h2>Milestones</h2>" in page and "<td>Shipped</td>" in page


@BOTH
def test_top_risks_by_residual_exposure(plan) -> None:  # type: ignore[no-untyped-def]
    runtime, world = plan
    r = runtime.services.status_reports.take(world["pid"])
    assert [(x.key, x.residual, x.inherent) for x in r.risks] == [("R-2", 12, 12), ("R-1", 6, 20)]
    md = st.render_markdown(r)
    assert "| R-2 | Key person leaves | 12 | 12 | Ann Able | open |" in md
    assert "| R-1 | Vendor late | 6 | 20 | — | open |" in md
    assert "Gone already" not in md  # closed
    assert md.index("| R-2 |") < md.index("| R-1 |")


@BOTH
def test_dependencies_that_threaten_a_milestone(plan) -> None:  # type: ignore[no-untyped-def]
    runtime, world = plan
    r = runtime.services.status_reports.take(world["pid"])
    assert [(t.milestone, t.card, t.blocker, t.why) for t in r.threats] == [
        (
            "Beta",
            "BG-7",
            "BG-9",
            "planned in Sprint 4, which ends on 2025-04-11, after 2025-03-28",
        ),
        ("Beta", "BG-8", "BG-10", "in no sprint"),
    ]
    md = st.render_markdown(r)
    assert "| Beta (2025-03-28) | BG-8 Tiny | BG-10 Loose | in no sprint |" in md
    assert "BG-11 Near" not in md  # planned in the same sprint: no threat
    page = st.render_html(r)
    assert "<h2>Dependencies that threaten a milestone</h2>" in page
    assert "BG-9 Later" in page


@BOTH
def test_the_forecast_and_its_histogram(plan) -> None:  # type: ignore[no-untyped-def]
    runtime, world = plan
    services, pid = runtime.services, world["pid"]
    r = services.status_reports.take(pid)
    answer = services.forecasts.forecast(pid, seed=sr.FORECAST_SEED)
    f = r.forecast
    assert f is not None and f.seed == sr.FORECAST_SEED and f.trials == 10_000
    assert f.dates == answer.dates and f.cards == answer.cards == 6
    assert 1 <= len(f.histogram) <= 10
    assert sum(b.trials for b in f.histogram) == 10_000
    assert f.histogram[0].first_day == min(d for d, _ in answer.histogram)
    assert f.histogram[-1].last_day == max(d for d, _ in answer.histogram)
    md = st.render_markdown(r)
    for c in (50, 70, 85, 95):
        assert f"| {c}% | {answer.dates[c].isoformat()} | {answer.days[c]} |" in md  # type: ignore[index]
    assert "## Forecast histogram" in md and "█" * st.BAR_WIDTH in md
    assert "10,000 trials, seed 16" in md
    assert "<h2>Forecast histogram</h2>" in st.render_html(r)


@BOTH
def test_a_stored_report_keeps_its_plan_sections(plan) -> None:  # type: ignore[no-untyped-def]
    runtime, world = plan
    services, pid = runtime.services, world["pid"]
    first = services.status_reports.take(pid)
    before = st.render_markdown(first)
    services.risks.add_risk(pid, "New worry", probability=5, impact=5)
    services.plans.add_milestone(pid, "Later one", "2025-06-30")
    world["clock"].set(18, 9)
    again = services.status_reports.load(pid, "1")
    assert st.render_markdown(again) == before
    assert "New worry" in st.render_markdown(services.status_reports.take(pid))


def test_a_version_1_snapshot_still_renders(bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    services, pid = runtime.services, world["pid"]
    taken = services.status_reports.take(pid)
    with Session(runtime.engine) as session:
        row = session.get(StatusSnapshot, taken.snapshot_id)
        assert row is not None
        payload = json.loads(row.payload)
        for name in ("milestones", "risks", "threats", "forecast", "forecast_note"):
            del payload[name]
        work = payload["workload"]
        payload["workload"] = {
            "sprint": work["sprint"],
            "unit": work["unit"],
            "rows": work["columns"][0]["rows"],
        }
        payload["version"] = 1
        row.payload = json.dumps(payload)
        session.commit()
    old = services.status_reports.load(pid, "1")
    assert old.version == 1 and not old.has_plan_sections
    assert [w.name for w in old.over_capacity] == ["Ann Able"]
    md = st.render_markdown(old)
    assert md.count(st.NOT_RECORDED) == 4
    assert "## Top risks" in md and "Over capacity: Ann Able (+" in md
    assert st.render(old, "pdf").startswith(b"%PDF")
    assert st.NOT_RECORDED in st.render_html(old) and st.NOT_RECORDED in st.render_csv(old)


def test_hostile_plan_text_stays_text(bg) -> None:  # type: ignore[no-untyped-def]
    runtime, world = bg
    services, pid = runtime.services, world["pid"]
    services.risks.add_risk(pid, "<script>x</script> | *boom*", probability=2, impact=2)
    services.plans.add_milestone(pid, "<i>M</i> | _1_", "2025-04-01")
    r = services.status_reports.take(pid)
    page = st.render_html(r)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<i>M</i>" not in page and "&lt;i&gt;M&lt;/i&gt;" in page
    md = st.render_markdown(r)
    assert "\\<script\\>x\\</script\\> \\| \\*boom\\*" in md
    assert "| \\<i\\>M\\</i\\> \\| \\_1\\_ | 2025-04-01 | 0 of 0 | n/a |  | no scope linked |" in md


@BOTH
def test_a_kanban_project_by_week_and_due_dates(runtime: Runtime) -> None:
    """A Kanban project has no sprints: its workload is by week, and a blocker with no
    sprint threatens a milestone only when it is due after it."""
    services = runtime.services
    # A project starts the day it is created (in real time): the dates follow today.
    today = dt.datetime.now(dt.UTC).date()
    demo_day, due = today + dt.timedelta(days=30), today + dt.timedelta(days=60)
    pid = services.projects.create_project("KB", "Flow", methodology="kanban").id
    kim = services.projects.add_member(pid, "Kim Kay").id
    goal = services.cards.create_card(pid, "Goal", assignee_id=kim)
    late = services.cards.create_card(pid, "Late", due_date=due.isoformat())
    calm = services.cards.create_card(pid, "Calm")
    services.plans.add_milestone(pid, "Demo day", demo_day.isoformat())
    services.plans.link_scope_keys(pid, "Demo day", [goal.key])
    services.plans.link(late.id, goal.id)
    services.plans.link(calm.id, goal.id)
    r = services.status_reports.take(pid)
    assert len(r.workload_sprints) == 6 and r.workload_sprint == r.workload_sprints[0]
    assert [(t.card, t.blocker, t.why) for t in r.threats] == [
        ("KB-1", "KB-2", f"due on {due.isoformat()}, after {demo_day.isoformat()}")
    ]
    assert r.forecast is None and r.forecast_note
    md = st.render_markdown(r)
    assert f"## Forecast\n\nNo forecast: {r.forecast_note}" in md
    assert f"| Demo day | {demo_day.isoformat()} | 0 of 1 | n/a |" in md
    assert "no forecast: " in md
