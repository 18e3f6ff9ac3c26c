"""Jira's "Export issues > CSV (all fields)" as an import plan.

The header repeats columns (Labels, Comment, Watchers, Sprint, Attachment...), dates are in
the exporting user's format (``28/Nov/25 5:03 PM``), story points may be in any of several
custom fields, and descriptions span lines inside quotes. See docs/import-export.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

from app.services.transfer.common import (
    ImportPlan,
    ImportRefused,
    PlannedCard,
    PlannedColumn,
    PlannedComment,
    PlannedSprint,
    derive_key,
    parse_points,
    read_text,
)

EXPECTED = "a Jira CSV export (Export issues > CSV, all fields)"
REQUIRED = ("Summary", "Issue key")
POINT_FIELDS = (
    "Custom field (Story Points)",
    "Custom field (Story point estimate)",
    "Custom field (Story points)",
    "Story Points",
    "Story point estimate",
)
TYPES = {
    "story": "story",
    "user story": "story",
    "bug": "bug",
    "defect": "bug",
    "task": "task",
    "sub-task": "task",
    "subtask": "task",
    "improvement": "task",
    "new feature": "story",
    "epic": "epic",
    "spike": "spike",
}
PRIORITIES = {
    "highest": "highest",
    "blocker": "highest",
    "critical": "highest",
    "high": "high",
    "major": "high",
    "medium": "medium",
    "normal": "medium",
    "low": "low",
    "minor": "low",
    "lowest": "lowest",
    "trivial": "lowest",
}
CATEGORY_NAMES = {"to do": "todo", "new": "todo", "in progress": "in_progress", "done": "done"}
DONE_STATUS = re.compile(r"\b(done|closed|resolved|complete[d]?|released|won't do|cancel)", re.I)
TODO_STATUS = re.compile(r"^(to do|todo|open|backlog|new|selected for development|reopened)$", re.I)
CATEGORY_ORDER = {"todo": 0, "in_progress": 1, "done": 2}
DATE_FORMATS = (
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%y",
    "%d/%b/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)


def parse_date(value: str) -> dt.datetime | None:
    """A Jira date in the exporting user's format, taken as UTC; None when blank or unknown."""
    text = (value or "").strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _seconds_to_hours(value: str) -> Decimal | None:
    text = (value or "").strip()
    if not text.isdigit():
        return None
    return (Decimal(text) / 3600).quantize(Decimal("0.01"))


class _Row:
    """One data row with the repeated header columns gathered into lists."""

    def __init__(self, header: list[str], values: list[str], line: int) -> None:
        self.line = line
        self.fields: dict[str, list[str]] = {}
        for name, value in zip(header, values, strict=False):
            self.fields.setdefault(name, []).append(value)

    def one(self, name: str) -> str:
        for value in self.fields.get(name, []):
            if value.strip():
                return value.strip()
        return ""

    def many(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]


def _read_rows(path: str | Path) -> tuple[list[str], list[_Row]]:
    name = Path(path).name
    text = read_text(path, EXPECTED)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRefused(f"{name} line 1 is not CSV ({exc}); expected {EXPECTED}.") from exc
    if not header:
        raise ImportRefused(f"{name} is empty; expected {EXPECTED}.")
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        shown = ", ".join(repr(h) for h in header[:4])
        raise ImportRefused(
            f"{name} line 1 has no column {missing[0]!r} (its header starts with {shown}); "
            f"expected {EXPECTED}."
        )
    rows: list[_Row] = []
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportRefused(
                f"{name} line {reader.line_num}: {exc}; expected {EXPECTED}. Is the file complete?"
            ) from exc
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise ImportRefused(
                f"{name} line {line}: {len(values)} fields where the header has {len(header)}."
            )
        rows.append(_Row(header, values, line))
    return header, rows


def _status_category(status: str, category: str) -> str:
    if category.strip().lower() in CATEGORY_NAMES:
        return CATEGORY_NAMES[category.strip().lower()]
    if DONE_STATUS.search(status):
        return "done"
    if TODO_STATUS.match(status.strip()):
        return "todo"
    return "in_progress"


def _comment(value: str, people: dict[str, str]) -> PlannedComment | None:
    parts = value.split(";", 2)
    if len(parts) == 3:
        when = parse_date(parts[0])
        if when is not None:
            author = people.get(parts[1].strip(), parts[1].strip() or "unknown")
            return PlannedComment(author, when, parts[2].strip())
    return None


def parse_jira_csv(path: str | Path) -> ImportPlan:
    name = Path(path).name
    _header, rows = _read_rows(path)
    if not rows:
        raise ImportRefused(f"{name} has a Jira header but no issues.")
    # accountId -> name, from the "Assignee Id"/"Reporter Id"/"Creator Id" pairs
    people: dict[str, str] = {}
    for row in rows:
        for role in ("Assignee", "Reporter", "Creator"):
            account, person = row.one(f"{role} Id"), row.one(role)
            if account and person:
                people[account] = person

    project_key = next((r.one("Project key") for r in rows if r.one("Project key")), "")
    project_name = next((r.one("Project name") for r in rows if r.one("Project name")), "")
    plan = ImportPlan(
        source="jira",
        project_name=project_name or project_key or "Jira import",
        project_key=project_key.upper() if project_key else derive_key(project_name or name),
    )
    plan.keep_numbers_for = plan.project_key

    statuses: dict[str, str] = {}
    sprint_order: list[str] = []
    sprint_closed: set[str] = set()
    sprint_cards: dict[str, list[PlannedCard]] = {}
    by_id: dict[str, str] = {}
    ranked: list[tuple[str, int, PlannedCard]] = []
    members: list[str] = []
    for index, row in enumerate(rows):
        key = row.one("Issue key")
        title = row.one("Summary")
        if not key:
            raise ImportRefused(f"{name} line {row.line}: the column 'Issue key' is empty.")
        if not title:
            raise ImportRefused(f"{name} line {row.line}: the column 'Summary' is empty ({key}).")
        status = row.one("Status") or "To Do"
        category = _status_category(status, row.one("Status Category"))
        statuses.setdefault(status, category)
        if row.one("Issue id"):
            by_id[row.one("Issue id")] = key
        points = None
        for field_name in POINT_FIELDS:
            points = parse_points(row.one(field_name))
            if points is not None:
                break
        created = parse_date(row.one("Created"))
        if row.one("Created") and created is None:
            raise ImportRefused(
                f"{name} line {row.line}: the date {row.one('Created')!r} in 'Created' "
                "is in no format Sprintdeck knows (such as 28/Nov/25 5:03 PM)."
            )
        resolved = parse_date(row.one("Resolved"))
        due = parse_date(row.one("Due date"))
        sprints = row.many("Sprint")
        for sprint in sprints:
            if sprint not in sprint_order:
                sprint_order.append(sprint)
        sprint_closed.update(sprints[:-1])  # carried over from them, so they closed
        assignee, reporter = row.one("Assignee"), row.one("Reporter")
        watchers = [people.get(w, w) for w in row.many("Watchers")]
        watchers = [w for w in dict.fromkeys(watchers) if w and w != assignee]
        members += [p for p in (assignee, reporter, *watchers) if p]
        number = key.rpartition("-")[2]
        card = PlannedCard(
            external_id=key,
            title=title,
            column=status,
            description=row.one("Description").replace("\r\n", "\n"),
            type=TYPES.get(row.one("Issue Type").lower(), "task"),
            priority=PRIORITIES.get(row.one("Priority").lower(), "medium"),
            points=points,
            estimate_hours=_seconds_to_hours(row.one("Original Estimate")),
            remaining_hours=_seconds_to_hours(row.one("Remaining Estimate")),
            assignee=assignee or None,
            reporter=reporter or None,
            watchers=watchers,
            labels=list(dict.fromkeys(row.many("Labels"))),
            sprint=sprints[-1] if sprints else None,
            past_sprints=sprints[:-1],
            parent=row.one("Custom field (Epic Link)") or row.one("Parent") or None,
            due_date=due.date() if due else None,
            created_at=created,
            updated_at=parse_date(row.one("Updated")) or created,
            resolved_at=resolved,
            number=int(number) if number.isdigit() else None,
            comments=[c for c in (_comment(v, people) for v in row.many("Comment")) if c],
        )
        if card.sprint:
            sprint_cards.setdefault(card.sprint, []).append(card)
        for old in sprints[:-1]:
            sprint_cards.setdefault(old, [])
        ranked.append((row.one("Custom field (Rank)"), index, card))
        for label in card.labels:
            plan.labels.setdefault(label, "")
    # the parent may be named by key (Epic Link) or by issue id (Parent)
    for _rank, _index, card in ranked:
        if card.parent and card.parent in by_id:
            card.parent = by_id[card.parent]
    # Jira's own ranking when exported (LexoRank strings sort), else the file's order
    ranked.sort(key=lambda r: (r[0] == "", r[0], r[1]))
    plan.cards = [card for _rank, _index, card in ranked]
    order = sorted(statuses, key=lambda s: CATEGORY_ORDER[statuses[s]])
    plan.columns = [PlannedColumn(status[:60], statuses[status]) for status in order]
    first_todo = next((s for s in order if statuses[s] == "todo"), order[0])
    for card in plan.cards:
        if statuses.get(card.column) != "todo":
            card.created_in = first_todo
    plan.members = list(dict.fromkeys(members))
    plan.sprints = _sprints(sprint_order, sprint_closed, sprint_cards, statuses)
    return plan


def _sprints(
    order: list[str],
    closed: set[str],
    cards: dict[str, list[PlannedCard]],
    statuses: dict[str, str],
) -> list[PlannedSprint]:
    """Closed: left by a carried-over card, or every card done with a later sprint after it.
    Active: the first sprint not closed that has work started; the rest are planned."""
    result: list[PlannedSprint] = []
    active_given = False
    for index, name in enumerate(order):
        members = cards.get(name, [])
        all_done = bool(members) and all(statuses.get(c.column) == "done" for c in members)
        is_closed = name in closed or (all_done and index < len(order) - 1)
        created = [c.created_at for c in members if c.created_at]
        resolved = [c.resolved_at for c in members if c.resolved_at]
        sprint = PlannedSprint(name=name)
        if is_closed:
            sprint.state = "closed"
            sprint.started_at = min(created) if created else None
            sprint.closed_at = max(resolved) if resolved else sprint.started_at
        elif not active_given and any(statuses.get(c.column) != "todo" for c in members):
            sprint.state = "active"
            sprint.started_at = min(created) if created else None
            active_given = True
        if sprint.started_at:
            sprint.start_date = sprint.started_at.date()
        if sprint.closed_at:
            sprint.end_date = sprint.closed_at.date()
        result.append(sprint)
    return result
