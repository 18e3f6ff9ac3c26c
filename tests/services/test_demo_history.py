"""The demo's history tells the truth: replaying every card's events gives the card as it is.

Charts and reports are computed from the history alone, so a card whose state was set
without an event (blocked at creation, say) shows on the board but is missing from the
sprint report's blocked time. These tests fold each card's events in order, check that
every event starts from where the previous one left the card, and compare the result with
the card's current row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest

from app.services import Services
from app.services.demo import DEMO_KEY
from app.services.dto import CardDTO, HistoryEventDTO
from app.services.sprint_report_data import ReportService


@dataclass(frozen=True)
class Replayed:
    """What the history says about a card after some of its events."""

    column_id: int | None = None
    category: str | None = None
    sprint_id: int | None = None
    points: Decimal | None = None
    assignee_id: int | None = None
    blocked: bool = False
    blocked_reason: str = ""
    archived: bool = False


def _points(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def replay(events: Sequence[HistoryEventDTO], column_names: dict[int, str]) -> Replayed:
    """Fold ``events`` (oldest first). Each event's ``before`` values must be the state the
    previous events left, and a field may change only through the event that says so."""
    assert events and events[0].kind == "created", "a card's history starts with its creation"
    assert all(e.kind != "created" for e in events[1:]), "a card is created once"
    state = Replayed()
    for e in events:
        where = f"event {e.id} ({e.kind})"
        for name in ("assignee_id", "blocked", "blocked_reason"):
            if name in e.before:
                assert e.before[name] == getattr(state, name), f"{where}: {name} before"
        if e.kind == "moved":
            assert e.before.get("column") == column_names.get(state.column_id), where
            assert e.after.get("column") == column_names[e.column_id_after], where
        elif e.kind not in ("created", "restored"):
            # Only a move (or a restore into the first column) changes the column.
            assert e.column_id_after == state.column_id, f"{where}: column changed silently"
        if e.kind == "sprint_changed":
            assert e.before.get("sprint_id") == state.sprint_id, where
            assert e.after.get("sprint_id") == e.sprint_id_after, where
        elif "sprint_id" in e.after:
            assert e.after["sprint_id"] == e.sprint_id_after, where
        elif e.kind != "created":
            assert e.sprint_id_after == state.sprint_id, f"{where}: sprint changed silently"
        if "points" in e.after:
            assert _points(e.after["points"]) == e.points_after, where
            if "points" in e.before:
                assert _points(e.before["points"]) == state.points, f"{where}: points before"
        else:
            assert e.kind == "created" or e.points_after == state.points, (
                f"{where}: points changed silently"
            )
        if e.kind in ("archived", "restored"):
            assert e.after == {"archived": e.kind == "archived"}, where
        else:
            assert e.archived_after == state.archived, f"{where}: archived changed silently"
        if e.kind in ("blocked", "unblocked"):
            assert e.after.get("blocked") is (e.kind == "blocked"), where
        elif e.kind != "created":
            assert "blocked" not in e.after, f"{where}: blocked changed by a {e.kind} event"
        if e.kind == "assigned":
            assert "assignee_id" in e.after, where

        blocked = bool(e.after.get("blocked", state.blocked))
        reason = e.after.get("blocked_reason", state.blocked_reason)
        state = replace(
            state,
            column_id=e.column_id_after,
            category=e.category_after,
            sprint_id=e.sprint_id_after,
            points=e.points_after,
            assignee_id=e.after.get("assignee_id", state.assignee_id),
            blocked=blocked,
            # Unblocking clears the reason (CardService does so in the same change).
            blocked_reason=reason if blocked else "",
            archived=e.archived_after,
        )
    return state


def current(card: CardDTO, categories: dict[int, str]) -> Replayed:
    return Replayed(
        column_id=card.column_id,
        category=categories[card.column_id],
        sprint_id=card.sprint_id,
        points=card.points,
        assignee_id=card.assignee_id,
        blocked=card.blocked,
        blocked_reason=card.blocked_reason,
        archived=card.archived,
    )


def demo_cards(demo: Services) -> tuple[list[CardDTO], dict[int, str], dict[int, str]]:
    project = demo.projects.find_project(DEMO_KEY)
    columns = demo.workflow.list_columns(project.id)
    cards = demo.cards.list_cards(project.id, include_archived=True)
    return cards, {c.id: c.name for c in columns}, {c.id: c.category for c in columns}


def test_replaying_each_demo_card_gives_the_card(demo: Services) -> None:
    cards, names, categories = demo_cards(demo)
    assert len(cards) > 50
    wrong = {}
    for card in cards:
        events = demo.cards.history(card.id)
        if card.version != len(events):  # every change the seed made wrote one event
            wrong[card.key] = f"version {card.version}, {len(events)} events"
            continue
        try:
            replayed = replay(events, names)
        except AssertionError as exc:
            wrong[card.key] = str(exc).splitlines()[0]
            continue
        if replayed != current(card, categories):
            wrong[card.key] = f"history says {replayed}, the card is {current(card, categories)}"
    assert wrong == {}


def test_the_replay_notices_a_state_without_its_event(demo: Services) -> None:
    """The check itself: a card whose blocked flag has no event, or an event whose
    ``before`` does not follow from the previous one, is caught."""
    cards, names, categories = demo_cards(demo)
    histories = {c.id: demo.cards.history(c.id) for c in cards if c.blocked}
    card = next(c for c in cards if c.blocked and any(e.kind == "moved" for e in histories[c.id]))
    events = histories[card.id]
    assert replay(events, names) == current(card, categories)
    unblocked_history = [e for e in events if e.kind != "blocked"]
    assert replay(unblocked_history, names) != current(card, categories)
    moved = next(e for e in events if e.kind == "moved")
    broken = [replace(e, before={"column": "Nowhere"}) if e is moved else e for e in events]
    with pytest.raises(AssertionError, match="moved"):
        replay(broken, names)


def test_cards_are_blocked_and_unblocked_on_dated_days(demo: Services) -> None:
    cards, _names, _ = demo_cards(demo)
    project = demo.projects.find_project(DEMO_KEY)
    sprints = demo.sprints.list_sprints(project.id)
    for card in (c for c in cards if c.blocked):
        events = demo.cards.history(card.id)
        blocks = [e for e in events if e.kind == "blocked"]
        assert blocks and blocks[-1].after["blocked_reason"] == card.blocked_reason
        assert blocks[-1].at > events[0].at, f"{card.key} was blocked after it was created"
    # A closed sprint had a card blocked and unblocked again within it.
    spells = []
    for card in cards:
        events = demo.cards.history(card.id)
        kinds = [e.kind for e in events]
        if "unblocked" in kinds:
            spells.append((card, events))
    assert spells
    closed = [s for s in sprints if s.state == "closed"]
    inside = [
        (card, e)
        for card, events in spells
        for e in events
        if e.kind == "unblocked"
        and any(s.started_at <= e.at <= s.closed_at for s in closed if s.started_at and s.closed_at)
    ]
    assert inside


def test_the_demo_sprint_reports_list_the_blocked_cards(demo: Services) -> None:
    from app.reports.sprint_report_render import render_markdown

    reports = ReportService(demo.context)
    project = demo.projects.find_project(DEMO_KEY)
    cards = {c.key: c for c in demo.cards.list_cards(project.id)}
    active = reports.sprint_report(project.id, "active")
    blocked_now = sorted(
        c.key for c in cards.values() if c.blocked and c.sprint_id == active.sprint_id
    )
    assert len(blocked_now) >= 2
    listed = {b.key: b for b in active.blocked}
    assert sorted(k for k, b in listed.items() if b.blocked_at_end) == blocked_now
    now = dt.datetime.now(dt.UTC)
    for key in blocked_now:
        events = demo.cards.history(cards[key].id)
        since = max(e.at for e in events if e.kind == "blocked")
        since = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
        expected = Decimal((now - max(since, active.started_at)).total_seconds()) / 3600
        assert abs(listed[key].hours - expected) < 1, (key, listed[key].hours, expected)
        assert listed[key].spells == 1
    text = render_markdown(active)
    assert "No card was blocked" not in text
    for key in blocked_now:
        assert key in text.split("## Blocked time", 1)[1]

    # The closed sprint with a blocked spell lists it, with the hours between the events.
    closed = [
        reports.report_for(s.id)
        for s in demo.sprints.list_sprints(project.id)
        if s.state == "closed"
    ]
    with_blocks = [r for r in closed if r.blocked]
    assert with_blocks
    for report in with_blocks:
        for b in report.blocked:
            assert b.hours > 0 and not b.blocked_at_end
        assert "No card was blocked" not in render_markdown(report)


def test_the_demo_talks_and_held_a_standup(demo: Services) -> None:
    """Comments (an @mention of a team member, one edited) by the team on the active
    sprint's cards, and one past standup with its summary, before the last comment: so the
    Comments tab, the activity feed and the standup have something true to show."""
    project = demo.projects.find_project(DEMO_KEY)
    counts = demo.comments.counts(project.id)
    comments = [c for card_id in counts for c in demo.comments.list(card_id)]
    assert len(comments) == sum(counts.values()) == 6
    members = {m.display_name for m in demo.projects.list_members(project.id)}
    assert {c.author for c in comments} <= members and all(c.member_id for c in comments)
    assert [c.card_key for c in comments if c.edited] == ["DEMO-12"]
    assert any("@Grace Hopper" in c.text and "<span" in c.html for c in comments)
    (standup,) = demo.standups.list(project.id)
    assert standup.started_by == "Ada Lovelace" and standup.ended_at is not None
    assert "absent: Grace Hopper." in standup.summary and "## Blocked" in standup.summary
    for key in ("DEMO-34", "DEMO-25"):  # the sprint's blocked cards, in the summary
        assert key in standup.summary.split("## Blocked")[1].split("##")[0]
    after = demo.comments.since(project.id, standup.started_at)
    assert [(c.author, c.card_key) for c in after] == [("Mei Chen", "DEMO-15")]
    assert all(c.created_at < dt.datetime.now(dt.UTC) for c in comments)


def test_the_demo_keeps_a_risk_register(demo: Services) -> None:
    """The Risks page, the forecasts and the status report have risks to show on first
    start: linked to the demo's epics and milestones, one past its proximity date and still
    open (flagged overdue), one closed."""
    project = demo.projects.find_project(DEMO_KEY)
    risks = demo.risks.list_risks(project.id)
    assert [r.key for r in risks] == [f"R-{n}" for n in range(1, 7)]
    today = demo.projects.today(project.time_zone)
    overdue = [r for r in risks if r.active and r.proximity and r.proximity < today]
    assert [r.title for r in overdue] == ["Payment provider sandbox not ready"]
    assert [r.status for r in risks].count("closed") == 1
    sandbox = risks[0]
    assert sandbox.owner == "Grace Hopper" and sandbox.schedule_days == 8
    assert sandbox.epic_keys == ("DEMO-2",) and sandbox.milestones == ("Provider cut-over",)
    assert [r.key for r in demo.risks.top_risks(project.id)][:2] == ["R-3", "R-1"]
