"""Work logs, rates and timers (TimeService) on SQLite and PostgreSQL: costs re-computed from
the rates in force, the bad input each refused with nothing written, timers that survive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Runtime
from app.errors import Conflict, DomainError, NotFound, ValidationError
from app.services import Services
from app.services.events import Change, ChangeKind
from tests.helpers import Clock, database_rows, make_runtime, world_database

D = dt.date


@pytest.fixture
def refused(runtime: Runtime) -> Iterator[Callable[..., DomainError]]:
    """The call raises ``error`` with a one-line message and the database is unchanged."""

    def check(error: type[DomainError], call: Callable[..., Any], *args: Any, **kwargs: Any):
        match = kwargs.pop("match", None)
        before = database_rows(runtime.engine)
        with pytest.raises(error, match=match) as caught:
            call(*args, **kwargs)
        message = str(caught.value)
        assert message and "\n" not in message and len(message) < 200
        assert database_rows(runtime.engine) == before
        return caught.value

    yield check


@dataclass
class World:
    services: Services
    clock: Clock
    project_id: int
    card_id: int
    card2_id: int
    ada: int
    bob: int
    outsider: int
    other_project: int


NOW = dt.datetime(2026, 3, 10, 15, tzinfo=dt.UTC)
WORLDS = ("ids",)  # filled before the test's runtime opens the database


def _web_and_ops(db: Path | str) -> tuple[int, ...]:
    runtime = make_runtime(db)
    try:
        services = runtime.services
        services.context.clock = Clock(NOW)
        web = services.projects.create_project("WEB", "Website")
        ada = services.projects.add_member(web.id, "Ada").id
        bob = services.projects.add_member(web.id, "Bob").id
        other = services.projects.create_project("OPS", "Operations")
        outsider = services.projects.add_member(other.id, "Olga").id
        card = services.cards.create_card(web.id, "Login page")
        card2 = services.cards.create_card(web.id, "Signup page")
        services.cards.update_card(card.id, {"estimate_hours": Decimal("10")})
    finally:
        runtime.close()
    return (web.id, card.id, card2.id, ada, bob, outsider, other.id)


@pytest.fixture
def ids(db_url: str) -> tuple[int, ...]:
    """Projects WEB and OPS, built once per process and backend, copied for this test."""
    return world_database(db_url, _web_and_ops)


@pytest.fixture
def world(ids: tuple[int, ...], services: Services) -> World:
    clock = Clock(NOW)
    services.context.clock = clock
    return World(services, clock, *ids)


@pytest.fixture
def changes(services: Services) -> Iterator[list[Change]]:
    seen: list[Change] = []
    services.bus.subscribe(seen.append)
    yield seen
    services.bus.unsubscribe(seen.append)


def test_add_log_costed_at_the_rate_in_force(world: World, changes: list[Change]) -> None:
    time = world.services.time
    time.set_rate(world.ada, "80.00", D(2026, 1, 1))
    log = time.add_log(world.card_id, world.ada, "1.5h", D(2026, 3, 2), "pairing")
    assert (log.minutes, log.hours, log.rate, log.cost) == (
        90,
        Decimal("1.50"),
        Decimal("80.00"),
        Decimal("120.00"),
    )
    assert log.card_key == "WEB-1" and log.member_name == "Ada" and log.note == "pairing"
    assert log.currency == "EUR"
    assert changes[-1].kind is ChangeKind.WORKLOG_CHANGED
    assert changes[-1].project_id == world.project_id


def test_default_day_is_today_in_the_projects_zone(world: World) -> None:
    s = world.services
    settings = s.projects.get_project_settings(world.project_id)
    s.projects.update_project_settings(
        world.project_id, replace(settings, time_zone="Pacific/Auckland")
    )
    world.clock.now = dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC)  # 11 March in Auckland
    assert s.time.add_log(world.card_id, world.ada, 30).day == D(2026, 3, 11)


def test_a_new_rate_recosts_logs_from_its_date_to_the_next(world: World) -> None:
    time = world.services.time
    for day in (1, 5, 9):
        time.add_log(world.card_id, world.ada, 60, D(2026, 3, day))
    assert [x.cost for x in time.card_logs(world.card_id)] == [Decimal("0.00")] * 3
    time.set_rate(world.ada, 50, D(2026, 3, 1))
    time.set_rate(world.ada, 70, D(2026, 3, 9))
    assert [x.cost for x in time.card_logs(world.card_id)] == [
        Decimal("50.00"),
        Decimal("50.00"),
        Decimal("70.00"),
    ]
    middle = time.set_rate(world.ada, 60, D(2026, 3, 4))
    assert [x.rate for x in time.card_logs(world.card_id)] == [
        Decimal("50.00"),
        Decimal("60.00"),
        Decimal("70.00"),
    ]
    # the project's own rate wins over the default, even an older one
    time.set_rate(world.ada, 100, D(2026, 1, 1), project_id=world.project_id)
    assert {x.rate for x in time.card_logs(world.card_id)} == {Decimal("100.00")}
    time.delete_rate(
        next(r.id for r in time.list_rates(world.ada) if r.project_id == world.project_id)
    )
    time.delete_rate(middle.id)
    assert [x.rate for x in time.card_logs(world.card_id)][1] == Decimal("50.00")


def test_set_rate_on_the_same_day_replaces_it(world: World) -> None:
    time = world.services.time
    time.set_rate(world.ada, 50, D(2026, 3, 1))
    time.set_rate(world.ada, "55.50", D(2026, 3, 1))
    rates = time.list_rates(world.ada)
    assert [(r.hourly_rate, r.currency, r.project_key) for r in rates] == [
        (Decimal("55.50"), "EUR", None)
    ]


def test_default_rate_in_another_currency_does_not_cost_a_project(world: World) -> None:
    time = world.services.time
    time.set_rate(world.ada, 90, D(2026, 1, 1), currency="USD")
    log = time.add_log(world.card_id, world.ada, 60, D(2026, 3, 2))
    assert (log.rate, log.cost) == (None, Decimal("0.00"))
    assert time.list_rates(world.ada)[0].currency == "USD"


def test_list_rates_of_a_project(world: World) -> None:
    time = world.services.time
    time.set_rate(world.ada, 50, D(2026, 1, 1))
    time.set_rate(world.bob, 40, D(2026, 1, 1), project_id=world.project_id)
    time.set_rate(world.outsider, 30, D(2026, 1, 1))
    rates = time.list_rates(project_id=world.project_id)
    assert [(r.member_name, r.project_key) for r in rates] == [("Ada", None), ("Bob", "WEB")]


def test_card_time_totals(world: World) -> None:
    time = world.services.time
    time.set_rate(world.ada, 80, D(2026, 1, 1))
    time.add_log(world.card_id, world.ada, "2h", D(2026, 3, 2))
    time.add_log(world.card_id, world.bob, "1h30m", D(2026, 3, 3))
    time.add_log(world.card2_id, world.ada, "5h", D(2026, 3, 3))
    total = time.card_time(world.card_id)
    assert total.logged_minutes == 210 and total.logged_hours == Decimal("3.50")
    assert total.estimate_hours == Decimal("10") and total.remaining_hours == Decimal("6.50")
    assert total.cost == Decimal("160.00") and total.card_key == "WEB-1"
    world.services.cards.update_card(world.card_id, {"remaining_hours": Decimal("2")})
    assert time.card_time(world.card_id).remaining_hours == Decimal("2")
    assert time.card_time(world.card2_id).remaining_hours is None


def test_project_logs_filtered(world: World) -> None:
    time = world.services.time
    time.add_log(world.card_id, world.ada, 60, D(2026, 3, 1))
    time.add_log(world.card2_id, world.bob, 60, D(2026, 3, 2))
    time.add_log(world.card_id, world.bob, 60, D(2026, 3, 3))
    logs = time.project_logs(world.project_id)
    assert [(x.day.day, x.member_name) for x in logs] == [(1, "Ada"), (2, "Bob"), (3, "Bob")]
    bobs = time.project_logs(world.project_id, member_id=world.bob, date_from="2026-03-03")
    assert [x.day.day for x in bobs] == [3]
    assert len(time.project_logs(world.project_id, date_to=D(2026, 3, 2))) == 2
    with pytest.raises(ValidationError):
        time.project_logs(world.project_id, date_from="2026-03-05", date_to="2026-03-01")


def test_edit_and_delete_with_their_inverses(world: World) -> None:
    time = world.services.time
    log = time.add_log(world.card_id, world.ada, 60, D(2026, 3, 2), "first")
    edited = time.edit_log(log.id, minutes="45m", note="shorter", expected_version=log.version)
    assert (edited.minutes, edited.note, edited.version) == (45, "shorter", log.version + 1)
    back = time.edit_log(log.id, minutes=log.minutes, note=log.note)
    assert (back.minutes, back.note) == (60, "first")
    gone = time.delete_log(log.id)
    assert time.card_logs(world.card_id) == []
    again = time.restore_log(gone)
    assert (again.minutes, again.day, again.note, again.member_id) == (
        60,
        D(2026, 3, 2),
        "first",
        world.ada,
    )
    time.delete_log(again.id)
    with pytest.raises(NotFound):
        time.delete_log(again.id)


def test_stale_edit_refused(world: World, refused: Callable) -> None:
    time = world.services.time
    log = time.add_log(world.card_id, world.ada, 60, D(2026, 3, 2))
    time.edit_log(log.id, minutes=30)
    refused(DomainError, time.edit_log, log.id, minutes=20, expected_version=log.version)


@pytest.mark.parametrize(
    ("minutes", "match"),
    [
        (0, "at least one minute"),
        (-30, "at least one minute"),
        ("0h", "at least one minute"),
        ("-1h", "negative"),
        ("", "Give a duration"),
        ("lots", "Not a duration"),
        ("25h", "24 hours"),
        (1441, "24 hours"),
        (True, "duration"),
        (1.5, "duration"),
        ("9" * 5000, "24 hours"),
    ],
)
def test_bad_time_refused(world: World, refused: Callable, minutes: object, match: str) -> None:
    refused(
        ValidationError, world.services.time.add_log, world.card_id, world.ada, minutes, match=match
    )


def test_more_than_24h_a_day_summed_over_all_logs_refused(world: World, refused: Callable) -> None:
    time = world.services.time
    time.add_log(world.card_id, world.ada, "20h", D(2026, 3, 2))
    time.add_log(world.card2_id, world.ada, "4h", D(2026, 3, 2))  # exactly 24 h: fine
    refused(
        ValidationError, time.add_log, world.card2_id, world.ada, 1, D(2026, 3, 2), match="24 hours"
    )
    time.add_log(world.card2_id, world.bob, "4h", D(2026, 3, 2))  # someone else: fine
    log = time.add_log(world.card_id, world.ada, "3h", D(2026, 3, 3))
    refused(ValidationError, time.edit_log, log.id, day=D(2026, 3, 2), match="24 hours")
    assert time.edit_log(log.id, minutes="24h").minutes == 1440  # its own minutes not counted twice


def test_future_day_refused_in_the_projects_zone(world: World, refused: Callable) -> None:
    time = world.services.time
    refused(
        ValidationError,
        time.add_log,
        world.card_id,
        world.ada,
        60,
        D(2026, 3, 11),
        match="still to come",
    )
    world.clock.now = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)
    refused(
        ValidationError,
        time.add_log,
        world.card_id,
        world.ada,
        60,
        "2026-03-11",
        match="still to come",
    )
    for bad in ("yesterday", "2026-02-30", D(1900, 1, 1), 20260301):
        refused(ValidationError, time.add_log, world.card_id, world.ada, 60, bad)


def test_someone_not_in_the_team_refused(world: World, refused: Callable) -> None:
    s = world.services
    refused(
        ValidationError,
        s.time.add_log,
        world.card_id,
        world.outsider,
        60,
        match="not a member of WEB",
    )
    s.team.remove_member(world.project_id, world.bob)
    refused(ValidationError, s.time.add_log, world.card_id, world.bob, 60, match="no longer")
    refused(NotFound, s.time.add_log, 9999, world.ada, 60)
    refused(ValidationError, s.time.add_log, world.card_id, "1", 60)


def test_bad_note_refused(world: World, refused: Callable) -> None:
    time = world.services.time
    refused(ValidationError, time.add_log, world.card_id, world.ada, 60, None, "x" * 2001)
    refused(ValidationError, time.add_log, world.card_id, world.ada, 60, None, "bell\x07")
    assert time.add_log(world.card_id, world.ada, 60, None, "Café ✓ 日本").note == "Café ✓ 日本"


@pytest.mark.parametrize(
    ("amount", "day", "kwargs", "match"),
    [
        ("-1", D(2026, 1, 1), {}, "negative"),
        ("abc", D(2026, 1, 1), {}, "not a number"),
        ("", D(2026, 1, 1), {}, "Give the hourly rate"),
        ("NaN", D(2026, 1, 1), {}, "must be a number"),
        ("1e9", D(2026, 1, 1), {}, "more than"),
        ("10.005", D(2026, 1, 1), {}, "two decimals"),
        ("50", None, {}, "needs the date"),
        ("50", "", {}, "needs the date"),
        ("50", "soon", {}, "not a date"),
        ("50", D(2026, 1, 1), {"currency": "USD", "project": True}, "counts in EUR"),
        ("50", D(2026, 1, 1), {"currency": "euros"}, "not a code"),
    ],
)
def test_bad_rates_refused(
    world: World, refused: Callable, amount: str, day: Any, kwargs: dict, match: str
) -> None:
    extra = dict(kwargs)
    if extra.pop("project", False):
        extra["project_id"] = world.project_id
    refused(
        ValidationError, world.services.time.set_rate, world.ada, amount, day, match=match, **extra
    )


def test_project_rate_for_someone_outside_the_team_refused(world: World, refused: Callable) -> None:
    refused(
        ValidationError,
        world.services.time.set_rate,
        world.outsider,
        50,
        D(2026, 1, 1),
        project_id=world.project_id,
        match="not in WEB",
    )
    refused(NotFound, world.services.time.set_rate, 9999, 50, D(2026, 1, 1))


def test_project_rate_takes_the_projects_currency(world: World) -> None:
    s = world.services
    settings = s.projects.get_project_settings(world.project_id)
    s.projects.update_project_settings(world.project_id, replace(settings, currency="GBP"))
    rate = s.time.set_rate(world.ada, 70, D(2026, 1, 1), project_id=world.project_id)
    assert rate.currency == "GBP"
    s.time.set_rate(world.ada, 50, D(2026, 1, 1))  # EUR default: not for a GBP project
    log = s.time.add_log(world.card_id, world.ada, 60, D(2026, 3, 1))
    assert (log.rate, log.cost, log.currency) == (Decimal("70.00"), Decimal("70.00"), "GBP")


def test_timer_start_stop_logs_the_elapsed_minutes(world: World) -> None:
    time = world.services.time
    time.start_timer(world.card_id, world.ada)
    running = time.running_timer(world.ada)
    assert running is not None and running.card_key == "WEB-1"
    world.clock.now += dt.timedelta(minutes=14, seconds=50)
    assert time.elapsed_minutes(running) == 14
    log = time.stop_timer(world.ada)
    assert (log.minutes, log.day, log.card_id) == (14, D(2026, 3, 10), world.card_id)
    assert time.running_timer(world.ada) is None
    time.start_timer(world.card2_id, world.ada)
    world.clock.now += dt.timedelta(seconds=5)
    assert time.stop_timer(world.ada).minutes == 1  # at least one minute


def test_second_timer_refused_and_cancel(world: World, refused: Callable) -> None:
    time = world.services.time
    time.start_timer(world.card_id, world.ada)
    refused(Conflict, time.start_timer, world.card2_id, world.ada, match="already running on WEB-1")
    time.start_timer(world.card2_id, world.bob)
    assert [t.member_name for t in time.running_timers(world.project_id)] == ["Ada", "Bob"]
    time.cancel_timer(world.ada)
    assert time.running_timer(world.ada) is None and time.card_logs(world.card_id) == []
    refused(NotFound, time.stop_timer, world.ada)
    refused(ValidationError, time.start_timer, world.card_id, world.outsider)


def test_a_forgotten_timer_is_refused_not_logged(world: World, refused: Callable) -> None:
    time = world.services.time
    time.start_timer(world.card_id, world.ada)
    world.clock.now += dt.timedelta(hours=30)
    refused(ValidationError, time.stop_timer, world.ada, match="more than 24 hours")
    assert time.running_timer(world.ada) is not None


def test_timer_survives_a_restart(db_url: str, world: World) -> None:
    world.services.time.start_timer(world.card_id, world.ada)
    started = world.services.time.running_timer(world.ada).started_at
    second = make_runtime(db_url)
    try:
        again = second.services.time.running_timer(world.ada)
        assert again is not None and again.started_at == started and again.card_key == "WEB-1"
    finally:
        second.close()
