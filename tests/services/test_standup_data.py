"""The standup's per-person content, on SQLite and PostgreSQL: blocked cards first, cards in
progress by their working days in the column (old ones flagged), what was finished or moved
since the last standup, and each person's comments since then."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import NotFound, ValidationError
from app.models import Comment
from app.services import Services
from tests.helpers import Clock

UTC = dt.UTC


def at(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def comment(services: Services, card_id: int, author: str, when: dt.datetime, text: str) -> None:
    """A comment as it is stored (the comment service belongs to another part of #17)."""
    with services.context.write() as uow:
        uow.session.add(Comment(card_id=card_id, author=author, created_at=when, text=text))
        uow.commit()


@pytest.fixture
def team(services: Services):  # type: ignore[no-untyped-def]
    """Ada, Bob and Dan (who left); a week and a half of work up to Wednesday 12 March."""
    clock = Clock(at(3, 8))  # Monday 3 March
    services.context.clock = clock
    project = services.projects.create_project("SU", "Standup")
    cols = {c.category: c.id for c in services.workflow.list_columns(project.id)}
    ada = services.projects.add_member(project.id, "Ada Lovelace")
    bob = services.projects.add_member(project.id, "Bob")
    dan = services.projects.add_member(project.id, "Dan")
    services.team.remove_member(project.id, dan.id)

    def card(title: str, who, **kw):  # type: ignore[no-untyped-def]
        return services.cards.create_card(project.id, title, assignee_id=who.id, **kw)

    def move(c, category: str, when: dt.datetime) -> None:  # type: ignore[no-untyped-def]
        clock.now = when
        services.board.move_card(c.id, cols[category])

    old = card("Old work", ada)
    fresh = card("Fresh work", ada)
    stuck = card("Stuck", ada, blocked=True, blocked_reason="waiting for the bank")
    done = card("Shipped", bob)
    started = card("Just started", bob)
    card("Someday", bob)  # to do: not part of the standup
    move(old, "in_progress", at(3, 10))
    move(fresh, "in_progress", at(10, 10))
    move(done, "in_progress", at(10, 11))
    move(done, "done", at(11, 10))
    move(started, "in_progress", at(11, 11))
    comment(services, old.id, "ada lovelace", at(11, 12), "Halfway there")
    comment(services, old.id, "Ada Lovelace", at(10, 12), "Before the last standup")
    comment(services, done.id, "Bob", at(11, 13), "Released")
    clock.now = at(12, 9, 30)  # Wednesday's standup
    return {
        "project": project,
        "ada": ada,
        "bob": bob,
        "dan": dan,
        "cards": {c.title: c for c in (old, fresh, stuck, done, started)},
        "clock": clock,
    }


def test_each_person_in_the_teams_order_with_their_cards(services: Services, team) -> None:  # type: ignore[no-untyped-def]
    data = services.standup_data.for_team(team["project"].id, since=at(11, 9))
    assert [p.member.display_name for p in data.people] == ["Ada Lovelace", "Bob"]  # Dan left
    assert data.today == dt.date(2025, 3, 12) and data.stale_after == 3
    ada, bob = data.people

    assert [s.card.title for s in ada.blocked] == ["Stuck"]
    assert ada.blocked[0].card.blocked_reason == "waiting for the bank"
    assert [(s.card.title, s.days_in_column, s.stale) for s in ada.in_progress] == [
        ("Old work", 7, True),  # 3 March to 12 March: seven working days later
        ("Fresh work", 2, False),
    ]
    assert ada.in_progress[0].column_name == "In Progress"
    assert ada.finished == () and ada.moved == ()
    assert [(c.card_key, c.text) for c in ada.comments] == [("SU-1", "Halfway there")]

    assert [(m.card_key, m.from_column, m.to_column) for m in bob.finished] == [
        ("SU-4", "In Progress", "Done")
    ]
    assert [(m.title, m.to_column) for m in bob.moved] == [("Just started", "In Progress")]
    assert [(s.card.title, s.days_in_column) for s in bob.in_progress] == [("Just started", 1)]
    assert [c.text for c in bob.comments] == ["Released"]
    assert not bob.has_nothing


def test_one_person_and_the_threshold(services: Services, team) -> None:  # type: ignore[no-untyped-def]
    project_id = team["project"].id
    ada = services.standup_data.for_member(project_id, team["ada"].id, since=at(11, 9))
    assert ada == services.standup_data.for_team(project_id, since=at(11, 9)).people[0]
    relaxed = services.standup_data.for_member(
        project_id, team["ada"].id, since=at(11, 9), stale_after=10
    )
    assert [s.stale for s in relaxed.in_progress] == [False, False]
    dan = services.standup_data.for_member(project_id, team["dan"].id)
    assert dan.has_nothing and dan.comments == ()


def test_without_a_last_standup_it_looks_back_a_day(services: Services, team) -> None:  # type: ignore[no-untyped-def]
    data = services.standup_data.for_team(team["project"].id)
    assert data.since == at(11, 9, 30)
    bob = data.people[1]
    assert [m.title for m in bob.finished] == ["Shipped"]
    # A standup held after everything: nothing moved since.
    later = services.standup_data.for_team(team["project"].id, since=at(12, 9))
    assert all(p.finished == () and p.moved == () and p.comments == () for p in later.people)
    # A naive time is taken as UTC.
    naive = services.standup_data.for_team(team["project"].id, since=dt.datetime(2025, 3, 11, 9))
    assert naive.since == at(11, 9)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"stale_after": 0}, "from 1 to 365"),
        ({"stale_after": 10_000}, "from 1 to 365"),
        ({"stale_after": "3"}, "whole number"),
        ({"stale_after": True}, "whole number"),
        ({"since": at(13)}, "future"),
        ({"since": "yesterday"}, "date and time"),
    ],
)
def test_bad_input_is_refused_in_one_line(services: Services, team, kwargs, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=words) as refused:
        services.standup_data.for_team(team["project"].id, **kwargs)
    assert "\n" not in str(refused.value)


def test_unknown_project_or_member(services: Services, team) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        services.standup_data.for_team(99_999)
    with pytest.raises(NotFound, match="team"):
        services.standup_data.for_member(team["project"].id, 99_999)
    with pytest.raises(ValidationError):
        services.standup_data.for_member(team["project"].id, "1")  # type: ignore[arg-type]


def test_a_move_taken_back_soon_keeps_the_age(services: Services, team) -> None:  # type: ignore[no-untyped-def]
    """An undo on the standup screen (moved and moved back) is no move and no new age."""
    project_id = team["project"].id
    clock = team["clock"]
    cols = {c.category: c.id for c in services.workflow.list_columns(project_id)}
    old = team["cards"]["Old work"]
    services.board.move_card(old.id, cols["done"])
    clock.now = at(12, 9, 40)
    services.board.move_card(old.id, cols["in_progress"])
    ada = services.standup_data.for_member(project_id, team["ada"].id, since=at(12, 9))
    assert next((s.card.title, s.days_in_column) for s in ada.in_progress) == ("Old work", 7)
    assert ada.moved == () and ada.finished == ()
    # Taken back a day later, it is rework: the card starts again in its column.
    services.board.move_card(old.id, cols["done"])
    clock.now = at(13, 10)
    services.board.move_card(old.id, cols["in_progress"])
    later = services.standup_data.for_member(project_id, team["ada"].id, since=at(12, 9))
    assert [s.days_in_column for s in later.in_progress if s.card.title == "Old work"] == [0]
