"""The command line, through the real entry point (``python -m app``) in a child process."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from app import __version__
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


def _initialised(db: Path | str) -> None:
    ok(run_cli("init", db=db))


def _with_sd(db: Path | str) -> None:
    """Project SD, members Ada and Bob, labels and three cards."""
    _initialised(db)
    assert ok(run_cli("project", "add", "SD", "--name", "Sprintdeck", db=db)).strip() == "SD"
    runtime = make_runtime(db)
    try:
        s = runtime.services
        project = s.projects.find_project("SD")
        ada = s.projects.add_member(project.id, "Ada Lovelace")
        s.projects.add_member(project.id, "Bob")
        ux = s.projects.add_label(project.id, "ux")
        backend = s.projects.add_label(project.id, "backend")
        s.cards.create_card(project.id, "First", points=3, assignee_id=ada.id)
        s.cards.create_card(project.id, "Second", points="0.5", label_ids=[ux.id, backend.id])
        s.cards.create_card(project.id, "Third")
    finally:
        runtime.close()


@pytest.fixture
def db(db_url: str) -> str:
    """A database after ``init`` (built once per process, copied for each test)."""
    world_database(db_url, _initialised)
    return db_url


@pytest.fixture
def sd(db_url: str) -> str:
    """A database with project SD, members Ada and Bob, labels and three cards (built once
    per process, copied for each test)."""
    world_database(db_url, _with_sd)
    return db_url


def cards(db: str, *extra: str) -> list[dict]:
    return as_json(run_cli("card", "list", "--project", "SD", "--json", *extra, db=db))


def archive(db: str, key: str) -> None:
    runtime = make_runtime(db)
    try:
        s = runtime.services
        s.cards.archive_card(s.cards.find_card(key).id)
    finally:
        runtime.close()


def sha(db: Path | str) -> bytes | list[str]:
    """A file's bytes, or a database URL's rows (on either backend)."""
    return db.read_bytes() if isinstance(db, Path) else database_rows(db)


# --- basics ---------------------------------------------------------------------------------


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sprintdeck {__version__}"


def test_help_exits_zero() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("init", "project", "column", "card"):
        assert command in result.stdout


def test_init_creates_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert not path.exists()
    out = ok(run_cli("init", db=path))
    assert path.exists()
    assert "ready" in out
    ok(run_cli("project", "add", "SD", "--name", "Keep", db=path))
    ok(run_cli("init", db=path))
    assert as_json(run_cli("project", "list", "--json", db=path))[0]["name"] == "Keep"


def test_init_demo(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    out = ok(run_cli("init", "--demo", db=path))
    assert "DEMO" in out
    projects = as_json(run_cli("project", "list", "--json", db=path))
    assert [p["key"] for p in projects] == ["DEMO"]
    first = as_json(run_cli("card", "list", "--project", "DEMO", "--json", db=path))
    out = ok(run_cli("init", "--demo", db=path))
    assert "already" in out
    again = as_json(run_cli("card", "list", "--project", "DEMO", "--json", db=path))
    assert again == first


def test_demo_is_deterministic_through_the_cli(tmp_path: Path) -> None:
    dumps = []
    for name in ("a.db", "b.db"):
        path = tmp_path / name
        ok(run_cli("init", "--demo", db=path))
        dumps.append(ok(run_cli("card", "list", "--project", "DEMO", "--json", "--all", db=path)))
    assert dumps[0] == dumps[1]
    rows = json.loads(dumps[0])
    assert 50 <= len(rows) <= 60
    assert len([r for r in rows if r["type"] == "epic"]) == 3
    columns = as_json(
        run_cli("column", "list", "--project", "DEMO", "--json", db=tmp_path / "a.db")
    )
    assert {r["column"] for r in rows} == {c["name"] for c in columns}


# --- projects and columns -------------------------------------------------------------------


def test_project_add_and_list_json(db: str) -> None:
    assert ok(run_cli("project", "add", "SD", "--name", "Sprintdeck", db=db)) == "SD\n"
    assert ok(run_cli("project", "add", "KB", "--name", "Flow ✨", "--kanban", db=db)) == "KB\n"
    projects = as_json(run_cli("project", "list", "--json", db=db))
    assert projects == [
        {"key": "KB", "name": "Flow ✨", "methodology": "kanban"},
        {"key": "SD", "name": "Sprintdeck", "methodology": "scrum"},
    ]
    text = ok(run_cli("project", "list", db=db))
    assert "SD" in text and "KB" in text


def test_project_list_empty_json(db: str) -> None:
    assert as_json(run_cli("project", "list", "--json", db=db)) == []


@pytest.mark.parametrize("key", ["sd", "1SD", "S", "S-D", "ABCDEFGHIJK"])
def test_project_add_bad_key(db: str, key: str) -> None:
    refused(run_cli("project", "add", key, "--name", "Bad", db=db), "project key")
    assert as_json(run_cli("project", "list", "--json", db=db)) == []


def test_project_add_duplicate(db: str) -> None:
    ok(run_cli("project", "add", "SD", "--name", "One", db=db))
    refused(run_cli("project", "add", "SD", "--name", "Two", db=db), "already exists")
    assert as_json(run_cli("project", "list", "--json", db=db))[0]["name"] == "One"


def test_column_list_json(db: str) -> None:
    ok(run_cli("project", "add", "SD", "--name", "Sprintdeck", db=db))
    runtime = make_runtime(db)
    try:
        s = runtime.services
        pid = s.projects.find_project("SD").id
        s.workflow.add_column(pid, "Review", wip_limit=3)
    finally:
        runtime.close()
    columns = as_json(run_cli("column", "list", "--project", "sd", "--json", db=db))
    assert columns == [
        {"name": "To Do", "category": "todo", "wip_limit": None},
        {"name": "In Progress", "category": "in_progress", "wip_limit": None},
        {"name": "Review", "category": "in_progress", "wip_limit": 3},
        {"name": "Done", "category": "done", "wip_limit": None},
    ]
    text = ok(run_cli("column", "list", "--project", "SD", db=db))
    assert text.index("To Do") < text.index("Review") < text.index("Done")


def test_column_list_unknown_project(db: str) -> None:
    refused(run_cli("column", "list", "--project", "NOPE", "--json", db=db), "NOPE")


# --- cards ----------------------------------------------------------------------------------


def test_card_list_json(sd: str) -> None:
    rows = cards(sd)
    assert rows == [
        {
            "key": "SD-1",
            "title": "First",
            "type": "story",
            "column": "To Do",
            "position": 1,
            "sprint": None,
            "points": 3,
            "assignee": "Ada Lovelace",
            "labels": [],
        },
        {
            "key": "SD-2",
            "title": "Second",
            "type": "story",
            "column": "To Do",
            "position": 2,
            "sprint": None,
            "points": 0.5,
            "assignee": None,
            "labels": ["backend", "ux"],
        },
        {
            "key": "SD-3",
            "title": "Third",
            "type": "story",
            "column": "To Do",
            "position": 3,
            "sprint": None,
            "points": None,
            "assignee": None,
            "labels": [],
        },
    ]
    assert isinstance(rows[0]["points"], int)


def test_card_list_orders_by_column_then_rank(sd: str) -> None:
    ok(run_cli("card", "move", "SD-1", "--to", "done", db=sd))
    ok(run_cli("card", "move", "SD-3", "--to", "in progress", db=sd))
    ok(run_cli("card", "add", "--project", "SD", "--title", "Fourth", "--column", "DONE", db=sd))
    ok(run_cli("card", "move", "SD-4", "--to", "Done", "--position", "1", db=sd))
    rows = cards(sd)
    assert [(r["key"], r["column"], r["position"]) for r in rows] == [
        ("SD-2", "To Do", 1),
        ("SD-3", "In Progress", 1),
        ("SD-4", "Done", 1),
        ("SD-1", "Done", 2),
    ]


def test_card_list_all_includes_archived(sd: str) -> None:
    archive(sd, "SD-2")
    live = cards(sd)
    assert [r["key"] for r in live] == ["SD-1", "SD-3"]
    assert all("archived" not in r for r in live)
    assert [r["position"] for r in live] == [1, 2]
    everything = cards(sd, "--all")
    assert [(r["key"], r["archived"]) for r in everything] == [
        ("SD-1", False),
        ("SD-2", True),
        ("SD-3", False),
    ]


def test_card_list_csv(sd: str) -> None:
    out = ok(run_cli("card", "list", "--project", "SD", "--csv", db=sd))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys()) == [
        "key",
        "title",
        "type",
        "column",
        "position",
        "sprint",
        "points",
        "assignee",
        "labels",
    ]
    assert [r["key"] for r in rows] == ["SD-1", "SD-2", "SD-3"]
    assert rows[1]["labels"] == "backend;ux"
    assert rows[1]["points"] == "0.5"
    assert rows[2]["points"] == ""
    assert rows[0]["position"] == "1"
    archive(sd, "SD-1")
    out = ok(run_cli("card", "list", "--project", "SD", "--csv", "--all", db=sd))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["key"] == "SD-1" and rows[0]["archived"] == "True"


def test_card_list_json_and_csv_are_exclusive(sd: str) -> None:
    usage_error(run_cli("card", "list", "--project", "SD", "--json", "--csv", db=sd))


def test_card_list_plain_text(sd: str) -> None:
    out = ok(run_cli("card", "list", "--project", "SD", db=sd))
    assert [line.split()[0] for line in out.splitlines()] == ["SD-1", "SD-2", "SD-3"]


def test_card_add_prints_exactly_the_key(sd: str) -> None:
    result = run_cli("card", "add", "--project", "SD", "--title", "New card", db=sd)
    assert ok(result) == "SD-4\n"
    row = cards(sd)[-1]
    assert row["key"] == "SD-4"
    assert row["column"] == "To Do"
    assert row["sprint"] is None
    assert row["position"] == 4


def test_card_add_with_options(sd: str) -> None:
    result = run_cli(
        "card",
        "add",
        "--project",
        "sd",
        "--title",
        "A bug",
        "--type",
        "Bug",
        "--points",
        "2.5",
        "--assignee",
        "ada lovelace",
        "--column",
        "IN PROGRESS",
        db=sd,
    )
    assert ok(result) == "SD-4\n"
    row = next(r for r in cards(sd) if r["key"] == "SD-4")
    assert row["type"] == "bug"
    assert row["points"] == 2.5
    assert row["assignee"] == "Ada Lovelace"
    assert row["column"] == "In Progress"
    assert row["position"] == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--title", ""], ["title"]),
        (["--title", "   "], ["title"]),
        (["--title", "x" * 501], ["501"]),
        (["--title", "ok", "--points", "-1"], ["negative"]),
        (["--title", "ok", "--points", "1001"], ["1000"]),
        (["--title", "ok", "--points", "0.3"], ["0.5"]),
        (["--title", "ok", "--points", "lots"], ["number"]),
        (["--title", "ok", "--type", "saga"], ["card type"]),
        (["--title", "ok", "--assignee", "Nobody"], ["Nobody"]),
        (["--title", "ok", "--column", "Nowhere"], ["Nowhere"]),
        (["--title", "ok", "--sprint", "Sprint 99"], ["Sprint 99"]),
    ],
)
def test_card_add_refused(sd: str, args: list[str], words: list[str]) -> None:
    before = sha(sd)
    refused(run_cli("card", "add", "--project", "SD", *args, db=sd), *words)
    assert sha(sd) == before  # not a byte written


def test_card_add_unknown_project(sd: str) -> None:
    refused(run_cli("card", "add", "--project", "NOPE", "--title", "x", db=sd), "NOPE")


@pytest.mark.parametrize(
    "title",
    ["Launch 🚀 day", "مرحبا بالعالم", "שלום עולם", "支付页面 / 決済 / 결제", 'Quote "and" comma,'],
)
def test_unicode_title_round_trips(sd: str, title: str) -> None:
    key = ok(run_cli("card", "add", "--project", "SD", "--title", title, db=sd)).strip()
    assert [r["title"] for r in cards(sd) if r["key"] == key] == [title]
    out = ok(run_cli("card", "list", "--project", "SD", "--csv", db=sd))
    assert [r["title"] for r in csv.DictReader(io.StringIO(out)) if r["key"] == key] == [title]


def test_card_move(sd: str) -> None:
    out = ok(run_cli("card", "move", "sd-1", "--to", "in PROGRESS", db=sd))
    assert "SD-1" in out and "In Progress" in out
    ok(run_cli("card", "move", "SD-2", "--to", "In Progress", db=sd))
    rows = cards(sd)
    assert [(r["key"], r["column"], r["position"]) for r in rows] == [
        ("SD-3", "To Do", 1),
        ("SD-1", "In Progress", 1),
        ("SD-2", "In Progress", 2),
    ]
    ok(run_cli("card", "move", "SD-2", "--to", "in progress", "--position", "1", db=sd))
    rows = cards(sd)
    assert [r["key"] for r in rows if r["column"] == "In Progress"] == ["SD-2", "SD-1"]
    ok(run_cli("card", "move", "SD-3", "--to", "In Progress", "--position", "2", db=sd))
    assert [r["key"] for r in cards(sd) if r["column"] == "In Progress"] == [
        "SD-2",
        "SD-3",
        "SD-1",
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["SD-99", "--to", "Done"], ["SD-99"]),
        (["NOPE-1", "--to", "Done"], ["NOPE-1"]),
        (["garbage", "--to", "Done"], ["garbage"]),
        (["SD-1", "--to", "Nowhere"], ["Nowhere"]),
        (["SD-1", "--to", "Done", "--position", "0"], ["position"]),
        (["SD-1", "--to", "Done", "--position", "-2"], ["position"]),
    ],
)
def test_card_move_refused(sd: str, args: list[str], words: list[str]) -> None:
    before = sha(sd)
    refused(run_cli("card", "move", *args, db=sd), *words)
    assert sha(sd) == before  # not a byte written


def test_moving_an_archived_card_refused(sd: str) -> None:
    archive(sd, "SD-1")
    before = cards(sd, "--all")
    refused(run_cli("card", "move", "SD-1", "--to", "Done", db=sd), "archived")
    assert cards(sd, "--all") == before


# --- where the database is ------------------------------------------------------------------


def test_db_before_and_after_subcommand(db: str) -> None:
    ok(run_cli("--db", str(db), "project", "add", "AA", "--name", "Before"))
    ok(run_cli("project", "--db", str(db), "add", "BB", "--name", "Middle"))
    ok(run_cli("project", "add", "CC", "--name", "After", "--db", str(db)))
    keys = [p["key"] for p in as_json(run_cli("--db", str(db), "project", "list", "--json"))]
    assert keys == ["AA", "BB", "CC"]
    keys = [p["key"] for p in as_json(run_cli("project", "list", "--json", "--db", str(db)))]
    assert keys == ["AA", "BB", "CC"]


def test_env_var_used_and_db_option_wins(tmp_path: Path) -> None:
    env_db = tmp_path / "env.db"
    flag_db = tmp_path / "flag.db"
    env = {"SPRINTDECK_DB": str(env_db)}
    ok(run_cli("init", env=env))
    assert env_db.exists()
    ok(run_cli("project", "add", "ENV", "--name", "From env", env=env))
    ok(run_cli("init", db=flag_db, env=env))
    ok(run_cli("project", "add", "FLAG", "--name", "From flag", db=flag_db, env=env))
    assert [p["key"] for p in as_json(run_cli("project", "list", "--json", env=env))] == ["ENV"]
    assert [p["key"] for p in as_json(run_cli("project", "list", "--json", db=flag_db))] == ["FLAG"]


def test_default_database_in_user_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"SPRINTDECK_DATA_DIR": str(data)}
    ok(run_cli("project", "add", "DEF", "--name", "Default", env=env))
    assert (data / "sprintdeck.db").exists()


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    payload = os.urandom(4096)
    path.write_bytes(b"These are not the tables you are looking for.\n" + payload)
    before = sha(path)
    for args in (("project", "list", "--json"), ("init",), ("card", "list", "--project", "SD")):
        line = refused(run_cli(*args, db=path), "not a SQLite database")
        assert str(path) in line or path.name in line
    assert sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_folder_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "x.db"
    refused(run_cli("init", db=path), "does not exist")
    assert not path.parent.exists()


def test_database_from_a_newer_version_refused(db: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    before = sha(db)
    refused(run_cli("project", "list", db=db), "newer version")
    assert sha(db) == before


# --- usage errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["project"],
        ["project", "add", "SD"],
        ["project", "add", "--name", "x"],
        ["column", "list"],
        ["card"],
        ["card", "add", "--project", "SD"],
        ["card", "move", "SD-1"],
        ["card", "move", "SD-1", "--to", "Done", "--position", "two"],
        ["card", "list", "--project", "SD", "--xml"],
        ["init", "--demo", "extra"],
    ],
)
def test_usage_errors_exit_2(db: str, args: list[str]) -> None:
    before = sha(db)
    usage_error(run_cli(*args, db=db))
    assert sha(db) == before
