"""The sprint report's hours and cost per person, per card and in total (issue 16), on
both database backends.

On the report world (tests/worlds.py: Sprint 2 ran 3-14 March 2025) Alice has 100.00/h from
1 January and RP's own 120.00/h from 10 March; Bob has no rate. Logged:

- Alice 2 h on A (4 Mar, 200.00), 1.5 h on D (10 Mar, 180.00), 1 h on E (11 Mar, 120.00);
- Bob 3 h on B (5 Mar, no rate) and 0.5 h on A (6 Mar, no rate);
- outside the report: Alice 4 h on A on 28 Feb (before the sprint) and 1 h on "Old one"
  (a Sprint 1 card) on 5 Mar.

So Alice 4.5 h, 500.00; Bob 3.5 h, no rate; A 2.5 h, 200.00 with 0.5 h without a rate;
the total 8 h, 500.00 with 3.5 h without a rate.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from app.reports import sprint_report_render as sr
from app.services import Services
from app.services.sprint_report_data import ReportService, SprintReportDTO
from tests.helpers import Clock
from tests.worlds import REPORT_START, build_report, close_report

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock(REPORT_START)
    services.context.clock = c
    return c


@pytest.fixture
def world(services: Services, clock: Clock) -> dict:  # type: ignore[type-arg]
    w = build_report(services, clock)
    close_report(services, clock, w)
    pid, alice, bob, cards = w["project"].id, w["alice"], w["bob"], w["cards"]
    time = services.time
    time.set_rate(alice, "100.00", "2025-01-01")
    time.set_rate(alice, "120.00", "2025-03-10", project_id=pid)
    old = next(c for c in services.cards.list_cards(pid) if c.title == "Old one")
    time.add_log(cards["A"], alice, "2h", "2025-03-04")
    time.add_log(cards["D"], alice, "90m", "2025-03-10")
    time.add_log(cards["E"], alice, "1h", "2025-03-11")
    time.add_log(cards["B"], bob, "3h", "2025-03-05")
    time.add_log(cards["A"], bob, "30m", "2025-03-06")
    time.add_log(cards["A"], alice, "4h", "2025-02-28")  # before the sprint
    time.add_log(old.id, alice, "1h", "2025-03-05")  # a card of another sprint
    return w


@pytest.fixture
def report(services: Services, world: dict) -> SprintReportDTO:  # type: ignore[type-arg]
    return ReportService(services.context).sprint_report(world["project"].id, "Sprint 2")


def test_hours_and_cost_per_person_card_and_total(report: SprintReportDTO) -> None:
    people = {p.name: (p.hours, p.cost, p.unrated_hours) for p in report.time_people}
    assert people == {
        "Alice Archer": (Decimal("4.50"), Decimal("500.00"), Decimal("0.00")),
        "Bob Baker": (Decimal("3.50"), Decimal("0.00"), Decimal("3.50")),
    }
    assert [p.name for p in report.time_people] == ["Alice Archer", "Bob Baker"]
    cards = {c.title: (c.hours, c.cost, c.unrated_hours) for c in report.time_cards}
    assert cards == {
        "Alpha": (Decimal("2.50"), Decimal("200.00"), Decimal("0.50")),
        "Bravo": (Decimal("3.00"), Decimal("0.00"), Decimal("3.00")),
        "Delta": (Decimal("1.50"), Decimal("180.00"), Decimal("0.00")),
        "Echo": (Decimal("1.00"), Decimal("120.00"), Decimal("0.00")),
    }
    total = report.time_total
    assert total is not None
    assert (total.hours, total.cost, total.unrated_hours) == (
        Decimal("8.00"),
        Decimal("500.00"),
        Decimal("3.50"),
    )
    assert (report.time_from.isoformat(), report.time_to.isoformat()) == (  # type: ignore[union-attr]
        "2025-03-03",
        "2025-03-14",
    )


def test_markdown_and_html_show_no_rate_instead_of_zero(report: SprintReportDTO) -> None:
    md = sr.render_markdown(report)
    assert "## Hours and cost per person" in md and "## Hours and cost per card" in md
    assert "| Alice Archer | 4.5 h | 500.00 EUR |" in md
    assert "| Bob Baker | 3.5 h | no rate |" in md
    assert "| RP-" in md and "| Bravo | 3 h | no rate |" in md
    assert "| Alpha | 2.5 h | 200.00 EUR (no rate for 0.5 h) |" in md
    assert "| Total | 8 h | 500.00 EUR (no rate for 3.5 h) |" in md
    assert "| Total |   | 8 h | 500.00 EUR (no rate for 3.5 h) |" in md
    assert "- **Time logged:** 8 h · 500.00 EUR (no rate for 3.5 h)" in md
    assert not re.search(r"(?<![\d,])0\.00 EUR", md)  # no cost of 0 anywhere
    page = sr.render_html(report)
    assert "<h2>Hours and cost per card</h2>" in page
    assert "<span class=v>no rate</span>" in page
    assert not re.search(r"(?<![\d,])0\.00 EUR", page)
    assert "from 03 Mar 2025 to 14 Mar 2025" in page
    pdf = sr.render(report, "pdf")
    assert pdf.startswith(b"%PDF")


def test_csv_appends_the_time_columns(report: SprintReportDTO) -> None:
    rows = list(csv.reader(io.StringIO(sr.render_csv(report))))
    head = rows[0]
    assert head[:17] == [
        "key", "title", "type", "assignee", "points_committed", "points_final", "outcome",
        "destination", "added_after_start", "committed", "re_estimated", "blocked_hours",
        "sprint", "points_initial", "completed_by", "added_by", "removed_by",
    ]  # fmt: skip
    assert head[17:] == ["logged_hours", "cost", "unrated_hours", "currency"]
    by_title = {r["title"]: r for r in csv.DictReader(io.StringIO(sr.render_csv(report)))}
    alpha, bravo, charlie = by_title["Alpha"], by_title["Bravo"], by_title["Charlie"]
    assert (alpha["logged_hours"], alpha["cost"], alpha["unrated_hours"]) == (
        "2.50",
        "200.00",
        "0.50",
    )
    assert (bravo["logged_hours"], bravo["cost"]) == ("3.00", "no rate")
    assert (charlie["logged_hours"], charlie["cost"], charlie["currency"]) == ("", "", "EUR")


def test_a_sprint_without_logs_says_so(services: Services, clock: Clock) -> None:
    w = build_report(services, clock)
    close_report(services, clock, w)
    report = ReportService(services.context).sprint_report(w["project"].id, "Sprint 2")
    assert report.time_people == () and report.time_cards == ()
    assert report.time_total is not None and report.time_total.hours == 0
    md = sr.render_markdown(report)
    assert md.count("_No time was logged on the sprint's cards while it ran._") == 2
    assert "| Total |" not in md


def test_an_active_sprint_counts_up_to_today(services: Services, clock: Clock) -> None:
    w = build_report(services, clock)  # Sprint 2 still running; the clock at 14 Mar 17:00
    services.time.set_rate(w["bob"], "50", "2025-01-01")
    services.time.add_log(w["cards"]["E"], w["bob"], "2h", "2025-03-13")
    report = ReportService(services.context).sprint_report(w["project"].id, "active")
    assert report.time_total is not None
    assert (report.time_total.hours, report.time_total.cost) == (Decimal("2.00"), Decimal("100.00"))
    assert report.time_to is not None and report.time_to.isoformat() == "2025-03-14"
