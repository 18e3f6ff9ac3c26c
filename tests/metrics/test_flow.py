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
    throughput,
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


# --- throughput ------------------------------------------------------------------------------


def weekly(result) -> list[tuple[str, tuple[int, ...], bool]]:  # type: ignore[no-untyped-def]
    return [(w.start.isoformat(), w.card_ids, w.complete) for w in result.weeks]


def test_throughput_counts_cards_in_the_week_they_were_last_done() -> None:
    # Wednesday 12 March: the week of 10 March is running, counted so far.
    result = throughput(HISTORY, now=at(12), weeks=3)
    assert weekly(result) == [
        ("2025-02-24", (4,), True),  # done on Saturday 1 March
        ("2025-03-03", (1, 5, 2), True),  # 2 was done on the 4th, reopened, done on the 8th
        ("2025-03-10", (), False),
    ]
    assert [w.count for w in result.weeks] == [1, 3, 0]
    assert result.average == 2.0 and result.averaged_weeks == 2  # the complete weeks only
    assert result.total == 4
    assert result.weeks[1].end == dt.date(2025, 3, 9)


def test_throughput_leaves_out_weeks_before_the_history_and_older_than_asked() -> None:
    # Twelve weeks asked, but the history begins on 1 March: two weeks before now's.
    assert [w.start for w in throughput(HISTORY, now=at(12), weeks=12).weeks] == [
        dt.date(2025, 2, 24),
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 10),
    ]
    two = throughput(HISTORY, now=at(12), weeks=2)
    assert weekly(two) == [("2025-03-03", (1, 5, 2), True), ("2025-03-10", (), False)]
    assert two.average == 3.0 and two.averaged_weeks == 1


def test_throughput_moves_a_reopened_card_to_its_final_week_and_drops_it_while_open() -> None:
    history = [
        ev(at(3), 7, TODO, "created"),
        ev(at(7), 7, DONE),  # Friday of the week of 3 March
        ev(at(10), 7, DOING),  # reopened on Monday
        ev(at(13), 7, DONE),  # done again on Thursday: counted in the week of 10 March
        ev(at(3), 8, TODO, "created"),
        ev(at(4), 8, DONE),
        ev(at(11), 8, REVIEW),  # reopened and still open: not finished at all
    ]
    result = throughput(history, now=at(14), weeks=4)
    assert weekly(result) == [("2025-03-03", (), True), ("2025-03-10", (7,), False)]
    # Before it was done again, card 7 counted in its first week.
    earlier = throughput(history, now=at(9), weeks=4)
    assert weekly(earlier) == [("2025-03-03", (8, 7), False)]
    assert earlier.average is None and earlier.averaged_weeks == 0  # no complete week yet


def test_throughput_weeks_begin_on_monday_in_the_projects_time_zone() -> None:
    late_sunday = dt.datetime(2025, 3, 9, 23, 30, tzinfo=dt.UTC)  # 00:30 Monday in Berlin
    history = [ev(at(3), 9, TODO, "created"), ev(late_sunday, 9, DONE)]
    now = at(12)
    assert weekly(throughput(history, now, 2, "UTC"))[0] == ("2025-03-03", (9,), True)
    assert weekly(throughput(history, now, 2, "Europe/Berlin")) == [
        ("2025-03-03", (), True),
        ("2025-03-10", (9,), False),
    ]
    # Sunday 23:30 in London is already Monday in Berlin: there the week of 10 March is over.
    sunday_night = dt.datetime(2025, 3, 16, 23, 30, tzinfo=dt.UTC)
    berlin = throughput(history, sunday_night, 3, "Europe/Berlin")
    assert [(w.start.day, w.complete) for w in berlin.weeks] == [(3, True), (10, True), (17, False)]
    utc = throughput(history, sunday_night, 3, "UTC")
    assert [(w.start.day, w.complete) for w in utc.weeks] == [(3, True), (10, False)]


def test_throughput_refuses_a_silly_number_of_weeks() -> None:
    with pytest.raises(ValueError, match="1 to 104 weeks"):
        throughput(HISTORY, now=at(12), weeks=0)
    with pytest.raises(ValueError):
        throughput(HISTORY, now=at(12), weeks=105)
