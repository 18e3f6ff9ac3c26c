"""Jira's "Export issues > CSV (all fields)" as an import plan.

The header repeats columns (Labels, Comment, Watchers, Sprint, Attachment...) and is spelt
differently by Jira Server and Cloud and their versions ("Issue key" / "Issue Key",
"Original Estimate" / "Original estimate", "Custom field (Story Points)" / "Custom field
(Story point estimate)"), so columns are matched without regard to case, through a table of
aliases. Dates are in the exporting user's format (``28/Nov/25 5:03 PM``), descriptions span
lines inside quotes, and a spreadsheet may have saved the file with ';' between the fields.
See docs/import-export.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import itertools
import re
from decimal import Decimal
from pathlib import Path

from app.services.transfer.checks import (
    Cleaner,
    ImportRefused,
    read_text,
    shown,
    shown_name,
)
from app.services.transfer.common import (
    ImportPlan,
    PlannedCard,
    PlannedColumn,
    PlannedComment,
    PlannedSprint,
    derive_key,
    label_name,
)
from app.services.validation import KEY_PATTERN, TITLE_MAX

EXPECTED = "a Jira CSV export (Export issues > CSV, all fields)"
REQUIRED = (("summary", "Summary"), ("issue key", "Issue key"))
# Header spellings (lower case, spaces collapsed) -> the one name this module reads.
ALIASES = {
    "custom field (story points)": "story points",
    "custom field (story point estimate)": "story points",
    "story point estimate": "story points",
    "custom field (sprint)": "sprint",
    "custom field (epic link)": "epic link",
    "parent id": "parent",
    "parent key": "parent",
    "custom field (rank)": "rank",
    "watcher id": "watchers id",
    "watchers ids": "watchers id",
    "due": "due date",
}
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
ISSUE_NUMBER = re.compile(r"[A-Za-z][A-Za-z0-9_]*-([0-9]{1,9})")  # ASCII: '¹'.isdigit() is True
SECONDS = re.compile(r"[0-9]+")
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
    "%Y-%m-%dT%H:%M",
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
    if not text or len(text) > 40:
        return None
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def canonical(header: str) -> str:
    """The name a header column is read by: lower case, spaces collapsed, aliases resolved."""
    key = " ".join(header.split()).casefold()
    return ALIASES.get(key, key)


class _Row:
    """One data row with the repeated header columns gathered into lists."""

    def __init__(self, header: list[str], values: list[str], line: int) -> None:
        self.line = line
        self.fields: dict[str, list[str]] = {}
        for name, value in zip(header, values, strict=False):
            self.fields.setdefault(name, []).append(value)

    def one(self, name: str) -> str:
        """The first non-blank value, stripped (for keys, names, dates and numbers)."""
        for value in self.fields.get(name, []):
            if value.strip():
                return value.strip()
        return ""

    def raw(self, name: str) -> str:
        """The first non-blank value as the file has it (for titles and descriptions)."""
        for value in self.fields.get(name, []):
            if value.strip():
                return value
        return ""

    def many(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]

    def every(self, name: str) -> list[str]:
        """All values of a repeated column, blanks included (to pair two columns by place)."""
        return [v.strip() for v in self.fields.get(name, [])]


def _delimiter(text: str) -> str:
    """',' as Jira writes; ';' or a tab when the header holds more of those (outside quotes),
    as a spreadsheet saves a CSV in many languages."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in text[: text.find("\n") if "\n" in text else len(text)]:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _read_rows(path: str | Path) -> tuple[list[str], list[_Row]]:
    name = shown_name(path)
    text = read_text(path, EXPECTED)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRefused(f"{name} line 1 is not CSV ({exc}); expected {EXPECTED}.") from exc
    if not header or not any(h.strip() for h in header):
        raise ImportRefused(f"{name} is empty; expected {EXPECTED}.")
    names = [canonical(h) for h in header]
    missing = [shown_as for wanted, shown_as in REQUIRED if wanted not in names]
    if missing:
        shown_header = ", ".join(shown(h.strip(), 30) for h in header[:4])
        raise ImportRefused(
            f"{name} line 1 has no column {missing[0]!r} (its header starts with "
            f"{shown_header}); expected {EXPECTED}."
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
        if len(values) > len(names):
            raise ImportRefused(
                f"{name} line {line}: {len(values):,} fields where the header has {len(names):,}."
            )
        rows.append(_Row(names, values, line))
    return names, rows


def _status_category(status: str, category: str) -> str:
    if category.strip().lower() in CATEGORY_NAMES:
        return CATEGORY_NAMES[category.strip().lower()]
    if DONE_STATUS.search(status):
        return "done"
    if TODO_STATUS.match(status.strip()):
        return "todo"
    return "in_progress"


class _Parser:
    """Reads the rows into a plan; cleans every value through one Cleaner (names once each)."""

    def __init__(self, path: str | Path) -> None:
        self.name = shown_name(path)
        self.cleaner = Cleaner()
        self._names: dict[tuple[str, str, int], str] = {}
        self.people: dict[str, str] = {}  # account id -> name

    def word(self, value: str, noun: str, limit: int) -> str:
        """A name (person, status, sprint, label): cleaned once however often it appears."""
        key = (value, noun, limit)
        if key not in self._names:
            self._names[key] = self.cleaner.line(value, noun, limit).strip()
        return self._names[key]

    def person(self, value: str) -> str:
        name = self.people.get(value, value)
        return self.word(name, "member name", 100)

    def learn_people(self, rows: list[_Row]) -> None:
        """Account id -> name from every pair the file holds: Assignee / Assignee Id,
        Reporter / Reporter Id, Creator / Creator Id, and Watchers / Watchers Id by place."""
        for row in rows:
            for role in ("assignee", "reporter", "creator", "watchers"):
                for person, account in zip(row.every(role), row.every(f"{role} id"), strict=False):
                    if person and account and person != account:
                        self.people.setdefault(account, person)

    def date(self, row: _Row, column: str) -> dt.datetime | None:
        text = row.one(column)
        if not text:
            return None
        parsed = parse_date(text)
        if parsed is None:
            self.cleaner.note("date:unknown")
            return None
        return self.cleaner.moment(parsed)

    def hours(self, row: _Row, column: str) -> Decimal | None:
        text = row.one(column)
        if not text:
            return None
        if not SECONDS.fullmatch(text):
            self.cleaner.note("hours:bad")
            return None
        if len(text) > 12:
            self.cleaner.note("hours:high")
            return None
        return self.cleaner.hours(Decimal(text) / 3600)

    def comment(self, value: str, fallback: dt.datetime | None) -> PlannedComment:
        """``date;author;text`` as Jira writes it; the text as it is (it may hold ';' and
        newlines). A value in another form is kept whole, by an unknown author."""
        parts = value.split(";", 2)
        when = parse_date(parts[0]) if len(parts) == 3 else None
        if when is None:
            text = self.cleaner.block(value, "comment")
            return PlannedComment("unknown", fallback or dt.datetime.now(dt.UTC), text)
        author = self.person(parts[1].strip()) or "unknown"
        at = self.cleaner.moment(when) or fallback or dt.datetime.now(dt.UTC)
        return PlannedComment(author, at, self.cleaner.block(parts[2], "comment"))


def parse_jira_csv(path: str | Path) -> ImportPlan:
    _header, rows = _read_rows(path)
    p = _Parser(path)
    name = p.name
    if not rows:
        raise ImportRefused(f"{name} has a Jira header but no issues.")
    p.learn_people(rows)
    cleaner = p.cleaner

    raw_key = next((r.one("project key") for r in rows if r.one("project key")), "")
    project_name = p.word(
        next((r.raw("project name") for r in rows if r.one("project name")), ""),
        "project name",
        200,
    )
    project_key = p.word(raw_key, "project key", 20).upper()
    if not KEY_PATTERN.match(project_key):  # WEB_2 is a Jira key, not a Sprintdeck one
        squeezed = re.sub(r"[^A-Z0-9]", "", project_key)[:10]
        project_key = (
            squeezed
            if KEY_PATTERN.match(squeezed)
            else derive_key(project_key or project_name or Path(path).stem)
        )
    plan = ImportPlan(
        source="jira",
        project_name=project_name or project_key or "Jira import",
        project_key=project_key,
        cleaner=cleaner,
    )
    plan.keep_numbers_for = plan.project_key

    statuses: dict[str, str] = {}
    chains: list[tuple[PlannedCard, list[str]]] = []
    by_id: dict[str, str] = {}
    lines: dict[str, int] = {}
    ranked: list[tuple[str, int, PlannedCard]] = []
    members: list[str] = []
    for index, row in enumerate(rows):
        key = cleaner.line(row.one("issue key"), "issue key", 100)
        if not key.strip():
            raise ImportRefused(f"{name} line {row.line}: the column 'Issue key' is empty.")
        if key in lines:
            raise ImportRefused(
                f"{name} line {row.line}: the issue key {shown(key)} is also on line {lines[key]}."
            )
        lines[key] = row.line
        raw_title = row.raw("summary")
        if not raw_title.strip():
            raise ImportRefused(
                f"{name} line {row.line}: the column 'Summary' is empty ({shown(key)})."
            )
        title = cleaner.line(raw_title, "title", TITLE_MAX)
        if not title.strip():
            raise ImportRefused(
                f"{name} line {row.line}: the 'Summary' of {shown(key)} holds only control "
                "characters."
            )
        status = p.word(row.one("status"), "column name", 60) or "To Do"
        category = _status_category(status, row.one("status category"))
        statuses.setdefault(status, category)
        if row.one("issue id"):
            by_id[row.one("issue id")] = key
        created_text = row.one("created")
        created = parse_date(created_text)
        if created_text and created is None:
            raise ImportRefused(
                f"{name} line {row.line}: the date {shown(created_text)} in 'Created' "
                "is in no format Sprintdeck knows (such as 28/Nov/25 5:03 PM)."
            )
        created = cleaner.moment(created)
        updated = p.date(row, "updated")
        resolved = p.date(row, "resolved")
        due = p.date(row, "due date")
        created = created or min((d for d in (updated, resolved) if d), default=None)
        sprints = list(dict.fromkeys(p.word(s, "sprint name", 100) for s in row.many("sprint")))
        sprints = [s for s in sprints if s]
        assignee = p.person(row.one("assignee"))
        reporter = p.person(row.one("reporter"))
        watcher_names = row.many("watchers") or [
            w for w in row.many("watchers id") if w in p.people
        ]
        watchers = [p.person(w) for w in watcher_names]
        watchers = [w for w in dict.fromkeys(watchers) if w and w != assignee]
        members += [person for person in (assignee, reporter, *watchers) if person]
        match = ISSUE_NUMBER.fullmatch(key)
        number = int(match.group(1)) if match else 0
        labels = [label_name(p.word(v, "label", 50)) for v in row.many("labels")]
        card = PlannedCard(
            external_id=key,
            title=title,
            column=status,
            description=cleaner.block(row.raw("description"), "description"),
            type=TYPES.get(row.one("issue type").lower(), "task"),
            priority=PRIORITIES.get(row.one("priority").lower(), "medium"),
            points=cleaner.points(row.one("story points")),
            estimate_hours=p.hours(row, "original estimate"),
            remaining_hours=p.hours(row, "remaining estimate"),
            assignee=assignee or None,
            reporter=reporter or None,
            watchers=watchers,
            labels=[lb for lb in dict.fromkeys(labels) if lb],
            parent=row.one("epic link") or row.one("parent") or None,
            due_date=due.date() if due else None,
            created_at=created,
            updated_at=updated or created,
            resolved_at=resolved,
            number=number or None,
        )
        card.comments = [
            p.comment(v, updated or created) for v in row.fields.get("comment", []) if v.strip()
        ]
        chains.append((card, sprints))
        ranked.append((row.one("rank"), index, card))
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
    plan.columns = [PlannedColumn(status, statuses[status]) for status in order]
    first_todo = next((s for s in order if statuses[s] == "todo"), order[0])
    for card in plan.cards:
        if statuses.get(card.column) != "todo":
            card.created_in = first_todo
    plan.members = list(dict.fromkeys(members))
    plan.sprints = plan_sprints(chains, statuses)
    return plan


def _natural(name: str) -> tuple[tuple[str, int, str], ...]:
    """'Sprint 9' before 'Sprint 10'; numbers compared by length then digits, so a number of
    thousands of digits is no trouble."""
    parts = re.split(r"([0-9]+)", name.casefold())
    key = []
    for part in parts:
        if part.isascii() and part.isdigit():
            digits = part.lstrip("0") or "0"
            key.append(("", len(digits), digits))
        else:
            key.append((part, 0, ""))
    return tuple(key)


def plan_sprints(
    chains: list[tuple[PlannedCard, list[str]]], statuses: dict[str, str]
) -> list[PlannedSprint]:
    """Sprints in the order they ran and their states, from the data and never from the order
    of the rows (Jira Cloud lists issues newest first).

    Order: an issue listed in several Sprint columns went through them in that order, so
    each is before the next; among sprints the issues do not order, one whose issues were
    resolved comes first (by the median resolution time), then one with work started, then
    one with none; names ('Sprint 9' before 'Sprint 10') and first appearance break ties.

    States: a sprint an issue moved on from is closed, as is one whose issues are all done
    when a later sprint exists. The latest other sprint with work started is active, and
    every sprint before it is closed (Sprintdeck, like Jira, runs one sprint at a time);
    the rest are planned.
    """
    first_seen: dict[str, int] = {}
    own: dict[str, list[PlannedCard]] = {}
    passing: dict[str, list[PlannedCard]] = {}
    successors: dict[str, set[str]] = {}
    moved_on: set[str] = set()
    for card, chain in chains:
        for sprint in chain:
            first_seen.setdefault(sprint, len(first_seen))
            successors.setdefault(sprint, set())
        for earlier, later in itertools.pairwise(chain):
            successors[earlier].add(later)
            moved_on.add(earlier)
        if chain:
            own.setdefault(chain[-1], []).append(card)
            for sprint in chain[:-1]:
                passing.setdefault(sprint, []).append(card)

    def category(card: PlannedCard) -> str:
        return statuses.get(card.column, "todo")

    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

    def rank(sprint: str) -> tuple[int, dt.datetime, tuple[tuple[str, int, str], ...], int]:
        cards = own.get(sprint, [])
        resolved = sorted(c.resolved_at for c in cards if c.resolved_at and category(c) == "done")
        if resolved:
            tier, when = 0, resolved[len(resolved) // 2]
        elif any(category(c) != "todo" for c in cards):
            tier, when = 1, epoch
        else:
            tier, when = 2, epoch
        return (tier, when, _natural(sprint), first_seen[sprint])

    keys = {sprint: rank(sprint) for sprint in first_seen}
    waiting = {sprint: 0 for sprint in first_seen}
    for later_ones in successors.values():
        for later in later_ones:
            waiting[later] += 1
    ready = [(keys[s], s) for s, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(first_seen):
        if not ready:  # issues that disagree (A then B, and B then A): take the likeliest
            rest = min((keys[s], s) for s in first_seen if s not in placed)
            ready = [rest]
        _key, sprint = heapq.heappop(ready)
        if sprint in placed:
            continue
        placed.add(sprint)
        order.append(sprint)
        for later in successors[sprint]:
            waiting[later] -= 1
            if waiting[later] == 0 and later not in placed:
                heapq.heappush(ready, (keys[later], later))

    position = {sprint: i for i, sprint in enumerate(order)}
    for card, chain in chains:  # each issue's sprints in the order they ran
        chain.sort(key=position.__getitem__)
        card.sprint = chain[-1] if chain else None
        card.past_sprints = chain[:-1]

    closed = set(moved_on)
    for index, sprint in enumerate(order):
        cards = own.get(sprint, [])
        if cards and index < len(order) - 1 and all(category(c) == "done" for c in cards):
            closed.add(sprint)
    started = [
        i
        for i, sprint in enumerate(order)
        if sprint not in closed and any(category(c) != "todo" for c in own.get(sprint, []))
    ]
    active = started[-1] if started else None
    if active is not None:
        closed.update(order[:active])

    result: list[PlannedSprint] = []
    for index, sprint in enumerate(order):
        cards = own.get(sprint, []) + passing.get(sprint, [])
        created = [c.created_at for c in cards if c.created_at]
        resolved = [
            c.resolved_at for c in own.get(sprint, []) if c.resolved_at and category(c) == "done"
        ]
        planned = PlannedSprint(name=sprint)
        if sprint in closed:
            planned.state = "closed"
            planned.started_at = min(created) if created else None
            planned.closed_at = max(resolved) if resolved else planned.started_at
            if planned.started_at and planned.closed_at and planned.closed_at < planned.started_at:
                planned.closed_at = planned.started_at
        elif index == active:
            planned.state = "active"
            planned.started_at = min(created) if created else None
        if planned.started_at:
            planned.start_date = planned.started_at.date()
        if planned.closed_at:
            planned.end_date = planned.closed_at.date()
        result.append(planned)
    return result
