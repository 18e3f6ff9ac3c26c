"""Who did it: the actor every history event names (app/services/actor.py) and how the
default is found (app/whoami.py actor_name: chosen > SPRINTDECK_USER > the PostgreSQL
user > the OS login)."""

from __future__ import annotations

import getpass

import pytest

from app import whoami
from app.errors import NotFound, ValidationError
from app.services import Services
from app.services.dto import ProjectDTO


@pytest.fixture
def project(services: Services) -> ProjectDTO:
    project = services.projects.create_project("ACT", "Actors")
    for name in ("Ana Lima", "Bo Chen"):
        services.projects.add_member(project.id, name)
    return project


def last_actor(services: Services, card_id: int) -> str:
    return services.cards.history(card_id)[-1].actor


def move_right(services: Services, project: ProjectDTO, card_id: int) -> None:
    columns = services.workflow.list_columns(project.id)
    card = services.cards.get_card(card_id)
    here = next(i for i, c in enumerate(columns) if c.id == card.column_id)
    services.board.move_card(card_id, columns[here + 1].id)


def test_the_default_is_what_the_runtime_was_built_with(services: Services) -> None:
    assert services.actor == "tester"  # tests/conftest.py sets SPRINTDECK_USER
    assert services.me.default == "tester"
    assert services.me.chosen is None
    assert services.me.current().is_default


def test_set_actor_names_the_next_change(services: Services, project: ProjectDTO) -> None:
    card = services.cards.create_card(project.id, "First")
    assert last_actor(services, card.id) == "tester"
    assert services.set_actor("Ana Lima") == "Ana Lima"
    move_right(services, project, card.id)
    assert last_actor(services, card.id) == "Ana Lima"
    services.set_actor("  Bo   Chen ")
    services.cards.update_card(card.id, {"title": "Second"})
    assert last_actor(services, card.id) == "Bo Chen"
    # None (or nothing) goes back to the default
    assert services.set_actor(None) == "tester"
    move_right(services, project, card.id)
    assert last_actor(services, card.id) == "tester"
    assert [e.actor for e in services.cards.history(card.id)] == [
        "tester",
        "Ana Lima",
        "Bo Chen",
        "tester",
    ]


def test_choose_takes_the_teams_spelling(services: Services, project: ProjectDTO) -> None:
    me = services.me.choose(project.id, "ana lima")
    assert me.name == "Ana Lima" and not me.is_default and not me.added
    ana = services.projects.find_member(project.id, "Ana Lima")
    assert me.member_id == ana.id
    assert services.me.current(project.id).member_id == ana.id
    card = services.cards.create_card(project.id, "Mine")
    assert last_actor(services, card.id) == "Ana Lima"


def test_choose_a_new_name_adds_the_person_only_when_asked(
    services: Services, project: ProjectDTO
) -> None:
    with pytest.raises(NotFound, match="nobody called Cy Dee"):
        services.me.choose(project.id, "Cy Dee")
    assert services.actor == "tester"
    assert services.me.candidates(project.id) == ["Ana Lima", "Bo Chen"]
    me = services.me.choose(project.id, "Cy Dee", add=True)
    assert me.added and me.name == "Cy Dee"
    assert services.me.candidates(project.id) == ["Ana Lima", "Bo Chen", "Cy Dee"]
    card = services.cards.create_card(project.id, "By Cy")
    assert last_actor(services, card.id) == "Cy Dee"


def test_a_former_member_chosen_comes_back(services: Services, project: ProjectDTO) -> None:
    bo = services.projects.find_member(project.id, "Bo Chen")
    services.team.remove_member(project.id, bo.id)
    me = services.me.choose(project.id, "Bo Chen", add=True)
    assert me.member_id == bo.id and me.added
    assert "Bo Chen" in services.me.candidates(project.id)


@pytest.mark.parametrize("bad", ["", "   ", "x" * 101, 42])
def test_bad_names_are_refused_in_one_line(services: Services, bad: object) -> None:
    project = services.projects.create_project("BAD", "Bad")
    with pytest.raises(ValidationError) as caught:
        services.me.choose(project.id, bad)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)
    assert services.actor == "tester"


def test_a_long_name_is_refused_by_set_actor(services: Services) -> None:
    with pytest.raises(ValidationError, match="longer than 100"):
        services.set_actor("x" * 101)
    assert services.actor == "tester"


# --- the default: app.whoami.actor_name ----------------------------------------------------

PG = "postgresql+psycopg://ana@db.example.org:5432/team"


@pytest.mark.parametrize(
    ("chosen", "environ", "url", "expected"),
    [
        ("Ana", {"SPRINTDECK_USER": "script"}, PG, "Ana"),  # the choice wins
        (None, {"SPRINTDECK_USER": "script"}, PG, "script"),  # then SPRINTDECK_USER
        ("  ", {"SPRINTDECK_USER": "script"}, PG, "script"),  # an empty choice is none
        (None, {}, PG, "ana"),  # then the URL's user on PostgreSQL
        (None, {}, "postgresql://bo%40corp@host/db", "bo@corp"),
        (None, {}, "postgresql+psycopg://host/db?user=cy&sslmode=require", "cy"),
        (None, {"PGUSER": "dee"}, "postgresql+psycopg://host/db", "dee"),  # libpq's PGUSER
        (None, {"PGUSER": "dee"}, PG, "ana"),  # the URL's user before PGUSER
        (None, {"SPRINTDECK_USER": ""}, PG, "ana"),
    ],
)
def test_actor_name_order(
    chosen: str | None, environ: dict[str, str], url: str, expected: str
) -> None:
    assert whoami.actor_name(chosen, url=url, environ=environ) == expected


@pytest.mark.parametrize(
    "url",
    [
        None,
        "sqlite:////tmp/x.db",
        "postgresql+psycopg://host/db",  # no user: libpq takes the OS login
        "postgresql+psycopg:///db",
    ],
)
def test_without_a_database_user_the_os_login(url: str | None) -> None:
    assert whoami.actor_name(url=url, environ={}) == getpass.getuser()


def test_sqlite_ignores_pguser() -> None:
    assert whoami.database_user("sqlite:////tmp/x.db", {"PGUSER": "dee"}) is None
    assert whoami.actor_name(url="sqlite:////tmp/x.db", environ={"PGUSER": "dee"}) == (
        getpass.getuser()
    )


def test_a_postgresql_runtime_defaults_to_the_url_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """bootstrap builds the services with the URL's user as the default actor (the
    resolution alone: no server is needed)."""
    monkeypatch.delenv("SPRINTDECK_USER")
    monkeypatch.delenv("PGUSER", raising=False)
    assert whoami.actor_name(url=PG) == "ana"
