"""``import sprintdeck`` checks every row of an export as the services would before writing
one: a file edited by hand (or by someone hostile) is refused naming the row and column, and
the empty database stays empty."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.bootstrap import Runtime
from app.models import Card, Project
from app.services.transfer import ImportRefused, TransferService
from tests.helpers import make_runtime


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo project exported once (a valid file every case breaks in one place)."""
    folder = tmp_path_factory.mktemp("native")
    rt = make_runtime(folder / "demo.db", demo=True)
    try:
        path = folder / "demo.json"
        TransferService(rt.services.context).export_all(path, schema="test")
    finally:
        rt.close()
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path / "empty.db")
    yield rt
    rt.close()


def first(data: dict[str, Any], table: str) -> dict[str, Any]:
    return data["tables"][table][0]


def nest(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"x": value}
    return value


Change = Callable[[dict[str, Any]], None]

CASES: list[tuple[str, Change, str]] = [
    (
        "escape-in-title",
        lambda d: first(d, "card").update(title="\x1b[31mred"),
        "row 1 of 'tables.card': 'title' = '\\x1b[31mred' holds control characters.",
    ),
    (
        "lone-surrogate",
        lambda d: first(d, "card").update(title="half \ud800"),
        "row 1 of 'tables.card': 'title' = 'half \\ud800' is not valid text (it holds a lone "
        "surrogate).",
    ),
    (
        "points-over-1000",
        lambda d: first(d, "card").update(points="5000"),
        "row 1 of 'tables.card': 'points' = '5000' is more than 1,000 points.",
    ),
    (
        "points-negative",
        lambda d: first(d, "card").update(points="-3"),
        "row 1 of 'tables.card': 'points' = '-3' is not a number of 0 or more (such as \"2.5\").",
    ),
    (
        "points-forty-digits",
        lambda d: first(d, "card").update(points="9" * 40),
        "row 1 of 'tables.card': 'points' = '" + "9" * 38 + "… does not "
        "fit the column (6 digits, 1 decimal).",
    ),
    (
        "due-in-9999",
        lambda d: first(d, "card").update(due_date="9999-12-31"),
        "row 1 of 'tables.card': 'due_date' = '9999-12-31' is outside 1970–2199.",
    ),
    (
        "created-in-year-0",
        lambda d: first(d, "card").update(created_at="0000-01-01T00:00:00Z"),
        "row 1 of 'tables.card': 'created_at' = '0000-01-01T00:00:00Z' is not a time (ISO 8601).",
    ),
    (
        "id-as-text",
        lambda d: first(d, "card").update(id="1"),
        "row 1 of 'tables.card': 'id' = '1' is not a whole number in range.",
    ),
    (
        "flag-as-text",
        lambda d: first(d, "card").update(archived="false"),
        "row 1 of 'tables.card': 'archived' = 'false' is text, not true or false.",
    ),
    (
        "unknown-type",
        lambda d: first(d, "card").update(type="saga"),
        "row 1 of 'tables.card': 'type' = 'saga' is not one of story, bug, task, spike, epic.",
    ),
    (
        "missing-project",
        lambda d: first(d, "card").update(project_id=999),
        "row 1 of 'tables.card' names project project_id = 999, which is not in the file.",
    ),
    (
        "duplicate-id",
        lambda d: d["tables"]["card"][1].update(id=first(d, "card")["id"]),
        "rows 1 and 2 of 'tables.card' have the same id 1.",
    ),
    (
        "history-not-an-object",
        lambda d: first(d, "history_event").update(before="moved"),
        "row 1 of 'tables.history_event': 'before' = 'moved' is text, not an object.",
    ),
    (
        "history-nested-deep",
        lambda d: first(d, "history_event").update(before=nest(40)),
        "row 1 of 'tables.history_event': 'before' = {'x': {'x': {'x': {'x': {'x': {'x': {'x… "
        "is nested more than 32 levels deep.",
    ),
    (
        "row-not-an-object",
        lambda d: d["tables"]["label"].append(["not", "a", "row"]),
        "row {labels} of 'tables.label' is a list, not an object.",
    ),
    (
        "project-key",
        lambda d: first(d, "project").update(key="demo-1"),
        "row 1 of 'tables.project': 'key' = 'demo-1' is not of the form Sprintdeck writes.",
    ),
    (
        "next-number-too-low",
        lambda d: first(d, "project").update(next_card_number=2),
        "row 1 of 'tables.project' has 'next_card_number' = 2, but its cards go up to {top}.",
    ),
]


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_row_the_services_would_refuse_is_refused_before_writing(
    tmp_path: Path, export: dict[str, Any], empty: Runtime, change: Change, message: str
) -> None:
    data = json.loads(json.dumps(export))
    change(data)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        TransferService(empty.services.context).import_native(path)
    numbers = {
        "labels": len(export["tables"]["label"]) + 1,
        "top": max(c["number"] for c in export["tables"]["card"]),
    }
    for name, value in numbers.items():
        message = message.replace("{" + name + "}", str(value))
    assert str(caught.value) == "edited.json: " + message
    with empty.services.context.read() as uow:
        assert uow.session.scalar(select(func.count(Project.id))) == 0
        assert uow.session.scalar(select(func.count(Card.id))) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000, "is nested too deeply"),
        ('{"format": "sprintdeck", "version": ' + "9" * 5000 + "}", "thousands of digits"),
        ('{"format": "sprintdeck", "version": NaN}', "NaN or Infinity"),
        ('{"format": "sprintdeck", "version": true, "tables": {}}', "version True"),
        ("", "is empty"),
    ],
)
def test_hostile_json_is_one_line(
    tmp_path: Path, empty: Runtime, content: str, message: str
) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        TransferService(empty.services.context).import_native(path)
    assert message in str(caught.value)
    assert len(str(caught.value)) < 300


def test_the_unchanged_export_restores(
    tmp_path: Path, export: dict[str, Any], empty: Runtime
) -> None:
    path = tmp_path / "same.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    counts = TransferService(empty.services.context).import_native(path)
    assert counts["cards"] == len(export["tables"]["card"])
    project = empty.services.projects.find_project("DEMO")
    cards = empty.services.cards.list_cards(project.id, include_archived=True)
    assert sorted(c.title for c in cards) == sorted(c["title"] for c in export["tables"]["card"])
