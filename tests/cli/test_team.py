"""``sprintdeck member`` and ``sprintdeck label`` through the real entry point, in a child."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import as_json, make_runtime, ok, refused, run_cli, usage_error


def dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture
def web(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    ok(run_cli("project", "add", "WEB", "--name", "Website relaunch", db=path))
    return path


def test_the_readme_flow_a_new_project_gets_a_team(web: Path) -> None:
    """The README's card add --assignee works on a project built from the command line."""
    assert ok(run_cli("member", "add", "Ada Lovelace", "--project", "WEB", db=web)) == (
        "Ada Lovelace\n"
    )
    key = ok(
        run_cli(
            "card", "add", "--project", "WEB", "--title", "X", "--assignee", "ada lovelace", db=web
        )
    )
    assert key == "WEB-1\n"
    [card] = as_json(run_cli("card", "list", "--project", "WEB", "--json", db=web))
    assert card["assignee"] == "Ada Lovelace"


def test_member_add_and_list(web: Path) -> None:
    # --db before the subcommand works as well as after it.
    ok(
        run_cli(
            "--db",
            str(web),
            "member",
            "add",
            "Grace Hopper",
            "--project",
            "web",
            "--role",
            "Backend developer",
            "--hours-per-day",
            "7.5",
        )
    )
    ok(run_cli("member", "add", "Alan Turing", "--project", "WEB", "--hours-per-day", "4", db=web))
    assert as_json(run_cli("member", "list", "--project", "WEB", "--json", db=web)) == [
        {"name": "Alan Turing", "role": "", "hours_per_day": 4, "active": True},
        {"name": "Grace Hopper", "role": "Backend developer", "hours_per_day": 7.5, "active": True},
    ]
    text = ok(run_cli("member", "list", "--project", "WEB", db=web)).splitlines()
    assert len(text) == 2
    assert text[1].split()[:4] == ["Grace", "Hopper", "Backend", "developer"]
    assert text[1].endswith("7.5 h/day")


def test_member_list_all_shows_former_members(web: Path) -> None:
    ok(run_cli("member", "add", "Ada Lovelace", "--project", "WEB", db=web))
    ok(run_cli("member", "add", "Bob Ray", "--project", "WEB", db=web))
    runtime = make_runtime(web)
    try:
        services = runtime.services
        project = services.projects.find_project("WEB")
        bob = services.projects.find_member(project.id, "Bob Ray")
        services.team.remove_member(project.id, bob.id)
    finally:
        runtime.close()
    names = [
        m["name"] for m in as_json(run_cli("member", "list", "--project", "WEB", "--json", db=web))
    ]
    assert names == ["Ada Lovelace"]
    everyone = as_json(run_cli("member", "list", "--project", "WEB", "--json", "--all", db=web))
    assert [(m["name"], m["active"]) for m in everyone] == [
        ("Ada Lovelace", True),
        ("Bob Ray", False),
    ]
    assert "(former member)" in ok(run_cli("member", "list", "--project", "WEB", "--all", db=web))


def test_member_refusals_change_nothing(web: Path) -> None:
    ok(run_cli("member", "add", "Ada Lovelace", "--project", "WEB", db=web))
    before = dump(web)
    refused(
        run_cli("member", "add", "ADA LOVELACE", "--project", "WEB", db=web),
        "Ada Lovelace",
        "already",
    )
    refused(run_cli("member", "add", "   ", "--project", "WEB", db=web), "cannot be empty")
    refused(
        run_cli("member", "add", "Bob", "--project", "WEB", "--hours-per-day", "25", db=web),
        "0 to 24",
    )
    refused(run_cli("member", "add", "Bob", "--project", "NOPE", db=web), "no project")
    assert dump(web) == before
    usage_error(run_cli("member", "add", "Bob", db=web))  # --project is required
    usage_error(run_cli("member", "list", "--project", "WEB", "--csv", db=web))
    usage_error(run_cli("member", db=web))


def test_label_add_and_list(web: Path) -> None:
    assert ok(run_cli("label", "add", "frontend", "--project", "WEB", db=web)) == "frontend\n"
    ok(run_cli("label", "add", "ux", "--project", "WEB", "--color", "#AA00FF", db=web))
    runtime = make_runtime(web)
    try:
        services = runtime.services
        project = services.projects.find_project("WEB")
        labels = {lb.name: lb.id for lb in services.projects.list_labels(project.id)}
        services.cards.create_card(project.id, "One", label_ids=[labels["ux"]])
        both = services.cards.create_card(
            project.id, "Two", label_ids=[labels["ux"], labels["frontend"]]
        )
        gone = services.cards.create_card(project.id, "Gone", label_ids=[labels["ux"]])
        services.cards.archive_card(gone.id)
        assert both.labels
    finally:
        runtime.close()
    rows = as_json(run_cli("label", "list", "--project", "WEB", "--json", db=web))
    assert rows == [
        {"name": "frontend", "color": "#0052cc", "cards": 1},
        {"name": "ux", "color": "#aa00ff", "cards": 2},
    ]
    text = ok(run_cli("label", "list", "--project", "WEB", db=web)).splitlines()
    assert [line.split() for line in text] == [
        ["frontend", "#0052cc", "1", "card"],
        ["ux", "#aa00ff", "2", "cards"],
    ]


def test_label_refusals_change_nothing(web: Path) -> None:
    ok(run_cli("label", "add", "frontend", "--project", "WEB", db=web))
    before = dump(web)
    refused(run_cli("label", "add", "Frontend", "--project", "WEB", db=web), "already exists")
    refused(run_cli("label", "add", "two words", "--project", "WEB", db=web), "one word")
    refused(
        run_cli("label", "add", "ux", "--project", "WEB", "--color", "purple", db=web),
        "#RRGGBB",
    )
    assert dump(web) == before
    usage_error(run_cli("label", "add", "--project", "WEB", db=web))  # no name


def test_empty_lists_are_empty_json(web: Path) -> None:
    assert json.loads(ok(run_cli("member", "list", "--project", "WEB", "--json", db=web))) == []
    assert json.loads(ok(run_cli("label", "list", "--project", "WEB", "--json", db=web))) == []
