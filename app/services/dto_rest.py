"""The DTOs no first paint needs (history, project settings, team, labels' usage): imported
through app/services/dto.py on first use, so that the window's start does not define them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.dto import LabelDTO


@dataclass(frozen=True, slots=True)
class HistoryEventDTO:
    """One change to a card: the changed fields' ``before``/``after`` values, and the card's
    column (with that column's category at the time), sprint, points and archived flag
    *after* the change."""

    id: int
    card_id: int
    at: dt.datetime
    actor: str
    kind: str
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    column_id_after: int | None = None
    category_after: str | None = None
    sprint_id_after: int | None = None
    points_after: Decimal | None = None
    archived_after: bool = False


@dataclass(frozen=True, slots=True)
class ProjectSettings:
    """What *Project › Settings* edits, as one value: read it, change it, save it whole.

    ``holidays`` are (date, name) pairs; ``working_weekdays`` is a bit mask, bit 0 Monday.
    """

    name: str
    methodology: str
    time_zone: str
    working_weekdays: int
    holidays: tuple[tuple[dt.date, str], ...] = ()
    budget: Decimal | None = None
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class TeamMemberDTO:
    """A person's place in one project's team (the Team tab's row)."""

    member_id: int
    project_id: int
    display_name: str
    role: str
    hours_per_day: Decimal
    active: bool
    version: int  # of the project membership (role, hours, active)
    person_version: int  # of the person (display name), shared by every project
    assigned_cards: int = 0  # live cards of this project assigned to them


@dataclass(frozen=True, slots=True)
class LabelUsageDTO:
    """A label with the number of live cards that carry it."""

    id: int
    project_id: int
    name: str
    color: str
    cards: int


@dataclass(frozen=True, slots=True)
class LabelMergeDTO:
    """What merging ``source`` into ``target`` did, so that it can be split back."""

    project_id: int
    source: LabelDTO
    target: LabelDTO
    moved_card_ids: tuple[int, ...]  # had the source only: now carry the target
    shared_card_ids: tuple[int, ...]  # had both: lost the source


@dataclass(frozen=True, slots=True)
class LabelDeletionDTO:
    """A deleted label and the cards it was taken off, so that it can be put back."""

    project_id: int
    label: LabelDTO
    card_ids: tuple[int, ...]
