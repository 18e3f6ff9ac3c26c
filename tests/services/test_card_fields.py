"""The one list of card fields agrees with the Card model and the CardDTO, and each field's
raw-value conversion with its column's type (app/services/card_fields.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, Numeric

from app.models import CARD_TYPES as MODEL_CARD_TYPES
from app.models import Card
from app.models.base import UTCDateTime
from app.services import card_fields
from app.services.card_fields import (
    BOOL,
    CARD_COLUMN_NAMES,
    CARD_FIELDS,
    DATE,
    DECIMAL,
    DERIVED_FIELDS,
    PLAIN,
    UTC_TIME,
    card_dto,
    card_dtos,
    sqlite_card_dto,
    sqlite_card_dtos,
)
from app.services.dto import CardDTO
from app.ui.choices import CARD_TYPES as UI_CARD_TYPES


def test_every_card_column_is_a_field_and_nothing_else() -> None:
    assert set(CARD_COLUMN_NAMES) == {c.name for c in Card.__table__.columns}
    assert len(set(CARD_COLUMN_NAMES)) == len(CARD_COLUMN_NAMES)


def test_fields_and_derived_fields_are_the_dto_exactly() -> None:
    assert set(CARD_COLUMN_NAMES) | set(DERIVED_FIELDS) == set(CardDTO._fields)
    assert not set(CARD_COLUMN_NAMES) & set(DERIVED_FIELDS)


def test_each_conversion_follows_the_column_type() -> None:
    for field in CARD_FIELDS:
        column_type = Card.__table__.c[field.name].type
        if isinstance(column_type, UTCDateTime):
            assert field.kind == UTC_TIME, field
        elif isinstance(column_type, Boolean):
            assert field.kind == BOOL, field
        elif isinstance(column_type, Date):
            assert field.kind == DATE, field
        elif isinstance(column_type, Numeric):
            assert (field.kind, field.places) == (DECIMAL, column_type.scale), field
        else:
            assert field.kind == PLAIN, field


def _raw_row() -> tuple:
    raw = {
        "id": 7,
        "project_id": 1,
        "number": 42,
        "type": "bug",
        "title": "T",
        "description": "",
        "priority": "high",
        "points": 3,
        "estimate_hours": 1.5,
        "remaining_hours": None,
        "assignee_id": 2,
        "reporter_id": None,
        "column_id": 5,
        "rank": "a0",
        "sprint_id": None,
        "parent_id": 9,
        "due_date": "2026-03-01",
        "blocked": 1,
        "blocked_reason": "waiting",
        "archived": 0,
        "created_at": "2026-02-01 10:00:00.000000",
        "updated_at": "2026-02-02 11:30:00",
        "resolved_at": None,
        "version": 3,
    }
    return tuple(raw[name] for name in CARD_COLUMN_NAMES)


def test_the_sqlite_builder_converts_and_the_typed_one_does_not() -> None:
    looked_up = ("Ann", None, None, "SD-9", "Epic", (), (2,), ())
    fast = sqlite_card_dto(_raw_row(), "SD", *looked_up)
    assert fast.key == "SD-42" and fast.parent_key == "SD-9" and fast.watcher_ids == (2,)
    assert str(fast.points) == "3.0" and str(fast.estimate_hours) == "1.50"
    assert fast.remaining_hours is None and fast.resolved_at is None
    assert fast.due_date == dt.date(2026, 3, 1)
    assert fast.blocked is True and fast.archived is False
    assert fast.created_at == dt.datetime(2026, 2, 1, 10, tzinfo=dt.UTC)
    assert fast.updated_at == dt.datetime(2026, 2, 2, 11, 30, tzinfo=dt.UTC)
    typed = card_dto(tuple(getattr(fast, name) for name in CARD_COLUMN_NAMES), "SD", *looked_up)
    assert typed == fast
    assert isinstance(typed.points, Decimal)


def test_card_types_are_defined_once() -> None:
    assert MODEL_CARD_TYPES is card_fields.CARD_TYPES
    assert UI_CARD_TYPES is card_fields.CARD_TYPES


def test_the_many_cards_builder_gives_what_the_one_card_builder_gives() -> None:
    row = _raw_row()
    one = sqlite_card_dto(row, "SD", "Ann", None, None, "SD-9", "Epic", (), (2, 5), ())
    (many,) = sqlite_card_dtos(
        [row], "SD", {2: "Ann"}, {}, {9: ("SD-9", "Epic")}, {}, {7: [5, 2]}, {}
    )
    assert many == one
    typed_row = tuple(getattr(one, name) for name in CARD_COLUMN_NAMES)
    assert card_dtos(
        [typed_row], "SD", {2: "Ann"}, {}, {9: ("SD-9", "Epic")}, {}, {7: [5, 2]}, {}
    ) == [one]
