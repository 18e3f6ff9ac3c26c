"""A card's history events as the sentences people say: "Moved from To Do to In Progress",
"Story points 5 → 8", "Added to DEMO Sprint 3", "Labels: +frontend −backend".

Pure functions: the names of people, epics, labels and sprints come in as plain data
(:class:`HistoryNames`), so the card editor, a report or the command line can all use them.
An event stores ids and values as they were written (numbers as text, dates in ISO form);
whatever cannot be named is still shown, never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from app.metrics.points import format_points
from app.services.dto import HistoryEventDTO
from app.words import plural

NOTHING = "—"
PLUS, MINUS, ARROW = "+", "−", "→"


def iso_date(day: dt.date) -> str:
    return day.isoformat()


@dataclass(frozen=True)
class HistoryNames:
    """What the sentences name things by: ids to display names (a member's name, an epic's
    "DEMO-1 Checkout redesign", a label's or sprint's name) and how a date is written."""

    members: Mapping[int, str] = field(default_factory=dict)
    epics: Mapping[int, str] = field(default_factory=dict)
    labels: Mapping[int, str] = field(default_factory=dict)
    sprints: Mapping[int, str] = field(default_factory=dict)
    format_date: Callable[[dt.date], str] = iso_date


# Fields an event may carry that say nothing to a person (ordering keys, the column's
# category beside its name, the importer's bookkeeping).
_SILENT = frozenset({"rank", "category", "source", "external_id"})


def describe_event(event: HistoryEventDTO, names: HistoryNames | None = None) -> str:
    """The event as one line per change it made (most events make one)."""
    return "\n".join(describe_lines(event, names or HistoryNames()))


def describe_lines(event: HistoryEventDTO, names: HistoryNames) -> list[str]:
    before, after = event.before or {}, event.after or {}
    kind = event.kind
    if kind == "created":
        return [_created(after, names)]
    if kind == "moved":
        return [_moved(before, after)]
    if kind == "ranked":
        return [_ranked(before, after)]
    if kind == "archived":
        return ["Deleted (archived)"]
    if kind == "restored":
        return ["Restored"]
    if kind == "blocked":
        return [_blocked(after)]
    if kind == "unblocked":
        return ["Unblocked"]
    if kind == "sprint_changed":
        return [_sprint(before, after, names)]
    lines = _field_lines(before, after, names)
    if lines:
        return lines
    return [kind.replace("_", " ").capitalize()]


# --- one sentence per kind -----------------------------------------------------------------


def _created(after: dict[str, Any], names: HistoryNames) -> str:
    column = after.get("column")
    source = after.get("source")
    where = f" into {column}" if column and source else f" in {column}" if column else ""
    head = f"Imported from {str(source).capitalize()}" if source else "Created"
    parts = [head + where]
    sprint = _sprint_name(after.get("sprint_id"), after.get("sprint"), names)
    if sprint:
        parts.append(f"in {sprint}")
    points = _number(after.get("points"))
    if points is not None:
        parts.append(_points_phrase(points))
    if after.get("assignee_id") is not None:
        parts.append(f"assigned to {_member(after['assignee_id'], names)}")
    if after.get("blocked"):
        reason = str(after.get("blocked_reason") or "").strip()
        parts.append(f"blocked: {reason}" if reason else "blocked")
    return ", ".join(parts)


def _moved(before: dict[str, Any], after: dict[str, Any]) -> str:
    old, new = before.get("column"), after.get("column")
    if old and new:
        return f"Moved from {old} to {new}"
    return f"Moved to {new}" if new else "Moved"


def _ranked(before: dict[str, Any], after: dict[str, Any]) -> str:
    old, new = before.get("rank"), after.get("rank")
    if isinstance(old, str) and isinstance(new, str) and old != new:
        # Rank keys sort as plain strings (the C collation): a smaller key is higher up.
        return "Moved up in the ranking" if new < old else "Moved down in the ranking"
    return "Re-ranked"


def _blocked(after: dict[str, Any]) -> str:
    reason = str(after.get("blocked_reason") or "").strip()
    return f"Blocked: {reason}" if reason else "Blocked"


def _sprint(before: dict[str, Any], after: dict[str, Any], names: HistoryNames) -> str:
    old = _sprint_name(before.get("sprint_id"), before.get("sprint"), names)
    new = _sprint_name(after.get("sprint_id"), after.get("sprint"), names)
    if old and new:
        return f"Moved from {old} to {new}"
    if new:
        return f"Added to {new}"
    if old:
        return f"Removed from {old}"
    return "Sprint changed"


# --- edits, field by field -----------------------------------------------------------------


def _field_lines(before: dict[str, Any], after: dict[str, Any], names: HistoryNames) -> list[str]:
    fields = [n for n in dict.fromkeys([*before, *after]) if n not in _SILENT]
    lines = []
    if "blocked" in fields:
        lines.append(_blocked(after) if after.get("blocked") else "Unblocked")
    if "sprint" in fields or "sprint_id" in fields:
        lines.append(_sprint(before, after, names))
    for name in fields:
        if name in ("blocked", "sprint", "sprint_id"):
            continue
        if name == "blocked_reason" and "blocked" in fields:
            continue  # said by the block's own sentence
        if name == "column":
            lines.append(_moved(before, after))
            continue
        lines.append(_field(name, before.get(name), after.get(name), names))
    return lines


_LABELS = {
    "title": "Title",
    "description": "Description",
    "type": "Type",
    "priority": "Priority",
    "points": "Story points",
    "estimate_hours": "Estimate",
    "remaining_hours": "Remaining",
    "assignee_id": "Assignee",
    "reporter_id": "Reporter",
    "parent_id": "Epic",
    "due_date": "Due date",
    "blocked_reason": "Reason for the block",
    "label_ids": "Labels",
    "watcher_ids": "Watchers",
    "checklist": "Checklist",
    "archived": "Archived",
}


def _field(name: str, old: Any, new: Any, names: HistoryNames) -> str:
    label = _LABELS.get(name) or name.removesuffix("_id").replace("_", " ").capitalize()
    if name == "title":
        return f"Renamed from “{old or ''}” to “{new or ''}”"
    if name == "description":
        if not str(old or "").strip():
            return "Description added"
        return "Description removed" if not str(new or "").strip() else "Description changed"
    if name == "points":
        return f"{label} {_points_text(old)} {ARROW} {_points_text(new)}"
    if name in ("estimate_hours", "remaining_hours"):
        return f"{label} {_hours_text(old)} {ARROW} {_hours_text(new)}"
    if name in ("label_ids", "watcher_ids"):
        lookup = names.labels if name == "label_ids" else names.members
        return f"{label}: {_set_change(old, new, lookup)}"
    if name == "checklist":
        return _checklist(old, new)
    if name == "due_date":
        return f"{label}: {_date_text(old, names)} {ARROW} {_date_text(new, names)}"
    return f"{label}: {_value(name, old, names)} {ARROW} {_value(name, new, names)}"


def _value(name: str, value: Any, names: HistoryNames) -> str:
    """A field's value by the name a person knows it by."""
    if value is None or value == "":
        return NOTHING
    if name in ("assignee_id", "reporter_id"):
        return _member(value, names)
    if name == "parent_id":
        return _epic(value, names)
    if name in ("type", "priority"):
        return str(value).replace("_", " ").capitalize()
    return _plain(value)


def _set_change(old: Any, new: Any, lookup: Mapping[int, str]) -> str:
    old_ids, new_ids = set(_ids(old)), set(_ids(new))

    def named(ids: set[int]) -> list[str]:
        return sorted((lookup.get(i, f"#{i}") for i in ids), key=str.lower)

    parts = [PLUS + n for n in named(new_ids - old_ids)]
    parts += [MINUS + n for n in named(old_ids - new_ids)]
    return " ".join(parts) or "unchanged"


def _checklist(old: Any, new: Any) -> str:
    before, after = _items(old), _items(new)
    done_before, done_after = dict(before), dict(after)
    added = [t for t, _ in after if t not in done_before]
    removed = [t for t, _ in before if t not in done_after]
    ticked = [t for t, d in after if d and done_before.get(t) is False]
    unticked = [t for t, d in after if not d and done_before.get(t) is True]
    parts = []
    for verb, texts in (
        ("added", added),
        ("removed", removed),
        ("ticked", ticked),
        ("unticked", unticked),
    ):
        if texts:
            parts.append(f"{verb} " + ", ".join(f"“{t}”" for t in texts))
    if not parts:
        return "Checklist reordered" if before != after else "Checklist unchanged"
    return "Checklist: " + "; ".join(parts)


# --- values ----------------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _points_text(value: Any) -> str:
    number = _number(value)
    if number is None:
        return NOTHING if value in (None, "") else str(value)
    return format_points(number)


def _points_phrase(number: Decimal) -> str:
    text = format_points(number)
    return f"{text} point" if text == "1" else f"{text} points"


def _hours_text(value: Any) -> str:
    number = _number(value)
    if number is None:
        return NOTHING if value in (None, "") else str(value)
    return f"{format_points(number)} h"


def _date_text(value: Any, names: HistoryNames) -> str:
    if value in (None, ""):
        return NOTHING
    if isinstance(value, dt.date):
        return names.format_date(value)
    try:
        return names.format_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _member(value: Any, names: HistoryNames) -> str:
    return names.members.get(value, f"member #{value}") if isinstance(value, int) else str(value)


def _epic(value: Any, names: HistoryNames) -> str:
    return names.epics.get(value, f"card #{value}") if isinstance(value, int) else str(value)


def _sprint_name(sprint_id: Any, stored: Any, names: HistoryNames) -> str | None:
    """The sprint's name today (it may have been renamed), else the name the event kept."""
    if isinstance(sprint_id, int) and sprint_id in names.sprints:
        return names.sprints[sprint_id]
    if stored:
        return str(stored)
    return f"sprint #{sprint_id}" if sprint_id is not None else None


def _ids(value: Any) -> list[int]:
    if not isinstance(value, list | tuple):
        return []
    return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]


def _items(value: Any) -> list[tuple[str, bool]]:
    items = []
    for entry in value if isinstance(value, list | tuple) else ():
        if isinstance(entry, list | tuple) and len(entry) == 2:
            items.append((str(entry[0]), bool(entry[1])))
    return items


def _plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def count_events(count: int) -> str:
    """How the History tab counts a card's events: "1 change", "3 changes"."""
    return plural(count, "change")


__all__ = ["HistoryNames", "count_events", "describe_event", "describe_lines", "iso_date"]
