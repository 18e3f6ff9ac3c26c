"""``sprintdeck log`` and ``sprintdeck rate`` through the real entry point, on both backends."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.helpers import as_json, database_rows, ok, refused, run_cli, usage_error, world_database


def _web(db: Path | str) -> None:
    ok(run_cli("project", "add", "WEB", "--name", "Website", db=db))
    ok(run_cli("member", "add", "Ada Lovelace", "--project", "WEB", db=db))
    ok(run_cli("member", "add", "Bob", "--project", "WEB", db=db))
    ok(run_cli("card", "add", "--project", "WEB", "--title", "Login", db=db))
    ok(run_cli("card", "add", "--project", "WEB", "--title", "=HYPERLINK()", db=db))


@pytest.fixture
def web(db_url: str) -> str:
    """Project WEB, members Ada Lovelace and Bob, cards WEB-1 and WEB-2 (built once per
    process, copied per test)."""
    world_database(db_url, _web)
    return db_url


def test_log_add_and_list_with_rates(web: str) -> None:
    out = ok(run_cli("rate", "set", "ada lovelace", "85.00", "--from", "2026-01-01", db=web))
    assert out == "Ada Lovelace 85.00 EUR/h from 2026-01-01 (default)\n"
    out = ok(
        run_cli("rate", "set", "Bob", "60", "--from", "2026-01-01", "--project", "web", db=web)
    )
    assert "(WEB)" in out
    out = ok(
        run_cli(
            "log",
            "add",
            "web-1",
            "1.5h",
            "--member",
            "Ada Lovelace",
            "--date",
            "2026-03-02",
            "--note",
            "pairing",
            db=web,
        )
    )
    assert out == "WEB-1 2026-03-02 Ada Lovelace 1.50 h (85.00 EUR/h, 127.50 EUR)\n"
    ok(run_cli("log", "add", "WEB-2", "90m", "--member", "bob", "--date", "2026-03-03", db=web))
    ok(run_cli("log", "add", "WEB-1", "1h30m", "--member", "bob", "--date", "2026-03-04", db=web))
    rows = as_json(run_cli("log", "list", "--project", "WEB", "--json", db=web))
    assert rows[0] == {
        "date": "2026-03-02",
        "card": "WEB-1",
        "member": "Ada Lovelace",
        "minutes": 90,
        "hours": 1.5,
        "rate": "85.00",
        "currency": "EUR",
        "cost": "127.50",
        "note": "pairing",
    }
    assert [(r["card"], r["member"], r["cost"]) for r in rows[1:]] == [
        ("WEB-2", "Bob", "90.00"),
        ("WEB-1", "Bob", "90.00"),
    ]
    bobs = as_json(
        run_cli(
            "log",
            "list",
            "--project",
            "WEB",
            "--member",
            "Bob",
            "--from",
            "2026-03-04",
            "--to",
            "2026-03-31",
            "--json",
            db=web,
        )
    )
    assert [r["date"] for r in bobs] == ["2026-03-04"]
    text = ok(run_cli("log", "list", "--project", "WEB", db=web))
    assert text.splitlines()[-1] == "3 logs, 4.50 h, 307.50 EUR"


def test_log_list_csv(web: str) -> None:
    ok(
        run_cli(
            "log",
            "add",
            "WEB-1",
            "2h",
            "--member",
            "Bob",
            "--date",
            "2026-03-02",
            "--note",
            "=cmd|calc",
            db=web,
        )
    )
    out = ok(run_cli("log", "list", "--project", "WEB", "--csv", db=web))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "date",
        "card",
        "member",
        "minutes",
        "hours",
        "rate",
        "currency",
        "cost",
        "note",
    ]
    assert rows[0]["hours"] == "2" and rows[0]["rate"] == "" and rows[0]["cost"] == "0.00"
    assert rows[0]["note"] == "'=cmd|calc"  # never a formula in a spreadsheet


def test_rate_list(web: str) -> None:
    ok(run_cli("rate", "set", "Bob", "60", "--from", "2026-01-01", db=web))
    ok(run_cli("rate", "set", "Bob", "65.5", "--from", "2026-06-01", db=web))
    ok(
        run_cli(
            "rate", "set", "Ada Lovelace", "90", "--from", "2026-01-01", "--project", "WEB", db=web
        )
    )
    rows = as_json(run_cli("rate", "list", "--json", db=web))
    assert rows == [
        {
            "member": "Ada Lovelace",
            "project": "WEB",
            "from": "2026-01-01",
            "rate": "90.00",
            "currency": "EUR",
        },
        {
            "member": "Bob",
            "project": None,
            "from": "2026-01-01",
            "rate": "60.00",
            "currency": "EUR",
        },
        {
            "member": "Bob",
            "project": None,
            "from": "2026-06-01",
            "rate": "65.50",
            "currency": "EUR",
        },
    ]
    assert len(as_json(run_cli("rate", "list", "--member", "bob", "--json", db=web))) == 2
    assert "65.50 EUR" in ok(run_cli("rate", "list", db=web))


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("log", "add", "WEB-1", "0h", "--member", "Bob"), ("at least one minute",)),
        (("log", "add", "WEB-1", "soon", "--member", "Bob"), ("Not a duration",)),
        (("log", "add", "WEB-1", "25h", "--member", "Bob"), ("24 hours",)),
        (
            ("log", "add", "WEB-1", "1h", "--member", "Bob", "--date", "2199-01-01"),
            ("still to come",),
        ),
        (("log", "add", "WEB-1", "1h", "--member", "Bob", "--date", "03/02/2026"), ("not a date",)),
        (("log", "add", "WEB-1", "1h", "--member", "Nobody"), ("no member",)),
        (("log", "add", "WEB-99", "1h", "--member", "Bob"), ("no card",)),
        (("rate", "set", "Bob", "-5", "--from", "2026-01-01"), ("negative",)),
        (("rate", "set", "Bob", "abc", "--from", "2026-01-01"), ("not a number",)),
        (("rate", "set", "Bob", "50", "--from", "never"), ("not a date",)),
        (
            (
                "rate",
                "set",
                "Bob",
                "50",
                "--from",
                "2026-01-01",
                "--project",
                "WEB",
                "--currency",
                "USD",
            ),
            ("counts in EUR",),
        ),
        (("rate", "set", "Zed", "50", "--from", "2026-01-01"), ("no person",)),
        (("log", "list", "--project", "NOPE"), ("no project",)),
    ],
)
def test_bad_input_one_line_and_nothing_written(web: str, argv: tuple, words: tuple) -> None:
    before = database_rows(web)
    refused(run_cli(*argv, db=web), *words)
    assert database_rows(web) == before


def test_a_day_over_24_hours_refused(web: str) -> None:
    ok(run_cli("log", "add", "WEB-1", "20h", "--member", "Bob", "--date", "2026-03-02", db=web))
    refused(
        run_cli("log", "add", "WEB-2", "5h", "--member", "Bob", "--date", "2026-03-02", db=web),
        "24 hours",
    )


def test_usage_errors(web: str) -> None:
    usage_error(run_cli("rate", "set", "Bob", "50", db=web))  # --from is required
    usage_error(run_cli("log", "add", "WEB-1", "1h", db=web))  # --member is required
    usage_error(run_cli("log", "list", "--project", "WEB", "--json", "--csv", db=web))
    # a negative duration reads as an option: a usage error, nothing written
    usage_error(run_cli("log", "add", "WEB-1", "-2h", "--member", "Bob", db=web))
