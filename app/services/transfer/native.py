"""Sprintdeck's own export: every project with all its history, in a versioned JSON format.

The format (documented in docs/import-export.md)::

    {"format": "sprintdeck", "version": 1, "schema": "0005", "exported_at": "...",
     "tables": {"project": [{"id": 1, "key": "SD", ...}, ...], "card": [...], ...}}

``tables`` holds every table of the schema (but alembic's own) as a list of row objects, keyed
by column name, in id order; ids are kept, so every reference stays a plain id. Values are JSON
scalars: times are ISO 8601 in UTC, dates ISO, decimals strings, JSON columns objects.
Importing restores it exactly, into a database that holds no projects and no members yet.

``sprintdeck export --project KEY`` writes the same format with one project's rows only and a
``"scope": {"project": KEY}``; importing that adds the project to any database with new ids
(app/services/transfer/project_move.py).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, Numeric, String, Table, func, select, text
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.models import (
    CARD_TYPES,
    CATEGORIES,
    OUTCOMES,
    PRIORITIES,
    SNAPSHOT_KINDS,
    SPRINT_STATES,
    Base,
    Member,
    Project,
)
from app.models.base import UTCDateTime
from app.services.transfer.checks import (
    TEXT_MAX,
    ImportRefused,
    json_type,
    load_json,
    read_text,
    shown,
    shown_name,
)
from app.services.transfer.common import Progress
from app.services.validation import COLOR_PATTERN, DATE_MAX, DATE_MIN, KEY_PATTERN, POINTS_MAX
from app.words import plural

FORMAT = "sprintdeck"
VERSION = 1
EXPECTED = "a Sprintdeck export (sprintdeck export -o FILE.json)"


def tables() -> list[Table]:
    """Every table, parents before children (the order rows are written back in); not
    alembic's, nor the change log (notifications for running windows, not data)."""
    return [t for t in Base.metadata.sorted_tables if t.name not in _NOT_DATA]


_NOT_DATA = {"alembic_version", "change_log"}


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def export_data(session: Session, schema: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "schema": schema,
        "exported_at": _encode(dt.datetime.now(dt.UTC)),
        "tables": {},
    }
    for table in tables():
        names = [c.name for c in table.columns]
        order = list(table.primary_key.columns)
        rows = session.execute(select(*table.columns).order_by(*order)).all()
        out["tables"][table.name] = [
            {name: _encode(value) for name, value in zip(names, row, strict=True)} for row in rows
        ]
    return out


def load_export(path: str | Path) -> dict[str, Any]:
    """Read and check a Sprintdeck export; its rows come back decoded (times, dates and
    decimals as Python values), every value checked as the services would check it."""
    name = shown_name(path)
    data = load_json(read_text(path, EXPECTED), path, EXPECTED)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(f"{name} has no key 'format' = \"sprintdeck\"; expected {EXPECTED}.")
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ImportRefused(
            f"{name} is in version {shown(version)} of the Sprintdeck format (key 'version'); "
            f"this Sprintdeck reads version {VERSION}."
        )
    if not isinstance(data.get("tables"), dict):
        raise ImportRefused(f"{name} has no object under the key 'tables'; expected {EXPECTED}.")
    known = {t.name: t for t in tables()}
    for table_name, rows in data["tables"].items():
        if table_name not in known:
            raise ImportRefused(
                f"{name}: the table {shown(table_name)} (key 'tables.{table_name}') is unknown "
                "to this Sprintdeck; the file was written by a newer version."
            )
        if not isinstance(rows, list):
            raise ImportRefused(f"{name}: 'tables.{table_name}' should be a list of rows.")
        columns = {c.name for c in known[table_name].columns}
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise ImportRefused(
                    f"{name}: row {index + 1} of 'tables.{table_name}' is {json_type(row)}, "
                    "not an object."
                )
            extra = set(row) - columns
            if extra:
                raise ImportRefused(
                    f"{name}: row {index + 1} of 'tables.{table_name}' has the unknown key "
                    f"{shown(sorted(extra)[0])}."
                )
    decoded = {
        table.name: _decode_rows(name, table, data["tables"].get(table.name, []))
        for table in tables()
        if table.name in data["tables"]
    }
    _check_references(name, decoded)
    data["tables"] = decoded
    return data


def counts(data: dict[str, Any]) -> dict[str, int]:
    t = data["tables"]
    return {
        "projects": len(t.get("project", [])),
        "columns": len(t.get("workflow_column", [])),
        "cards": len(t.get("card", [])),
        "labels": len(t.get("label", [])),
        "members": len(t.get("member", [])),
        "sprints": len(t.get("sprint", [])),
        "comments": len(t.get("comment", [])),
        "history events": len(t.get("history_event", [])),
    }


def restore_data(session: Session, data: dict[str, Any], progress: Progress | None = None) -> int:
    """Write every row back with its id. Refuses a database that already holds data."""
    if session.scalar(select(func.count(Project.id))) or session.scalar(
        select(func.count(Member.id))
    ):
        raise Conflict(
            "This database already holds projects or members; a Sprintdeck export is restored "
            "into an empty database (sprintdeck init --db NEW.db), so that every id, key and "
            "history event comes back exactly. Nothing was changed."
        )
    written = 0
    total = sum(len(rows) for rows in data["tables"].values())
    deferred: list[tuple[Table, list[dict[str, Any]]]] = []
    for table in tables():
        rows = data["tables"].get(table.name, [])
        if not rows:
            continue
        decoded = [dict(row) for row in rows]  # decoded and checked by load_export
        # self-references (card.parent_id) are set once every card exists
        selfref = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
        if selfref:
            later = [
                {"id": r["id"], **{c: r.get(c) for c in selfref}}
                for r in decoded
                if any(r.get(c) is not None for c in selfref)
            ]
            for r in decoded:
                for c in selfref:
                    r[c] = None
            deferred.append((table, later))
        for start in range(0, len(decoded), 1000):
            session.execute(table.insert(), decoded[start : start + 1000])
            written += len(decoded[start : start + 1000])
            if progress:
                progress(written, total)
    for table, later in deferred:
        for row in later:
            session.execute(
                table.update()
                .where(table.c.id == row["id"])
                .values({k: v for k, v in row.items() if k != "id"})
            )
    if session.get_bind().dialect.name == "postgresql":  # pragma: no cover - later
        for table in tables():
            if "id" in table.c:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
                    )
                )
    session.flush()
    return written


# --- checking an export before a single row is written ----------------------------------------

# Values the services allow in these columns (the rest is checked by type, length and range).
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("project", "methodology"): ("scrum", "kanban"),
    ("workflow_column", "category"): CATEGORIES,
    ("card", "type"): CARD_TYPES,
    ("card", "priority"): PRIORITIES,
    ("sprint", "state"): SPRINT_STATES,
    ("sprint_snapshot", "kind"): SNAPSHOT_KINDS,
    ("sprint_snapshot", "outcome"): OUTCOMES,
    ("history_event", "category_after"): CATEGORIES,
}
PATTERNS = {
    ("project", "key"): KEY_PATTERN,
    ("label", "color"): COLOR_PATTERN,
    ("project", "currency"): re.compile(r"^[A-Z]{3}$"),
    ("member_rate", "currency"): re.compile(r"^[A-Z]{3}$"),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DECIMAL = re.compile(r"[0-9]{1,40}(\.[0-9]{1,40})?")
JSON_DEPTH = 32
INT_LIMIT = 2**63


class _Bad(Exception):
    """One value that cannot be restored (turned into ImportRefused naming its place)."""


def _decode_value(table: Table, column: Any, value: Any) -> Any:
    kind = column.type
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise _Bad(f"is {json_type(value)}, not true or false")
        return value
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= INT_LIMIT:
            raise _Bad("is not a whole number in range")
        return value
    if isinstance(kind, UTCDateTime):
        if not isinstance(value, str) or len(value) > 40:
            raise _Bad("is not a time (ISO 8601)")
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _Bad("is not a time (ISO 8601)") from None
        if not DATE_MIN <= moment.date() <= DATE_MAX:
            raise _Bad(f"is outside {DATE_MIN.year}–{DATE_MAX.year}")
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
    if isinstance(kind, Date):
        if not isinstance(value, str) or len(value) > 10:
            raise _Bad("is not a date (YYYY-MM-DD)")
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise _Bad("is not a date (YYYY-MM-DD)") from None
        if not DATE_MIN <= day <= DATE_MAX:
            raise _Bad(f"is outside {DATE_MIN.year}–{DATE_MAX.year}")
        return day
    if isinstance(kind, Numeric):
        digits = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if len(digits) > 81 or not _DECIMAL.fullmatch(digits):
            raise _Bad('is not a number of 0 or more (such as "2.5")')
        number = Decimal(digits)
        whole = (kind.precision or 20) - (kind.scale or 0)
        if number >= Decimal(10) ** whole or number != round(number, kind.scale or 0):
            decimals = plural(kind.scale or 0, "decimal")
            raise _Bad(f"does not fit the column ({whole} digits, {decimals})")
        if kind.precision == 7 and kind.scale == 1 and number > POINTS_MAX:  # story points
            raise _Bad(f"is more than {POINTS_MAX:,} points")
        return number
    if isinstance(kind, JSON):
        if not isinstance(value, dict | list):
            raise _Bad(f"is {json_type(value)}, not an object")
        _check_json(value)
        return value
    if isinstance(kind, String):  # String and Text
        if not isinstance(value, str):
            raise _Bad(f"is {json_type(value)}, not text")
        if _SURROGATE.search(value):
            raise _Bad("is not valid text (it holds a lone surrogate)")
        limit = kind.length or TEXT_MAX
        if len(value) > limit:
            raise _Bad(f"is {len(value):,} characters long; at most {limit:,} are allowed")
        control = _CONTROL if kind.length else _CONTROL_IN_TEXT
        if control.search(value):
            raise _Bad("holds control characters")
        choices = CHOICES.get((table.name, column.name))
        if choices is not None and value not in choices:
            raise _Bad(f"is not one of {', '.join(choices)}")
        pattern = PATTERNS.get((table.name, column.name))
        if pattern is not None and not pattern.match(value):
            raise _Bad("is not of the form Sprintdeck writes")
        return value
    return value


def _check_json(value: Any) -> None:
    """A history event's before/after: bounded depth, real text, finite numbers."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > JSON_DEPTH:
            raise _Bad(f"is nested more than {JSON_DEPTH} levels deep")
        if isinstance(item, dict):
            for key, inner in item.items():
                if _SURROGATE.search(key):
                    raise _Bad("is not valid text (it holds a lone surrogate)")
                pending.append((inner, depth + 1))
        elif isinstance(item, list):
            pending.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str) and _SURROGATE.search(item):
            raise _Bad("is not valid text (it holds a lone surrogate)")


def _decode_rows(name: str, table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for index, row in enumerate(rows):
        decoded: dict[str, Any] = {}
        for column in table.columns:
            where = f"{name}: row {index + 1} of 'tables.{table.name}'"
            if column.name not in row:
                has_default = column.default is not None or column.server_default is not None
                if column.nullable or has_default:
                    continue
                raise ImportRefused(f"{where} has no {column.name!r}.")
            value = row[column.name]
            if value is None:
                if not column.nullable:
                    raise ImportRefused(f"{where} has no value in {column.name!r}.")
                decoded[column.name] = None
                continue
            try:
                decoded[column.name] = _decode_value(table, column, value)
            except _Bad as bad:
                raise ImportRefused(
                    f"{where}: {column.name!r} = {shown(value, 40)} {bad}."
                ) from None
        out.append(decoded)
    return out


def _check_references(name: str, decoded: dict[str, list[dict[str, Any]]]) -> None:
    """Unique keys unique and every reference pointing at a row of the file, so that the
    restore cannot fail half way on a constraint (its message would blame someone else)."""
    for table in tables():
        rows = decoded.get(table.name, [])
        keys = [tuple(c.name for c in table.primary_key.columns)]
        keys += [
            tuple(c.name for c in constraint.columns)
            for constraint in table.constraints
            if type(constraint).__name__ == "UniqueConstraint"
        ]
        keys += [(c.name,) for c in table.columns if c.unique]
        for names in keys:
            seen: dict[tuple[Any, ...], int] = {}
            for index, row in enumerate(rows):
                value = tuple(row.get(n) for n in names)
                if None in value:
                    continue
                if value in seen:
                    same = shown(value[0] if len(value) == 1 else value, 40)
                    raise ImportRefused(
                        f"{name}: rows {seen[value] + 1} and {index + 1} of 'tables.{table.name}' "
                        f"have the same {', '.join(names)} {same}."
                    )
                seen[value] = index
        for fk in table.foreign_keys:
            target = fk.column
            present = {r.get(target.name) for r in decoded.get(target.table.name, [])}
            for index, row in enumerate(rows):
                value = row.get(fk.parent.name)
                if value is not None and value not in present:
                    raise ImportRefused(
                        f"{name}: row {index + 1} of 'tables.{table.name}' names "
                        f"{target.table.name} {fk.parent.name} = {shown(value, 30)}, which is "
                        "not in the file."
                    )
    numbers: dict[int, int] = {}
    for card in decoded.get("card", []):
        numbers[card["project_id"]] = max(numbers.get(card["project_id"], 0), card["number"])
    for index, project in enumerate(decoded.get("project", [])):
        top = numbers.get(project["id"], 0)
        if project.get("next_card_number", top + 1) <= top:
            raise ImportRefused(
                f"{name}: row {index + 1} of 'tables.project' has 'next_card_number' = "
                f"{project['next_card_number']}, but its cards go up to {top}."
            )
