"""Sprint figures a PM can defend: Jira Software's definitions on histories with known answers.

Each test builds its own sprint (Mon 3 to Fri 14 March 2025: ten working days, the weekend
of the 8th and 9th off) through the services with a fixed clock, then asserts the exact
figures everywhere they are shown: the report DTO and its Markdown and CSV, the sprint
summary, the velocity series, the burndown series and ``sprintdeck sprint list --json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.reports import sprint_report_render as sr
from app.services import Services
from app.services.sprint_report_data import ReportService, SprintReportDTO
from tests.helpers import Clock, run_cli

D = Decimal


@dataclass
class Sprint:
    services: Services
    clock: Clock
    project_id: int
    sprint_id: int
    columns: dict[str, int]

    def card(self, title: str, points: str, in_sprint: bool = True) -> int:
        return self.services.cards.create_card(
            self.project_id,
            title,
            points=points,
            sprint_id=self.sprint_id if in_sprint else None,
        ).id

    def done(self, card_id: int) -> None:
        self.services.board.move_card(card_id, self.columns["done"])

    def estimate(self, card_id: int, points: str) -> None:
        self.services.cards.update_card(card_id, {"points": points})

    def start(self) -> None:
        self.clock.set(3, 8)
        self.services.sprints.start_sprint(self.sprint_id)

    def close(self) -> None:
        self.clock.set(14, 17)
        self.services.sprints.complete_sprint(self.sprint_id, "backlog")

    def report(self) -> SprintReportDTO:
        return ReportService(self.services.context).report_for(self.sprint_id)


@pytest.fixture
def sprint(services: Services) -> Sprint:
    clock = Clock(dt.datetime(2025, 2, 27, 9, tzinfo=dt.UTC))
    services.context.clock = clock
    project = services.projects.create_project("FIG", "Figures")
    columns = {c.category: c.id for c in services.workflow.list_columns(project.id)}
    s = services.sprints.create_sprint(
        project.id, "S1", "Known answers", "2025-03-03", "2025-03-14"
    )
    return Sprint(services, clock, project.id, s.id, columns)


def day(date: int) -> int:
    return date - 3  # index of March <date> in the burndown


def md_section(markdown: str, title: str) -> list[str]:
    """The table rows (or the empty text) under one '## title' heading."""
    lines = markdown.splitlines()
    start = lines.index(f"## {title}") + 2
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [line for line in lines[start:end] if line and not line.startswith("| ---")]


def csv_rows(report: SprintReportDTO) -> dict[str, dict[str, str]]:
    return {r["title"]: r for r in csv.DictReader(io.StringIO(sr.render_csv(report)))}


def sprint_list(db: str) -> dict[str, dict]:  # type: ignore[type-arg]
    result = run_cli("sprint", "list", "--project", "FIG", "--json", db=db)
    assert result.returncode == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


# --- a card done before the start ------------------------------------------------------------


def test_a_card_done_before_the_start_is_completed_outside_not_committed(
    sprint: Sprint, db_url: str
) -> None:
    s = sprint.services
    a = sprint.card("Alpha", "5")
    b = sprint.card("Bravo", "3")
    f = sprint.card("Foxtrot", "3")
    sprint.clock.set(28, 15, month=2)
    sprint.done(f)  # finished before the sprint starts
    start = s.sprints.start_preview(sprint.sprint_id)
    assert (start.card_count, start.points, start.done_keys) == (2, D(8), ("FIG-3",))
    sprint.start()

    # The start snapshot: the commitment is A and B, 8 points; F is not part of it.
    summary = s.sprints.sprint_summary(sprint.sprint_id)
    assert (summary.committed_points, summary.committed_count) == (D(8), 2)
    assert {r.key: (r.committed, r.done_at_start) for r in summary.cards} == {
        "FIG-1": (True, False),
        "FIG-2": (True, False),
        "FIG-3": (False, True),
    }
    sprint.clock.set(4, 15)
    sprint.done(a)
    sprint.clock.set(5)
    live = sprint.report()
    assert (live.committed_points, live.completed_points) == (D(8), D(5))  # F is not progress
    assert [c.key for c in live.completed_outside] == ["FIG-3"]
    assert sprint_list(db_url)["S1"]["completed_points"] == 5
    sprint.clock.set(6, 15)
    sprint.done(b)
    sprint.close()

    # The outcome at the close.
    summary = s.sprints.sprint_summary(sprint.sprint_id)
    assert {r.key: r.outcome for r in summary.cards} == {
        "FIG-1": "completed",
        "FIG-2": "completed",
        "FIG-3": "completed_outside",
    }
    assert (summary.committed_points, summary.completed_points) == (D(8), D(8))
    assert (summary.completed_count, summary.completed_outside_count) == (2, 1)
    assert (summary.added_count, summary.removed_count) == (0, 0)

    # The report: F under "completed outside the sprint", never under completed.
    r = sprint.report()
    assert (r.committed_points, r.committed_cards) == (D(8), 2)
    assert (r.completed_points, r.completed_cards) == (D(8), 2)
    assert [c.key for c in r.completed] == ["FIG-1", "FIG-2"]
    assert [(c.key, c.points_final, c.committed) for c in r.completed_outside] == [
        ("FIG-3", D(3), False)
    ]
    assert r.completed_outside_cards == 1 and r.completion_percent == 100
    assert r.scope_change_points == 0 and r.added_cards == 0
    assert r.summary == (
        "Completed 8 of 8 committed points (100%) and 2 of 2 cards; 0 cards carried over; "
        "scope unchanged."
    )
    md = sr.render_markdown(r)
    assert md_section(md, "Completed cards") == [
        "| Card | Title | Assignee | Points | Finished by |",
        "| FIG-1 | Alpha | Unassigned | 5 | tester |",
        "| FIG-2 | Bravo | Unassigned | 3 | tester |",
    ]
    assert md_section(md, "Completed outside the sprint") == [
        "| Card | Title | Points | Done |",
        "| FIG-3 | Foxtrot | 3 | before the start |",
    ]
    assert "| Committed | 8 pts | 2 cards |" in md
    assert "| Completed | 8 pts | 2 cards · 100% |" in md
    rows = csv_rows(r)
    assert (rows["Foxtrot"]["outcome"], rows["Foxtrot"]["committed"]) == ("completed_outside", "no")
    assert rows["Foxtrot"]["points_committed"] == ""

    # Velocity: 8 committed, 8 completed (it was 11 and 11), the same everywhere.
    series = s.charts.velocity(sprint.project_id)
    assert [(v.name, v.committed, v.completed) for v in series.sprints] == [("S1", D(8), D(8))]
    assert [(v.committed_points, v.completed_points) for v in s.sprints.velocity(
        sprint.project_id
    ).sprints] == [(D(8), D(8))]  # fmt: skip
    assert [(v.committed_points, v.completed_points) for v in r.velocity] == [(D(8), D(8))]
    listed = sprint_list(db_url)["S1"]
    assert (listed["committed_points"], listed["completed_points"]) == (8, 8)

    # The burndown's guideline starts at the commitment, where the remaining line starts.
    burndown = s.charts.sprint_burndown(sprint.sprint_id)
    assert burndown.committed == burndown.start_remaining == D(8)
    assert burndown.start_scope == D(11)  # F is in the sprint, done: scope, not work left
    assert burndown.ideal[0] == D("7.2")  # 8 x 9/10 at the end of the first working day
    assert burndown.ideal[day(7)] == burndown.ideal[day(8)] == burndown.ideal[day(9)] == D(4)
    assert burndown.remaining[: day(6) + 1] == (D(8), D(3), D(3), D(0))
    assert burndown.completed[day(4)] == 5 and burndown.completed[day(6)] == 3
    assert sum(burndown.completed) == r.completed_points


def test_reopened_and_finished_again_in_the_sprint_is_completed(sprint: Sprint) -> None:
    # Done at the start, reopened and finished inside the sprint: this sprint's work now
    # (still not part of the commitment, which was taken at the start).
    s = sprint.services
    f = sprint.card("Foxtrot", "3")
    sprint.card("Golf", "2")
    sprint.clock.set(28, 15, month=2)
    sprint.done(f)
    sprint.start()
    sprint.clock.set(4)
    s.board.move_card(f, sprint.columns["in_progress"])
    sprint.clock.set(5)
    sprint.done(f)
    sprint.close()
    r = sprint.report()
    assert (r.committed_points, r.completed_points) == (D(2), D(3))
    assert [c.key for c in r.completed] == ["FIG-1"] and not r.completed_outside
    assert s.charts.velocity(sprint.project_id).sprints[0].completed == D(3)


def test_a_card_added_already_done_is_completed_outside(sprint: Sprint, db_url: str) -> None:
    s = sprint.services
    sprint.card("Alpha", "5")
    x = sprint.card("Xray", "2", in_sprint=False)
    sprint.clock.set(28, 15, month=2)
    sprint.done(x)  # finished in the backlog
    sprint.start()
    sprint.clock.set(5, 10)
    s.sprints.plan_card(x, sprint.sprint_id)  # added, already done
    live = sprint.report()
    assert [(c.key, c.added_after_start) for c in live.completed_outside] == [("FIG-2", True)]
    assert (live.completed_points, live.added_cards) == (D(0), 0)
    assert sprint_list(db_url)["S1"]["completed_points"] == 0  # the list's own quick sum
    sprint.close()
    r = sprint.report()
    assert [c.key for c in r.completed_outside] == ["FIG-2"] and not r.completed
    assert "| FIG-2\\* | Xray | 2 | before it was added |" in sr.render_markdown(r)
    assert (r.committed_points, r.completed_points, r.scope_change_points) == (D(5), D(0), 0)
    assert s.charts.velocity(sprint.project_id).sprints[0].completed == 0
    # The burndown: scope and done both rise, the remaining line does not move.
    burndown = s.charts.sprint_burndown(sprint.sprint_id)
    assert burndown.remaining[day(4)] == burndown.remaining[day(5)] == 5
    assert burndown.scope_added[day(5)] == 2 == burndown.completed[day(5)]


# --- a card added after the start and removed before the close -------------------------------


def test_a_card_added_and_removed_again_is_listed_as_removed_and_added(
    sprint: Sprint, db_url: str
) -> None:
    s = sprint.services
    a = sprint.card("Alpha", "5")
    x = sprint.card("Xray", "8", in_sprint=False)
    sprint.start()
    sprint.clock.set(4, 10)
    s.sprints.plan_card(x, sprint.sprint_id)  # +8 after the start
    sprint.clock.set(5, 10)
    live = sprint.report()
    assert [(c.key, c.outcome) for c in live.added] == [("FIG-2", "in_progress")]
    s.sprints.plan_card(x, None)  # -8 before the close
    sprint.clock.set(6)
    sprint.done(a)
    sprint.clock.set(7)
    live = sprint.report()  # while the sprint runs, too
    assert [(c.key, c.destination) for c in live.removed] == [("FIG-2", "backlog")]
    sprint.close()

    summary = s.sprints.sprint_summary(sprint.sprint_id)
    xray = next(row for row in summary.cards if row.key == "FIG-2")
    assert (xray.outcome, xray.destination, xray.committed, xray.points) == (
        "removed",
        "backlog",
        False,
        D(8),
    )
    assert xray.added_at == dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    assert (summary.added_count, summary.removed_count) == (1, 1)

    r = sprint.report()
    [removed] = r.removed
    assert (removed.key, removed.added_after_start, removed.points_final) == ("FIG-2", True, D(8))
    assert [(c.key, c.outcome_label) for c in r.added] == [("FIG-2", "Removed")]
    assert (r.added_cards, r.added_points) == (1, D(8))
    assert (r.removed_cards, r.removed_points) == (1, D(8))
    assert (r.committed_points, r.completed_points, r.scope_change_points) == (D(5), D(5), 0)
    assert r.summary == (
        "Completed 5 of 5 committed points (100%) and 1 of 1 card; 0 cards carried over; "
        "scope unchanged; 1 card added; 1 card removed."
    )
    figures = {label: (value, detail) for label, value, detail in sr.key_figures(r)}
    assert figures["Scope change"] == ("0 pts", "1 card added · 1 card removed")
    md = sr.render_markdown(r)
    assert md_section(md, "Removed from the sprint") == [
        "| Card | Title | Points | Moved to | Removed by |",
        "| FIG-2\\* | Xray | 8 | backlog | tester |",
    ]
    assert md_section(md, "Added after the start") == [
        "| Card | Title | Added | Added by | Points | Outcome |",
        "| FIG-2\\* | Xray | 04 Mar 2025 | tester | 8 | Removed |",
    ]
    assert "- \\* after a card: added to the sprint after its start." in md
    rows = csv_rows(r)
    assert (rows["Xray"]["outcome"], rows["Xray"]["added_after_start"]) == ("removed", "yes")

    # The burndown shows the same +8 and -8.
    burndown = s.charts.sprint_burndown(sprint.sprint_id)
    assert burndown.scope_added[day(4)] == 8 and burndown.scope_removed[day(5)] == 8
    assert burndown.remaining[: day(6) + 1] == (D(5), D(13), D(5), D(0))
    assert sum(burndown.scope_added) == r.added_points
    assert sum(burndown.scope_removed) == r.removed_points
    listed = sprint_list(db_url)["S1"]
    assert (listed["committed_points"], listed["completed_points"]) == (5, 5)


def test_a_card_planned_and_taken_out_before_the_start_is_not_in_the_report(
    sprint: Sprint,
) -> None:
    s = sprint.services
    sprint.card("Alpha", "5")
    x = sprint.card("Xray", "8")
    sprint.clock.set(28, 10, month=2)
    s.sprints.plan_card(x, None)  # planning, not scope change
    sprint.start()
    sprint.close()
    r = sprint.report()
    assert [c.key for c in r.cards] == ["FIG-1"]
    assert (r.added_cards, r.removed_cards) == (0, 0)


# --- a done card re-estimated before the close -----------------------------------------------


def test_estimates_changed_after_the_start_and_the_estimate_a_completed_card_counts_with(
    sprint: Sprint, db_url: str
) -> None:
    s = sprint.services
    c = sprint.card("Charlie", "5")
    sprint.card("Echo", "2")
    d = sprint.card("Delta", "2", in_sprint=False)
    sprint.start()
    sprint.clock.set(4, 15)
    sprint.done(c)
    sprint.clock.set(5, 10)
    sprint.estimate(c, "3")  # a done card re-estimated: it counts with 3, the estimate at close
    sprint.clock.set(5, 11)
    s.sprints.plan_card(d, sprint.sprint_id)  # added at 2 ...
    sprint.clock.set(6, 10)
    sprint.estimate(d, "3")  # ... re-estimated to 3, not done: carried over
    sprint.close()

    r = sprint.report()
    assert (r.committed_points, r.completed_points, r.completed_committed_points) == (
        D(7),
        D(3),
        D(3),
    )
    charlie = r.completed[0]
    assert (charlie.points_initial, charlie.points_final, charlie.re_estimated) == (
        D(5),
        D(3),
        True,
    )
    delta = next(card for card in r.not_completed if card.key == "FIG-3")
    assert (delta.points_initial, delta.points_final, delta.added_after_start) == (
        D(2),
        D(3),
        True,
    )
    assert [card.key for card in r.re_estimated] == ["FIG-1", "FIG-3"]
    assert r.re_estimate_points == D(-1)  # -2 on Charlie, +1 on Delta
    assert (r.added_points, r.final_scope_points, r.scope_change_points) == (D(2), D(8), D(1))
    md = sr.render_markdown(r)
    assert md_section(md, "Completed cards") == [
        "| Card | Title | Assignee | Points | Finished by |",
        "| FIG-1 | Charlie | Unassigned | 5 → 3 | tester |",
    ]
    assert md_section(md, "Not completed — and where they went") == [
        "| Card | Title | Assignee | Points | Moved to |",
        "| FIG-2 | Echo | Unassigned | 2 | backlog |",
        "| FIG-3\\* | Delta | Unassigned | 2 → 3 | backlog |",
    ]
    assert "- Completed cards count with their estimate at the close;" in md
    assert (
        "- 2 estimates changed after the start, shown as initial → final (at the start or "
        "when added → at the close or when removed); net −1 pts."
    ) in md
    rows = csv_rows(r)
    assert (rows["Charlie"]["points_initial"], rows["Charlie"]["points_final"]) == ("5", "3")
    assert (rows["Charlie"]["re_estimated"], rows["Delta"]["re_estimated"]) == ("yes", "yes")
    assert rows["Echo"]["re_estimated"] == "no"

    # One figure for completed: 3, in the report, the velocity chart and the sprint list.
    assert [(v.committed, v.completed) for v in s.charts.velocity(sprint.project_id).sprints] == [
        (D(7), D(3))
    ]
    velocity = s.sprints.velocity(sprint.project_id)
    assert (velocity.velocity, velocity.velocity_sprints) == (D(3), (D(3),))
    assert [(v.committed_points, v.completed_points) for v in r.velocity] == [(D(7), D(3))]
    assert r.planning_velocity == D(3)
    listed = sprint_list(db_url)["S1"]
    assert (listed["committed_points"], listed["completed_points"]) == (7, 3)
    summary = s.sprints.sprint_summary(sprint.sprint_id)
    assert summary.completed_points == D(3)
    assert {row.key: row.re_estimated for row in summary.cards} == {
        "FIG-1": True,
        "FIG-2": False,
        "FIG-3": True,
    }

    # The burndown: re-estimating the done card is scope change, not work left.
    burndown = s.charts.sprint_burndown(sprint.sprint_id)
    assert burndown.remaining[: day(6) + 1] == (D(7), D(2), D(4), D(5))
    assert burndown.scope_removed[day(5)] == 2 and burndown.scope_added[day(5)] == 2
    assert burndown.scope_added[day(6)] == 1
    assert sum(burndown.completed) == 5  # it burnt 5 on the 4th; it counts 3 at the close


def test_the_closed_sprints_figures_never_move(sprint: Sprint, db_url: str) -> None:
    s = sprint.services
    a = sprint.card("Alpha", "5")
    f = sprint.card("Foxtrot", "3")
    sprint.clock.set(28, 15, month=2)
    sprint.done(f)
    sprint.start()
    sprint.clock.set(4)
    sprint.done(a)
    sprint.close()
    before = sprint.report()
    listed = sprint_list(db_url)["S1"]
    sprint.clock.set(20)
    sprint.estimate(a, "13")
    s.board.move_card(f, sprint.columns["todo"])
    s.cards.archive_card(a)
    assert sprint.report() == before
    assert sprint_list(db_url)["S1"] == listed
    assert (listed["committed_points"], listed["completed_points"]) == (5, 5)


def test_the_report_names_who_finished_added_and_removed_each_card(
    sprint: Sprint, db_url: str
) -> None:
    """Each card table names the person at the keyboard (Settings › You are), from the
    history: who finished it, who added it after the start, who took it out."""
    s = sprint.services
    a = sprint.card("Alpha", "5")
    x = sprint.card("Xray", "8", in_sprint=False)
    y = sprint.card("Yankee", "2", in_sprint=False)
    sprint.start()
    sprint.clock.set(4, 10)
    s.set_actor("Ana Lima")
    s.sprints.plan_card(x, sprint.sprint_id)
    s.sprints.plan_card(y, sprint.sprint_id)
    sprint.clock.set(5, 10)
    s.set_actor("Bo Chen")
    s.sprints.plan_card(x, None)
    sprint.clock.set(6)
    s.set_actor("Cy Diaz")
    sprint.done(a)
    sprint.done(y)
    s.set_actor(None)
    sprint.close()

    r = sprint.report()
    by_key = {c.title: c for c in r.cards}
    assert (by_key["Alpha"].completed_by, by_key["Alpha"].added_by) == ("Cy Diaz", None)
    assert (by_key["Yankee"].completed_by, by_key["Yankee"].added_by) == ("Cy Diaz", "Ana Lima")
    assert (by_key["Xray"].added_by, by_key["Xray"].removed_by) == ("Ana Lima", "Bo Chen")
    assert by_key["Xray"].completed_by is None and by_key["Alpha"].removed_by is None

    md = sr.render_markdown(r)
    assert md_section(md, "Completed cards")[1:] == [
        "| FIG-1 | Alpha | Unassigned | 5 | Cy Diaz |",
        "| FIG-3\\* | Yankee | Unassigned | 2 | Cy Diaz |",
    ]
    assert md_section(md, "Removed from the sprint")[1:] == [
        "| FIG-2\\* | Xray | 8 | backlog | Bo Chen |"
    ]
    assert "| FIG-2\\* | Xray | 04 Mar 2025 | Ana Lima | 8 | Removed |" in md
    rows = csv_rows(r)
    assert (rows["Xray"]["added_by"], rows["Xray"]["removed_by"]) == ("Ana Lima", "Bo Chen")
    assert rows["Alpha"]["completed_by"] == "Cy Diaz"
    html = sr.render_html(r)
    assert "Finished by" in html and "Bo Chen" in html
