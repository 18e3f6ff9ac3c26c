"""The activity feed (services.activity) on real databases: kinds, wording, grouping, the
person and kind filters, "since" moments (dates, yesterday, the last standup), bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import NotFound, ValidationError
from app.services import Services
from app.services.dto import ProjectDTO

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(services: Services) -> list[dt.datetime]:
    now = [T0]
    services.context.clock = lambda: now[0]
    return now


@pytest.fixture
def web(services: Services, clock) -> ProjectDTO:
    project = services.projects.create_project("WEB", "Website")
    services.projects.add_member(project.id, "Ana Lima")
    services.projects.add_member(project.id, "Bo")
    return project


def _day(services: Services, web: ProjectDTO, clock) -> dict[str, int]:
    """A day of work after T0: Ana moves, finishes, estimates, blocks; Bo comments and plans."""
    columns = {c.name: c.id for c in services.workflow.list_columns(web.id)}
    services.set_actor("Ana Lima")
    a = services.cards.create_card(web.id, "Checkout")
    b = services.cards.create_card(web.id, "Login")
    sprint = services.sprints.create_sprint(web.id)
    clock[0] = T0 + dt.timedelta(hours=25)  # the next day
    clock[0] += dt.timedelta(minutes=1)
    services.board.move_card(a.id, columns["In Progress"])
    clock[0] += dt.timedelta(minutes=1)
    services.board.move_card(b.id, columns["Done"])
    clock[0] += dt.timedelta(minutes=1)
    services.cards.update_card(a.id, {"points": 5})
    clock[0] += dt.timedelta(minutes=1)
    services.cards.update_card(a.id, {"blocked": True, "blocked_reason": "API down"})
    services.set_actor("Bo")
    clock[0] += dt.timedelta(minutes=1)
    services.comments.add(a.id, "Looking at the **API**")
    clock[0] += dt.timedelta(minutes=1)
    services.sprints.plan_card(b.id, sprint.id)
    clock[0] += dt.timedelta(minutes=1)
    services.sprints.plan_card(b.id, None)
    return {"a": a.id, "b": b.id}


def test_kinds_and_words_since_a_moment(services: Services, web, clock) -> None:
    _day(services, web, clock)
    feed = services.activity.feed(web.id, T0 + dt.timedelta(hours=24))
    got = [(i.person, i.kind, i.card_key, i.text) for i in feed.items]
    assert got == [
        ("Ana Lima", "moved", "WEB-1", "Moved from To Do to In Progress"),
        ("Ana Lima", "finished", "WEB-2", "Moved from To Do to Done"),
        ("Ana Lima", "estimated", "WEB-1", "Story points — → 5"),
        ("Ana Lima", "blocked", "WEB-1", "Blocked: API down"),
        ("Bo", "commented", "WEB-1", "Commented: Looking at the **API**"),
        ("Bo", "sprint_added", "WEB-2", "Added to WEB Sprint 1"),
        ("Bo", "sprint_removed", "WEB-2", "Removed from WEB Sprint 1"),
    ]
    assert feed.people == ("Ana Lima", "Bo")
    everything = services.activity.feed(web.id, T0 - dt.timedelta(hours=1))
    assert [i.kind for i in everything.items][:2] == ["other", "other"]  # the two created


def test_filters_by_person_and_kind(services: Services, web, clock) -> None:
    _day(services, web, clock)
    since = T0 + dt.timedelta(hours=24)
    bo = services.activity.feed(web.id, since, member="bo")
    assert {i.person for i in bo.items} == {"Bo"} and len(bo.items) == 3
    assert bo.people == ("Ana Lima", "Bo")  # the person chooser still offers everyone
    done = services.activity.feed(web.id, since, kinds=["finished", "commented"])
    assert [i.kind for i in done.items] == ["finished", "commented"]
    assert services.activity.feed(web.id, since, member="nobody").items == ()


def test_grouped_by_person_and_by_card(services: Services, web, clock) -> None:
    _day(services, web, clock)
    feed = services.activity.feed(web.id, T0 + dt.timedelta(hours=24))
    people = feed.by_person()
    assert [g.title for g in people] == ["Ana Lima", "Bo"]
    assert [len(g.items) for g in people] == [4, 3]
    cards = feed.by_card()
    assert [g.title for g in cards] == ["WEB-2 Login", "WEB-1 Checkout"]  # latest first
    assert sum(len(g.items) for g in cards) == 7


def test_since_moments(services: Services, web, clock) -> None:
    clock[0] = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)
    assert services.activity.resolve_since(web.id, "yesterday") == dt.datetime(
        2026, 12, 1, tzinfo=dt.UTC
    )
    assert services.activity.resolve_since(web.id, "2026-11-30") == dt.datetime(
        2026, 11, 30, tzinfo=dt.UTC
    )
    assert services.activity.resolve_since(web.id, "2026-11-30T10:00:00+01:00") == dt.datetime(
        2026, 11, 30, 9, tzinfo=dt.UTC
    )
    with pytest.raises(NotFound, match="No standup has been held on WEB"):
        services.activity.resolve_since(web.id, "last-standup")
    services.standups.start(web.id)
    assert services.activity.resolve_since(web.id, "last-standup") == clock[0]


def test_since_last_standup_shows_what_happened_after_it(services, web, clock) -> None:
    ids = _day(services, web, clock)
    clock[0] = T0 + dt.timedelta(hours=30)
    services.standups.start(web.id)
    clock[0] = T0 + dt.timedelta(hours=31)
    services.set_actor("Bo")
    services.comments.add(ids["b"], "after the standup")
    since = services.activity.resolve_since(web.id, "last-standup")
    feed = services.activity.feed(web.id, since)
    assert [i.text for i in feed.items] == ["Commented: after the standup"]


@pytest.mark.parametrize("bad", ["", "soon", "2026-13-45", "x" * 5000, "２０２６"])
def test_bad_since_is_one_line(services: Services, web, bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.activity.resolve_since(web.id, bad)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


def test_bad_kind_and_project(services: Services, web) -> None:
    with pytest.raises(ValidationError, match="Unknown kind 'danced'"):
        services.activity.feed(web.id, T0, kinds=["danced"])
    with pytest.raises(NotFound):
        services.activity.feed(999_999, T0)
    with pytest.raises(ValidationError):
        services.activity.feed(web.id, "yesterday")  # type: ignore[arg-type]
