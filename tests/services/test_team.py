"""Project settings, the team and labels as *Project › Settings* changes them (ProjectService
settings and TeamService), with their inverses; every refusal leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from app.bootstrap import Runtime
from app.errors import Conflict, DomainError, NotFound, StaleEdit, ValidationError
from app.services import Services
from app.services.dto import ProjectDTO, ProjectSettings
from app.services.events import Change
from tests.helpers import database_rows


@pytest.fixture
def refused(runtime: Runtime) -> Iterator[Callable[..., DomainError]]:
    """``refused(ErrorClass, call, *args, match=...)``: the call raises that error with a
    one-line message, and the database is exactly as it was before."""

    def check(error: type[DomainError], call: Callable[..., Any], *args: Any, **kwargs: Any):
        match = kwargs.pop("match", None)
        before = database_rows(runtime.engine)
        with pytest.raises(error, match=match) as caught:
            call(*args, **kwargs)
        message = str(caught.value)
        assert message and "\n" not in message and "Traceback" not in message
        assert database_rows(runtime.engine) == before
        return caught.value

    yield check


@pytest.fixture
def changes(services: Services) -> Iterator[list[Change]]:
    seen: list[Change] = []
    services.bus.subscribe(seen.append)
    yield seen
    services.bus.unsubscribe(seen.append)


@pytest.fixture
def web(services: Services) -> ProjectDTO:
    return services.projects.create_project("WEB", "Website")


def history_of(services: Services, card_id: int) -> list[tuple[str, dict, dict]]:
    return [(e.kind, e.before, e.after) for e in services.cards.history(card_id)]


# --- project settings --------------------------------------------------------------------


def test_settings_of_a_new_project(services: Services, web: ProjectDTO) -> None:
    assert services.projects.get_project_settings(web.id) == ProjectSettings(
        name="Website",
        methodology="scrum",
        time_zone="UTC",
        working_weekdays=0b0011111,
        holidays=(),
        budget=None,
        currency="EUR",
    )


def test_settings_saved_at_once(services: Services, web: ProjectDTO, changes: list[Change]) -> None:
    wanted = ProjectSettings(
        name="  Website relaunch ",
        methodology="kanban",
        time_zone="Europe/Berlin",
        working_weekdays=0b1011110,  # Tuesday to Friday and Sunday
        holidays=((dt.date(2026, 12, 25), "Christmas"), ("2026-12-24", "")),
        budget="12500.50",
        currency="chf",
    )
    saved = services.projects.update_project_settings(web.id, wanted, web.version)
    assert saved == replace(
        web,
        name="Website relaunch",
        methodology="kanban",
        time_zone="Europe/Berlin",
        working_weekdays=0b1011110,
        budget=Decimal("12500.50"),
        currency="CHF",
        version=web.version + 1,
    )
    assert services.projects.get_project(web.id) == saved
    assert services.projects.get_project_settings(web.id).holidays == (
        (dt.date(2026, 12, 24), ""),
        (dt.date(2026, 12, 25), "Christmas"),
    )
    # The calendar the sprints use is the same one.
    assert [(h.day, h.name) for h in services.sprints.list_holidays(web.id)] == [
        (dt.date(2026, 12, 24), ""),
        (dt.date(2026, 12, 25), "Christmas"),
    ]
    assert [(c.kind, c.project_id) for c in changes] == [("project_changed", web.id)]


def test_settings_set_back_is_the_inverse(services: Services, web: ProjectDTO) -> None:
    services.sprints.add_holiday(web.id, "2026-05-01", "Labour day")
    old = services.projects.get_project_settings(web.id)
    new = replace(
        old,
        name="Other",
        holidays=((dt.date(2026, 5, 1), "May day"), (dt.date(2026, 8, 15), "Assumption")),
        budget=Decimal("10"),
    )
    first = services.projects.update_project_settings(web.id, new, web.version)
    back = services.projects.update_project_settings(web.id, old, first.version)
    assert services.projects.get_project_settings(web.id) == old
    assert back.version == web.version + 2  # a new change, not an erasure
    assert back.name == "Website" and back.budget is None


def test_unchanged_settings_write_nothing(
    services: Services, web: ProjectDTO, changes: list[Change], runtime: Runtime
) -> None:
    before = database_rows(runtime.engine)
    same = services.projects.get_project_settings(web.id)
    assert services.projects.update_project_settings(web.id, same, web.version) == web
    assert database_rows(runtime.engine) == before
    assert changes == []


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("name", "", "project name cannot be empty"),
        ("name", "   ", "project name cannot be empty"),
        ("name", "x" * 201, "at most 200"),
        ("methodology", "waterfall", "methodology"),
        ("time_zone", "Mars/Olympus", "Unknown time zone"),
        ("time_zone", "../../etc/passwd", "Unknown time zone"),
        ("time_zone", "", "time zone cannot be empty"),
        ("working_weekdays", 0, "at least one working weekday"),
        ("working_weekdays", 128, "working weekdays"),
        ("working_weekdays", True, "working weekdays"),
        ("working_weekdays", "31", "working weekdays"),
        ("budget", "-1", "cannot be negative"),
        ("budget", "lots", "must be a number"),
        ("budget", "1.005", "two decimals"),
        ("budget", "1e15", "too large"),
        ("currency", "EURO", "three letters"),
        ("currency", "E1R", "three letters"),
        ("currency", "", "three letters"),
        ("holidays", ((dt.date(2026, 1, 1), "a"), ("2026-01-01", "b")), "listed twice"),
        ("holidays", (("not a date", "x"),), "not a date"),
        ("holidays", ((None, "x"),), "needs a date"),
        ("holidays", (("2026-01-01", "x" * 201),), "at most 200"),
        ("holidays", "2026-01-01", "list of"),
    ],
)
def test_bad_settings_refused(
    services: Services, web: ProjectDTO, refused: Callable, field: str, value: object, match: str
) -> None:
    bad = replace(services.projects.get_project_settings(web.id), **{field: value})
    refused(ValidationError, services.projects.update_project_settings, web.id, bad, match=match)


def test_stale_settings_refused(services: Services, web: ProjectDTO, refused: Callable) -> None:
    services.projects.rename_project(web.id, "Renamed elsewhere")
    mine = replace(services.projects.get_project_settings(web.id), currency="USD")
    error = refused(
        StaleEdit,
        services.projects.update_project_settings,
        web.id,
        mine,
        web.version,
        match="changed by someone else",
    )
    assert error.current_version == web.version + 1


def test_no_switch_to_kanban_while_a_sprint_is_active(
    services: Services, web: ProjectDTO, refused: Callable
) -> None:
    sprint = services.sprints.create_sprint(web.id)
    services.sprints.start_sprint(sprint.id, allow_unestimated=True)
    project = services.projects.get_project(web.id)
    kanban = replace(services.projects.get_project_settings(web.id), methodology="kanban")
    refused(
        Conflict,
        services.projects.update_project_settings,
        web.id,
        kanban,
        project.version,
        match=f"{sprint.name}.*is active; complete it before switching WEB to Kanban",
    )


def test_settings_of_an_unknown_project(services: Services, refused: Callable) -> None:
    settings = ProjectSettings("X", "scrum", "UTC", 31)
    refused(NotFound, services.projects.update_project_settings, 999, settings)
    refused(ValidationError, services.projects.update_project_settings, 1, {"name": "X"})


# --- people ------------------------------------------------------------------------------


def test_add_member_with_role_and_hours(
    services: Services, web: ProjectDTO, changes: list[Change]
) -> None:
    added = services.projects.add_member(web.id, " Ada Lovelace ", "Tech lead", "7.5")
    assert added.display_name == "Ada Lovelace"
    [row] = services.team.list_team(web.id)
    assert (row.display_name, row.role, row.hours_per_day, row.active) == (
        "Ada Lovelace",
        "Tech lead",
        Decimal("7.5"),
        True,
    )
    assert services.projects.add_member(web.id, "Bob").display_name == "Bob"
    assert services.team.list_team(web.id)[1].hours_per_day == Decimal("6")  # the default
    assert [c.kind for c in changes] == ["members_changed", "members_changed"]


@pytest.mark.parametrize(
    ("name", "hours", "error", "match"),
    [
        ("", None, ValidationError, "cannot be empty"),
        ("   ", None, ValidationError, "cannot be empty"),
        ("x" * 101, None, ValidationError, "at most 100"),
        ("Tab\there", None, ValidationError, "control characters"),
        ("Ada Lovelace", None, Conflict, "already in this project's team"),
        ("ADA LOVELACE", None, Conflict, "already in this project's team"),
        ("Bob", "25", ValidationError, "from 0 to 24"),
        ("Bob", "-1", ValidationError, "from 0 to 24"),
        ("Bob", "many", ValidationError, "must be a number"),
        ("Bob", "1.001", ValidationError, "two decimals"),
    ],
)
def test_bad_members_refused(
    services: Services,
    web: ProjectDTO,
    refused: Callable,
    name: str,
    hours: str | None,
    error: type[DomainError],
    match: str,
) -> None:
    services.projects.add_member(web.id, "Ada Lovelace")
    refused(error, services.projects.add_member, web.id, name, "", hours, match=match)


def test_people_are_shared_between_projects(services: Services, web: ProjectDTO) -> None:
    app = services.projects.create_project("APP", "App")
    ada = services.projects.add_member(web.id, "Ada Lovelace", "Lead", "4")
    again = services.projects.add_member(app.id, "ada lovelace", "Reviewer", "2")
    assert again.id == ada.id and again.display_name == "Ada Lovelace"
    assert [(m.role, m.hours_per_day) for m in services.team.list_team(app.id)] == [
        ("Reviewer", Decimal("2"))
    ]
    assert [(m.role, m.hours_per_day) for m in services.team.list_team(web.id)] == [
        ("Lead", Decimal("4"))
    ]
    assert services.team.known_people() == ["Ada Lovelace"]


def test_update_member_and_its_inverse(
    services: Services, web: ProjectDTO, changes: list[Change]
) -> None:
    ada = services.projects.add_member(web.id, "Ada Lovelace", "Lead", "6")
    [before] = services.team.list_team(web.id)
    after = services.team.update_member(
        web.id, ada.id, role="Architect", hours_per_day="3.25", expected_version=before.version
    )
    assert (after.role, after.hours_per_day, after.version) == (
        "Architect",
        Decimal("3.25"),
        before.version + 1,
    )
    back = services.team.update_member(
        web.id,
        ada.id,
        role=before.role,
        hours_per_day=before.hours_per_day,
        expected_version=after.version,
    )
    assert (back.role, back.hours_per_day) == ("Lead", Decimal("6"))
    assert services.team.list_team(web.id) == [back]
    assert [c.kind for c in changes] == ["members_changed"] * 3


def test_update_member_refusals(services: Services, web: ProjectDTO, refused: Callable) -> None:
    ada = services.projects.add_member(web.id, "Ada Lovelace")
    refused(ValidationError, services.team.update_member, web.id, ada.id, hours_per_day="30")
    refused(ValidationError, services.team.update_member, web.id, ada.id, role="r" * 101)
    refused(ValidationError, services.team.update_member, web.id, ada.id, active="yes")
    refused(NotFound, services.team.update_member, web.id, 999, role="x")
    refused(ValidationError, services.team.update_member, web.id, "1", role="x")
    refused(
        StaleEdit,
        services.team.update_member,
        web.id,
        ada.id,
        role="x",
        expected_version=7,
        match="changed by someone else",
    )


def test_remove_keeps_history_and_assignee_and_reactivate_undoes_it(
    services: Services, web: ProjectDTO, refused: Callable
) -> None:
    ada = services.projects.add_member(web.id, "Ada Lovelace")
    card = services.cards.create_card(web.id, "Hero image", assignee_id=ada.id)
    removed = services.team.remove_member(web.id, ada.id)
    assert removed.active is False and removed.assigned_cards == 1
    assert services.team.list_team(web.id) == []
    assert [m.display_name for m in services.team.list_team(web.id, True)] == ["Ada Lovelace"]
    assert services.cards.get_card(card.id).assignee_name == "Ada Lovelace"
    assert services.projects.list_members(web.id) == []
    assert [m.active for m in services.board.load_board(web.id).members] == [False]
    refused(Conflict, services.team.remove_member, web.id, ada.id, match="no longer in")
    back = services.team.reactivate_member(web.id, ada.id, expected_version=removed.version)
    assert back.active is True
    refused(Conflict, services.team.reactivate_member, web.id, ada.id, match="already in")
    # Adding a former member by name brings them back too.
    services.team.remove_member(web.id, ada.id)
    assert services.projects.add_member(web.id, "ada LOVELACE").id == ada.id
    assert [m.active for m in services.team.list_team(web.id)] == [True]


def test_rename_person_everywhere_and_back(
    services: Services, web: ProjectDTO, changes: list[Change]
) -> None:
    app = services.projects.create_project("APP", "App")
    ada = services.projects.add_member(web.id, "Ada Lovelace")
    services.projects.add_member(app.id, "Ada Lovelace")
    card = services.cards.create_card(app.id, "Card", assignee_id=ada.id)
    changes.clear()
    renamed = services.team.rename_person(web.id, ada.id, "Ada King", expected_version=1)
    assert renamed.display_name == "Ada King" and renamed.person_version == 2
    assert services.cards.get_card(card.id).assignee_name == "Ada King"
    assert [m.display_name for m in services.team.list_team(app.id)] == ["Ada King"]
    assert sorted((c.kind, c.project_id) for c in changes) == [
        ("members_changed", web.id),
        ("members_changed", app.id),
    ]
    services.team.rename_person(web.id, ada.id, "Ada Lovelace", expected_version=2)
    assert services.team.known_people() == ["Ada Lovelace"]
    # Only the case changes: it is still the same person, so that is allowed.
    assert services.team.rename_person(web.id, ada.id, "ada lovelace").display_name == (
        "ada lovelace"
    )


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("grace hopper", Conflict, "already a person called Grace Hopper"),
        ("", ValidationError, "cannot be empty"),
        (" \t ", ValidationError, "cannot be empty"),
        ("n" * 101, ValidationError, "at most 100"),
    ],
)
def test_bad_renames_refused(
    services: Services,
    web: ProjectDTO,
    refused: Callable,
    name: str,
    error: type[DomainError],
    match: str,
) -> None:
    ada = services.projects.add_member(web.id, "Ada Lovelace")
    other = services.projects.create_project("APP", "App")
    services.projects.add_member(other.id, "Grace Hopper")  # known, in another project
    refused(error, services.team.rename_person, web.id, ada.id, name, match=match)


def test_rename_stale_person_refused(
    services: Services, web: ProjectDTO, refused: Callable
) -> None:
    ada = services.projects.add_member(web.id, "Ada Lovelace")
    services.team.rename_person(web.id, ada.id, "Ada King")
    refused(StaleEdit, services.team.rename_person, web.id, ada.id, "Ada L", expected_version=1)


# --- labels ------------------------------------------------------------------------------


def test_list_labels_counts_live_cards(services: Services, web: ProjectDTO) -> None:
    ui = services.projects.add_label(web.id, "ui")
    api = services.projects.add_label(web.id, "API")
    services.cards.create_card(web.id, "One", label_ids=[ui.id])
    two = services.cards.create_card(web.id, "Two", label_ids=[ui.id, api.id])
    services.cards.create_card(web.id, "Gone", label_ids=[ui.id])
    services.cards.archive_card(services.cards.list_cards(web.id)[-1].id)
    assert [(lb.name, lb.cards) for lb in services.team.list_labels(web.id)] == [
        ("API", 1),
        ("ui", 2),
    ]
    assert two.labels  # sanity: the card carries both


def test_rename_and_recolour_labels_and_back(
    services: Services, web: ProjectDTO, changes: list[Change]
) -> None:
    ui = services.projects.add_label(web.id, "ui", "#112233")
    card = services.cards.create_card(web.id, "One", label_ids=[ui.id])
    renamed = services.team.rename_label(ui.id, " frontend ")
    assert renamed == replace(ui, name="frontend")
    assert [lb.name for lb in services.cards.get_card(card.id).labels] == ["frontend"]
    # A label's name is not a card's field: a rename adds no card history.
    assert [kind for kind, _b, _a in history_of(services, card.id)] == ["created"]
    recoloured = services.team.recolor_label(ui.id, "#A0B0C0")
    assert recoloured.color == "#a0b0c0"
    services.team.rename_label(ui.id, "ui")
    services.team.recolor_label(ui.id, "#112233")
    assert services.projects.list_labels(web.id) == [ui]
    assert [c.kind for c in changes[-4:]] == ["labels_changed"] * 4
    # The same name in another case is still that label.
    assert services.team.rename_label(ui.id, "UI").name == "UI"


@pytest.mark.parametrize(
    ("call", "value", "error", "match"),
    [
        ("rename", "backend", Conflict, "already exists"),
        ("rename", "BACKEND", Conflict, "already exists"),
        ("rename", "", ValidationError, "cannot be empty"),
        ("rename", "   ", ValidationError, "cannot be empty"),
        ("rename", "two words", ValidationError, "one word"),
        ("rename", "l" * 51, ValidationError, "at most 50"),
        ("rename", None, ValidationError, "cannot be empty"),
        ("colour", "red", ValidationError, "#RRGGBB"),
        ("colour", "#12345", ValidationError, "#RRGGBB"),
        ("colour", "#1234567", ValidationError, "#RRGGBB"),
        ("colour", "", ValidationError, "#RRGGBB"),
        ("colour", 0x123456, ValidationError, "#RRGGBB"),
    ],
)
def test_bad_label_changes_refused(
    services: Services,
    web: ProjectDTO,
    refused: Callable,
    call: str,
    value: object,
    error: type[DomainError],
    match: str,
) -> None:
    ui = services.projects.add_label(web.id, "ui")
    services.projects.add_label(web.id, "backend")
    method = services.team.rename_label if call == "rename" else services.team.recolor_label
    refused(error, method, ui.id, value, match=match)


def test_unknown_labels_refused(services: Services, web: ProjectDTO, refused: Callable) -> None:
    ui = services.projects.add_label(web.id, "ui")
    refused(NotFound, services.team.rename_label, 999, "x")
    refused(NotFound, services.team.delete_label, 999)
    refused(NotFound, services.team.merge_labels, ui.id, 999)
    refused(ValidationError, services.team.merge_labels, ui.id, ui.id, match="into itself")
    refused(ValidationError, services.team.merge_labels, "1", ui.id)
    other = services.projects.create_project("APP", "App")
    theirs = services.projects.add_label(other.id, "theirs")
    refused(ValidationError, services.team.merge_labels, ui.id, theirs.id, match="one project")


def test_merge_labels_writes_card_history_and_splits_back(
    services: Services, web: ProjectDTO, changes: list[Change]
) -> None:
    fe = services.projects.add_label(web.id, "fe", "#123456")
    ui = services.projects.add_label(web.id, "ui")
    only_fe = services.cards.create_card(web.id, "Only fe", label_ids=[fe.id])
    both = services.cards.create_card(web.id, "Both", label_ids=[fe.id, ui.id])
    only_ui = services.cards.create_card(web.id, "Only ui", label_ids=[ui.id])
    changes.clear()

    merge = services.team.merge_labels(fe.id, ui.id)
    assert (merge.moved_card_ids, merge.shared_card_ids) == ((only_fe.id,), (both.id,))
    assert [lb.name for lb in services.projects.list_labels(web.id)] == ["ui"]
    for card in (only_fe, both, only_ui):
        assert [lb.name for lb in services.cards.get_card(card.id).labels] == ["ui"]
    assert history_of(services, only_fe.id)[-1] == (
        "edited",
        {"label_ids": [fe.id]},
        {"label_ids": [ui.id]},
    )
    assert history_of(services, both.id)[-1] == (
        "edited",
        {"label_ids": sorted([fe.id, ui.id])},
        {"label_ids": [ui.id]},
    )
    assert len(history_of(services, only_ui.id)) == 1  # untouched
    assert services.cards.get_card(only_fe.id).version == only_fe.version + 1
    assert services.cards.get_card(only_ui.id).version == only_ui.version
    assert [c.kind for c in changes] == ["labels_changed"]

    again = services.team.split_label(merge)
    assert (again.name, again.color) == ("fe", "#123456")
    assert [lb.name for lb in services.cards.get_card(only_fe.id).labels] == ["fe"]
    assert [lb.name for lb in services.cards.get_card(both.id).labels] == ["fe", "ui"]
    assert [lb.name for lb in services.cards.get_card(only_ui.id).labels] == ["ui"]
    assert history_of(services, only_fe.id)[-1] == (
        "edited",
        {"label_ids": [ui.id]},
        {"label_ids": [again.id]},
    )
    # Every card's version still counts its history events (the crash harness's check).
    for card in (only_fe, both, only_ui):
        assert services.cards.get_card(card.id).version == len(history_of(services, card.id))


def test_split_refused_when_the_name_was_taken_meanwhile(
    services: Services, web: ProjectDTO, refused: Callable
) -> None:
    fe = services.projects.add_label(web.id, "fe")
    ui = services.projects.add_label(web.id, "ui")
    merge = services.team.merge_labels(fe.id, ui.id)
    services.projects.add_label(web.id, "FE")
    refused(Conflict, services.team.split_label, merge, match="already exists")
    services.team.delete_label(ui.id)
    refused(ValidationError, services.team.split_label, "merge")


def test_delete_label_takes_it_off_cards_and_restore_puts_it_back(
    services: Services, web: ProjectDTO, changes: list[Change]
) -> None:
    ui = services.projects.add_label(web.id, "ui", "#00ff00")
    api = services.projects.add_label(web.id, "api")
    one = services.cards.create_card(web.id, "One", label_ids=[ui.id, api.id])
    gone = services.cards.create_card(web.id, "Gone", label_ids=[ui.id])
    services.cards.archive_card(gone.id)
    plain = services.cards.create_card(web.id, "Plain")
    changes.clear()

    deletion = services.team.delete_label(ui.id)
    assert deletion.card_ids == (one.id, gone.id)
    assert [lb.name for lb in services.projects.list_labels(web.id)] == ["api"]
    assert [lb.name for lb in services.cards.get_card(one.id).labels] == ["api"]
    assert services.cards.get_card(gone.id).labels == ()
    assert history_of(services, one.id)[-1] == (
        "edited",
        {"label_ids": sorted([ui.id, api.id])},
        {"label_ids": [api.id]},
    )
    assert [c.kind for c in changes] == ["labels_changed"]

    back = services.team.restore_label(deletion)
    assert (back.name, back.color) == ("ui", "#00ff00")
    assert [lb.name for lb in services.cards.get_card(one.id).labels] == ["api", "ui"]
    assert [lb.name for lb in services.cards.get_card(gone.id).labels] == ["ui"]
    assert services.cards.get_card(plain.id).labels == ()
    assert [(lb.name, lb.cards) for lb in services.team.list_labels(web.id)] == [
        ("api", 1),
        ("ui", 1),
    ]
    for card in (one, gone, plain):
        assert services.cards.get_card(card.id).version == len(history_of(services, card.id))


def test_restore_refused_when_the_name_was_taken(
    services: Services, web: ProjectDTO, refused: Callable
) -> None:
    ui = services.projects.add_label(web.id, "ui")
    deletion = services.team.delete_label(ui.id)
    services.projects.add_label(web.id, "UI")
    refused(Conflict, services.team.restore_label, deletion, match="already exists")
    refused(ValidationError, services.team.restore_label, None)


def test_get_member_includes_former_members(
    services: Services, web: ProjectDTO, refused: Callable
) -> None:
    ada = services.projects.add_member(web.id, "Ada Lovelace", "Lead", "5")
    services.cards.create_card(web.id, "Card", assignee_id=ada.id)
    services.team.remove_member(web.id, ada.id)
    got = services.team.get_member(web.id, ada.id)
    assert (got.display_name, got.role, got.hours_per_day, got.active, got.assigned_cards) == (
        "Ada Lovelace",
        "Lead",
        Decimal("5"),
        False,
        1,
    )
    other = services.projects.create_project("APP", "App")
    refused(NotFound, services.team.get_member, other.id, ada.id)
