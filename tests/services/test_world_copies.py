"""tests.helpers.world_database, on both backends: a world is built once per process, and
each test gets a copy of its own that nothing done to another copy reaches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import make_runtime, world_database

BUILT: list[str] = []


def _one_card(db: Path | str) -> dict:  # type: ignore[type-arg]
    BUILT.append(str(db))
    runtime = make_runtime(db)
    try:
        project = runtime.services.projects.create_project("WC", "World copies")
        card = runtime.services.cards.create_card(project.id, "The only card")
    finally:
        runtime.close()
    return {"project": project.id, "cards": [card.key]}


def titles(db: str, project: int) -> list[str]:
    runtime = make_runtime(db)
    try:
        return [c.title for c in runtime.services.cards.list_cards(project)]
    finally:
        runtime.close()


def test_each_copy_is_its_own(new_db_url: Callable[[str], str]) -> None:
    built = len(BUILT)
    first = world_database(new_db_url("first"), _one_card)
    second = world_database(new_db_url("second"), _one_card)
    assert len(BUILT) - built <= 1  # built at most once, here or by an earlier test
    assert first == second == {"project": first["project"], "cards": ["WC-1"]}
    runtime = make_runtime(new_db_url("first"))
    try:
        runtime.services.cards.create_card(first["project"], "Only in the first copy")
    finally:
        runtime.close()
    first["cards"].append("WC-2")
    both = ["The only card", "Only in the first copy"]
    assert titles(new_db_url("first"), first["project"]) == both
    assert titles(new_db_url("second"), second["project"]) == ["The only card"]
    third = world_database(new_db_url("third"), _one_card)
    assert third["cards"] == ["WC-1"]  # what the builder returned is copied too
    assert titles(new_db_url("third"), third["project"]) == ["The only card"]


@pytest.mark.sqlite_only
def test_an_existing_file_is_refused(db_path: Path) -> None:
    db_path.write_bytes(b"mine")
    with pytest.raises(ValueError, match="exists"):
        world_database(db_path, _one_card)
    assert db_path.read_bytes() == b"mine"
