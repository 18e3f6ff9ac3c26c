"""``sprintdeck comment add|list`` and ``sprintdeck activity`` through the real entry point,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import (
    as_json,
    database_rows,
    ok,
    prepare_database,
    refused,
    run_cli,
    usage_error,
    world_database,
)


def _web(db: Path | str) -> None:
    ok(run_cli("project", "add", "WEB", "--name", "Website", db=db))
    ok(run_cli("member", "add", "Ana Lima", "--project", "WEB", db=db))
    ok(run_cli("card", "add", "--project", "WEB", "--title", "Checkout", db=db))


@pytest.fixture
def db(db_url: str) -> str:
    """Project WEB, member Ana Lima, card WEB-1 (built once per process, copied per test)."""
    world_database(db_url, _web)
    return db_url


def test_add_then_list_json(db: str) -> None:
    out = ok(
        run_cli("comment", "add", "WEB-1", "Hello @Ana Lima, **see**", "--as", "Ana Lima", db=db)
    )
    assert out == "Commented on WEB-1 as Ana Lima.\n"
    ok(run_cli("comment", "add", "web-1", "Second", "--as", "Bo", db=db))
    rows = as_json(run_cli("comment", "list", "WEB-1", "--json", db=db))
    assert [(r["author"], r["text"], r["card"]) for r in rows] == [
        ("Ana Lima", "Hello @Ana Lima, **see**", "WEB-1"),
        ("Bo", "Second", "WEB-1"),
    ]
    assert rows[0]["edited"] is None and rows[0]["deleted_by"] is None
    assert dt.datetime.fromisoformat(rows[0]["at"])


def test_text_from_stdin_and_plain_list(db: str) -> None:
    ok(run_cli("comment", "add", "WEB-1", "-", "--as", "Bo", stdin="line one\nline two\n", db=db))
    out = ok(run_cli("comment", "list", "WEB-1", db=db))
    assert "Bo:" in out and "    line one\n    line two\n" in out


def test_empty_list_says_so(db: str) -> None:
    assert ok(run_cli("comment", "list", "WEB-1", db=db)) == "WEB-1 has no comments.\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("WEB-1", "   "), ("cannot be empty",)),
        (("WEB-1", "x" * 20_001), ("20,001",)),
        (("WEB-99", "hi"), ("no card WEB-99",)),
        (("nonsense", "hi"), ("not a card key",)),
    ],
)
def test_refusals_write_nothing(db: str, args: tuple[str, str], words: tuple[str, ...]) -> None:
    before = database_rows(db)
    refused(run_cli("comment", "add", *args, db=db), *words)
    assert database_rows(db) == before


def test_usage_errors(db: str) -> None:
    usage_error(run_cli("comment", "add", "WEB-1", db=db))
    usage_error(run_cli("activity", "--project", "WEB", db=db))
    usage_error(
        run_cli("activity", "--project", "WEB", "--since", "today", "--json", "--md", db=db)
    )


def test_activity_json_and_markdown(db: str) -> None:
    ok(run_cli("card", "move", "WEB-1", "--to", "done", "--as", "Ana Lima", db=db))
    ok(run_cli("comment", "add", "WEB-1", "Shipped *it*", "--as", "Bo", db=db))
    rows = as_json(run_cli("activity", "--project", "WEB", "--since", "today", "--json", db=db))
    assert [(r["person"], r["kind"], r["card"]) for r in rows][-2:] == [
        ("Ana Lima", "finished", "WEB-1"),
        ("Bo", "commented", "WEB-1"),
    ]
    bo = as_json(
        run_cli(
            "activity", "--project", "WEB", "--since", "today", "--member", "bo", "--json", db=db
        )
    )
    assert [r["what"] for r in bo] == ["Commented: Shipped *it*"]
    md = ok(run_cli("activity", "--project", "WEB", "--since", "today", "--md", db=db))
    assert md.startswith("## WEB: activity since today\n")
    assert "### Ana Lima\n- **WEB-1** Checkout: Moved from To Do to Done\n" in md
    assert "Shipped \\*it\\*" in md  # Markdown in the text is escaped, not interpreted
    finished = as_json(
        run_cli(
            "activity",
            "--project",
            "WEB",
            "--since",
            "2000-01-01",
            "--kind",
            "finished",
            "--json",
            db=db,
        )
    )
    assert [r["kind"] for r in finished] == ["finished"]


def test_activity_refusals(db: str) -> None:
    refused(run_cli("activity", "--project", "WEB", "--since", "last-standup", db=db), "no standup")
    refused(run_cli("activity", "--project", "WEB", "--since", "someday", db=db), "not a moment")
    refused(run_cli("activity", "--project", "NOPE", "--since", "today", db=db), "NOPE")


@pytest.fixture
def demo_db(new_db_url: Callable[[str], str]) -> str:
    """A database of its own holding the demo, cloned from the migrated demo template (what
    ``init --demo`` writes, without building the demo's history again in every test)."""
    return prepare_database(new_db_url("demo"), demo=True)


def test_standup_list_and_show_print_past_summaries(demo_db: str) -> None:
    """The standup mode's summary lives on with its standup: listed and printed again."""
    out = ok(run_cli("standup", "list", "--project", "demo", db=demo_db))
    (line,) = out.splitlines()  # the demo holds one standup
    assert line.startswith("#") and "Ada Lovelace: Standup — Payments Platform (demo)" in line
    (row,) = as_json(run_cli("standup", "list", "--project", "DEMO", "--json", db=demo_db))
    assert row["held_by"] == "Ada Lovelace" and row["ended"] is not None
    assert "## Blocked\n" in row["summary"] and "absent: Grace Hopper." in row["summary"]
    shown = ok(run_cli("standup", "show", "--project", "DEMO", db=demo_db))
    assert shown == row["summary"] + "\n"  # the Markdown as stored, for a chat channel
    by_id = json.loads(
        ok(
            run_cli(
                "standup", "show", "--project", "DEMO", "--id", str(row["id"]), "--json", db=demo_db
            )
        )
    )
    assert by_id == row


def test_standup_refusals(db: str, demo_db: str) -> None:
    assert ok(run_cli("standup", "list", "--project", "WEB", db=db)) == (
        "WEB has held no standup yet.\n"
    )
    refused(run_cli("standup", "show", "--project", "WEB", db=db), "no standup")
    refused(run_cli("standup", "show", "--project", "DEMO", "--id", "999", db=demo_db), "999")
    refused(run_cli("standup", "show", "--project", "DEMO", "--id", "0", db=demo_db), "standup")
    refused(run_cli("standup", "list", "--project", "NOPE", db=db), "NOPE")
    usage_error(run_cli("standup", "show", "--project", "DEMO", "--id", "x", db=demo_db))
    usage_error(run_cli("standup", "list", db=db))


def test_the_demo_has_comments_to_list(demo_db: str) -> None:
    rows = as_json(run_cli("comment", "list", "DEMO-12", "--json", db=demo_db))
    assert [r["author"] for r in rows] == ["Grace Hopper", "Ada Lovelace"]
    assert rows[0]["edited"] is not None and rows[1]["edited"] is None
    assert rows[1]["text"].startswith("@Grace Hopper")
