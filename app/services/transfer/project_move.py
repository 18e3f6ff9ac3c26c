"""Move one project between databases: ``export --project KEY`` and its import.

A project export is a Sprintdeck export (app/services/transfer/native.py, the same format,
version and value checks) holding one project's rows only, and saying so::

    {"format": "sprintdeck", "version": 1, "schema": "0007", "scope": {"project": "SD"},
     "tables": {"project": [{...}], "card": [...], "member": [...], ...}}

Which rows belong to a project is read from ``Base.metadata``, not listed by hand, so a new
table is carried as soon as its foreign keys lead to the project:

* The project's own tables are those with a path of foreign keys to ``project`` (cards,
  columns, sprints and their snapshots and capacity, labels, holidays, comments, history,
  checklist items, card labels and watchers, project members, import refs...). A row of one
  of them is the project's when each of its foreign keys into these tables (self-references
  aside) is either empty or names a row of the project, and at least one is set.
* Any other table (``member``) is shared: a row of it is carried when one of the carried rows
  names it (the project's members, assignees, watchers, capacity rows), and the rows of
  tables that hang only on shared rows come with the row they hang on, and so does a row
  of a project table whose project keys are all empty (a member's default ``member_rate``).

Importing writes it into any database, one transaction: rows parents first (the order of
``Base.metadata.sorted_tables``), each without its id, so the database gives a new one;
every old id is mapped to its new one and every foreign key rewritten through the mapping of
the table it names. A member is matched to an existing one by display name, regardless of
case, and then keeps what that database says of them (their default rates; the rates they
had in the file become the moved project's own rates for them, so its logs cost what they
cost before the move); everything else,
labels included, is the project's own. Card numbers, ranks, keys, the history (actors, times,
changed values) and the sprint snapshots stay as they were, so the moved project's reports
and charts are the same in both databases. Ids that are not foreign keys are rewritten too:
the history's ``column_id_after``/``sprint_id_after`` (:data:`SOFT_REFERENCES`) and the ids
inside its before/after values (:data:`HISTORY_ID_KEYS`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.models import Base, Project
from app.services.transfer.checks import ImportRefused, shown
from app.services.transfer.common import Progress
from app.services.transfer.native import FORMAT, VERSION, _encode, tables
from app.services.validation import KEY_PATTERN

SCOPE = "scope"
ROOT = "project"
# Integer columns that hold a row's id without being a foreign key (the history keeps them
# even when the column or sprint is gone): (table, column) -> the table they name.
SOFT_REFERENCES: dict[tuple[str, str], str] = {
    ("history_event", "column_id_after"): "workflow_column",
    ("history_event", "sprint_id_after"): "sprint",
}
# Keys of a history event's before/after that hold ids (a list for the *_ids ones).
HISTORY_ID_KEYS: dict[str, str] = {
    "sprint_id": "sprint",
    "column_id": "workflow_column",
    "assignee_id": "member",
    "reporter_id": "member",
    "parent_id": "card",
    "label_ids": "label",
    "watcher_ids": "member",
}
HISTORY_JSON = ("history_event", ("before", "after"))
# Shared rows matched to an existing row instead of being added: table -> column (any case).
MATCH_BY: dict[str, str] = {"member": "display_name"}
_CHUNK = 500


# --- which rows are a project's -------------------------------------------------------------


def project_tables() -> set[Table]:
    """The tables with a path of foreign keys to ``project`` (``project`` itself included)."""
    owned = {Base.metadata.tables[ROOT]}
    for table in tables():  # parents first: a table's targets are decided before it
        if any(
            fk.column.table in owned and fk.column.table is not table for fk in table.foreign_keys
        ):
            owned.add(table)
    return owned


def _within(table: Table, wheres: dict[Table, ColumnElement[bool]]) -> ColumnElement[bool]:
    """Every foreign key of ``table`` into the decided tables empty or naming a decided row,
    at least one set; false when ``table`` has no such key."""
    keys = [
        fk
        for fk in table.foreign_keys
        if fk.column.table in wheres and fk.column.table is not table
    ]
    if not keys:
        return false()
    inside = [
        or_(
            fk.parent.is_(None),
            fk.parent.in_(select(fk.column).where(wheres[fk.column.table])),
        )
        for fk in keys
    ]
    return and_(*inside, or_(*[fk.parent.is_not(None) for fk in keys]))


def project_rows(key: str) -> dict[Table, ColumnElement[bool]]:
    """For each table, the condition its rows of the project ``key`` meet (see the module's
    docstring); one SQL condition per table, made of subqueries, so nothing is read twice."""
    owned = project_tables()
    ordered = tables()
    wheres: dict[Table, ColumnElement[bool]] = {}
    for table in ordered:
        if table.name == ROOT:
            wheres[table] = table.c.key == key
        elif table in owned:
            wheres[table] = _within(table, wheres)
    shared = [t for t in ordered if t not in owned]
    named: dict[Table, ColumnElement[bool]] = {}
    for table in reversed(shared):  # children first: who names a shared row is decided
        ways = [
            fk.column.in_(select(fk.parent).where(where))
            for referrer, where in [*wheres.items(), *named.items()]
            for fk in referrer.foreign_keys
            if fk.column.table is table and referrer is not table
        ]
        named[table] = or_(*ways) if ways else false()
    for table in shared:  # parents first: hanging on shared rows already carried
        decided = {t: w for t, w in wheres.items()}
        wheres[table] = or_(named[table], _within(table, decided))
    for table in owned:  # a row with no project part hangs on a shared row (a default rate)
        if table.name != ROOT and _shared_keys(table, owned):
            wheres[table] = or_(
                wheres[table],
                and_(
                    *[fk.parent.is_(None) for fk in _owned_keys(table, owned)],
                    or_(
                        *[
                            fk.parent.in_(select(fk.column).where(wheres[fk.column.table]))
                            for fk in _shared_keys(table, owned)
                        ]
                    ),
                ),
            )
    return wheres


def _owned_keys(table: Table, owned: set[Table]) -> list[Any]:
    return [fk for fk in table.foreign_keys if fk.column.table in owned]


def _shared_keys(table: Table, owned: set[Table]) -> list[Any]:
    """``table``'s foreign keys to shared tables, where its keys into the project's tables
    may all be empty (``member_rate``: a member's default rate has no project)."""
    if not all(fk.parent.nullable for fk in _owned_keys(table, owned)):
        return []
    return [fk for fk in table.foreign_keys if fk.column.table not in owned]


def export_project_data(session: Session, key: str, schema: str) -> dict[str, Any]:
    """The project ``key``'s rows in the Sprintdeck export format, with ``scope``."""
    key = key.strip().upper()
    if session.scalar(select(Project.id).where(Project.key == key)) is None:
        known = session.scalars(select(Project.key).order_by(Project.key)).all()
        raise Conflict(
            f"There is no project {shown(key)} in this database"
            + (f" (it has {', '.join(known)})." if known else ".")
        )
    wheres = project_rows(key)
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "schema": schema,
        SCOPE: {"project": key},
        "exported_at": _encode(dt.datetime.now(dt.UTC)),
        "tables": {},
    }
    for table in tables():
        names = [c.name for c in table.columns]
        query: Select[Any] = (
            select(*table.columns).where(wheres[table]).order_by(*table.primary_key.columns)
        )
        out["tables"][table.name] = [
            {n: _encode(v) for n, v in zip(names, row, strict=True)}
            for row in session.execute(query)
        ]
    return out


# --- reading one back --------------------------------------------------------------------


def project_scope(data: dict[str, Any]) -> str | None:
    """The key of the project a checked export holds alone, None for a whole-database one."""
    scope = data.get(SCOPE)
    if scope is None:
        return None
    if not isinstance(scope, dict) or not isinstance(scope.get("project"), str):
        raise ImportRefused(
            "The export's 'scope' should be an object naming the project, such as "
            '{"project": "SD"}.'
        )
    return scope["project"]


_REVISION = re.compile(r"^([0-9]{1,6})")


def check_project_export(name: str, data: dict[str, Any], app_schema: str) -> dict[str, Any]:
    """The one project row of a project export read by ``load_export``, or ImportRefused
    (the file's schema newer than this app's, no project row or more than one, a row of the
    project's tables that is not that project's)."""
    schema = data.get("schema", "")
    if not isinstance(schema, str):
        raise ImportRefused(f"{name}: 'schema' = {shown(schema, 30)} is not a schema revision.")
    theirs, ours = _REVISION.match(schema), _REVISION.match(app_schema or "")
    if schema and ours and (theirs is None or int(theirs[1]) > int(ours[1])):
        raise ImportRefused(
            f"{name} was written by a newer Sprintdeck (schema {shown(schema, 20)}; this one "
            f"has {app_schema}); update Sprintdeck to import it. Nothing was changed."
        )
    key = project_scope(data)
    rows = data["tables"].get(ROOT, [])
    if len(rows) != 1 or rows[0].get("key") != key:
        found = ", ".join(shown(r.get("key"), 12) for r in rows) or "none"
        raise ImportRefused(
            f"{name} is the export of the project {shown(key, 12)} but holds "
            f"{'no project row' if not rows else 'the project rows ' + found}; "
            "export it again with sprintdeck export --project KEY."
        )
    kept: dict[str, set[Any]] = {ROOT: {rows[0]["id"]}}
    owned = project_tables()
    for table in tables():
        if table.name == ROOT or table not in owned:
            continue
        keys = [
            fk
            for fk in table.foreign_keys
            if fk.column.table is not table and fk.column.table.name in kept
        ]
        ids = set()
        for index, row in enumerate(data["tables"].get(table.name, [])):
            values = [(fk.column.table.name, row.get(fk.parent.name)) for fk in keys]
            outside = any(v is not None and v not in kept[t] for t, v in values)
            unowned = all(v is None for _, v in values) and not _shared_keys(table, owned)
            if outside or unowned:
                raise ImportRefused(
                    f"{name}: row {index + 1} of 'tables.{table.name}' is not the project "
                    f"{key}'s; a project export holds one project."
                )
            ids.add(row.get("id"))
        kept[table.name] = ids
    return rows[0]


# --- writing it ------------------------------------------------------------------------------


def import_project_data(
    session: Session,
    data: dict[str, Any],
    key: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Add the project of a checked project export with new ids (see the module's docstring);
    ``key`` renames it. Returns the new project's id. Refuses a key already in use."""
    project = data["tables"][ROOT][0]
    key = (key or project["key"]).strip().upper()
    if not KEY_PATTERN.match(key):
        raise Conflict(
            f"{shown(key, 20)} is not a project key: 2–10 capital letters or digits, "
            "starting with a letter."
        )
    if session.scalar(select(func.count(Project.id)).where(Project.key == key)):
        raise Conflict(
            f"This database already has a project {key}; import this one under another key "
            "with --key NEW. Nothing was changed."
        )
    owned = project_tables()
    referenced = {fk.column.table.name for t in tables() for fk in t.foreign_keys}
    referenced |= {*SOFT_REFERENCES.values(), *HISTORY_ID_KEYS.values()}
    new_ids: dict[str, dict[Any, Any]] = {}
    matched: dict[str, set[Any]] = {}
    deferred: list[tuple[Table, str, list[tuple[Any, Any]]]] = []
    total = sum(len(rows) for rows in data["tables"].values())
    written = 0
    try:
        for table in tables():
            rows = data["tables"].get(table.name, [])
            if table.name in MATCH_BY:
                rows = _match(session, table, MATCH_BY[table.name], rows, new_ids, matched)
            if table not in owned:  # what hangs on a matched row is that database's
                rows = [r for r in rows if not _hangs_on(table, r, matched)]
            elif _shared_keys(table, owned):  # so does a default rate of a matched member
                rows = _matched_defaults(table, rows, owned, matched, project["id"])
            if not rows:
                continue
            prepared, later = _rewrite(table, rows, new_ids)
            if table.name == ROOT:
                prepared[0]["key"] = key
            mapping = new_ids.setdefault(table.name, {})
            if table.name in referenced and "id" in table.c:  # their new ids are needed
                query = table.insert().returning(table.c.id, sort_by_parameter_order=True)
                for start in range(0, len(prepared), _CHUNK):
                    chunk = prepared[start : start + _CHUNK]
                    got = session.execute(query, chunk).scalars().all()
                    for row, new in zip(rows[start : start + _CHUNK], got, strict=True):
                        mapping[row["id"]] = new
            else:
                for start in range(0, len(prepared), _CHUNK):
                    session.execute(table.insert(), prepared[start : start + _CHUNK])
            for column, pairs in later.items():
                deferred.append((table, column, pairs))
            written += len(rows)
            if progress:
                progress(written, total)
        for table, column, pairs in deferred:  # self-references, once every row exists
            mapping = new_ids[table.name]
            query = (
                update(table)
                .where(table.c.id == bindparam("moved_id"))
                .values({column: bindparam("moved_value")})
            )
            params = [
                {"moved_id": mapping[old_id], "moved_value": mapping.get(old_value)}
                for old_id, old_value in pairs
            ]
            for start in range(0, len(params), _CHUNK):
                session.execute(query, params[start : start + _CHUNK])
        session.flush()
    except IntegrityError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else "a constraint"
        raise ImportRefused(
            f"The project cannot be added: a row of the file conflicts with this database "
            f"({shown(detail, 120)}). Nothing was changed."
        ) from None
    return new_ids[ROOT][project["id"]]


def _matched_defaults(
    table: Table,
    rows: list[dict[str, Any]],
    owned: set[Table],
    matched: dict[str, set[Any]],
    project_id: Any,
) -> list[dict[str, Any]]:
    """The rows of a project table with shared keys (``member_rate``) to add. A default row
    (no project key) of a matched member is that database's say, and is not added; for a
    rate, the moved project still has to cost its logs as it did: a matched member's
    default rates become the project's own rates for them (which come before the member's
    defaults there, so the database's defaults stay as they are for its other projects),
    unless the file already gives the member rates of the project's own (then those, as
    before the move, are what its logs cost)."""
    project_keys = [fk.parent.name for fk in _owned_keys(table, owned)]

    def is_default(row: dict[str, Any]) -> bool:
        return all(row.get(name) is None for name in project_keys)

    as_project_rates = table.name == "member_rate" and project_keys == ["project_id"]
    with_own_rates = {r.get("member_id") for r in rows if not is_default(r)}
    kept = []
    for row in rows:
        if not (is_default(row) and _hangs_on(table, row, matched)):
            kept.append(row)
        elif as_project_rates and row.get("member_id") not in with_own_rates:
            kept.append({**row, "project_id": project_id})
    return kept


def _match(
    session: Session,
    table: Table,
    column: str,
    rows: list[dict[str, Any]],
    new_ids: dict[str, dict[Any, Any]],
    matched: dict[str, set[Any]],
) -> list[dict[str, Any]]:
    """Map the rows that match an existing row by ``column`` (any case); return the rest."""
    existing: dict[str, Any] = {}
    for row_id, value in session.execute(select(table.c.id, table.c[column])):
        existing.setdefault(str(value).casefold(), row_id)
    mapping = new_ids.setdefault(table.name, {})
    rest = []
    for row in rows:
        found = existing.get(str(row[column]).casefold())
        if found is None:
            rest.append(row)
        else:
            mapping[row["id"]] = found
            matched.setdefault(table.name, set()).add(row["id"])
    return rest


def _hangs_on(table: Table, row: dict[str, Any], matched: dict[str, set[Any]]) -> bool:
    return any(
        row.get(fk.parent.name) in matched.get(fk.column.table.name, ())
        for fk in table.foreign_keys
    )


def _rewrite(
    table: Table, rows: list[dict[str, Any]], new_ids: dict[str, dict[Any, Any]]
) -> tuple[list[dict[str, Any]], dict[str, list[tuple[Any, Any]]]]:
    """The rows without their id, every reference through the mapping; self-references
    (old id, old value) for later."""
    keys = [fk for fk in table.foreign_keys if fk.column.table is not table]
    selfref = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    soft = {c: t for (tn, c), t in SOFT_REFERENCES.items() if tn == table.name}
    json_columns = HISTORY_JSON[1] if table.name == HISTORY_JSON[0] else ()
    own_id = "id" in table.c and len(table.primary_key.columns) == 1
    later: dict[str, list[tuple[Any, Any]]] = {c: [] for c in selfref}
    out = []
    for row in rows:
        new = dict(row)
        if own_id:
            new.pop("id", None)
        for fk in keys:
            value = new.get(fk.parent.name)
            if value is not None:
                new[fk.parent.name] = new_ids[fk.column.table.name][value]
        for column in selfref:
            value = new.get(column)
            if value is not None:
                later[column].append((row["id"], value))
            new[column] = None
        for column, target in soft.items():
            value = new.get(column)
            if value is not None:
                new[column] = new_ids.get(target, {}).get(value)
        for column in json_columns:
            if isinstance(new.get(column), dict):
                new[column] = _rewrite_values(new[column], new_ids)
        out.append(new)
    return out, {c: pairs for c, pairs in later.items() if pairs}


def _rewrite_values(values: dict[str, Any], new_ids: dict[str, dict[Any, Any]]) -> dict[str, Any]:
    """A history event's before/after with the ids it holds mapped (a gone row's id: None)."""
    out = dict(values)
    for name, target in HISTORY_ID_KEYS.items():
        value = out.get(name)
        mapping = new_ids.get(target, {})
        if isinstance(value, int) and not isinstance(value, bool):
            out[name] = mapping.get(value)
        elif isinstance(value, list):
            out[name] = [mapping[v] for v in value if isinstance(v, int) and v in mapping]
    return out
