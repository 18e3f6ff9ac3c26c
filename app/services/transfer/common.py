"""What every importer shares: the neutral import plan, reading files, and the one-transaction
writer that turns a plan into projects, columns, cards, history and comments.

(One module of ~950 lines: the plan and its writer are one contract, what a parser may put in
a plan is what the writer knows how to write; the card and history values come from
app.services.common like every other writer's.)

A parser (``trello.py``, ``jira.py``) reads a file into an :class:`ImportPlan` without touching
the database; :func:`apply_plan` writes a plan in a single unit of work, so a file that fails
half way leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError, ValidationError
from app.metrics.ranks import keys_between
from app.models import (
    Card,
    ChecklistItem,
    Comment,
    HistoryEvent,
    ImportRef,
    Label,
    Member,
    Project,
    ProjectMember,
    Sprint,
    SprintSnapshot,
    WorkflowColumn,
    card_label,
    card_watcher,
)
from app.services.common import allocate_card_numbers, event_values, max_rank, record_event
from app.services.context import ServiceContext
from app.services.events import Change, ChangeKind
from app.services.transfer.checks import Cleaner, ImportRefused, shown
from app.services.validation import (
    TITLE_MAX,
    clean_date,
    clean_hours,
    clean_key,
    clean_multiline,
    clean_points,
    clean_text,
    clean_title,
)
from app.words import plural

# (done, total) -> None; an importer calls it as it goes. Raising ImportCancelled stops it.
Progress = Callable[[int, int], None]
ON_DUPLICATE = ("refuse", "skip", "update")
BATCH = 500


class ImportCancelled(DomainError):
    """The person cancelled the import; nothing was written."""

    def __init__(self, message: str = "The import was cancelled; nothing was changed.") -> None:
        super().__init__(message)


@dataclass
class PlannedColumn:
    name: str
    category: str = "todo"  # todo | in_progress | done
    archived: bool = False


@dataclass
class PlannedSprint:
    name: str
    state: str = "planned"  # planned | active | closed
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    started_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    goal: str = ""


@dataclass
class PlannedComment:
    author: str
    at: dt.datetime
    text: str


@dataclass
class PlannedCard:
    external_id: str
    title: str
    column: str
    description: str = ""
    type: str = "story"
    priority: str = "medium"
    points: Decimal | None = None
    estimate_hours: Decimal | None = None
    remaining_hours: Decimal | None = None
    assignee: str | None = None
    reporter: str | None = None
    watchers: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sprint: str | None = None
    parent: str | None = None  # the external id of an epic in the same plan
    due_date: dt.date | None = None
    archived: bool = False
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    archived_at: dt.datetime | None = None
    number: int | None = None  # a number to keep (Jira's PROJ-42 stays 42) when free
    checklist: list[tuple[str, bool]] = field(default_factory=list)
    comments: list[PlannedComment] = field(default_factory=list)
    # Column changes after creation, oldest first: (when, column name). The first column the
    # card was created in is ``created_in`` (default: its current column).
    created_in: str | None = None
    moves: list[tuple[dt.datetime, str]] = field(default_factory=list)
    # Sprints the card was in before its current one, oldest first (Jira lists them all).
    past_sprints: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """Everything a file describes, independent of any database."""

    source: str  # trello | jira
    project_name: str
    project_key: str  # derived from the file; --project overrides it
    columns: list[PlannedColumn] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # name -> #rrggbb
    members: list[str] = field(default_factory=list)
    sprints: list[PlannedSprint] = field(default_factory=list)
    cards: list[PlannedCard] = field(default_factory=list)
    methodology: str = "scrum"
    keep_numbers_for: str | None = None  # keep card numbers when the project key is this
    # what the parser changed so that the file's values can be stored (for the summary)
    cleaner: Cleaner = field(default_factory=Cleaner)

    def counts(self) -> dict[str, int]:
        return {
            "columns": len(self.columns),
            "cards": len(self.cards),
            "archived cards": sum(1 for c in self.cards if c.archived),
            "labels": len(self.labels),
            "members": len(self.members),
            "sprints": len(self.sprints),
            "checklist items": sum(len(c.checklist) for c in self.cards),
            "comments": sum(len(c.comments) for c in self.cards),
        }


@dataclass(frozen=True, slots=True)
class ImportSummary:
    project_key: str
    project_created: bool
    columns: int
    cards: int
    updated: int
    skipped: int
    labels: int
    members: int
    sprints: int
    checklist_items: int
    comments: int
    previously_imported: int = 0
    # what had to be changed to store the file ("1 estimate over 1,000 points dropped.")
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        head = (
            f"Created project {self.project_key}."
            if self.project_created
            else f"Merged into project {self.project_key}."
        )
        parts = [
            plural(self.cards, "card"),
            plural(self.columns, "column"),
            plural(self.labels, "label"),
            plural(self.members, "member"),
            plural(self.sprints, "sprint"),
            plural(self.checklist_items, "checklist item"),
            plural(self.comments, "comment"),
        ]
        out = [head, "Created " + ", ".join(parts) + "."]
        if self.skipped:
            out.append(f"Skipped {plural(self.skipped, 'card')} imported before.")
        elif self.previously_imported:
            out.append(
                f"Updated {self.updated} of the {self.previously_imported} cards imported before "
                "(the others were unchanged)."
            )
        return out + list(self.notes)


# --- reading files ------------------------------------------------------------------------------


def derive_key(name: str) -> str:
    """A project key from a name: 'Marketing Site 2025' -> 'MS2025', 'Roadmap' -> 'ROADMAP'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[A-Za-z0-9]+", ascii_name)
    if not words:
        return "IMP"
    if len(words) == 1:
        key = words[0].upper()
    else:
        key = "".join(w if w.isdigit() else w[0] for w in words).upper()
    key = key.lstrip("0123456789")
    if len(key) < 2:
        key = (words[0].upper().lstrip("0123456789") + "XX")[:3] if words else "IMP"
        key = key.lstrip("0123456789") or "IMP"
        if len(key) < 2:
            key = "IMP"
    return key[:10]


def label_name(name: str) -> str:
    """A label is one word of at most 50 characters."""
    return re.sub(r"\s+", "-", name.strip())[:50]


# --- writing ------------------------------------------------------------------------------------


def _aware(value: dt.datetime | None, default: dt.datetime) -> dt.datetime:
    if value is None:
        return default
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _num(value: Decimal | None) -> Any:
    return None if value is None else str(value)


def find_duplicates(session: Session, project_id: int, plan: ImportPlan) -> dict[str, int]:
    """External id -> card id of the plan's cards already imported into this project."""
    wanted = [c.external_id for c in plan.cards]
    found: dict[str, int] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        for ext, card_id in session.execute(
            select(ImportRef.external_id, ImportRef.card_id).where(
                ImportRef.project_id == project_id,
                ImportRef.source == plan.source,
                ImportRef.external_id.in_(chunk),
            )
        ).all():
            found[ext] = card_id
    return found


def check_plan(plan: ImportPlan) -> None:
    """The services' own checks over everything a parser made of the file, before a row is
    written: the parsers clean what the services would refuse, and this makes sure of it
    (a rule added to validation.py applies to imports too, as a refusal until the parsers
    learn to clean it)."""
    where = "the file"
    try:
        for column in plan.columns:
            clean_text(column.name, "column name", 60)
        for name in plan.members:
            clean_text(name, "member name", 100)
        for sprint in plan.sprints:
            clean_text(sprint.name, "sprint name", 100)
            for moment in (sprint.started_at, sprint.closed_at):
                clean_date(moment, "sprint date")
        for c in plan.cards:
            where = f"card {shown(c.external_id, 30)}"
            clean_title(c.title)
            clean_multiline(c.description, "description")
            clean_points(c.points)
            clean_hours(c.estimate_hours, "estimate")
            clean_hours(c.remaining_hours, "remaining hours")
            clean_date(c.due_date, "due date")
            for moment in (c.created_at, c.updated_at, c.resolved_at, c.archived_at):
                clean_date(moment, "date")
            for when, _column in c.moves:
                clean_date(when, "date of a move")
            for text, _done in c.checklist:
                clean_text(text, "checklist item", TITLE_MAX)
            for comment in c.comments:
                clean_multiline(comment.text, "comment")
                clean_date(comment.at, "date of a comment")
    except ValidationError as exc:
        raise ImportRefused(f"In {where}: {exc}") from exc


def apply_plan(
    context: ServiceContext,
    plan: ImportPlan,
    project_key: str | None = None,
    on_duplicate: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Write ``plan`` in one transaction; a new key creates the project, a known key merges."""
    mode = on_duplicate or "refuse"
    if mode not in ON_DUPLICATE:
        raise ValidationError("On duplicates choose skip or update.")
    key = clean_key((project_key or plan.project_key).strip().upper())
    check_plan(plan)
    total = len(plan.cards)
    if progress:
        progress(0, total)
    with context.write() as uow:
        writer = _PlanWriter(uow.session, context, plan, key, mode, progress)
        summary = writer.run()
        uow.notify(
            Change(
                ChangeKind.PROJECT_ADDED if summary.project_created else ChangeKind.RELOADED,
                writer.project.id,
            )
        )
        uow.commit()
    return summary


class _PlanWriter:
    def __init__(
        self,
        session: Session,
        context: ServiceContext,
        plan: ImportPlan,
        key: str,
        mode: str,
        progress: Progress | None,
    ) -> None:
        self.s = session
        self.ctx = context
        self.plan = plan
        self.key = key
        self.mode = mode
        self.progress = progress
        self.now = context.clock()
        self.project: Project
        self.created = False
        self.counts = dict.fromkeys(
            ("columns", "labels", "members", "sprints", "checklist", "comments"), 0
        )

    # each step fills a name -> id map
    def run(self) -> ImportSummary:
        self._project()
        columns = self._columns()
        labels = self._labels()
        members = self._members()
        sprints = self._sprints()
        duplicates = find_duplicates(self.s, self.project.id, self.plan)
        if duplicates and self.mode == "refuse":
            sample = ", ".join(shown(ext, 30) for ext in sorted(duplicates)[:3])
            raise Conflict(
                f"{len(duplicates)} of the {len(self.plan.cards)} cards in this file were "
                f"imported into {self.key} before (for example {sample}); nothing was changed. "
                "Choose to skip or update them (--on-duplicate skip|update)."
            )
        new_cards = [c for c in self.plan.cards if c.external_id not in duplicates]
        updated = 0
        if self.mode == "update":
            updated = self._update(duplicates, columns, labels, members, sprints)
        self._insert(new_cards, columns, labels, members, sprints, duplicates)
        return ImportSummary(
            project_key=self.key,
            project_created=self.created,
            columns=self.counts["columns"],
            cards=len(new_cards),
            updated=updated,
            skipped=len(duplicates) if self.mode == "skip" else 0,
            labels=self.counts["labels"],
            members=self.counts["members"],
            sprints=self.counts["sprints"],
            checklist_items=self.counts["checklist"],
            comments=self.counts["comments"],
            previously_imported=len(duplicates),
            notes=self.plan.cleaner.lines(),
        )

    def _project(self) -> None:
        project = self.s.scalar(select(Project).where(Project.key == self.key))
        if project is None:
            name = (self.plan.project_name or self.key).strip()[:200] or self.key
            project = Project(
                key=self.key, name=name, methodology=self.plan.methodology, created_at=self.now
            )
            self.s.add(project)
            self.s.flush()
            self.created = True
        self.project = project

    def _columns(self) -> dict[str, tuple[int, str]]:
        existing = self.s.scalars(
            select(WorkflowColumn).where(WorkflowColumn.project_id == self.project.id)
        ).all()
        by_name = {c.name.lower(): (c.id, c.category) for c in existing}
        self.column_names = {c.id: c.name for c in existing}
        position = max((c.position for c in existing), default=-1) + 1
        for planned in self.plan.columns:
            name = planned.name.strip()[:60] or "Untitled"
            if name.lower() in by_name:
                continue
            column = WorkflowColumn(
                project_id=self.project.id,
                name=name,
                position=position,
                category=planned.category,
                archived=planned.archived,
            )
            position += 1
            self.s.add(column)
            self.s.flush()
            by_name[name.lower()] = (column.id, column.category)
            self.column_names[column.id] = name
            self.counts["columns"] += 1
        if not by_name:
            column = WorkflowColumn(project_id=self.project.id, name="To Do", position=0)
            self.s.add(column)
            self.s.flush()
            by_name["to do"] = (column.id, "todo")
            self.column_names[column.id] = "To Do"
            self.counts["columns"] += 1
        return by_name

    def _labels(self) -> dict[str, int]:
        existing = {
            name.lower(): label_id
            for label_id, name in self.s.execute(
                select(Label.id, Label.name).where(Label.project_id == self.project.id)
            ).all()
        }
        for name, color in self.plan.labels.items():
            clean = label_name(name)
            if not clean or clean.lower() in existing:
                continue
            label = Label(project_id=self.project.id, name=clean, color=color or "#5e6c84")
            self.s.add(label)
            self.s.flush()
            existing[clean.lower()] = label.id
            self.counts["labels"] += 1
        return existing

    def _members(self) -> dict[str, int]:
        names = list(dict.fromkeys(n.strip()[:100] for n in self.plan.members if n.strip()))
        known = {
            name.lower(): member_id
            for member_id, name in self.s.execute(select(Member.id, Member.display_name)).all()
        }
        linked = set(
            self.s.scalars(
                select(ProjectMember.member_id).where(ProjectMember.project_id == self.project.id)
            ).all()
        )
        result: dict[str, int] = {}
        for name in names:
            member_id = known.get(name.lower())
            if member_id is None:
                member = Member(display_name=name, created_at=self.now)
                self.s.add(member)
                self.s.flush()
                member_id = member.id
                known[name.lower()] = member_id
            if member_id not in linked:
                self.s.add(ProjectMember(project_id=self.project.id, member_id=member_id))
                linked.add(member_id)
                self.counts["members"] += 1
            result[name.lower()] = member_id
        self.s.flush()
        return result

    def _sprints(self) -> dict[str, int]:
        existing = {
            name.lower(): sprint_id
            for sprint_id, name in self.s.execute(
                select(Sprint.id, Sprint.name).where(Sprint.project_id == self.project.id)
            ).all()
        }
        active = self.s.scalar(
            select(func.count(Sprint.id)).where(
                Sprint.project_id == self.project.id, Sprint.state == "active"
            )
        )
        for planned in self.plan.sprints:
            name = planned.name.strip()[:100]
            if not name or name.lower() in existing:
                continue
            state = planned.state
            if state == "active" and active:
                state = "planned"  # one active sprint per project
            sprint = Sprint(
                project_id=self.project.id,
                name=name,
                goal=planned.goal,
                start_date=planned.start_date,
                end_date=planned.end_date,
                state=state,
                started_at=planned.started_at if state != "planned" else None,
                closed_at=planned.closed_at if state == "closed" else None,
            )
            active += state == "active"
            self.s.add(sprint)
            self.s.flush()
            existing[name.lower()] = sprint.id
            self.counts["sprints"] += 1
        return existing

    def _column_of(self, columns: dict[str, tuple[int, str]], name: str | None) -> tuple[int, str]:
        if name and name.strip()[:60].lower() in columns:
            return columns[name.strip()[:60].lower()]
        return next(iter(columns.values()))

    def _numbers(self, cards: list[PlannedCard]) -> list[int]:
        """Card numbers: the file's own (Jira's WEB-42 stays 42) when the project key is the
        file's and none of them is taken; a card without one gets the next free number."""
        keep = self.plan.keep_numbers_for == self.key
        wanted: list[int | None] = [c.number if keep else None for c in cards]
        numbered = [n for n in wanted if n]
        if numbered:
            taken = set(
                self.s.scalars(select(Card.number).where(Card.project_id == self.project.id))
            )
            if len(set(numbered)) != len(numbered) or taken.intersection(numbered):
                wanted = [None] * len(cards)
        missing = sum(1 for n in wanted if not n)
        top = max((n for n in wanted if n), default=0)
        free = iter(allocate_card_numbers(self.s, self.project.id, missing, above=top))
        return [n if n else next(free) for n in wanted]

    def _insert(
        self,
        cards: list[PlannedCard],
        columns: dict[str, tuple[int, str]],
        labels: dict[str, int],
        members: dict[str, int],
        sprints: dict[str, int],
        previous: dict[str, int],
    ) -> None:
        if not cards:
            return
        s = self.s
        numbers = self._numbers(cards)
        ranks = keys_between(max_rank(s, self.project.id), None, len(cards))
        total = len(cards)
        ids: dict[str, int] = dict(previous)
        parents: list[tuple[int, str]] = []
        for start in range(0, total, BATCH):
            chunk = cards[start : start + BATCH]
            rows = []
            for offset, c in enumerate(chunk):
                column_id, category = self._column_of(columns, c.column)
                created = _aware(c.created_at, self.now)
                rows.append(
                    {
                        "project_id": self.project.id,
                        "number": numbers[start + offset],
                        "type": c.type,
                        "title": c.title[:500],
                        "description": c.description,
                        "priority": c.priority,
                        "points": c.points,
                        "estimate_hours": c.estimate_hours,
                        "remaining_hours": c.remaining_hours,
                        "assignee_id": members.get((c.assignee or "").lower()),
                        "reporter_id": members.get((c.reporter or "").lower()),
                        "column_id": column_id,
                        "rank": ranks[start + offset],
                        "sprint_id": sprints.get((c.sprint or "").lower()),
                        "parent_id": None,
                        "due_date": c.due_date,
                        "blocked": False,
                        "blocked_reason": "",
                        "archived": c.archived,
                        "created_at": created,
                        "updated_at": _aware(c.updated_at, created),
                        "resolved_at": (
                            _aware(c.resolved_at, _aware(c.updated_at, created))
                            if category == "done"
                            else None
                        ),
                        "version": 1,
                    }
                )
            card_ids = self._insert_cards(rows)
            label_rows, watcher_rows, checklist_rows, comment_rows, ref_rows = [], [], [], [], []
            events: list[dict[str, Any]] = []
            for c, card_id, row in zip(chunk, card_ids, rows, strict=True):
                ids[c.external_id] = card_id
                if c.parent:
                    parents.append((card_id, c.parent))
                for name in dict.fromkeys(label_name(n).lower() for n in c.labels):
                    if name in labels:
                        label_rows.append({"card_id": card_id, "label_id": labels[name]})
                watcher_ids = {members[w.lower()] for w in c.watchers if w.lower() in members}
                watcher_rows += [{"card_id": card_id, "member_id": m} for m in sorted(watcher_ids)]
                checklist_rows += [
                    {"card_id": card_id, "position": i, "text": text[:500], "done": done}
                    for i, (text, done) in enumerate(c.checklist)
                ]
                comment_rows += [
                    {
                        "card_id": card_id,
                        "author": (m.author or "unknown")[:100],
                        "created_at": _aware(m.at, self.now),
                        "text": m.text,
                    }
                    for m in c.comments
                ]
                ref_rows.append(
                    {
                        "project_id": self.project.id,
                        "source": self.plan.source,
                        "external_id": c.external_id[:100],
                        "card_id": card_id,
                    }
                )
                events += self._events(c, card_id, row, columns)
            if label_rows:
                s.execute(card_label.insert(), label_rows)
            if watcher_rows:
                s.execute(card_watcher.insert(), watcher_rows)
            if checklist_rows:
                s.execute(ChecklistItem.__table__.insert(), checklist_rows)
            if comment_rows:
                s.execute(Comment.__table__.insert(), comment_rows)
            s.execute(ImportRef.__table__.insert(), ref_rows)
            s.execute(HistoryEvent.__table__.insert(), events)
            self.counts["checklist"] += len(checklist_rows)
            self.counts["comments"] += len(comment_rows)
            if self.progress:
                self.progress(min(start + BATCH, total), total)
        self._link_parents(parents, ids)
        self._snapshots(cards, ids, columns, sprints)

    def _snapshots(
        self,
        cards: list[PlannedCard],
        ids: dict[str, int],
        columns: dict[str, tuple[int, str]],
        sprints: dict[str, int],
    ) -> None:
        """Commitment (and, for closed sprints, outcome) snapshots of the sprints the file
        says were started, so velocity and sprint reports count the imported work."""
        states = {
            sprint_id: state
            for sprint_id, state in self.s.execute(
                select(Sprint.id, Sprint.state).where(Sprint.project_id == self.project.id)
            ).all()
        }
        new_ids = {
            sprints[p.name.strip()[:100].lower()]
            for p in self.plan.sprints
            if p.name.strip()[:100].lower() in sprints
        }
        rows: list[dict[str, Any]] = []
        seen: set[tuple[int, str, int]] = set()

        def add(sprint_id: int, kind: str, card_id: int, points: Any, **extra: Any) -> None:
            if (sprint_id, kind, card_id) in seen:
                return
            seen.add((sprint_id, kind, card_id))
            rows.append(
                {
                    "sprint_id": sprint_id,
                    "kind": kind,
                    "card_id": card_id,
                    "points": points,
                    "outcome": extra.get("outcome"),
                    "destination": extra.get("destination"),
                }
            )

        for c in cards:
            card_id = ids.get(c.external_id)
            if card_id is None:
                continue
            done = self._column_of(columns, c.column)[1] == "done"
            chain = [*c.past_sprints, *([c.sprint] if c.sprint else [])]
            for index, name in enumerate(chain):
                sprint_id = sprints.get(name.strip()[:100].lower())
                if sprint_id not in new_ids or states.get(sprint_id) == "planned":
                    continue
                add(sprint_id, "commitment", card_id, c.points)
                if states.get(sprint_id) != "closed":
                    continue
                if index < len(chain) - 1:
                    add(
                        sprint_id,
                        "outcome",
                        card_id,
                        c.points,
                        outcome="not_completed",
                        destination=chain[index + 1][:100],
                    )
                else:
                    add(
                        sprint_id,
                        "outcome",
                        card_id,
                        c.points,
                        outcome="completed" if done else "not_completed",
                        destination=None if done else "backlog",
                    )
        for start in range(0, len(rows), BATCH):
            self.s.execute(SprintSnapshot.__table__.insert(), rows[start : start + BATCH])

    def _insert_cards(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert a batch of cards and return their ids in order.

        On SQLite the transaction holds the write lock (BEGIN IMMEDIATE), so the ids can be
        allocated up front and the rows written with one plain executemany, several times
        faster than RETURNING; other databases get RETURNING in parameter order.
        """
        table = Card.__table__
        if self.s.get_bind().dialect.name == "sqlite":
            first = (self.s.scalar(select(func.max(Card.id))) or 0) + 1
            ids = list(range(first, first + len(rows)))
            self.s.execute(
                table.insert(), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)]
            )
            return ids
        result = self.s.execute(insert(Card).returning(Card.id, sort_by_parameter_order=True), rows)
        return list(result.scalars().all())

    def _link_parents(self, parents: list[tuple[int, str]], ids: dict[str, int]) -> None:
        links = [
            {"id": card_id, "parent_id": ids[parent]}
            for card_id, parent in parents
            if parent in ids and ids[parent] != card_id
        ]
        epics = set(
            self.s.scalars(
                select(Card.id).where(
                    Card.project_id == self.project.id,
                    Card.type == "epic",
                )
            )
        )
        links = [link for link in links if link["parent_id"] in epics]
        for start in range(0, len(links), BATCH):
            self.s.execute(update(Card), links[start : start + BATCH])

    def _events(
        self,
        c: PlannedCard,
        card_id: int,
        row: dict[str, Any],
        columns: dict[str, tuple[int, str]],
    ) -> list[dict[str, Any]]:
        """created (at the source's creation time), then moves, then archived."""
        created = row["created_at"]
        first_id, first_cat = self._column_of(columns, c.created_in or c.column)
        names = self.column_names

        def event(
            at: dt.datetime,
            kind: str,
            before: dict[str, Any],
            after: dict[str, Any],
            column: tuple[int, str],
            archived: bool = False,
        ) -> dict[str, Any]:
            return event_values(
                project_id=self.project.id,
                card_id=card_id,
                at=at,
                actor=self.ctx.actor,
                kind=kind,
                before=before,
                after=after,
                column_id=column[0],
                category=column[1],
                sprint_id=row["sprint_id"],
                points=row["points"],
                archived=archived,
            )

        events = [
            event(
                created,
                "created",
                {},
                {
                    "title": row["title"],
                    "column": names.get(first_id, ""),
                    "points": _num(row["points"]),
                    "source": self.plan.source,
                    "external_id": c.external_id,
                },
                (first_id, first_cat),
            )
        ]
        current = (first_id, first_cat)
        moves = list(c.moves)
        final = (row["column_id"], self._column_of(columns, c.column)[1])
        if not moves and current != final:
            when = row["resolved_at"] or row["updated_at"]
            moves = [(when, c.column)]
        for when, name in moves:
            target = self._column_of(columns, name)
            if target == current:
                continue
            events.append(
                event(
                    max(_aware(when, created), created),
                    "moved",
                    {"column": names.get(current[0], "")},
                    {"column": names.get(target[0], "")},
                    target,
                )
            )
            current = target
        if current != final:
            target = final
            when = row["resolved_at"] or row["updated_at"]
            events.append(
                event(
                    max(when, events[-1]["at"]),
                    "moved",
                    {"column": names.get(current[0], "")},
                    {"column": names.get(target[0], "")},
                    target,
                )
            )
            current = target
        if c.archived:
            when = _aware(c.archived_at or c.updated_at, created)
            events.append(
                event(
                    max(when, events[-1]["at"]),
                    "archived",
                    {"archived": False},
                    {"archived": True},
                    current,
                    archived=True,
                )
            )
        return events

    def _update(
        self,
        duplicates: dict[str, int],
        columns: dict[str, tuple[int, str]],
        labels: dict[str, int],
        members: dict[str, int],
        sprints: dict[str, int],
    ) -> int:
        """Bring cards imported before up to date with the file (one 'edited' event each)."""
        planned = {c.external_id: c for c in self.plan.cards if c.external_id in duplicates}
        count = 0
        for ext, card_id in duplicates.items():
            c = planned[ext]
            card = self.s.get(Card, card_id)
            if card is None:
                continue
            column_id, category = self._column_of(columns, c.column)
            wanted = {
                "title": c.title[:500],
                "description": c.description,
                "type": c.type,
                "priority": c.priority,
                "points": c.points,
                "assignee_id": members.get((c.assignee or "").lower()),
                "sprint_id": sprints.get((c.sprint or "").lower()),
                "due_date": c.due_date,
            }
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for name, value in wanted.items():
                old = getattr(card, name)
                if old != value:
                    before[name] = _plain(old)
                    after[name] = _plain(value)
                    setattr(card, name, value)
            label_ids = sorted(
                {labels[label_name(n).lower()] for n in c.labels if label_name(n).lower() in labels}
            )
            if sorted(lb.id for lb in card.labels) != label_ids:
                before["label_ids"] = sorted(lb.id for lb in card.labels)
                after["label_ids"] = label_ids
                card.labels = [self.s.get(Label, i) for i in label_ids]  # type: ignore[misc]
            new_checklist = [[t[:500], d] for t, d in c.checklist]
            if [[i.text, i.done] for i in card.checklist] != new_checklist:
                before["checklist"] = [[i.text, i.done] for i in card.checklist]
                after["checklist"] = new_checklist
                card.checklist = [
                    ChecklistItem(position=i, text=t, done=d)
                    for i, (t, d) in enumerate(new_checklist)
                ]
            seen = {
                (a, t)
                for a, t in self.s.execute(
                    select(Comment.author, Comment.text).where(Comment.card_id == card_id)
                ).all()
            }
            for m in c.comments:
                if ((m.author or "unknown")[:100], m.text) not in seen:
                    self.s.add(
                        Comment(
                            card_id=card_id,
                            author=(m.author or "unknown")[:100],
                            created_at=_aware(m.at, self.now),
                            text=m.text,
                        )
                    )
                    self.counts["comments"] += 1
            changed = bool(after)
            if changed:
                card.version += 1
                card.updated_at = self.now
                self.s.flush()
                record_event(self.s, self.ctx, card, "edited", before, after)
            if card.column_id != column_id:
                old_name = self.s.scalar(
                    select(WorkflowColumn.name).where(WorkflowColumn.id == card.column_id)
                )
                card.column_id = column_id
                card.resolved_at = self.now if category == "done" else None
                if not changed:
                    card.version += 1
                    card.updated_at = self.now
                changed = True
                self.s.flush()
                record_event(
                    self.s,
                    self.ctx,
                    card,
                    "moved",
                    {"column": old_name},
                    {"column": c.column},
                    category=category,
                )
            if card.archived != c.archived:
                card.archived = c.archived
                if not changed:
                    card.version += 1
                changed = True
                self.s.flush()
                record_event(
                    self.s,
                    self.ctx,
                    card,
                    "archived" if c.archived else "restored",
                    {"archived": not c.archived},
                    {"archived": c.archived},
                )
            count += changed
        self.s.flush()
        return count


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
