"""``sprintdeck risk add|list|update`` and ``sprintdeck forecast`` through the entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import (
    as_json,
    database_rows,
    make_runtime,
    ok,
    refused,
    run_cli,
    usage_error,
    world_database,
)


def _web(db: Path | str) -> None:
    ok(run_cli("project", "add", "WEB", "--name", "Website", db=db))
    ok(run_cli("member", "add", "Ana", "--project", "WEB", db=db))
    ok(run_cli("card", "add", "--project", "WEB", "--title", "Checkout", db=db))


@pytest.fixture
def db(db_url: str) -> str:
    """Project WEB, member Ana, card WEB-1 (built once per process, copied per test)."""
    world_database(db_url, _web)
    return db_url


def test_add_list_and_update_a_risk(db: str) -> None:
    out = run_cli(
        "risk", "add", "Vendor API late", "--project", "WEB", "--probability", "4",
        "--impact", "5", "--residual-probability", "2", "--residual-impact", "3",
        "--owner", "ana", "--response", "Mock it", "--trigger", "No sandbox",
        "--proximity", "2099-01-01", "--schedule-days", "5", "--cost", "1200.50",
        "--card", "WEB-1", db=db,
    )  # fmt: skip
    assert ok(out) == "R-1\n"
    ok(run_cli("risk", "add", "Key person leaves", "--project", "WEB", "--probability", "1",
               "--impact", "2", db=db))  # fmt: skip
    first, second = as_json(run_cli("risk", "list", "--project", "WEB", "--json", db=db))
    assert first["key"] == "R-1" and first["exposure"] == 20 and first["residual_exposure"] == 6
    assert first["owner"] == "Ana" and first["cards"] == ["WEB-1"] and first["epics"] == []
    assert first["milestones"] == []
    assert first["cost_impact"] == "1200.50" and first["schedule_days"] == 5
    assert first["overdue"] is False and second["residual_exposure"] == 2
    text = ok(run_cli("risk", "update", "R-2", "--project", "WEB", "--status", "closed",
                      "--impact", "3", db=db))  # fmt: skip
    assert text == "R-2 closed exposure 3 residual 3\n"
    listed = ok(run_cli("risk", "list", "--project", "WEB", "--open", db=db))
    assert "Vendor API late (Ana)" in listed and "Key person" not in listed


def test_cards_epics_and_milestones_are_linked_repeatably(db: str) -> None:
    ok(run_cli("card", "add", "--project", "WEB", "--title", "Payments", "--type", "epic",
               db=db))  # fmt: skip
    ok(run_cli("card", "add", "--project", "WEB", "--title", "Refunds", db=db))
    ok(run_cli("milestone", "add", "Beta", "--project", "WEB", "--date", "2099-01-01", db=db))
    ok(run_cli("milestone", "add", "Launch", "--project", "WEB", "--date", "2099-06-01", db=db))
    ok(run_cli("risk", "add", "PSP late", "--project", "WEB", "--probability", "3",
               "--impact", "4", "--card", "WEB-1", "--card", "WEB-3", "--epic", "WEB-2",
               "--milestone", "Beta", "--milestone", "launch", db=db))  # fmt: skip
    [risk] = as_json(run_cli("risk", "list", "--project", "WEB", "--json", db=db))
    assert risk["cards"] == ["WEB-1", "WEB-3"] and risk["epics"] == ["WEB-2"]
    assert risk["milestones"] == ["Beta", "Launch"]
    # update replaces only what it is given
    ok(run_cli("risk", "update", "R-1", "--project", "WEB", "--card", "WEB-3",
               "--no-milestones", db=db))  # fmt: skip
    [risk] = as_json(run_cli("risk", "list", "--project", "WEB", "--json", db=db))
    assert (risk["cards"], risk["epics"], risk["milestones"]) == (["WEB-3"], ["WEB-2"], [])
    ok(run_cli("risk", "update", "R-1", "--project", "WEB", "--no-epics", "--milestone",
               "Beta", db=db))  # fmt: skip
    [risk] = as_json(run_cli("risk", "list", "--project", "WEB", "--json", db=db))
    assert (risk["cards"], risk["epics"], risk["milestones"]) == (["WEB-3"], [], ["Beta"])
    # --link, the first spelling, still links cards and epics (several after one --link)
    ok(run_cli("risk", "update", "R-1", "--project", "WEB", "--link", "WEB-1", "WEB-2",
               db=db))  # fmt: skip
    [risk] = as_json(run_cli("risk", "list", "--project", "WEB", "--json", db=db))
    assert (risk["cards"], risk["epics"]) == (["WEB-1"], ["WEB-2"])
    before = database_rows(db)
    refused(run_cli("risk", "update", "R-1", "--project", "WEB", "--card", "WEB-1",
                    "--no-cards", db=db), "--card or --no-cards")  # fmt: skip
    assert database_rows(db) == before


def test_an_overdue_risk_is_flagged_in_the_list(db: str) -> None:
    ok(run_cli("risk", "add", "Past", "--project", "WEB", "--probability", "2", "--impact",
               "2", "--proximity", "2000-01-01", db=db))  # fmt: skip
    assert "OVERDUE" in ok(run_cli("risk", "list", "--project", "WEB", db=db))


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--probability", "6", "--impact", "2"], ("probability", "1 to 5")),
        (["--probability", "2", "--impact", "0"], ("impact", "1 to 5")),
        (["--probability", "2", "--impact", "2", "--cost", "-1"], ("negative",)),
        (["--probability", "2", "--impact", "2", "--owner", "Zed"], ("not a member",)),
        (["--probability", "2", "--impact", "2", "--proximity", "soon"], ("not a date",)),
        (["--probability", "2", "--impact", "2", "--card", "WEB-99"], ("WEB-99",)),
        (["--probability", "2", "--impact", "2", "--epic", "WEB-1"], ("WEB-1", "not an epic")),
        (["--probability", "2", "--impact", "2", "--milestone", "Gamma"], ("Gamma",)),
    ],
)
def test_bad_input_is_refused_in_one_line_and_nothing_is_written(
    db: str, extra: list[str], words: tuple[str, ...]
) -> None:
    before = database_rows(db)
    refused(run_cli("risk", "add", "Bad", "--project", "WEB", *extra, db=db), *words)
    assert database_rows(db) == before


def test_usage_errors(db: str) -> None:
    usage_error(run_cli("risk", "add", "No scale", "--project", "WEB", db=db))
    usage_error(run_cli("risk", "update", "R-1", "--project", "WEB", "--status", "gone", db=db))
    refused(run_cli("risk", "update", "R-9", "--project", "WEB", "--impact", "2", db=db), "R-9")


def test_a_forecast_without_finished_cards_says_why(db: str) -> None:
    refused(run_cli("forecast", "--project", "WEB", "--json", db=db), "to forecast from")


def test_a_forecast_of_the_demo_project_is_reproducible(db_url: str) -> None:
    make_runtime(db_url, demo=True).close()
    args = ("forecast", "--project", "DEMO", "--cards", "15", "--seed", "5", "--json")
    first = json.loads(ok(run_cli(*args, db=db_url)))
    again = json.loads(ok(run_cli(*args, db=db_url)))
    assert first == again and first["seed"] == 5 and first["cards"] == 15
    days = first["days"]
    assert days["50"] <= days["70"] <= days["85"] <= days["95"]
    text = ok(run_cli("forecast", "--project", "DEMO", "--cards", "15", "--seed", "5", db=db_url))
    assert "85%:" in text and "seed 5" in text
    refused(run_cli("forecast", "--project", "DEMO", "--window", "10", db=db_url), "30 to 90")
