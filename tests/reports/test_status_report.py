"""The project status report: its figures taken as a snapshot, rendered in four formats from
that snapshot (so a past report never changes), and exported from the command line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app.bootstrap import Runtime
from app.errors import NotFound, ValidationError
from app.reports import status_report_render as st
from tests.budget_world import build_budget
from tests.helpers import as_json, make_runtime, ok, refused, run_cli


@pytest.fixture
def bg(tmp_path: Path) -> Iterator[tuple[Runtime, dict]]:  # type: ignore[type-arg]
    runtime = make_runtime(tmp_path / "status.db")
    world = build_budget(runtime)
    services, pid, clock = runtime.services, world["pid"], world["clock"]
    s3 = services.sprints.create_sprint(pid, "Sprint 3", "", "2025-03-17", "2025-03-28")
    services.cards.create_card(pid, "Big", points="8", assignee_id=world["ann"], sprint_id=s3.id)
    services.cards.create_card(pid, "Tiny", points="1", assignee_id=world["ben"], sprint_id=s3.id)
    clock.set(17, 9)
    services.sprints.start_sprint(s3.id)
    yield runtime, world
    runtime.close()


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
