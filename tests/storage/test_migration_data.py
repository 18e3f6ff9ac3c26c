"""Data written at the first schema revision survives every later migration; the newest
migration can be undone and redone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from app.bootstrap import open_runtime
from app.db import alembic_config, current_revision, head_revision, opened_engine

NOW = "2026-01-05 09:00:00.000000"


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


def upgrade_to(path: Path, revision: str) -> None:
    with opened_engine(url(path)) as engine, engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        command.upgrade(alembic_config(connection), revision)
        connection.commit()


def fill_first_revision(path: Path) -> None:
    """Rows as revision 0001 knew them, with plain SQL."""
    c = sqlite3.connect(path)
    c.execute("PRAGMA foreign_keys=ON")
    c.execute(
        "INSERT INTO project (id, key, name, methodology, description, time_zone, "
        "working_weekdays, currency, next_card_number, archived, created_at, version) "
        "VALUES (1, 'OLD', 'Old project ✓', 'scrum', '', 'Europe/Berlin', 31, 'EUR', 4, 0, ?, 3)",
        (NOW,),
    )
    for cid, name, pos, cat in [
        (1, "To Do", 0, "todo"),
        (2, "Doing", 1, "in_progress"),
        (3, "Done", 2, "done"),
    ]:
        c.execute(
            "INSERT INTO workflow_column (id, project_id, name, position, category, archived, "
            "version) VALUES (?, 1, ?, ?, ?, 0, 1)",
            (cid, name, pos, cat),
        )
    c.execute(
        "INSERT INTO member (id, display_name, email, active, created_at, version) "
        "VALUES (1, 'Ada', '', 1, ?, 1)",
        (NOW,),
    )
    c.execute(
        "INSERT INTO project_member (project_id, member_id, role, hours_per_day, active, version)"
        " VALUES (1, 1, 'dev', 6, 1, 1)"
    )
    c.execute(
        "INSERT INTO sprint (id, project_id, name, goal, state, start_date, end_date, version) "
        "VALUES (1, 1, 'Sprint 1', 'ship', 'planned', '2026-01-05', '2026-01-16', 1)"
    )
    c.execute("INSERT INTO label (id, project_id, name, color) VALUES (1, 1, 'ux', '#0052cc')")
    cards = [
        (1, 1, "story", "First", 1, "a0", None, "3.0"),
        (2, 2, "bug", "Second — ünïcode", 2, "a1", 1, "0.5"),
        (3, 3, "task", "Third", 3, "a2", 1, None),
    ]
    for cid, number, ctype, title, column, rank, sprint, points in cards:
        c.execute(
            "INSERT INTO card (id, project_id, number, type, title, description, priority, "
            "column_id, rank, sprint_id, points, assignee_id, blocked, blocked_reason, archived, "
            "created_at, updated_at, version) "
            "VALUES (?, 1, ?, ?, ?, 'd', 'high', ?, ?, ?, ?, 1, 0, '', 0, ?, ?, 1)",
            (cid, number, ctype, title, column, rank, sprint, points, NOW, NOW),
        )
        c.execute(
            "INSERT INTO history_event (project_id, card_id, at, actor, kind, before, after, "
            "column_id_after, archived_after) VALUES (1, ?, ?, 'old', 'created', '{}', "
            '\'{"title": "x"}\', ?, 0)',
            (cid, NOW, column),
        )
    c.execute("INSERT INTO card_label (card_id, label_id) VALUES (2, 1)")
    c.commit()
    c.close()


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def check_data(path: Path) -> None:
    rt = open_runtime(url(path))
    try:
        assert rt.migration == "current"
        s = rt.services
        project = s.projects.find_project("OLD")
        assert project.name == "Old project ✓" and project.time_zone == "Europe/Berlin"
        cards = {c.key: c for c in s.cards.list_cards(project.id)}
        assert sorted(cards) == ["OLD-1", "OLD-2", "OLD-3"]
        assert cards["OLD-2"].title == "Second — ünïcode"
        assert str(cards["OLD-1"].points) in ("3", "3.0")
        assert cards["OLD-2"].sprint_name == "Sprint 1"
        assert [lb.name for lb in cards["OLD-2"].labels] == ["ux"]
        assert cards["OLD-1"].assignee_name == "Ada"
        assert [c.name for c in s.workflow.list_columns(project.id)] == ["To Do", "Doing", "Done"]
        assert len(s.cards.history(cards["OLD-3"].id)) == 1
        # And the upgraded database keeps working: the next number follows on.
        assert s.cards.create_card(project.id, "After the upgrade").key == "OLD-4"
        sprint = s.sprints.find_sprint(project.id, "Sprint 1")
        assert s.sprints.start_sprint(sprint.id, allow_unestimated=True).state == "active"
    finally:
        rt.close()
    c = sqlite3.connect(path)
    try:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        c.close()


def test_first_revision_data_survives_every_upgrade(db_path: Path) -> None:
    chain = revisions()
    assert chain[0] == "0001" and chain[-1] == head_revision()
    upgrade_to(db_path, "0001")
    fill_first_revision(db_path)
    for revision in chain[1:]:
        upgrade_to(db_path, revision)
        with opened_engine(url(db_path)) as engine:
            assert current_revision(engine) == revision
    check_data(db_path)


def test_newest_revision_downgrades_and_upgrades_again(db_path: Path) -> None:
    chain = revisions()
    upgrade_to(db_path, "0001")
    fill_first_revision(db_path)
    upgrade_to(db_path, "head")
    with opened_engine(url(db_path)) as engine:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            command.downgrade(alembic_config(connection), "-1")
            connection.commit()
        assert current_revision(engine) == (chain[-2] if len(chain) > 1 else None)
    c = sqlite3.connect(db_path)
    assert c.execute("SELECT count(*) FROM card").fetchone()[0] == 3
    c.close()
    upgrade_to(db_path, "head")
    check_data(db_path)
