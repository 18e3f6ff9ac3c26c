"""A card's stored fields, in one place: both read paths select and convert from this list.

Cards become :class:`~app.services.dto.CardDTO` in two ways: through SQLAlchemy
(``app.services.common.fetch_cards``/``fetch_one_card``, values already typed by the
column types of app/models) and through plain ``sqlite3`` (``app.storage.sqlite_board``,
the first paint and ``load_board`` on SQLite, which converts the raw values itself). Both
take their column lists from :data:`CARD_FIELDS` and build the DTO with the one function
compiled from it, :func:`card_dto` (:func:`sqlite_card_dto` is the same function with the
raw-value conversions inlined, compiled once at import: no per-field Python loop in the
board's hot path).

This module imports no SQLAlchemy (the first paint imports it; tests/test_layers.py checks).

To add a card field:

1. a ``CardField`` line in :data:`CARD_FIELDS` below (its name is the column's; its kind
   says how a raw SQLite value becomes the DTO's value);
2. the column on ``Card`` in app/models/card.py and the field on ``CardDTO`` in
   app/services/dto.py (a field the DTO shows but the row does not store, such as a name
   looked up elsewhere, goes in :data:`DERIVED_FIELDS` instead);
3. an alembic migration.

Nothing else: the SELECT lists, the conversions and the DTO's positional order follow, and
tests/services/test_card_fields.py fails if the list, the model and the DTO disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from app.services.dto import CardDTO

CARD_TYPES: tuple[str, ...] = ("story", "bug", "task", "spike", "epic")

# How a raw SQLite value becomes the DTO's (mirroring the column types in app/models/base.py).
PLAIN = "plain"  # as stored (integers, text)
UTC_TIME = "utc"  # UTCDateTime: naive UTC text -> aware UTC datetime
DATE = "date"  # Date: ISO text -> date
DECIMAL = "decimal"  # Numeric(scale=places): the stored number formatted with its scale
BOOL = "bool"  # Boolean: 0/1 -> False/True


class CardField(NamedTuple):
    name: str  # the card table's column, and the DTO's field of the same name
    kind: str = PLAIN
    places: int = 0  # DECIMAL only: the column's scale


CARD_FIELDS: tuple[CardField, ...] = (
    CardField("id"),
    CardField("project_id"),
    CardField("number"),
    CardField("type"),
    CardField("title"),
    CardField("description"),
    CardField("priority"),
    CardField("points", DECIMAL, 1),
    CardField("estimate_hours", DECIMAL, 2),
    CardField("remaining_hours", DECIMAL, 2),
    CardField("assignee_id"),
    CardField("reporter_id"),
    CardField("column_id"),
    CardField("rank"),
    CardField("sprint_id"),
    CardField("parent_id"),
    CardField("due_date", DATE),
    CardField("blocked", BOOL),
    CardField("blocked_reason"),
    CardField("archived", BOOL),
    CardField("created_at", UTC_TIME),
    CardField("updated_at", UTC_TIME),
    CardField("resolved_at", UTC_TIME),
    CardField("version"),
)

# The DTO's fields that are not card columns: ``key`` is made of the project's key and the
# number; the others are looked up by the reader and passed to card_dto in this order.
DERIVED_FIELDS: tuple[str, ...] = (
    "key",
    "assignee_name",
    "reporter_name",
    "sprint_name",
    "parent_key",
    "parent_title",
    "labels",
    "watcher_ids",
    "checklist",
)

CARD_COLUMN_NAMES: tuple[str, ...] = tuple(f.name for f in CARD_FIELDS)
CARD_COLUMNS_SQL = ", ".join(CARD_COLUMN_NAMES)  # for a plain SQL SELECT (the sqlite3 board read)
ID, ASSIGNEE_ID, REPORTER_ID, SPRINT_ID, PARENT_ID = (
    CARD_COLUMN_NAMES.index(name)
    for name in ("id", "assignee_id", "reporter_id", "sprint_id", "parent_id")
)

# --- raw SQLite values ---------------------------------------------------------------------

_UTC = dt.UTC
_from_iso = dt.datetime.fromisoformat


def utc_from_text(value: str) -> dt.datetime:
    """A UTCDateTime as SQLite stores it (naive UTC text) as the aware datetime it means."""
    if len(value) > 10:  # date and time, as SQLAlchemy stores them
        try:
            # One C call that returns an aware datetime: 6x faster than parsing and then
            # .replace(tzinfo=...), which was a fifth of a 10,000-card board's load.
            return _from_iso(value + "+00:00")
        except ValueError:
            pass
    return _from_iso(value).replace(tzinfo=_UTC)


def scaled(value: float | int, places: int) -> Decimal:
    """As SQLAlchemy's Numeric(scale=places) reads a number SQLite stored."""
    return Decimal(f"{value:.{places}f}")


date_from_text = dt.date.fromisoformat


def _raw_expression(field: CardField, name: str) -> str:
    """Python source converting the raw value in variable ``name`` (None stays None)."""
    if field.kind == PLAIN:
        return name
    if field.kind == BOOL:
        return f"bool({name})"
    call = {
        UTC_TIME: f"_utc({name})",
        DATE: f"_date({name})",
        DECIMAL: f"_scaled({name}, {field.places})",
    }[field.kind]
    return f"None if {name} is None else {call}"


def _compile(convert: bool) -> Callable[..., CardDTO]:
    """card_dto's code, from CARD_FIELDS and CardDTO's field order (as namedtuple and
    dataclasses make theirs): one tuple unpack and one positional DTO call per row."""
    stored = {f.name: f for f in CARD_FIELDS}
    missing = set(CardDTO._fields) - set(stored) - set(DERIVED_FIELDS)
    extra = (set(stored) | set(DERIVED_FIELDS)) - set(CardDTO._fields)
    if missing or extra:
        raise RuntimeError(f"CARD_FIELDS and CardDTO disagree: {sorted(missing | extra)}")
    arguments = ["row", "project_key", *DERIVED_FIELDS[1:]]
    values = []
    for name in CardDTO._fields:
        if name == "key":
            values.append('f"{project_key}-{v_number}"')
        elif name in stored:
            variable = f"v_{name}"
            values.append(_raw_expression(stored[name], variable) if convert else variable)
        else:
            values.append(name)
    unpacked = ", ".join(f"v_{name}" for name in CARD_COLUMN_NAMES)
    source = (
        f"def card_dto({', '.join(arguments)}):\n"
        f"    {unpacked}, = row\n"
        f"    return _CardDTO({', '.join(values)})\n"
    )
    namespace: dict[str, Any] = {
        "_CardDTO": CardDTO,
        "_utc": utc_from_text,
        "_date": date_from_text,
        "_scaled": scaled,
    }
    exec(compile(source, f"<card_dto {'sqlite' if convert else 'typed'}>", "exec"), namespace)
    function = namespace["card_dto"]
    function.__source__ = source
    return function  # type: ignore[no-any-return]


# card_dto(row, project_key, assignee_name, reporter_name, sprint_name, parent_key,
#          parent_title, labels, watcher_ids, checklist) -> CardDTO
# ``row`` holds the values of CARD_COLUMN_NAMES in that order; the other arguments are what
# the reader looked up about the card (DERIVED_FIELDS but ``key``).
card_dto: Callable[..., CardDTO] = _compile(convert=False)  # typed values (SQLAlchemy rows)
sqlite_card_dto: Callable[..., CardDTO] = _compile(convert=True)  # raw sqlite3 values


__all__ = [
    "CARD_COLUMNS_SQL",
    "CARD_COLUMN_NAMES",
    "CARD_FIELDS",
    "CARD_TYPES",
    "DERIVED_FIELDS",
    "CardField",
    "card_dto",
    "date_from_text",
    "scaled",
    "sqlite_card_dto",
    "utc_from_text",
]
