"""The one shape of a history event (event_values) and the one card-number allocator
(allocate_card_numbers), used by every writer: create, move, import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app.models import HistoryEvent, Project
from app.services import Services
from app.services.common import allocate_card_numbers, event_values


def test_event_values_are_the_history_columns() -> None:
    values = event_values(
        project_id=1,
        card_id=2,
        at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        actor="ann",
        kind="moved",
        column_id=3,
        category="done",
        sprint_id=None,
        points=Decimal("2"),
        archived=False,
    )
    columns = {c.name for c in HistoryEvent.__table__.columns} - {"id"}
    assert set(values) == columns
    assert values["before"] == {} and values["after"] == {}
    assert values["category_after"] == "done" and values["points_after"] == Decimal("2")


def test_every_writer_leaves_the_same_columns_filled(services: Services) -> None:
    project = services.projects.create_project("SD", "Writers")
    board = services.board.load_board(project.id)
    card = services.cards.create_card(project.id, "One", points=3)
    done = next(c for c in board.columns if c.category == "done")
    services.board.move_card(card.id, done.id)  # the Core insert
    services.cards.update_card(card.id, {"title": "Two"}, None)  # record_event
    with services.context.read() as uow:
        events = [
            (
                e.kind,
                e.project_id,
                e.actor,
                e.at,
                e.points_after,
                e.archived_after,
                e.column_id_after,
                e.category_after,
            )
            for e in uow.session.scalars(
                select(HistoryEvent)
                .where(HistoryEvent.card_id == card.id)
                .order_by(HistoryEvent.id)
            )
        ]
    assert [e[0] for e in events] == ["created", "moved", "edited"]
    for _, project_id, actor, at, points, archived, _, _ in events:
        assert project_id == project.id and actor and at.tzinfo is not None
        assert points == Decimal("3") and archived is False
    assert events[1][6:] == (done.id, "done")
    assert events[2][6:] == (done.id, "done")


def test_the_allocator_counts_on_and_skips_past_kept_numbers(services: Services) -> None:
    project = services.projects.create_project("SD", "Numbers")
    first = services.cards.create_card(project.id, "first")
    assert first.number == 1
    with services.context.write() as uow:
        assert list(allocate_card_numbers(uow.session, project.id, 2)) == [2, 3]
        # an import keeping numbers up to 41: the free ones start after it
        assert list(allocate_card_numbers(uow.session, project.id, 2, above=41)) == [42, 43]
        # a counter already past ``above`` is kept
        assert list(allocate_card_numbers(uow.session, project.id, 1, above=10)) == [44]
        uow.commit()
    assert services.cards.create_card(project.id, "next").number == 45
    with services.context.read() as uow:
        counter = uow.session.scalar(
            select(Project.next_card_number).where(Project.id == project.id)
        )
    assert counter == 46
