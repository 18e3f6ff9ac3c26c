"""Sprintdeck's own export: every project with all its history, in a versioned JSON format.

The format (documented in docs/import-export.md)::

    {"format": "sprintdeck", "version": 1, "schema": "0004", "exported_at": "...",
     "tables": {"project": [{"id": 1, "key": "SD", ...}, ...], "card": [...], ...}}

``tables`` holds every table of the schema (but alembic's own) as a list of row objects, keyed
by column name, in id order; ids are kept, so every reference stays a plain id. Values are JSON
scalars: times are ISO 8601 in UTC, dates ISO, decimals strings, JSON columns objects.
Importing restores it exactly, into a database that holds no projects and no members yet.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, Numeric, Table, func, select, text
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.models import Base, Member, Project
from app.models.base import UTCDateTime
from app.services.transfer.common import ImportRefused, Progress, read_text

FORMAT = "sprintdeck"
VERSION = 1
EXPECTED = "a Sprintdeck export (sprintdeck export -o FILE.json)"


def tables() -> list[Table]:
    """Every table, parents before children (the order rows are written back in)."""
    return [t for t in Base.metadata.sorted_tables if t.name != "alembic_version"]


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


def _decoder(column: Any) -> Any:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return lambda v: dt.datetime.fromisoformat(v.replace("Z", "+00:00")).astimezone(dt.UTC)
    if isinstance(kind, Date):
        return dt.date.fromisoformat
    if isinstance(kind, Numeric) and not isinstance(kind, Integer):
        return lambda v: Decimal(str(v))
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, JSON):
        return lambda v: v
    return lambda v: v


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
    name = Path(path).name
    raw = read_text(path, EXPECTED)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            f"expected {EXPECTED}. Is the file complete?"
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(f"{name} has no key 'format' = \"sprintdeck\"; expected {EXPECTED}.")
    version = data.get("version")
    if version != VERSION:
        raise ImportRefused(
            f"{name} is in version {version!r} of the Sprintdeck format (key 'version'); "
            f"this Sprintdeck reads version {VERSION}."
        )
    if not isinstance(data.get("tables"), dict):
        raise ImportRefused(f"{name} has no object under the key 'tables'; expected {EXPECTED}.")
    known = {t.name: t for t in tables()}
    for table_name, rows in data["tables"].items():
        if table_name not in known:
            raise ImportRefused(
                f"{name}: the table {table_name!r} (key 'tables.{table_name}') is unknown to "
                "this Sprintdeck; the file was written by a newer version."
            )
        if not isinstance(rows, list):
            raise ImportRefused(f"{name}: 'tables.{table_name}' should be a list of rows.")
        columns = {c.name for c in known[table_name].columns}
        for index, row in enumerate(rows):
            extra = set(row) - columns if isinstance(row, dict) else {"?"}
            if extra:
                raise ImportRefused(
                    f"{name}: row {index + 1} of 'tables.{table_name}' has the unknown key "
                    f"{sorted(extra)[0]!r}."
                )
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
        decoders = {c.name: _decoder(c) for c in table.columns}
        decoded = [
            {k: (None if v is None else decoders[k](v)) for k, v in row.items()} for row in rows
        ]
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
