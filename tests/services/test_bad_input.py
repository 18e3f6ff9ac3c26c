"""Every public service method and CLI command, fed bad input: a domain (or usage) error
with a readable message, and the database exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.bootstrap import Runtime
from app.errors import DomainError
from tests.helpers import database_rows, run_cli

HUGE = "x" * 100_000
SQL = "'; DROP TABLE card; --"
BAD_TEXT = ["", "   ", HUGE, 42, None, ["a"], "\x00nul", "tab\there", "\x1b[31mred", "\u202e\u0000"]
ODD_OK = ["🦄 ünïcode", "\u202eRTL", SQL]  # accepted texts: checked separately (stored as is)
BAD_ID = [0, -1, 10**12, 1.5, "'; DROP TABLE card; --"]
# Ids of the wrong type: session.get() would coerce "1" and True to 1 and warn on None; the
# services refuse them (check_id). Checked by test_wrong_type_ids_are_refused.
WRONG_TYPE_ID = ["1", True, None]
BAD_NUMBER = ["lots", -3, 10**9, "NaN", "inf", 0.3, [], True, {"a": 1}]

TRIED = {"service": 0, "cli": 0}


def cases(rt: Runtime) -> list[tuple[str, Callable[[Any], Any], list[Any]]]:
    s = rt.services
    project = s.projects.find_project("DEMO")
    pid = project.id
    cards = s.cards.list_cards(pid)
    card = cards[0]
    col = s.workflow.list_columns(pid)[0]
    closed = [sp for sp in s.sprints.list_sprints(pid) if sp.state == "closed"]
    active = s.sprints.active_sprint(pid)
    archived = s.cards.archive_card(cards[-1].id)
    return [
        (
            "projects.create_project key",
            lambda v: s.projects.create_project(v, "Name"),
            [*BAD_TEXT, "sd", "S", "TOOLONGKEY123", SQL, "DEMO"],
        ),
        ("projects.create_project name", lambda v: s.projects.create_project("NEWP", v), BAD_TEXT),
        (
            "projects.create_project methodology",
            lambda v: s.projects.create_project("NEWP", "n", v),
            [*BAD_TEXT, "waterfall"],
        ),
        ("projects.create_project project id", lambda v: s.projects.add_member(v, "Zed"), BAD_ID),
        ("projects.add_member name", lambda v: s.projects.add_member(pid, v), BAD_TEXT),
        (
            "projects.add_label name",
            lambda v: s.projects.add_label(pid, v),
            [*BAD_TEXT, "two words"],
        ),
        (
            "projects.add_label color",
            lambda v: s.projects.add_label(pid, "newlabel", v),
            ["red", "#12345", 42, SQL, ["#ffffff"]],
        ),
        ("projects.add_label project", lambda v: s.projects.add_label(v, "newlabel"), BAD_ID),
        ("workflow.add_column name", lambda v: s.workflow.add_column(pid, v), BAD_TEXT),
        (
            "workflow.add_column category",
            lambda v: s.workflow.add_column(pid, "New", v),
            [*BAD_TEXT, "later"],
        ),
        (
            "workflow.add_column wip",
            lambda v: s.workflow.add_column(pid, "New", "todo", v),
            BAD_NUMBER,
        ),
        ("workflow.update_column id", lambda v: s.workflow.update_column(v, name="X"), BAD_ID),
        (
            "workflow.update_column name",
            lambda v: s.workflow.update_column(col.id, name=v),
            [b for b in BAD_TEXT if b is not None],
        ),
        (
            "workflow.update_column wip",
            lambda v: s.workflow.update_column(col.id, wip_limit=v),
            BAD_NUMBER,
        ),
        ("workflow.move_column id", lambda v: s.workflow.move_column(v, 0), BAD_ID),
        ("workflow.archive_column", lambda v: s.workflow.archive_column(v), BAD_ID),
        ("workflow.restore_column", lambda v: s.workflow.restore_column(v), [*BAD_ID, col.id]),
        ("cards.create_card title", lambda v: s.cards.create_card(pid, v), BAD_TEXT),
        ("cards.create_card project", lambda v: s.cards.create_card(v, "t"), BAD_ID),
        ("cards.create_card points", lambda v: s.cards.create_card(pid, "t", points=v), BAD_NUMBER),
        (
            "cards.create_card type",
            lambda v: s.cards.create_card(pid, "t", type=v),
            [*BAD_TEXT, "novel"],
        ),
        ("cards.create_card column", lambda v: s.cards.create_card(pid, "t", column_id=v), BAD_ID),
        (
            "cards.create_card sprint",
            lambda v: s.cards.create_card(pid, "t", sprint_id=v),
            [*BAD_ID, *(sp.id for sp in closed[:1])],
        ),
        (
            "cards.create_card assignee",
            lambda v: s.cards.create_card(pid, "t", assignee_id=v),
            BAD_ID,
        ),
        (
            "cards.create_card labels",
            lambda v: s.cards.create_card(pid, "t", label_ids=v),
            [[10**6], "abc", [None]],
        ),
        (
            "cards.create_card due",
            lambda v: s.cards.create_card(pid, "t", due_date=v),
            ["tomorrow", "2026-13-45", 5, SQL],
        ),
        (
            "cards.update_card field",
            lambda v: s.cards.update_card(card.id, v),
            [{"rank": "a"}, {"version": 3}, {"id": 9}, {SQL: 1}],
        ),
        ("cards.update_card title", lambda v: s.cards.update_card(card.id, {"title": v}), BAD_TEXT),
        (
            "cards.update_card points",
            lambda v: s.cards.update_card(card.id, {"points": v}),
            BAD_NUMBER,
        ),
        ("cards.update_card id", lambda v: s.cards.update_card(v, {"title": "x"}), BAD_ID),
        (
            "cards.update_card version",
            lambda v: s.cards.update_card(card.id, {"title": "x"}, v),
            [card.version + 5, 0, -1],
        ),
        (
            "cards.update_card archived",
            lambda v: s.cards.update_card(archived.id, {"title": v}),
            ["new title"],
        ),
        ("cards.archive_card", lambda v: s.cards.archive_card(v), [*BAD_ID, archived.id]),
        ("board.move_card id", lambda v: s.board.move_card(v, col.id), BAD_ID),
        ("board.move_card column", lambda v: s.board.move_card(card.id, v), BAD_ID),
        (
            "board.move_card position",
            lambda v: s.board.move_card(card.id, col.id, position=v),
            [0, -1, "2", 1.5, True],
        ),
        ("board.move_card archived", lambda v: s.board.move_card(v, col.id), [archived.id]),
        (
            "board.rank_cards ids",
            lambda v: s.board.rank_cards(v, after_id=card.id),
            [[], [card.id], [10**9], ["x"], [archived.id]],
        ),
        (
            "board.rank_cards anchor",
            lambda v: s.board.rank_cards([cards[1].id], after_id=v),
            [*BAD_ID],
        ),
        (
            "board.rank_cards both",
            lambda v: s.board.rank_cards([cards[1].id], after_id=v, before_id=v),
            [card.id],
        ),
        (
            "sprints.create_sprint name",
            lambda v: s.sprints.create_sprint(pid, v),
            [HUGE, 42, ["a"], "\x00nul", "backlog", active.name if active else "x"],
        ),
        (
            "sprints.create_sprint dates",
            lambda v: s.sprints.create_sprint(pid, "S", "", v, "2020-01-01"),
            ["2030-01-01", "soon", 5],
        ),
        ("sprints.create_sprint project", lambda v: s.sprints.create_sprint(v), BAD_ID),
        ("sprints.plan_card card", lambda v: s.sprints.plan_card(v, None), BAD_ID),
        (
            "sprints.plan_card sprint",
            lambda v: s.sprints.plan_card(card.id, v),
            [*[b for b in BAD_ID if b is not None], *(sp.id for sp in closed[:1])],
        ),
        (
            "sprints.start_sprint",
            lambda v: s.sprints.start_sprint(v),
            [*BAD_ID, *(sp.id for sp in closed[:1]), *([active.id] if active else [])],
        ),
        (
            "sprints.complete_sprint id",
            lambda v: s.sprints.complete_sprint(v),
            [*BAD_ID, *(sp.id for sp in closed[:1])],
        ),
        (
            "sprints.complete_sprint carry",
            lambda v: s.sprints.complete_sprint(active.id, v),
            ["later", 10**9, None, [], SQL] if active else [],
        ),
    ]


def known_bugs(rt: Runtime) -> list[tuple[str, Callable[[Any], Any], list[Any]]]:
    """Inputs that raise TypeError or are wrongly accepted today (fixes in the report)."""
    s = rt.services
    pid = s.projects.find_project("DEMO").id
    card = s.cards.list_cards(pid)[0]
    col = s.workflow.list_columns(pid)[0]
    return [
        (
            "workflow.add_column position",
            lambda v: s.workflow.add_column(pid, "New", "todo", None, v),
            ["first", [], 1.5],
        ),
        (
            "workflow.move_column position",
            lambda v: s.workflow.move_column(col.id, v),
            ["1", None, 1.5],
        ),
        ("cards.create_card labels", lambda v: s.cards.create_card(pid, "t", label_ids=v), [5]),
        ("board.rank_cards ids", lambda v: s.board.rank_cards(v, after_id=card.id), [None]),
        ("cards.update_card id", lambda v: s.cards.update_card(v, {"title": "x"}), WRONG_TYPE_ID),
        ("cards.create_card project", lambda v: s.cards.create_card(v, "t"), WRONG_TYPE_ID),
        (
            "cards.create_card column",
            lambda v: s.cards.create_card(pid, "t", column_id=v),
            ["1", True],
        ),
        ("board.move_card id", lambda v: s.board.move_card(v, col.id), WRONG_TYPE_ID),
        ("sprints.create_sprint project", lambda v: s.sprints.create_sprint(v), WRONG_TYPE_ID),
    ]


def test_wrong_type_ids_are_refused(demo_runtime: Runtime) -> None:
    before = database_rows(demo_runtime.engine)
    bugs = []
    for name, call, inputs in known_bugs(demo_runtime):
        for value in inputs:
            try:
                call(value)
                bugs.append(f"{name}({value!r}): accepted")
            except DomainError:
                pass
            except Exception as exc:
                bugs.append(f"{name}({value!r}): {type(exc).__name__}: {exc}")
    assert bugs == [] and database_rows(demo_runtime.engine) == before, "\n".join(bugs)


def test_services_refuse_bad_input_and_change_nothing(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    table = cases(rt)
    before = database_rows(rt.engine)
    bugs: list[str] = []
    for name, call, inputs in table:
        for value in inputs:
            TRIED["service"] += 1
            try:
                call(value)
            except DomainError as exc:
                message = str(exc)
                if not message or "Traceback" in message:
                    bugs.append(f"{name}({value!r:.40}): unreadable message {message[:80]!r}")
            except Exception as exc:
                bugs.append(f"{name}({value!r:.40}): {type(exc).__name__}: {exc}"[:300])
            else:
                bugs.append(f"{name}({value!r:.40}): accepted")
            after = database_rows(rt.engine)
            if after != before:
                bugs.append(f"{name}({value!r:.40}): changed the database")
                before = after
    print(f"bad service inputs tried: {TRIED['service']}")
    assert bugs == [], "\n".join(bugs)


@pytest.mark.parametrize("text", ODD_OK)
def test_odd_but_valid_text_is_stored_exactly(services, text: str) -> None:  # type: ignore[no-untyped-def]
    project = services.projects.create_project("SD", "Odd")
    card = services.cards.create_card(project.id, text)
    assert services.cards.get_card(card.id).title == text.strip()
    assert len(services.cards.list_cards(project.id)) == 1


CLI_CASES: list[tuple[list[str], int]] = [
    (["project", "add", "", "--name", "x"], 1),
    (["project", "add", SQL, "--name", "x"], 1),
    (["project", "add", "NEWP", "--name", ""], 1),
    (["project", "add", "NEWP", "--name", "a\x01b"], 1),
    (["project", "add", "NEWP", "--name", "y" * 5000], 1),
    (["project", "add", "DEMO", "--name", "again"], 1),
    (["project", "add"], 2),
    (["project", "frobnicate"], 2),
    (["column", "list", "--project", SQL], 1),
    (["column", "list"], 2),
    (["card", "list", "--project", "NOPE"], 1),
    (["card", "list", "--project", "DEMO", "--json", "--csv"], 2),
    (["card", "add", "--project", "DEMO", "--title", ""], 1),
    (["card", "add", "--project", "DEMO", "--title", "t\x07bell"], 1),
    (["card", "add", "--project", "DEMO", "--title", "z" * 600], 1),
    (["card", "add", "--project", "DEMO", "--title", "t", "--points", "lots"], 1),
    (["card", "add", "--project", "DEMO", "--title", "t", "--points", "-1"], 1),
    (["card", "add", "--project", "DEMO", "--title", "t", "--type", "novel"], 1),
    (["card", "add", "--project", "DEMO", "--title", "t", "--assignee", "Nobody"], 1),
    (["card", "add", "--project", "DEMO", "--title", "t", "--column", SQL], 1),
    (["card", "add", "--project", "DEMO", "--title", "t", "--sprint", "🦄"], 1),
    (["card", "add", "--project", "DEMO"], 2),
    (["card", "move", "DEMO-99999", "--to", "Done"], 1),
    (["card", "move", SQL, "--to", "Done"], 1),
    (["card", "move", "DEMO-1", "--to", "Nowhere"], 1),
    (["card", "move", "DEMO-1", "--to", "Done", "--position", "0"], 1),
    (["card", "move", "DEMO-1", "--to", "Done", "--position", "x"], 2),
    (["card", "move", "DEMO-1"], 2),
    (["sprint", "start", "No such", "--project", "DEMO"], 1),
    (["sprint", "complete", SQL, "--project", "DEMO"], 1),
    (["sprint", "add", "--project", "NOPE"], 1),
    (["nonsense"], 2),
]


def test_cli_refuses_bad_input_and_changes_nothing(db_url: str) -> None:
    db = db_url
    assert run_cli("init", "--demo", db=db).returncode == 0
    before = database_rows(db)
    problems = []
    for args, status in CLI_CASES:
        TRIED["cli"] += 1
        result = run_cli(*args, db=db)
        err = result.stderr.strip()
        if result.returncode != status:
            problems.append(f"{args}: exit {result.returncode}, wanted {status}: {err[-200:]}")
        if "Traceback" in err or not err:
            problems.append(f"{args}: stderr {err[-200:]!r}")
        if status == 1 and len(err.splitlines()) != 1:
            problems.append(f"{args}: not one line: {err[-200:]!r}")
        if database_rows(db) != before:
            problems.append(f"{args}: changed the database")
            before = database_rows(db)
    print(f"bad CLI inputs tried: {TRIED['cli']}")
    assert problems == [], "\n".join(problems)
