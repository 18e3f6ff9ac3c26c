"""Frozen data handed out by services. Widgets read these; they never see ORM rows.

The DTOs of the first paint (a board: project, columns, cards, people, sprints) are defined
here; the others (history, settings, team, labels' usage) in app/services/dto_rest.py,
imported from here on first use (``from app.services.dto import ProjectSettings`` works as
ever): a frozen dataclass costs ~0.7 ms to define, and the first paint needs none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # for type checkers: at run time __getattr__ below imports them
    from app.services.dto_rest import HistoryEventDTO as HistoryEventDTO
    from app.services.dto_rest import LabelDeletionDTO as LabelDeletionDTO
    from app.services.dto_rest import LabelMergeDTO as LabelMergeDTO
    from app.services.dto_rest import LabelUsageDTO as LabelUsageDTO
    from app.services.dto_rest import ProjectSettings as ProjectSettings
    from app.services.dto_rest import TeamMemberDTO as TeamMemberDTO


@dataclass(frozen=True, slots=True)
class ProjectDTO:
    id: int
    key: str
    name: str
    methodology: str
    description: str
    time_zone: str
    working_weekdays: int
    currency: str
    budget: Decimal | None
    version: int


@dataclass(frozen=True, slots=True)
class ColumnDTO:
    id: int
    project_id: int
    name: str
    position: int
    category: str
    wip_limit: int | None
    archived: bool
    version: int


@dataclass(frozen=True, slots=True)
class MemberDTO:
    id: int
    display_name: str
    role: str
    active: bool

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.replace("-", " ").split() if p]
        if not parts:
            return "?"
        if len(parts) == 1:
            return parts[0][:2].upper()
        return (parts[0][0] + parts[-1][0]).upper()


@dataclass(frozen=True, slots=True)
class LabelDTO:
    id: int
    name: str
    color: str


@dataclass(frozen=True, slots=True)
class ChecklistItemDTO:
    text: str
    done: bool


@dataclass(frozen=True, slots=True)
class SprintDTO:
    id: int
    project_id: int
    name: str
    goal: str
    start_date: dt.date | None
    end_date: dt.date | None
    state: str
    version: int
    started_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    # Sum of the commitment snapshot (0 before the start) and of the completed cards (live
    # while active, from the outcome snapshot once closed). Filled by SprintService only.
    committed_points: Decimal | None = None
    completed_points: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """How many cards a column or backlog section holds and their story points, counted by
    the database (a view shows a page of them; its header shows all of them)."""

    count: int = 0
    points: Decimal = Decimal(0)
    unestimated: int = 0  # cards without points


@dataclass(frozen=True, slots=True)
class EpicFigures:
    """An epic's progress as the database counts it: its cards, their points and the
    points of those finished (BoardService.epic_progress)."""

    cards: int = 0
    points: Decimal = Decimal(0)
    done_points: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class CardMatch:
    """Which cards a filtered board column shows, as the services understand it (the board
    filter, app/ui/board/view.py ``BoardFilter``): every word of ``text`` somewhere in the
    card's searched text (app/services/search.py), and each field that is set equal.
    ``assignee_id`` -1 is "unassigned". Empty fields match every card."""

    text: str = ""
    assignee_id: int | None = None
    label_id: int | None = None
    card_type: str | None = None

    def is_empty(self) -> bool:
        """Whether it lets every card through (no words, no field set)."""
        return not self.text.split() and all(
            v is None for v in (self.assignee_id, self.label_id, self.card_type)
        )


class CardDTO(NamedTuple):
    """One card as the UI shows it (names of its people, sprint and epic resolved).

    A named tuple rather than a frozen dataclass like the other DTOs: a board holds tens of
    thousands of them, and a frozen dataclass sets each of its 33 fields through
    ``object.__setattr__``, which made building them 3x slower than reading the rows. Copy
    with ``card._replace(...)``.
    """

    id: int
    project_id: int
    key: str
    number: int
    type: str
    title: str
    description: str
    priority: str
    points: Decimal | None
    estimate_hours: Decimal | None
    remaining_hours: Decimal | None
    assignee_id: int | None
    assignee_name: str | None
    reporter_id: int | None
    reporter_name: str | None
    column_id: int
    rank: str
    sprint_id: int | None
    sprint_name: str | None
    parent_id: int | None
    parent_key: str | None
    parent_title: str | None
    due_date: dt.date | None
    blocked: bool
    blocked_reason: str
    archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None
    version: int
    labels: tuple[LabelDTO, ...] = ()
    watcher_ids: tuple[int, ...] = ()
    checklist: tuple[ChecklistItemDTO, ...] = ()


@dataclass(frozen=True, slots=True)
class BoardDTO:
    """Everything the board of one project shows, loaded in a handful of queries."""

    project: ProjectDTO
    columns: tuple[ColumnDTO, ...]
    cards: tuple[CardDTO, ...]  # live cards, in rank order
    members: tuple[MemberDTO, ...]
    labels: tuple[LabelDTO, ...]
    epics: tuple[CardDTO, ...]
    sprints: tuple[SprintDTO, ...] = ()
    # Card id -> its comments (deleted ones not counted; cards without any left out), read
    # with the cards so the first paint shows them too.
    comment_counts: Mapping[int, int] = field(default_factory=dict)
    # Card id -> keys of the cards blocking it that are not done (the "⛔ blocked by" badge).
    blocked_by: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    # False: ``cards`` holds the epics only (BoardService.load_board_head); the columns'
    # cards are read a page at a time.
    complete: bool = True


_REST = frozenset(
    {
        "HistoryEventDTO",
        "LabelDeletionDTO",
        "LabelMergeDTO",
        "LabelUsageDTO",
        "ProjectSettings",
        "TeamMemberDTO",
    }
)


def __getattr__(name: str) -> object:
    """The DTOs defined in app/services/dto_rest.py, imported when first asked for."""
    if name in _REST:
        from app.services import dto_rest

        value = getattr(dto_rest, name)
        globals()[name] = value  # asked once: later lookups find it here
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
