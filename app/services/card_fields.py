"""A card's stored fields, in one place: both read paths select and convert from this list.

Cards become :class:`~app.services.dto.CardDTO` in two ways: through SQLAlchemy
(``app.services.common.fetch_cards``/``fetch_one_card``, values already typed by the
column types of app/models) and through plain ``sqlite3`` (``app.storage.sqlite_board``,
the first paint and ``load_board`` on SQLite, which converts the raw values itself). Both
take their column lists from :data:`CARD_FIELDS` and build the DTOs with the code compiled
once, at import, from it: ``card_dtos`` (many rows, with the looked-up names) and
``card_dto`` (one row), and their ``sqlite_`` twins with each raw value's conversion inlined
(no per-field Python loop and no call per card in the board's hot path).

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


# How the many-cards builder finds the looked-up fields of the card in ``v_*`` variables
# (the lookups are dicts the reader filled; see card_dtos below).
_LOOKED_UP = {
    "assignee_name": "names_get(v_assignee_id)",
    "reporter_name": "names_get(v_reporter_id)",
    "sprint_name": "sprints_get(v_sprint_id)",
    "parent_key": "parent_key",
    "parent_title": "parent_title",
    "labels": "tuple(labels_get(v_id, ()))",
    "watcher_ids": "tuple(sorted(watching)) if watching else ()",
    "checklist": "tuple(checklists_get(v_id, ()))",
}


def _dto_call(convert: bool, derived: dict[str, str]) -> str:
    """``_CardDTO(...)`` in CardDTO's field order: stored fields from ``v_<name>`` (raw values
    converted by their kind when ``convert``), the others from ``derived``."""
    stored = {f.name: f for f in CARD_FIELDS}
    missing = set(CardDTO._fields) - set(stored) - set(DERIVED_FIELDS)
    extra = (set(stored) | set(DERIVED_FIELDS)) - set(CardDTO._fields)
    if missing or extra:
        raise RuntimeError(f"CARD_FIELDS and CardDTO disagree: {sorted(missing | extra)}")
    values = []
    for name in CardDTO._fields:
        if name == "key":
            values.append('f"{project_key}-{v_number}"')
        elif name in stored:
            variable = f"v_{name}"
            values.append(_raw_expression(stored[name], variable) if convert else variable)
        else:
            values.append(derived[name])
    return f"_CardDTO({', '.join(values)})"


_UNPACKED = ", ".join(f"v_{name}" for name in CARD_COLUMN_NAMES) + ","


def _source(convert: bool) -> str:
    """card_dto and card_dtos, from CARD_FIELDS and CardDTO's field order (as namedtuple and
    dataclasses make their code): one tuple unpack and one positional DTO call per row, the
    many-cards loop written out so that a 10,000-card board makes no call per card."""
    one = _dto_call(convert, {name: name for name in DERIVED_FIELDS[1:]})
    many = _dto_call(convert, _LOOKED_UP)
    return f"""
def card_dto(row, project_key, {", ".join(DERIVED_FIELDS[1:])}):
    {_UNPACKED} = row
    return {one}

def card_dtos(rows, project_key, names, sprint_names, parents, labels, watchers, checklists):
    names_get, sprints_get, parents_get = names.get, sprint_names.get, parents.get
    labels_get, watchers_get, checklists_get = labels.get, watchers.get, checklists.get
    no_parent = (None, None)
    result = []
    append = result.append
    for {_UNPACKED} in rows:
        parent_key, parent_title = (
            parents_get(v_parent_id, no_parent) if v_parent_id is not None else no_parent
        )
        watching = watchers_get(v_id)
        append({many})
    return result
"""


def _compile(convert: bool) -> tuple[Callable[..., CardDTO], Callable[..., list[CardDTO]]]:
    source = _source(convert)
    namespace: dict[str, Any] = {
        "_CardDTO": CardDTO,
        "_utc": utc_from_text,
        "_date": date_from_text,
        "_scaled": scaled,
    }
    exec(compile(source, f"<card_fields {'sqlite' if convert else 'typed'}>", "exec"), namespace)
    return namespace["card_dto"], namespace["card_dtos"]


# card_dto(row, project_key, assignee_name, reporter_name, sprint_name, parent_key,
#          parent_title, labels, watcher_ids, checklist) -> CardDTO
#   ``row`` holds the values of CARD_COLUMN_NAMES in that order; the other arguments are what
#   the reader looked up about the card (DERIVED_FIELDS but ``key``).
# card_dtos(rows, project_key, names, sprint_names, parents, labels, watchers, checklists)
#   -> list[CardDTO], one per row, in order: the same DTO, its looked-up fields taken from
#   dicts: member id -> display name, sprint id -> name, parent id -> (key, title), card id
#   -> its labels (LabelDTOs in order), watcher ids (any order) and checklist items.
card_dto: Callable[..., CardDTO]  # typed values (SQLAlchemy rows)
card_dtos: Callable[..., list[CardDTO]]
sqlite_card_dto: Callable[..., CardDTO]  # raw sqlite3 values, converted by each field's kind
sqlite_card_dtos: Callable[..., list[CardDTO]]
card_dto, card_dtos = _compile(convert=False)
sqlite_card_dto, sqlite_card_dtos = _compile(convert=True)


__all__ = [
    "CARD_COLUMNS_SQL",
    "CARD_COLUMN_NAMES",
    "CARD_FIELDS",
    "CARD_TYPES",
    "DERIVED_FIELDS",
    "CardField",
    "card_dto",
    "card_dtos",
    "date_from_text",
    "scaled",
    "sqlite_card_dto",
    "sqlite_card_dtos",
    "utc_from_text",
]
