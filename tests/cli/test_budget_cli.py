"""``sprintdeck budget``, ``release`` and ``metrics evm`` through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.budget_world import budget_database
from tests.helpers import as_json, ok, refused, run_cli, usage_error


@pytest.fixture
def bg(tmp_path: Path) -> Path:
    path = tmp_path / "budget.db"
    budget_database(path)
    return path


def test_budget_set_and_show(bg: Path) -> None:
    assert ok(run_cli("budget", "set", "--project", "bg", "2000", db=bg)) == (
        "BG budget 2000.00 EUR\n"
    )
    shown = as_json(run_cli("budget", "show", "--project", "BG", "--json", db=bg))[0]
    assert shown["budget"] == "2000.00" and shown["cost_to_date"] == "1550.00"
    assert shown["spent_share"] == 0.775 and shown["warnings"] == [
        {
            "level": 100,
            "text": "Over budget: 105% of BG-1 Checkout's budget is spent (1050.00 of 1000.00).",
        }
    ]
    assert shown["per_person"] == [
        {"name": "Ann Able", "hours": 9, "cost": "1000.00"},
        {"name": "Ben Best", "hours": 11, "cost": "550.00"},
    ]
    assert [s["name"] for s in shown["per_sprint"]] == ["Sprint 1", "Sprint 2", "(between sprints)"]
    assert shown["burn_rate_per_sprint"] == "750.00"
    assert shown["burnup"][-1] == {"date": "2025-03-11", "cost": "1550.00"}
    text = ok(run_cli("budget", "show", "--project", "BG", db=bg))
    assert text.startswith("BG: 1,550.00 EUR spent of 2,000.00 EUR (78%)\n")
    assert "WARNING: Over budget: 105% of BG-1 Checkout's budget" in text
    assert "Burn rate: 750.00 EUR a sprint (last 2 closed: Sprint 1, Sprint 2)" in text
    assert "Ann Able" in text and "BG-2 Search" in text


def test_epic_budget_from_the_command_line(bg: Path) -> None:
    assert ok(run_cli("budget", "set", "--project", "BG", "--epic", "bg-2", "700", db=bg)) == (
        "BG-2 budget 700.00 EUR\n"
    )
    epics = as_json(run_cli("budget", "show", "--project", "BG", "--json", db=bg))[0]["per_epic"]
    assert epics[1] == {
        "name": "BG-2 Search",
        "hours": 10,
        "cost": "500.00",
        "key": "BG-2",
        "budget": "700.00",
    }


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("budget", "set", "--project", "BG", "-5"), "negative"),
        (("budget", "set", "--project", "BG", "lots"), "must be a number"),
        (("budget", "set", "--project", "NOPE", "5"), "no project"),
        (("budget", "set", "--project", "BG", "--epic", "BG-3", "5"), "not an epic"),
        (("release", "add", "R", "--project", "BG", "--sprints", "0", "--bac", "5"), "1 to 1000"),
        (("release", "add", "R", "--project", "BG", "--sprints", "2", "--bac", "-5"), "negative"),
        (("release", "add", "", "--project", "BG", "--sprints", "2", "--bac", "5"), "empty"),
        (("metrics", "evm", "--project", "BG", "--release", "R9"), "no release"),
    ],
)
def test_refusals_write_nothing(bg: Path, args: tuple[str, ...], words: str) -> None:
    refused(run_cli(*args, db=bg), words)
    shown = as_json(run_cli("budget", "show", "--project", "BG", "--json", db=bg))[0]
    assert (shown["budget"], shown["per_epic"][0]["budget"]) == ("1800.00", "1000.00")
    assert as_json(run_cli("release", "list", "--project", "BG", "--json", db=bg)) == []


def test_usage_errors(bg: Path) -> None:
    usage_error(run_cli("release", "add", "R", "--project", "BG", "--bac", "5", db=bg))
    usage_error(run_cli("metrics", "evm", db=bg))


def test_releases_and_evm(bg: Path) -> None:
    assert (
        ok(
            run_cli(
                "release", "add", "R1", "--project", "BG", "--sprints", "4", "--bac", "2000", db=bg
            )
        )
        == "R1\n"
    )
    ok(
        run_cli(
            "release",
            "add",
            "Search",
            "--project",
            "BG",
            "--sprints",
            "2",
            "--bac",
            "600",
            "--epic",
            "BG-2",
            db=bg,
        )
    )
    assert as_json(run_cli("release", "list", "--project", "BG", "--json", db=bg)) == [
        {"name": "R1", "planned_sprints": 4, "bac": "2000.00", "epics": []},
        {"name": "Search", "planned_sprints": 2, "bac": "600.00", "epics": ["BG-2"]},
    ]
    rows = as_json(run_cli("metrics", "evm", "--project", "BG", "--release", "r1", "--json", db=bg))
    assert [r["sprint"] for r in rows] == ["Sprint 1", "Sprint 2"]
    last = rows[-1]
    assert (last["pv"], last["ev"], last["ac"], last["eac"]) == (
        "1000.00",
        "1733.33",
        "1550.00",
        "1788.46",
    )
    assert (last["cpi"], last["spi"], last["ppc"]) == (1.1183, 1.7333, 0.5)
    assert last["reading"] == "under budget, ahead of schedule" and last["reasons"] == {}
    table = ok(run_cli("metrics", "evm", "--project", "BG", "--release", "R1", db=bg))
    assert table.splitlines()[0] == "BG R1 (whole backlog): BAC 2,000.00 EUR over 4 sprints"
    assert "over budget, ahead of schedule" in table and "1,733.33" in table
    epic = as_json(
        run_cli(
            "metrics",
            "evm",
            "--project",
            "BG",
            "--release",
            "Search",
            "--epic",
            "BG-2",
            "--json",
            db=bg,
        )
    )
    assert [r["points_done"] for r in epic] == [0, 3]
    assert epic[0]["ev"] == "0.00" and epic[0]["eac"] is None
    assert epic[0]["reasons"]["eac"] == "nothing earned yet (CPI is 0)"


def test_evm_without_anything_to_show(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    ok(run_cli("project", "add", "EM", "--name", "Empty", db=path))
    assert as_json(run_cli("metrics", "evm", "--project", "EM", "--json", db=path)) == []
    text = ok(run_cli("metrics", "evm", "--project", "EM", db=path))
    assert "no budget and no release" in text


def test_release_update_and_delete(bg: Path) -> None:
    add = ("release", "add", "R1", "--project", "BG", "--sprints", "4", "--bac", "2000")
    ok(run_cli(*add, db=bg))
    changed = run_cli(
        "release", "update", "r1", "--project", "BG", "--name", "Launch", "--sprints", "3",
        "--bac", "2500", "--epic", "bg-1", db=bg,
    )  # fmt: skip
    assert ok(changed) == "Launch: 3 sprints, BAC 2,500.00, BG-1\n"
    whole = run_cli("release", "update", "Launch", "--project", "BG", "--whole-backlog", db=bg)
    assert ok(whole) == "Launch: 3 sprints, BAC 2,500.00, whole backlog\n"
    refused(run_cli("release", "update", "Launch", "--project", "BG", db=bg), "Say what to change")
    refused(
        run_cli("release", "update", "Launch", "--project", "BG", "--sprints", "0", db=bg),
        "1 to 1000",
    )
    refused(run_cli("release", "update", "R9", "--project", "BG", "--bac", "5", db=bg), "R9")
    usage_error(
        run_cli(
            "release",
            "update",
            "Launch",
            "--project",
            "BG",
            "--epic",
            "BG-1",
            "--whole-backlog",
            db=bg,
        )
    )
    assert as_json(run_cli("release", "list", "--project", "BG", "--json", db=bg)) == [
        {"name": "Launch", "planned_sprints": 3, "bac": "2500.00", "epics": []}
    ]
    assert ok(run_cli("release", "delete", "launch", "--project", "BG", db=bg)) == (
        "Deleted the release Launch.\n"
    )
    assert as_json(run_cli("release", "list", "--project", "BG", "--json", db=bg)) == []
