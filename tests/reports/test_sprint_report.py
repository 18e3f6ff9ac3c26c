"""The sprint report: its figures on a sprint built with a fixed clock, and every format.

The sprint (Mon 3 to Fri 14 March 2025, a holiday on the 12th) commits A 5 (Alice), B 8
(Bob, re-estimated to 5 mid-sprint, blocked for a day), C 5 (removed) and E 3 (Bob, carried
over); F 2 (Alice) was done before the start, so it is completed outside the sprint and not
committed (Jira's rule); D 3 is added after the start. A, B and D are completed: 13 of 21
committed points.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.errors import NotFound, ValidationError
from app.reports import sprint_report_render as sr
from app.services import Services
from app.services.sprint_report_data import ReportService, SprintReportDTO
from tests.helpers import Clock
from tests.worlds import REPORT_CLOSED, REPORT_START, build_report, closed_report


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock(REPORT_START)
    services.context.clock = c
    return c


WORLDS = ("closed",)  # filled before the test's runtime opens the database


@pytest.fixture
def closed(db_url: str) -> dict:  # type: ignore[type-arg]
    """The closed Sprint 2 of tests.worlds, built once per process, copied for this test."""
    return closed_report(db_url)


@pytest.fixture
def world(closed: dict, services: Services, clock: Clock) -> dict:  # type: ignore[type-arg]
    clock.now = REPORT_CLOSED  # where close_report left it
    return closed


@pytest.fixture
def report(services: Services, world: dict) -> SprintReportDTO:  # type: ignore[type-arg]
    return ReportService(services.context).sprint_report(world["project"].id, "Sprint 2")


# --- the figures ---------------------------------------------------------------------------


def test_figures_of_a_closed_sprint(report: SprintReportDTO) -> None:
    r = report
    assert (r.project_key, r.sprint_name, r.goal, r.state) == (
        "RP",
        "Sprint 2",
        "Ship reports",
        "closed",
    )
    assert (r.start_date, r.end_date) == (dt.date(2025, 3, 3), dt.date(2025, 3, 14))
    assert r.working_days == 9  # ten weekdays less the holiday
    assert r.team == ("Alice Archer", "Bob Baker")
    assert (r.committed_points, r.committed_cards) == (Decimal(21), 4)
    assert (r.completed_points, r.completed_cards) == (Decimal(13), 3)
    assert r.completed_committed_points == Decimal(10)  # A 5 + B 5
    assert (r.not_completed_points, r.not_completed_cards) == (Decimal(3), 1)
    assert (r.added_points, r.added_cards) == (Decimal(3), 1)
    assert (r.removed_points, r.removed_cards) == (Decimal(5), 1)
    assert r.completed_outside_cards == 1
    assert r.re_estimate_points == Decimal(-3)
    assert r.final_scope_points == Decimal(16)
    assert r.scope_change_points == Decimal(-5)
    assert r.completion_percent == 62
    assert r.carried_over_cards == 1
    assert r.summary == (
        "Completed 13 of 21 committed points (62%) and 3 of 4 cards; 1 card carried over; "
        "scope −5 points; 1 card added; 1 card removed."
    )
    by_title = {c.title: c for c in r.cards}
    assert {c.title for c in r.completed} == {"Alpha", "Bravo", "Delta"}
    assert [(c.title, c.done_at_start, c.committed) for c in r.completed_outside] == [
        ("Foxtrot", True, False)
    ]
    assert [(c.title, c.destination) for c in r.not_completed] == [("Echo", "Sprint 3")]
    assert [(c.title, c.destination) for c in r.removed] == [("Charlie", "backlog")]
    assert [c.title for c in r.added] == ["Delta"]
    assert by_title["Delta"].added_at == dt.datetime(2025, 3, 5, 10, tzinfo=dt.UTC)
    bravo = by_title["Bravo"]
    assert (bravo.points_committed, bravo.points_final, bravo.re_estimated) == (
        Decimal(8),
        Decimal(5),
        True,
    )
    assert bravo.blocked_hours == Decimal("24.0")
    assert [(b.key, b.hours, b.spells, b.blocked_at_end) for b in r.blocked] == [
        (bravo.key, Decimal("24.0"), 1, False)
    ]
    people = {p.name: p for p in r.people}
    assert (people["Alice Archer"].completed_points, people["Alice Archer"].completed_cards) == (
        Decimal(8),
        2,
    )
    assert people["Bob Baker"].completed_points == Decimal(5)
    assert people["Bob Baker"].not_completed_points == Decimal(3)
    assert people["Bob Baker"].blocked_hours == Decimal("24.0")
    assert [(v.sprint_name, v.committed_points, v.completed_points) for v in r.velocity] == [
        ("Sprint 1", Decimal(8), Decimal(5)),
        ("Sprint 2", Decimal(21), Decimal(13)),
    ]
    assert r.planning_velocity == Decimal(9)
    assert r.burndown is not None
    assert r.burndown.committed == Decimal(21) == r.burndown.start_remaining


def test_sprint_can_be_named_last_or_by_name(
    services: Services, world: dict, report: SprintReportDTO
) -> None:  # type: ignore[type-arg]
    reports = ReportService(services.context)
    pid = world["project"].id
    assert reports.sprint_report(pid, "last") == report
    assert reports.sprint_report(pid, "sprint 2") == report
    with pytest.raises(NotFound, match="no active sprint"):
        reports.sprint_report(pid, "active")
    with pytest.raises(NotFound, match="Nope"):
        reports.sprint_report(pid, "Nope")
    with pytest.raises(ValidationError, match="not started"):
        reports.sprint_report(pid, "Sprint 3")


def test_active_sprint_report_is_the_live_state(services: Services, clock: Clock) -> None:
    w = build_report(services, clock)
    clock.set(7, 18)
    r = ReportService(services.context).sprint_report(w["project"].id, "active")
    assert r.is_active and r.closed_at is None
    assert r.as_of == dt.datetime(2025, 3, 7, 18, tzinfo=dt.UTC)
    # Completed so far: A and F (D and B come later in the build, so ask at a new time).
    assert r.summary.startswith("Completed so far")
    assert r.working_days_left == 5  # Mon 10, Tue 11, Thu 13, Fri 14... and today (Fri 7)
    assert r.velocity[-1].active and r.velocity[-1].sprint_name == "Sprint 2"


def test_the_report_carries_the_velocity_series_it_paints(report: SprintReportDTO) -> None:
    series = report.velocity_series
    assert sr.velocity_series(report) is series  # the renderer paints it as it is
    assert [(v.name, v.committed, v.completed) for v in series.sprints] == [
        (p.sprint_name, p.committed_points, p.completed_points) for p in report.velocity
    ]
    assert series.planning == report.planning_velocity


def test_a_running_sprint_is_last_in_its_trend_so_far(services: Services, clock: Clock) -> None:
    w = build_report(services, clock)
    clock.set(7, 18)
    running = ReportService(services.context).sprint_report(w["project"].id, "active")
    assert running.velocity_series.sprints[-1].name == "Sprint 2 (so far)"
    assert running.velocity_series.window >= 1


def test_a_card_created_blocked_counts_as_blocked_from_its_creation(
    services: Services, clock: Clock
) -> None:
    w = build_report(services, clock)
    clock.set(5, 9)
    stuck = services.cards.create_card(
        w["project"].id,
        "Stuck at once",
        points="1",
        sprint_id=w["sprint"].id,
        blocked=True,
        blocked_reason="No test data",
    )
    clock.set(6, 9)
    r = ReportService(services.context).sprint_report(w["project"].id, "active")
    (entry,) = [b for b in r.blocked if b.key == stuck.key]
    assert (entry.hours, entry.spells, entry.blocked_at_end) == (Decimal("24.0"), 1, True)


def test_report_unchanged_by_edits_after_the_close(
    services: Services, clock: Clock, world: dict, report: SprintReportDTO
) -> None:  # type: ignore[type-arg]
    md, csv_text = sr.render_markdown(report), sr.render_csv(report)
    cards = world["cards"]
    clock.set(20)
    services.cards.update_card(
        cards["A"], {"title": "Renamed", "points": "13", "assignee_id": world["bob"]}
    )
    services.board.move_card(cards["A"], world["doing"].id)
    services.cards.update_card(cards["E"], {"points": "1", "type": "bug"})
    services.board.move_card(cards["E"], world["done"].id)
    services.sprints.plan_card(cards["C"], world["next"].id)
    services.cards.update_card(cards["D"], {"blocked": True})
    services.cards.archive_card(cards["F"])
    again = ReportService(services.context).sprint_report(world["project"].id, "Sprint 2")
    assert again == report
    assert sr.render_markdown(again) == md
    assert sr.render_csv(again) == csv_text


# --- the formats ---------------------------------------------------------------------------


def test_csv_one_row_per_card_with_its_outcome(report: SprintReportDTO) -> None:
    rows = list(csv.DictReader(io.StringIO(sr.render_csv(report))))
    assert list(rows[0]) == list(sr.CSV_FIELDS)
    by_title = {r["title"]: r for r in rows}
    assert set(by_title) == {"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"}
    assert by_title["Bravo"]["points_committed"] == "8"
    assert by_title["Bravo"]["points_final"] == "5"
    assert by_title["Bravo"]["re_estimated"] == "yes"
    assert by_title["Bravo"]["assignee"] == "Bob Baker"
    assert by_title["Echo"]["outcome"] == "not_completed"
    assert by_title["Echo"]["destination"] == "Sprint 3"
    assert by_title["Charlie"]["outcome"] == "removed"
    assert by_title["Charlie"]["destination"] == "backlog"
    assert by_title["Delta"]["added_after_start"] == "yes"
    assert by_title["Alpha"]["added_after_start"] == "no"
    assert by_title["Delta"]["points_committed"] == ""


def test_csv_file_opens_in_a_spreadsheet(report: SprintReportDTO, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    sr.write_report(report, "csv", path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 6


def test_markdown_has_tables_and_no_html(report: SprintReportDTO) -> None:
    md = sr.render_markdown(report)
    assert md.startswith("# Sprint report: Sprint 2")
    assert report.summary in md
    assert "<" not in md.replace("<-", "")
    assert "| Card | Title | Assignee | Points |" in md
    assert "| RP-" in md and "Sprint 3" in md
    assert "## Burndown" in md and "## Velocity trend" in md
    assert "Bravo" in md and "8 → 5" in md
    for line in md.splitlines():
        if line.startswith("|"):
            assert line.endswith("|")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "poster") and value:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_with_inline_svg(report: SprintReportDTO) -> None:
    page = sr.render_html(report)
    parser = _Collector()
    parser.feed(page)
    assert parser.tags.count("svg") == 4  # burndown and velocity, each for wide and phone
    assert "link" not in parser.tags and "script" not in parser.tags
    assert not [u for u in parser.urls if not u.startswith("#")]
    assert "http://" not in page.replace("http://www.w3.org/", "") and "https://" not in page
    assert 'name="viewport"' in page and "max-width" in page and "overflow-x:auto" in page
    text = " ".join(parser.text)
    assert report.summary in text
    for word in ("Ship reports", "Alice Archer", "Bob Baker", "Sprint 3", "Echo", "Charlie"):
        assert word in text


def test_pdf_text_has_the_key_figures(report: SprintReportDTO, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    path = tmp_path / "r.pdf"
    steps: list[tuple[int, int]] = []
    sr.write_pdf(report, path, progress=lambda d, t: steps.append((d, t)) is None)
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) >= 2  # paginated
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for phrase in ("Sprint 2", "13 of 21 committed points (62%)", "Ship reports", "Sprint 3"):
        assert phrase in text, phrase
    assert "Page 1 of" in text
    assert steps and steps[-1] == (1, 1)


def test_cancelled_export_writes_nothing(report: SprintReportDTO, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(sr.ExportCancelled):
        sr.write_pdf(report, folder / "r.pdf", progress=lambda d, t: d < 1)
    assert list(folder.iterdir()) == []


def test_unwritable_targets_give_readable_errors(report: SprintReportDTO, tmp_path: Path) -> None:
    with pytest.raises(sr.ExportError, match="does not exist"):
        sr.write_report(report, "md", tmp_path / "missing" / "r.md")
    with pytest.raises(sr.ExportError, match="folder"):
        sr.write_report(report, "md", tmp_path)


def test_dto_is_frozen(report: SprintReportDTO) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.summary = "x"  # type: ignore[misc]


# --- the HTML in a real browser -------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(html_file: Path, png: Path, width: int, height: int, profile: Path) -> None:
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            html_file.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(profile)},
    )


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "laptop"])
def test_html_renders_in_headless_chromium(
    report: SprintReportDTO, tmp_path: Path, size: tuple[int, int]
) -> None:
    from PySide6.QtGui import QImage

    page = tmp_path / "report.html"
    sr.write_report(report, "html", page)
    png = tmp_path / "shot.png"
    screenshot(page, png, *size, tmp_path / "profile")
    image = QImage(str(png))
    assert not image.isNull()
    assert (image.width(), image.height()) == size
    colours = set()
    dark = 0
    for y in range(0, image.height(), 6):
        for x in range(0, image.width(), 6):
            colour = image.pixelColor(x, y)
            colours.add(colour.rgb())
            dark += colour.lightness() < 100
    assert len(colours) > 20  # not blank: text, tiles, the summary's accent
    assert dark > 50  # some text was drawn


# --- the HTML on a phone ------------------------------------------------------------------

PHONE = 390
# The phone chart's width on a 390 px screen: the page's and the panel's padding (12 + 4 px
# a side, see sr._CSS) and the panel's border are taken off.
PHONE_CHART_PX = PHONE - 2 * 12 - 2 * 4 - 2


@pytest.fixture
def demo_report(demo: Services) -> SprintReportDTO:
    project = demo.projects.find_project("DEMO")
    return ReportService(demo.context).sprint_report(project.id, "active")


def _css_rules(page: str) -> dict[str, str]:
    css = page[page.index("<style>") + 7 : page.index("</style>")]
    css = re.sub(r"@media[^{]*\{", "", css)  # flatten: only selectors and declarations
    return {selector.strip(): body for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)}


def test_html_is_laid_out_for_a_phone(demo_report: SprintReportDTO) -> None:
    page = sr.render_html(demo_report)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    rules = _css_rules(page)
    assert "break-all" not in page
    # Words wrap between words; only a long unbreakable token may break anywhere.
    anywhere = [sel for sel, body in rules.items() if "anywhere" in body]
    assert anywhere == [".long"]
    for selector, body in rules.items():
        if re.search(r"\b(h1|h2|th|td|dd|\.eyebrow|\.summary)\b", selector):
            assert "word-break" not in body and "anywhere" not in body, selector
    assert "overflow-x:auto" in rules[".table-wrap"]
    assert "width:100%" in rules["svg.chart"]

    svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", page, flags=re.S)
    assert len(svgs) == 4
    phone = []
    for svg in svgs:
        tag = svg[: svg.index(">")]
        assert "viewBox=" in tag
        assert not re.search(r'\s(width|height)="', tag), tag  # it scales with the page
        if 'class="chart phone"' in tag:
            phone.append(svg)
    assert len(phone) == 2  # burndown and velocity
    for svg in phone:
        view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
        sizes = [float(v) for v in re.findall(r'<text[^>]*font-size="([\d.]+)"', svg)]
        assert sizes, "the chart has text"
        assert min(sizes) * PHONE_CHART_PX / view_width >= 11  # CSS px on a 390 px phone
    # Each chart has ids of its own: patterns and masks are not borrowed from a hidden one.
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))


def test_html_breaks_only_long_tokens(demo_report: SprintReportDTO) -> None:
    url = "https://payments.example.com/reconciliation/v2/accounts?include=pending"
    card = dataclasses.replace(demo_report.completed[0], title=f"Fix {url} for good")
    long_report = dataclasses.replace(
        demo_report,
        cards=(card, *demo_report.cards[1:]),
        sprint_name="Sprint 12 — Hardening and release candidate",
    )
    page = sr.render_html(long_report)
    assert f'Fix <span class="long">{html.escape(url)}</span> for good' in page
    assert "<h1>Sprint 12 — Hardening and release candidate</h1>" in page


def test_report_words_count_in_the_right_number(demo_report: SprintReportDTO) -> None:
    one = dataclasses.replace(
        demo_report, committed_cards=1, completed_cards=1, not_completed_cards=1
    )
    figures = {label: detail for label, _value, detail in sr.key_figures(one)}
    assert figures["Committed"] == "1 card"
    assert figures["Completed so far"].startswith("1 card ·")
    assert figures["In progress"] == "1 card"
    assert sr.scope_detail(1, 0) == "1 card added"
    assert sr.scope_detail(0, 2) == "2 cards removed"
    assert sr.scope_detail(3, 1) == "3 cards added · 1 card removed"
    assert sr.scope_detail(0, 0) == "no card added or removed"
    page = sr.render_html(demo_report)
    assert "−0" not in page and "+0 added" not in page and " 1 cards" not in page
    assert "1 card added" in page


def test_project_names_are_not_doubly_parenthesised(demo_report: SprintReportDTO) -> None:
    assert sr.project_label("Payments Platform (demo)", "DEMO") == "Payments Platform (demo) · DEMO"
    assert sr.project_label("Payments", "PAY") == "Payments (PAY)"
    assert sr.project_label("demo", "DEMO") == "DEMO"
    for text in (sr.render_html(demo_report), sr.render_markdown(demo_report)):
        assert "Payments Platform (demo) · DEMO" in text
        assert ") (" not in text


def test_summary_says_point_for_one_point(services: Services, clock: Clock) -> None:
    project = services.projects.create_project("ONE", "One point")
    sprint = services.sprints.create_sprint(project.id, "S1", "", "2025-03-03", "2025-03-14")
    services.cards.create_card(project.id, "Tiny", points="1", sprint_id=sprint.id)
    clock.set(3, 8)
    services.sprints.start_sprint(sprint.id)
    clock.set(4)
    services.cards.create_card(project.id, "Another", points="1", sprint_id=sprint.id)
    summary = ReportService(services.context).report_for(sprint.id).summary
    assert "of 1 committed point (0%)" in summary
    assert "scope +1 point;" in summary and "1 card added" in summary


def _measured(page: str, width: int, tmp_path: Path) -> dict[str, object]:
    """Lay ``page`` out in a ``width`` px wide frame of headless Chromium and measure it.

    A frame, because a headless window is at least 500 px wide while a frame is as narrow
    as it is told (its media queries see that width); tall enough for the whole page, so
    no vertical scroll bar takes width from it. A script at the end of the report writes
    the measurements into the outer page, which --dump-dom prints."""
    script = """<script>(function () {
  const d = document;
  const charts = [...d.querySelectorAll('svg.chart')]
    .filter(s => s.getBoundingClientRect().width > 0);
  let minFont = 1e9;
  for (const svg of charts) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      minFont = Math.min(minFont, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  parent.document.getElementById('out').textContent = JSON.stringify({
    width: d.documentElement.clientWidth,
    scrollWidth: d.documentElement.scrollWidth,
    charts: charts.map(s => s.getAttribute('class')),
    minFont: minFont});
})();</script></body>"""
    measured = page.replace("</body>", script)
    outer = tmp_path / f"frame-{width}.html"
    outer.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><pre id="out">not measured</pre>'
        f'<iframe style="border:0;width:{width}px;height:40000px" '
        f'srcdoc="{html.escape(measured, quote=True)}"></iframe></body></html>',
        encoding="utf-8",
    )
    assert CHROMIUM is not None
    profile = tmp_path / f"profile-{width}"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1400,900",
            "--dump-dom",
            outer.as_uri(),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(profile)},
    )
    found = re.search(r'<pre id="out">([^<]*)</pre>', result.stdout)
    assert found, result.stdout[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_html_on_a_phone_has_no_sideways_scroll_and_readable_charts(
    demo_report: SprintReportDTO, tmp_path: Path
) -> None:
    page = sr.render_html(demo_report)
    phone = _measured(page, PHONE, tmp_path)
    assert phone["width"] == PHONE
    assert phone["scrollWidth"] <= PHONE  # type: ignore[operator]
    assert phone["charts"] == ["chart phone", "chart phone"]  # burndown, velocity
    assert phone["minFont"] >= 11  # type: ignore[operator]
    laptop = _measured(page, 1280, tmp_path)
    assert laptop["scrollWidth"] <= 1280  # type: ignore[operator]
    assert laptop["charts"] == ["chart wide", "chart wide"]
    assert laptop["minFont"] >= 11  # type: ignore[operator]
