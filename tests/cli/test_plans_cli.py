"""``sprintdeck milestone …`` and ``sprintdeck card link`` through the real entry point."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import as_json, ok, refused, run_cli, usage_error

SOON = (dt.date.today() + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def sd(tmp_path: Path) -> Path:
    path = tmp_path / "plans.db"
    ok(run_cli("project", "add", "SD", "--name", "Sprintdeck", db=path))
    for title in ("One", "Two", "Three"):
        ok(run_cli("card", "add", "--project", "SD", "--title", title, db=path))
    return path


def test_milestone_add_link_and_list(sd: Path) -> None:
    assert (
        ok(
            run_cli(
                "milestone",
                "add",
                "Beta",
                "--project",
                "SD",
                "--date",
                SOON,
                "--description",
                "First users",
                db=sd,
            )
        )
        == "Beta\n"
    )
    assert ok(run_cli("milestone", "link", "beta", "SD-1", "sd-2", "--project", "SD", db=sd)) == (
        "Beta: SD-1, SD-2\n"
    )
    [row] = as_json(run_cli("milestone", "list", "--project", "SD", "--json", db=sd))
    assert row == {
        "name": "Beta",
        "date": SOON,
        "description": "First users",
        "scope": ["SD-1", "SD-2"],
        "scope_size": 2,
        "done": 0,
    }
    assert "0/2 done" in ok(run_cli("milestone", "list", "--project", "SD", db=sd))


def test_milestone_bad_input(sd: Path) -> None:
    refused(
        run_cli("milestone", "add", "Old", "--project", "SD", "--date", "2001-01-01", db=sd),
        "before the project",
    )
    refused(run_cli("milestone", "add", "X", "--project", "SD", "--date", "tomorrow", db=sd))
    refused(run_cli("milestone", "add", "", "--project", "SD", "--date", SOON, db=sd))
    refused(run_cli("milestone", "link", "Nope", "SD-1", "--project", "SD", db=sd), "Nope")
    usage_error(run_cli("milestone", "add", "X", "--project", "SD", db=sd))
    assert as_json(run_cli("milestone", "list", "--project", "SD", "--json", db=sd)) == []


def test_card_link_blocks_unlink_and_cycle(sd: Path) -> None:
    assert ok(run_cli("card", "link", "SD-1", "--blocks", "SD-2", db=sd)) == (
        "SD-2 is blocked by SD-1\n"
    )
    ok(run_cli("card", "link", "SD-2", "--blocks", "SD-3", db=sd))
    refused(run_cli("card", "link", "SD-3", "--blocks", "SD-1", db=sd), "SD-3 → SD-1 → SD-2 → SD-3")
    refused(run_cli("card", "link", "SD-3", "--blocks", "SD-3", db=sd), "itself")
    refused(run_cli("card", "link", "SD-3", "--blocks", "SD-99", db=sd), "SD-99")
    assert ok(run_cli("card", "link", "SD-1", "--blocks", "SD-2", "--unlink", db=sd)) == (
        "SD-2 is blocked by nothing\n"
    )
    ok(run_cli("card", "link", "SD-3", "--blocks", "SD-1", db=sd))  # no cycle any more
