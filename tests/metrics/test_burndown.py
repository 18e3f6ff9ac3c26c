"""The burndown replay on fixed histories: non-working days, scope change, re-estimates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.metrics.burndown import BurndownEvent, burndown, ideal_line
from app.models.project import WEEKDAYS_MON_FRI

D = Decimal
START = dt.date(2025, 3, 3)  # a Monday
END = dt.date(2025, 3, 14)  # the Friday of the next week
HOLIDAY = dt.date(2025, 3, 12)  # a Wednesday


def at(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=dt.UTC)


def ev(
    when: dt.datetime,
    card: int,
    points: str | None,
    *,
    in_sprint: bool = True,
    done: bool = False,
    archived: bool = False,
) -> BurndownEvent:
    return BurndownEvent(
        when, card, in_sprint, None if points is None else D(points), done, archived
    )


PLANNING = [ev(at(2, 10), 1, "5"), ev(at(2, 10), 2, "8"), ev(at(2, 11), 3, "5")]
STARTED = at(3, 8)


def series(events, now=None, committed="18", **kwargs):  # type: ignore[no-untyped-def]
    return burndown(
        START,
        END,
        WEEKDAYS_MON_FRI,
        {HOLIDAY},
        D(committed),
        [*PLANNING, *events],
        now=now,
        started_at=kwargs.pop("started_at", STARTED),
        **kwargs,
    )


def day(date: int) -> int:
    return (dt.date(2025, 3, date) - START).days


def test_ideal_is_flat_on_the_weekend_and_the_holiday() -> None:
    s = series([])
    assert len(s.days) == 12 and s.days[0] == START and s.days[-1] == END
    assert s.working == (True,) * 5 + (False, False) + (True, True, False, True, True)
    # 9 working days, 18 points: 2 a working day
    assert [float(v) for v in s.ideal] == [16, 14, 12, 10, 8, 8, 8, 6, 4, 4, 2, 0]
    assert s.ideal[-1] == 0
    assert s.remaining == (D("18"),) * 12
    assert s.start_remaining == s.start_scope == D("18")
    assert not any(s.scope_added) and not any(s.scope_removed) and not any(s.completed)


def test_ideal_line_without_working_days_stays_at_the_commitment() -> None:
    assert ideal_line([False, False], D("5")) == (D("5"), D("5"))
    assert ideal_line([True, False, True], D("3"))[-1] == 0


def test_done_cards_burn_down_and_count_as_completed() -> None:
    s = series([ev(at(4), 1, "5", done=True), ev(at(10), 2, "8", done=True)])
    assert s.remaining[day(3)] == 18
    assert s.remaining[day(4)] == 13
    assert s.remaining[day(7)] == 13 and s.remaining[day(9)] == 13  # over the weekend
    assert s.remaining[day(10)] == 5
    assert s.completed[day(4)] == 5 and s.completed[day(10)] == 8
    assert s.done_total[day(10)] == 13 and s.scope_total[day(10)] == 18
    assert not any(s.scope_added) and not any(s.scope_removed)


def test_card_added_mid_sprint_is_scope_not_negative_progress() -> None:
    s = series([ev(at(5, 9), 4, "3"), ev(at(6), 1, "5", done=True)])
    assert s.remaining[day(4)] == 18
    assert s.remaining[day(5)] == 21  # rises: scope added
    assert s.scope_added[day(5)] == 3 and s.scope_removed[day(5)] == 0
    assert s.completed[day(5)] == 0  # not counted as negative progress
    assert s.remaining[day(6)] == 16 and s.completed[day(6)] == 5
    assert s.scope_total[day(6)] == 21
    assert s.scope_change[day(5)] == 3
    [change] = s.changes
    assert (change.card_id, change.amount, change.reason, change.day_index) == (
        4,
        3,
        "added",
        day(5),
    )
    # the ideal line still goes from the commitment to zero
    assert s.ideal[0] == 16 and s.ideal[-1] == 0


def test_card_removed_is_scope_removed() -> None:
    s = series([ev(at(6), 2, "8", in_sprint=False)])
    assert s.remaining[day(5)] == 18 and s.remaining[day(6)] == 10
    assert s.scope_removed[day(6)] == 8 and s.completed[day(6)] == 0
    assert s.changes[0].amount == -8 and s.changes[0].reason == "removed"


def test_archived_card_leaves_the_scope() -> None:
    s = series([ev(at(6), 2, "8", archived=True)])
    assert s.remaining[day(6)] == 10 and s.scope_removed[day(6)] == 8


def test_re_estimate_is_scope_change() -> None:
    s = series([ev(at(10), 3, "8"), ev(at(11), 1, "3")])
    assert s.remaining[day(10)] == 21 and s.scope_added[day(10)] == 3
    assert s.remaining[day(11)] == 19 and s.scope_removed[day(11)] == 2
    assert [c.reason for c in s.changes] == ["estimate", "estimate"]
    assert not any(s.completed)


def test_re_estimate_of_a_done_card_changes_scope_not_remaining() -> None:
    s = series([ev(at(4), 1, "5", done=True), ev(at(5), 1, "3", done=True)])
    assert s.remaining[day(4)] == 13 and s.remaining[day(5)] == 13
    assert s.scope_removed[day(5)] == 2 and s.scope_total[day(5)] == 16


def test_card_done_before_the_sprint_started() -> None:
    s = burndown(
        START,
        END,
        WEEKDAYS_MON_FRI,
        {HOLIDAY},
        D("21"),
        [
            *PLANNING,
            ev(at(1), 4, "3", in_sprint=False, done=True),
            ev(at(2, 12), 4, "3", done=True),
        ],
        started_at=STARTED,
    )
    assert s.start_scope == 21 and s.start_remaining == 18
    assert s.remaining[0] == 18
    assert not any(s.completed)  # finished before the start: not this sprint's progress
    assert s.done_total[0] == 3


def test_card_done_outside_and_added_later_does_not_burn() -> None:
    s = series([ev(at(1), 9, "2", in_sprint=False, done=True), ev(at(5), 9, "2", done=True)])
    assert s.remaining[day(5)] == 18  # remaining unchanged
    assert s.scope_added[day(5)] == 2 and s.completed[day(5)] == 2


def test_card_removed_and_re_added() -> None:
    s = series([ev(at(4), 2, "8", in_sprint=False), ev(at(6), 2, "8")])
    assert s.remaining[day(4)] == 10 and s.remaining[day(5)] == 10
    assert s.remaining[day(6)] == 18
    assert s.scope_removed[day(4)] == 8 and s.scope_added[day(6)] == 8
    assert sum(s.scope_change) == 0 and not any(s.completed)


def test_reopened_card_is_negative_completion() -> None:
    s = series([ev(at(4), 1, "5", done=True), ev(at(5), 1, "5", done=False)])
    assert s.completed[day(4)] == 5 and s.completed[day(5)] == -5
    assert s.remaining[day(5)] == 18


def test_planning_changes_before_the_start_are_not_scope_change() -> None:
    s = series([ev(at(3, 7), 7, "3")], committed="21")
    assert s.start_scope == 21 and not any(s.scope_added)


def test_cut_off_leaves_later_days_empty() -> None:
    events = [ev(at(5), 1, "5", done=True), ev(at(6, 15), 2, "8", done=True)]
    s = series(events, now=at(6, 12))
    assert s.remaining[day(5)] == 13
    assert s.remaining[day(6)] == 13  # the later event is after the cut-off
    assert s.remaining[day(7) :] == (None,) * (len(s.days) - day(7))
    assert s.last_index == day(6)
    assert len(s.ideal) == len(s.days)


def test_before_the_start_nothing_is_known() -> None:
    s = series([], now=at(1))
    assert s.last_index is None and set(s.remaining) == {None}


def test_days_are_in_the_projects_time_zone() -> None:
    # 23:30 UTC on Tuesday is 00:30 on Wednesday in Berlin
    late = dt.datetime(2025, 3, 4, 23, 30, tzinfo=dt.UTC)
    utc = series([ev(late, 1, "5", done=True)])
    berlin = series([ev(late, 1, "5", done=True)], time_zone="Europe/Berlin")
    assert utc.completed[day(4)] == 5
    assert berlin.completed[day(4)] == 0 and berlin.completed[day(5)] == 5
    assert berlin.remaining[day(4)] == 18


def test_naive_times_are_utc_and_unknown_zones_fall_back_to_utc() -> None:
    naive = dt.datetime(2025, 3, 4, 12)
    s = series([ev(naive, 1, "5", done=True)], time_zone="Nowhere/Atlantis")
    assert s.completed[day(4)] == 5


def test_a_sprint_closed_after_its_end_runs_on() -> None:
    s = series([ev(at(17, 9), 1, "5", done=True)], now=at(17, 16))
    assert s.days[-1] == dt.date(2025, 3, 17) and s.end == END
    assert s.ideal[-1] == 0 and s.ideal[day(14)] == 0
    assert s.remaining[-1] == 13


def test_unestimated_cards_count_zero() -> None:
    s = series([ev(at(4), 8, None)])
    assert s.remaining[day(4)] == 18 and not any(s.scope_added)
    assert [c.reason for c in s.changes] == ["added"]


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError):
        burndown(END, START, WEEKDAYS_MON_FRI, (), D("1"), [])
