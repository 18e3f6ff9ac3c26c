"""Cumulative flow, cycle time and lead time on fixed histories."""

from __future__ import annotations

import datetime as dt

import pytest

from app.metrics.flow import (
    FlowColumn,
    FlowEvent,
    card_timings,
    control_chart,
    cumulative_flow,
    default_window,
    mean,
    order_columns,
    rolling,
    standard_deviation,
)

TODO, DOING, REVIEW, DONE, OLD_QA = 1, 2, 3, 4, 5
COLUMNS = [
    FlowColumn(TODO, "To Do", "todo", 0),
    FlowColumn(DOING, "In Progress", "in_progress", 1),
    FlowColumn(REVIEW, "Review", "in_progress", 2),
    FlowColumn(DONE, "Done", "done", 3),
    FlowColumn(OLD_QA, "QA", "in_progress", 5, archived=True),
]
CATEGORY = {TODO: "todo", DOING: "in_progress", REVIEW: "in_progress", DONE: "done"}
CATEGORY[OLD_QA] = "in_progress"


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, tzinfo=dt.UTC)


def ev(when: dt.datetime, card: int, column: int, kind: str = "moved", archived: bool = False):  # type: ignore[no-untyped-def]
    return FlowEvent(when, card, column, CATEGORY[column], archived, kind)


HISTORY = [
    # Card 1: straight through, done on the 5th.
    ev(at(1), 1, TODO, "created"),
    ev(at(2), 1, DOING),
    ev(at(5), 1, DONE),
    # Card 2: done, reopened, done again on the 8th.
    ev(at(1), 2, TODO, "created"),
    ev(at(3), 2, DOING),
    ev(at(4), 2, DONE),
    ev(at(6), 2, REVIEW),
    ev(at(8), 2, DONE),
    # Card 3: passes through QA, a column archived on the 5th (its card moved on).
    ev(at(2), 3, TODO, "created"),
    ev(at(3), 3, OLD_QA),
    ev(at(5, 9), 3, REVIEW),
    # Card 4: created and done before the range (finished on 1 March).
    ev(at(1, 8), 4, DOING, "created"),
    ev(at(1, 10), 4, DONE),
    # Card 5: to do -> done without being in progress: lead time only.
    ev(at(2), 5, TODO, "created"),
    ev(at(6), 5, DONE),
    # Card 6: archived while in to do on the 7th.
    ev(at(2), 6, TODO, "created"),
    ev(at(7), 6, TODO, "archived", archived=True),
]


def test_cumulative_flow_counts_cards_per_column_per_day() -> None:
    flow = cumulative_flow(dt.date(2025, 3, 3), dt.date(2025, 3, 8), COLUMNS, HISTORY)
    names = [c.name for c in flow.columns]
    # Workflow order; the archived QA column kept (it held a card in the range), placed with
    # the in-progress columns, before Done.
    assert names == ["To Do", "In Progress", "Review", "QA", "Done"]
    counts = {c.name: list(row) for c, row in zip(flow.columns, flow.counts, strict=True)}
    # Days: 3, 4, 5, 6, 7, 8 March.
    assert counts["To Do"] == [2, 2, 2, 1, 0, 0]  # 5 done on the 6th, 6 archived on the 7th
    assert counts["In Progress"] == [2, 1, 0, 0, 0, 0]
    assert counts["QA"] == [1, 1, 0, 0, 0, 0]  # only while it existed
    assert counts["Review"] == [0, 0, 1, 2, 2, 1]
    assert counts["Done"] == [1, 2, 3, 3, 3, 4]  # card 2 reopened on the 6th, done on the 8th
    assert [flow.total(i) for i in range(6)] == [6, 6, 6, 6, 5, 5]


def test_archived_column_without_cards_in_range_is_left_out() -> None:
    flow = cumulative_flow(dt.date(2025, 3, 6), dt.date(2025, 3, 8), COLUMNS, HISTORY)
    assert "QA" not in [c.name for c in flow.columns]


def test_cumulative_flow_stops_at_the_cutoff() -> None:
    flow = cumulative_flow(
        dt.date(2025, 3, 3), dt.date(2025, 3, 8), COLUMNS, HISTORY, now=at(5, 10)
    )
    done = flow.counts[[c.name for c in flow.columns].index("Done")]
    assert done[:3] == (1, 2, 2)  # on the 5th at 10:00 card 1 is not done yet (12:00)
    assert done[3:] == (None, None, None)
    assert flow.last_index == 2


def test_cumulative_flow_uses_the_project_time_zone() -> None:
    # 23:30 UTC on the 2nd is already the 3rd in Tokyo.
    events = [ev(dt.datetime(2025, 3, 2, 23, 30, tzinfo=dt.UTC), 9, TODO, "created")]
    utc = cumulative_flow(dt.date(2025, 3, 2), dt.date(2025, 3, 2), COLUMNS, events)
    tokyo = cumulative_flow(
        dt.date(2025, 3, 2), dt.date(2025, 3, 2), COLUMNS, events, time_zone="Asia/Tokyo"
    )
    assert utc.total(0) == 1
    assert tokyo.total(0) == 0


def test_card_timings_use_the_final_done_and_the_first_in_progress() -> None:
    timings = {t.card_id: t for t in card_timings(HISTORY)}
    assert set(timings) == {1, 2, 4, 5}  # 3 is not done, 6 archived undone
    assert timings[1].lead_days == 4.0
    assert timings[1].cycle_days == 3.0
    # Reopened: the last time it became done (the 8th), from the first in progress (3rd).
    assert timings[2].finished == at(8)
    assert timings[2].cycle_days == 5.0
    assert timings[2].lead_days == 7.0
    assert timings[5].cycle_days is None
    assert timings[5].lead_days == 4.0


def test_control_chart_cycle_and_lead_in_range() -> None:
    cycle = control_chart(dt.date(2025, 3, 3), dt.date(2025, 3, 10), HISTORY, "cycle", window=3)
    assert [p.card_id for p in cycle.points] == [1, 2]  # 4 done before range, 5 never started
    assert [p.days for p in cycle.points] == [3.0, 5.0]
    assert cycle.mean == 4.0
    assert cycle.sd == 1.0
    assert cycle.points[0].rolling_mean == 4.0  # a centred window of 3, clipped at the ends

    lead = control_chart(dt.date(2025, 3, 3), dt.date(2025, 3, 10), HISTORY, "lead", window=1)
    assert [p.card_id for p in lead.points] == [1, 5, 2]
    assert [p.days for p in lead.points] == [4.0, 4.0, 7.0]
    assert lead.mean == 5.0
    assert [p.rolling_mean for p in lead.points] == [4.0, 4.0, 7.0]
    assert all(p.rolling_sd == 0 for p in lead.points)


def test_control_chart_before_reopen_counts_the_first_done_when_cut_off() -> None:
    chart = control_chart(dt.date(2025, 3, 1), dt.date(2025, 3, 5), HISTORY, "cycle", now=at(5))
    # At noon on the 5th card 2 is done (since the 4th), card 1 just became done.
    assert {p.card_id: p.days for p in chart.points} == {4: pytest.approx(2 / 24), 2: 1.0, 1: 3.0}


def test_statistics_helpers() -> None:
    assert mean([]) is None
    assert standard_deviation([]) is None
    assert standard_deviation([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]) == 2.0
    assert default_window(4) == 3
    assert default_window(30) == 7
    assert rolling([1.0, 2.0, 3.0], 3) == [(1.5, 0.5), (2.0, pytest.approx(0.8164965)), (2.5, 0.5)]


def test_bad_ranges_are_refused() -> None:
    with pytest.raises(ValueError):
        cumulative_flow(dt.date(2025, 3, 5), dt.date(2025, 3, 1), COLUMNS, HISTORY)
    with pytest.raises(ValueError):
        control_chart(dt.date(2025, 3, 1), dt.date(2025, 3, 5), HISTORY, "throughput")


def test_order_columns_places_archived_by_category() -> None:
    ordered = order_columns(reversed(COLUMNS))
    assert [c.id for c in ordered] == [TODO, DOING, REVIEW, OLD_QA, DONE]
